# SPDX-License-Identifier: GPL-2.0
#
# Helpers for the shell tests under tests/: sourced, not run.

KTSTR_DIR=${KTSTR_DIR:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}
OUTPUT=${OUTPUT:-$KTSTR_DIR/build}
KTSTR="$KTSTR_DIR/ktstr"
BIN="$OUTPUT/bin"
export KTSTR_QUIET_TCG=1
TMP=$(mktemp -d /tmp/ktstr-test.XXXXXX)
trap '[ -n "${KEEP_TMP:-}" ] || rm -rf "$TMP"' EXIT

fail() {
	echo "FAIL: $*"
	exit 1
}

skip() {
	echo "SKIP: $*"
	exit 4
}

need_kernel() {
	KERNEL=$("$KTSTR" kernel path 2>/dev/null) ||
		skip "no test kernel: run './ktstr kernel build'"
}

# expect_rc WANT CMD...: run CMD, keep its output in $TMP/out and $TMP/err
expect_rc() {
	local want=$1 rc
	shift
	"$@" >"$TMP/out" 2>"$TMP/err"
	rc=$?
	if [ "$rc" != "$want" ]; then
		echo "--- stdout"; tail -20 "$TMP/out"
		echo "--- stderr"; tail -30 "$TMP/err"
		fail "'$*' exited $rc, expected $want"
	fi
}

expect_in() {
	local file=$1 pattern=$2
	grep -qE -- "$pattern" "$file" ||
		{ cat "$file"; fail "no '$pattern' in $(basename "$file")"; }
}

expect_not_in() {
	local file=$1 pattern=$2
	! grep -qE -- "$pattern" "$file" ||
		{ cat "$file"; fail "'$pattern' in $(basename "$file")"; }
}

# qemu processes started for the ktstr with PID $1 (its socket names it)
qemu_of() {
	pgrep -f "qemu-system.*ktstr-$1-" || true
}
