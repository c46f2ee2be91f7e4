#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# `ktstr shell` gives a root shell on the guest's console: what is typed
# runs there, and the shell's exit status is ktstr's.
. "$(dirname "$0")/../lib.sh"
need_kernel

# Type once the shell's prompt is on the console, as a user does: bytes
# sent while the guest still sets its serial port up are lost (a fixed
# wait was too short on a loaded host). Piped input is a script: the
# guest console does not echo it (ash's line editor would take typed
# bytes as the answer to its cursor query), so only the output shows.
type_at_prompt() { # FILE TEXT [LATER]
	local i

	for ((i = 0; i < 1000; i++)); do
		grep -q '/root # ' "$1" 2>/dev/null && break
		sleep 0.1
	done
	sleep 1
	printf '%s' "$2"
	sleep 3
	printf '%s' "${3:-}"
	sleep 17
}

type_at_prompt "$TMP/out" 'echo shell-uid-$(id -u)-$(cat /sys/kernel/sched_ext/state)
exit 3
' | timeout 120 "$KTSTR" shell >"$TMP/out" 2>&1
rc=${PIPESTATUS[1]}
[ "$rc" = 3 ] || { tail -20 "$TMP/out"; fail "shell exited $rc, expected the shell's 3"; }
expect_in "$TMP/out" "shell-uid-0-disabled"
expect_not_in "$TMP/out" "echo shell-uid"
echo "typed commands ran as root in the guest; exit status 3 came back"

# shell --test NAME: the case's topology (1n2l2c1t: 4 CPUs), its engine
# binary and the fixture on PATH, ready to run the case by hand
type_at_prompt "$TMP/case" 'echo case-$(nproc)-$(command -v steady)-$(command -v scx_ktstr)-$KTSTR_TOPO
exit 3
' | timeout 120 "$KTSTR" shell --test steady_scx >"$TMP/case" 2>&1
expect_in "$TMP/case" "case-4-/bin/steady-/bin/scx_ktstr-1n2l2c1t"
expect_in "$TMP/case" "run it with: steady -t steady_scx"
echo "shell --test steady_scx: 4 CPUs, the engine and the fixture on PATH"

# What the command wrote just before it exited reaches the host even if
# the port has not sent it yet. ^S (XOFF) holds the console's output
# back, the shell writes and exits, and ^Q lets the output go 3 s later.
# A session leader's exit hangs the terminal up, and the hangup threw
# the unsent output away: init.c's lead_console_session() keeps it.
type_at_prompt "$TMP/held" $'\023echo held-$((6 * 7))\nexit 5\n' $'\021' |
	timeout 120 "$KTSTR" shell >"$TMP/held" 2>&1
rc=${PIPESTATUS[1]}
[ "$rc" = 5 ] || { tail -20 "$TMP/held"; fail "shell exited $rc, expected the shell's 5"; }
expect_in "$TMP/held" "held-42"
echo "output held back by XOFF at the shell's exit still came out"
