#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The slow knob: the rate gate fails with the exact detail line, and when
# the slow-down starts mid-run the timeline's per-cgroup rows show it and
# the phase is marked as a degradation.
. "$(dirname "$0")/../lib.sh"
need_kernel

"$KTSTR" run -t =slow_fails_rate_gate >"$TMP/gate" 2>&1 ||
	{ cat "$TMP/gate"; fail "slow_fails_rate_gate failed"; }
expect_in "$TMP/gate" "^# worker [0-9]+ iteration rate [0-9]+\.[0-9]/s below floor [0-9]+\.[0-9]/s$"

"$KTSTR" run -t =slow_mid_run >"$TMP/tl" 2>&1 ||
	{ cat "$TMP/tl"; fail "slow_mid_run failed"; }
healthy=$(sed -n '/^# Phase 1: healthy/,/^# Phase 2/p' "$TMP/tl" | sed -n 's/^# a: .*iters=\([0-9]*\).*/\1/p')
slow=$(sed -n '/^# Phase 2: throttled/,$p' "$TMP/tl" | sed -n 's/^# a: .*iters=\([0-9]*\).*/\1/p')
[ -n "$healthy" ] && [ -n "$slow" ] || { cat "$TMP/tl"; fail "no per-cgroup rows in the timeline"; }
[ "$slow" -lt $((healthy / 2)) ] ||
	fail "the throttled phase did $slow iterations against $healthy healthy"
expect_in "$TMP/tl" "^# !!! degradation: throughput [0-9]+% below the previous phase"
echo "rate gate line exact; timeline rows: $healthy iterations healthy, $slow throttled"
