#!/bin/bash
# `ktstr shell` gives a root shell on the guest's console: what is typed
# runs there, and the shell's exit status is ktstr's.
. "$(dirname "$0")/../lib.sh"
need_kernel

# type only once the shell is up: the console drops input sent earlier
(sleep 8; printf 'echo shell-uid-$(id -u)-$(cat /sys/kernel/sched_ext/state)\nexit 3\n'; sleep 20) |
	timeout 120 "$KTSTR" shell >"$TMP/out" 2>&1
rc=${PIPESTATUS[1]}
[ "$rc" = 3 ] || { tail -20 "$TMP/out"; fail "shell exited $rc, expected the shell's 3"; }
expect_in "$TMP/out" "^shell-uid-0-disabled"
echo "typed commands ran as root in the guest; exit status 3 came back"
