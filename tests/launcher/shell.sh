#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# `ktstr shell` gives a root shell on the guest's console: what is typed
# runs there, and the shell's exit status is ktstr's.
. "$(dirname "$0")/../lib.sh"
need_kernel

# type only once the shell is up: the console drops input sent earlier.
# Piped input is a script: the guest console does not echo it (ash's line
# editor would take typed bytes as the answer to its cursor query), so
# only the commands' output shows.
(sleep 8; printf 'echo shell-uid-$(id -u)-$(cat /sys/kernel/sched_ext/state)\nexit 3\n'; sleep 20) |
	timeout 120 "$KTSTR" shell >"$TMP/out" 2>&1
rc=${PIPESTATUS[1]}
[ "$rc" = 3 ] || { tail -20 "$TMP/out"; fail "shell exited $rc, expected the shell's 3"; }
expect_in "$TMP/out" "shell-uid-0-disabled"
expect_not_in "$TMP/out" "echo shell-uid"
echo "typed commands ran as root in the guest; exit status 3 came back"

# shell --test NAME: the case's topology (1n2l2c1t: 4 CPUs), its engine
# binary and the fixture on PATH, ready to run the case by hand
(sleep 15; printf 'echo case-$(nproc)-$(command -v steady)-$(command -v scx_ktstr)-$KTSTR_TOPO\nexit 3\n'; sleep 25) |
	timeout 120 "$KTSTR" shell --test steady_scx >"$TMP/case" 2>&1
expect_in "$TMP/case" "case-4-/bin/steady-/bin/scx_ktstr-1n2l2c1t"
expect_in "$TMP/case" "run it with: steady -t steady_scx"
echo "shell --test steady_scx: 4 CPUs, the engine and the fixture on PATH"
