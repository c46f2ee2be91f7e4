#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# A real workload through the whole stack: the kernel tree's own sched_ext
# selftests, built against the test kernel, run in a guest and all pass.
. "$(dirname "$0")/../lib.sh"
need_kernel

runner="$OUTPUT/tree/selftests/runner"
[ -x "$runner" ] || fail "$runner was not built (make tree)"
"$KTSTR" exec --topo 1n2l2c1t --timeout 600 -i "$runner" -- runner \
	>"$TMP/out" 2>"$TMP/err"
rc=$?
grep -E '^(ok|not ok) ' "$TMP/out"
[ $rc = 0 ] || { tail -30 "$TMP/err"; fail "runner exited $rc"; }
# runner's exit code is 0 even when tests fail: read its summary
passed=$(sed -n 's/^PASSED: *//p' "$TMP/out")
failed=$(sed -n 's/^FAILED: *//p' "$TMP/out")
[ -n "$passed" ] || { tail -30 "$TMP/out"; fail "no summary from runner"; }
[ "$failed" = 0 ] || fail "$failed sched_ext selftests failed"
[ "$passed" -gt 0 ] || fail "no sched_ext selftest passed"
echo "sched_ext selftests: $passed passed, $failed failed"
