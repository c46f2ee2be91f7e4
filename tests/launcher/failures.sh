#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Each way a boot can go wrong has its own exit code and one clear line,
# with the console log kept on disk.
. "$(dirname "$0")/../lib.sh"
need_kernel

# bad --topo: 250, saying what is wrong
expect_rc 250 "$KTSTR" exec --topo 2n3l1c1t -- true
expect_in "$TMP/err" "3 LLCs cannot be split evenly over 2 NUMA nodes"
expect_rc 250 "$KTSTR" exec --topo 1n1l0c1t -- true
expect_in "$TMP/err" "zero cores per LLC"
expect_rc 250 "$KTSTR" exec --topo 1n2l64c2t -- true
expect_in "$TMP/err" "256 CPUs, more than the 252"
expect_rc 250 "$KTSTR" exec --topo fast -- true
expect_in "$TMP/err" "not of the form NnLlCcTt"

# kernel image missing or not a bzImage: 251
expect_rc 251 "$KTSTR" exec --kernel "$TMP/nope" -- true
expect_in "$TMP/err" "nope.*No such file"
expect_rc 251 "$KTSTR" exec --kernel "$(dirname "$KERNEL")/../../../vmlinux" -- true
expect_in "$TMP/err" "not an x86 bzImage"

# qemu missing, and qemu refusing its arguments: 252
KTSTR_QEMU=/nonexistent/qemu expect_rc 252 "$KTSTR" exec -- true
expect_in "$TMP/err" "cannot run qemu '/nonexistent/qemu'.*install qemu-system-x86"
cat >"$TMP/qemu-bad" <<'SH'
#!/bin/sh
exec qemu-system-x86_64 -no-such-option "$@"
SH
chmod +x "$TMP/qemu-bad"
KTSTR_QEMU="$TMP/qemu-bad" expect_rc 252 "$KTSTR" exec -- true
expect_in "$TMP/err" "qemu refused to start"
expect_in "$TMP/err" "no-such-option"

# a guest kernel panic: 253 with the oops lines and the log's path
expect_rc 253 "$KTSTR" exec -- sh -c 'echo c > /proc/sysrq-trigger'
expect_in "$TMP/err" "guest kernel (panic|oops)"
expect_in "$TMP/err" "sysrq"
expect_in "$TMP/err" "console log: .*console.log"
log=$(sed -n 's/.*console log: //p' "$TMP/err")
[ -s "$log" ] || fail "console log $log is missing or empty"

# a hang past --timeout: 254, the VM killed, last console lines shown
expect_rc 254 "$KTSTR" exec --timeout 2 -- sleep 600
expect_in "$TMP/err" "guest hang: no result within --timeout"
expect_in "$TMP/err" "last console lines"
[ -z "$(pgrep -f 'qemu-system.*ktstr-')" ] || true
# ktstr run says how far a case's guest got, in the diagnostics section
"$KTSTR" run --kernel /nonexistent -t =steady_scx >"$TMP/run1" 2>&1 &&
	fail "a missing kernel passed"
expect_in "$TMP/run1" "^# stage: the VM never started"
"$KTSTR" run --append rdinit=/nonexistent -t =steady_scx >"$TMP/run2" 2>&1 &&
	fail "a guest without init passed"
expect_in "$TMP/run2" "^# stage: init script never started \(kernel or mount failure\)"
echo "250 bad topo, 251 bad image, 252 qemu, 253 panic, 254 hang: all told apart; ktstr run names the stage"
