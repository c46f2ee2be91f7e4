#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# --gauntlet: each case again on named topology presets, as variants
# gauntlet/<test>/<preset>, within the limits the declaration sets.
. "$(dirname "$0")/../lib.sh"
need_kernel
export KTSTR_RUNS="$TMP/runs"

# the variants: isolation_llc needs two LLCs, so not tiny-1llc, and says so
"$KTSTR" run --gauntlet all --list -t =isolation_llc >"$TMP/list" 2>"$TMP/why"
n=$(jq length "$TMP/list")
[ "$n" -eq 23 ] || { cat "$TMP/list"; fail "isolation_llc: $n variants, not 23 of 24"; }
jq -e '.[] | select(.preset == "tiny-1llc")' "$TMP/list" >/dev/null &&
	fail "isolation_llc expanded onto tiny-1llc"
jq -e '.[] | select(.name == "gauntlet/isolation_llc/numa4-12llc" and .topo == "4n12l8c2t")' \
	"$TMP/list" >/dev/null || fail "no numa4-12llc variant with its topology"
expect_in "$TMP/why" "isolation_llc not on tiny-1llc: needs at least 2 LLCs, the preset has 1"
# negative tests opt out
"$KTSTR" run --gauntlet all --list -t =crash_is_caught >"$TMP/list2" 2>"$TMP/why2"
[ "$(jq length "$TMP/list2")" -eq 0 ] || fail "a negative test went on the gauntlet"
expect_in "$TMP/why2" "crash_is_caught opts out of the gauntlet"

# a typo fails before any boot, naming the preset and the choices
rc=0
"$KTSTR" run --gauntlet tiny-1llc,tiny-3llc -t =steady_scx >"$TMP/bad" 2>&1 || rc=$?
[ "$rc" -eq 250 ] || fail "an unknown preset exited $rc, not 250"
expect_in "$TMP/bad" "no preset 'tiny-3llc'; the presets are: tiny-1llc .* numa4-12llc"

# real runs: the guest gets the preset's CPUs and runs the declaration on
# that shape (a missing CPU would make it SKIP, not pass)
"$KTSTR" run --gauntlet tiny-1llc,smt-2llc -t =steady_scx -t =isolation_llc \
	>"$TMP/run" 2>&1 || { cat "$TMP/run"; fail "the gauntlet run failed"; }
expect_in "$TMP/run" "^ok 1 gauntlet/steady_scx/tiny-1llc$"
expect_in "$TMP/run" "^ok 2 gauntlet/steady_scx/smt-2llc$"
expect_in "$TMP/run" "^ok 3 gauntlet/isolation_llc/smt-2llc$"
expect_in "$TMP/run" "\[topo=1n2l2c2t\] (passed|inconclusive)"
expect_in "$TMP/run" "^3 passed, 0 failed, 0 skipped$"
f=$(ls "$KTSTR_RUNS"/*/gauntlet-steady_scx-smt-2llc-*.ktstr.json)
[ "$(jq -r .topology "$f")" = 1n2l2c2t ] || fail "the sidecar's topology is not the preset's"
[ "$(jq -r .variant "$f")" = gauntlet/steady_scx/smt-2llc ] ||
	fail "the sidecar does not name its variant"
# under TCG qemu has no x2APIC: a shape with APIC IDs past 254 (max-cpu,
# 252 CPUs, IDs up to 433) is refused by the launcher and skipped by run
rc=0
"$KTSTR" exec --accel tcg --topo 1n14l9c2t -- true >"$TMP/apic" 2>&1 || rc=$?
[ "$rc" -eq 250 ] || { cat "$TMP/apic"; fail "1n14l9c2t under TCG exited $rc, not 250"; }
expect_in "$TMP/apic" "topology 1n14l9c2t needs APIC IDs up to 433"
"$KTSTR" run --accel tcg --gauntlet max-cpu -t =steady_scx >"$TMP/max" 2>&1 ||
	{ cat "$TMP/max"; fail "a shape TCG cannot boot failed instead of skipping"; }
expect_in "$TMP/max" "^ok 1 gauntlet/steady_scx/max-cpu # SKIP topology 1n14l9c2t needs KVM"
echo "23 variants for isolation_llc, negative tests opted out, a typo refused, 3 variants passed on their presets, max-cpu skipped under TCG"
