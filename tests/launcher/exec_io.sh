#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The command's exit code, stdout and stderr come back separately, stdin
# goes in, and -i files run with their shared libraries.
. "$(dirname "$0")/../lib.sh"
need_kernel

expect_rc 7 "$KTSTR" exec -- sh -c 'echo to-out; echo to-err >&2; exit 7'
grep -qx to-out "$TMP/out" || fail "stdout lost: $(cat "$TMP/out")"
grep -qx to-err "$TMP/err" || fail "stderr lost: $(cat "$TMP/err")"
grep -q to-err "$TMP/out" && fail "stderr leaked into stdout"

printf 'line1\nline2\n' >"$TMP/in"
"$KTSTR" exec -- wc -l <"$TMP/in" >"$TMP/out" 2>"$TMP/err" ||
	fail "wc failed: $(cat "$TMP/err")"
[ "$(tr -d ' ' <"$TMP/out")" = 2 ] || fail "stdin lost: got '$(cat "$TMP/out")'"

# a dynamically linked host program (needs libc from the initramfs)
expect_rc 0 "$KTSTR" exec -i "$(command -v jq)" -- sh -c \
	'echo "{\"a\": 41}" | jq ".a + 1"; test -d /sys/fs/cgroup/cgroup.procs || test -f /sys/fs/cgroup/cgroup.procs; grep -q " /sys/fs/bpf bpf" /proc/mounts; grep -q tracefs /proc/mounts; grep -q debugfs /proc/mounts; id -u'
[ "$(head -1 "$TMP/out")" = 42 ] || fail "jq in the guest printed '$(cat "$TMP/out")'"
[ "$(tail -1 "$TMP/out")" = 0 ] || fail "the command did not run as root"
echo "exit code, stdout, stderr, stdin and a dynamic -i program all work"
