#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# A real crash of the fixture (its crash knob, through --sched so the case
# fails for real) yields the whole bundle: BUG SUMMARY with the
# scx_bpf_error text and source location, diagnostics, the debug dump
# with a backtrace, the sched_ext dump, and a failure dump holding the
# fixture's maps by field name, read after the loader was gone.
. "$(dirname "$0")/../lib.sh"
need_kernel

KTSTR_RUNS="$TMP/runs" "$KTSTR" run --sched "$BIN/scx_ktstr" --crash-after 800 -- \
	-t =steady_scx >"$TMP/run" 2>&1 && fail "a crashing scheduler passed"
r="$TMP/run"
expect_in "$r" "^# BUG SUMMARY: scx_bpf_error \(scx_ktstr\.bpf\.c:[0-9]+: host-triggered crash\)"
expect_in "$r" "^# scheduler process died unexpectedly during workload \([0-9.]+s into test\)"
expect_in "$r" "^# --- diagnostics ---"
expect_in "$r" "^# stage: payload started but produced no test result$"
expect_in "$r" "^# exit_code=1$"
expect_in "$r" "^# the scheduler died under the running workload, [0-9.]+s into the test$"
expect_in "$r" "^# --- scheduler log ---"
expect_in "$r" "bpf_prog_[0-9a-f]+_ktstr_dispatch"
expect_in "$r" "^# scx_ktstr: crash=1 "
expect_in "$r" "^# --- sched_ext dump ---"
expect_in "$r" "^# --- monitor ---"
# the sections come in the documented order
order=$(grep -oE '^# (BUG SUMMARY|ktstr_test|--- [a-z_ ]+ ---)' "$r" | sed 's/^# //' | uniq | tr '\n' '|')
case "$order" in
"BUG SUMMARY|ktstr_test|--- stats ---|--- diagnostics ---|--- timeline ---|--- scheduler log ---|--- monitor ---|--- sched_ext dump ---|"*) ;;
*) fail "sections out of order: $order" ;;
esac
dump=$(sed -n 's/^# failure dump //p' "$r")
[ -f "$dump" ] || fail "no failure dump listed or written ($dump)"
jq -e '.is_placeholder == false' "$dump" >/dev/null || fail "the failure dump is a placeholder"
jq -e '[.maps[] | select(.command[1] == "dump") | .output[0].formatted.value[".bss"]? // empty | .[] | select(.knob_crash == true)] | length == 1' \
	"$dump" >/dev/null || fail "the fixture's .bss with knob_crash=true is not in $dump"
echo "BUG SUMMARY, diagnostics, debug dump, sched_ext dump and a failure dump with knob_crash=true by name"
