#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# ktstr shrink: the fixture's scattershot knob on a 2-LLC case (a
# migration storm) shrinks to a smaller declaration that still fails its
# migration check; a case that does not fail is not shrunk; an unknown
# name is refused before any boot.
. "$(dirname "$0")/../lib.sh"
need_kernel

expect_rc 0 "$KTSTR" shrink scattershot_fails_migration_ratio --runs 1 --budget 300
expect_in "$TMP/err" "fails max_migration_ratio in 1 of 1 runs; shrinking"
expect_in "$TMP/err" "-> kept$"
expect_in "$TMP/out" "^KTSTR_TEST\(scattershot_fails_migration_ratio_shrunk,$"
expect_in "$TMP/out" "fails max_migration_ratio in 1 of 1 runs"
expect_in "$TMP/out" "\.checks = \{ \.max_migration_ratio = 0\.2 \},"
# smaller than the declaration: fewer CPUs or a shorter run
topo=$(sed -n 's/^\t\.topo = "\(.*\)",$/\1/p' "$TMP/out")
dur=$(sed -n 's/^\t\.duration_ms = \([0-9]*\),$/\1/p' "$TMP/out")
[ -n "$topo" ] && [ -n "$dur" ] || { cat "$TMP/out"; fail "no topology or duration printed"; }
[ "$topo" != 1n2l2c1t ] || [ "$dur" -lt 3000 ] ||
	{ cat "$TMP/out"; fail "nothing was shrunk"; }

expect_rc 1 "$KTSTR" shrink steady_eevdf --runs 1
expect_in "$TMP/err" "did not fail in 1 runs here: nothing to shrink"
expect_rc 250 "$KTSTR" shrink no_such_case
expect_in "$TMP/err" "no case 'no_such_case'"
echo "scattershot shrank to topo $topo, ${dur} ms, still failing its migration check"
