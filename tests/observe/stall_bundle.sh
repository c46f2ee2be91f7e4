#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The fixture's stall knob: the watchdog's runnable task stall is named in
# BUG SUMMARY and shows in the sched_ext dump.
. "$(dirname "$0")/../lib.sh"
need_kernel

KTSTR_RUNS="$TMP/runs" "$KTSTR" run --sched "$BIN/scx_ktstr" --stall-after 800 \
	--timeout-ms 2000 -- -t =steady_scx >"$TMP/run" 2>&1 &&
	fail "a stalling scheduler passed"
# the knob parks user tasks only: the watchdog still runs and names one
expect_in "$TMP/run" "^# BUG SUMMARY: runnable task stall \(.*\[[0-9]+\] failed to run for"
expect_in "$TMP/run" "^# sched_ext exit: runnable task stall"
sed -n '/--- sched_ext dump ---/,$p' "$TMP/run" >"$TMP/dump"
expect_in "$TMP/dump" "runnable task stall"
# auto-repro: the rerun's trigger fires on the stall exit too
expect_in "$TMP/run" "^# repro: kprobes=[0-9]+ fentry=0 trigger=scx_ops_exit_kind \(attached\) fired=yes"
expect_in "$TMP/run" "^# repro: exit kind 1026 triggered by "
# the exit info read at the trigger names the stalled task
expect_in "$TMP/run" "^# repro: exit info: kind=1026 \(runnable task stall\) code=0 msg=.*failed to run for"
expect_in "$TMP/run" "^# repro: stalled task: [^ ]+ pid [0-9]+$"
echo "the stall is named in BUG SUMMARY and the sched_ext dump; the repro trigger fired on it and named the stalled task"
