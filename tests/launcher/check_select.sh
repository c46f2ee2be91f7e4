#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# -t case.check: the case runs and reports that one check, and its
# status is that check's: the slow fixture fails rate_gate_pass's
# iteration-rate check, yet passes its starvation check; a check the
# case does not have is a failure, never a pass. Each case's stream
# carries its metrics as "# metric name=value unit" lines.
. "$(dirname "$0")/../lib.sh"
need_kernel
export KTSTR_RUNS="$TMP/runs"

"$KTSTR" run --no-auto-repro --sched "$BIN/scx_ktstr" --slow -- \
	-t rate_gate_pass.min_iteration_rate \
	>"$TMP/out" 2>"$TMP/err" && fail "a failing check selected with -t passed"
expect_in "$TMP/out" "^1\.\.1$"
expect_in "$TMP/out" "^    1\.\.1$"
expect_in "$TMP/out" "^    not ok 1 rate_gate_pass\.min_iteration_rate # "
grep -q "rate_gate_pass\.max_gap_ms" "$TMP/out" && fail "an unselected check was reported"
expect_in "$TMP/out" "^not ok 1 rate_gate_pass$"
expect_in "$TMP/out" "^# metric throughput=[0-9.e+]+ units/s$"
expect_in "$TMP/out" "^# metric max_gap=[0-9.e+]+ ms$"

expect_rc 0 "$KTSTR" run --no-auto-repro --sched "$BIN/scx_ktstr" --slow -- \
	-t rate_gate_pass.not_starved
expect_in "$TMP/out" "^    ok 1 rate_gate_pass\.not_starved # every worker made progress$"
expect_in "$TMP/out" "^ok 1 rate_gate_pass$"

expect_rc 1 "$KTSTR" run -t steady_scx.no_such_check
expect_in "$TMP/out" "# steady_scx: no check 'no_such_check' in its result"
expect_in "$TMP/out" "^not ok 1 steady_scx$"

expect_rc 250 "$KTSTR" run -t steady_scx.
expect_in "$TMP/err" "-t 'steady_scx\.': CASE\.CHECK"
expect_rc 250 "$KTSTR" run -t steady_scx.max_gap_ms -t steady_scx.not_starved
expect_in "$TMP/err" "one check per case"
echo "one check selected, reported and judged alone; a missing check fails; metrics as lines"
