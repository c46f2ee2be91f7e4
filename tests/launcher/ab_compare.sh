#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# A/B: `ktstr compare` runs the cases on two sides, pass after pass, and
# says what regressed. A scheduler against itself regresses nothing; the
# fixture with its slow knob against without is a significant throughput
# regression and exits 1. The runs are kept: `stats list` lists both
# sides, `stats show` has the repetitions as samples, `stats compare`
# gives the same answer from the saved runs, and a second `ktstr run`
# never writes into the first one's directory. The payload cases
# (stress-ng, hackbench) pass under scx_simple and their metrics are in
# `stats show` and in a compare. Both sides of a pass run at once
# (--together): one VM per host CPU, as the rest of the suite runs.
. "$(dirname "$0")/../lib.sh"
need_kernel
export KTSTR_RUNS="$TMP/runs"
CASE==rate_gate_pass
SIMPLE="$OUTPUT/tree/sched_ext/build/bin/scx_simple"

# the same scheduler on both sides, five passes: nothing regressed
expect_rc 0 "$KTSTR" compare --a-sched "$SIMPLE" -- --b-sched "$SIMPLE" -- \
	--repeat 5 --together -t "$CASE" --json
jq -e '.regressed == 0' "$TMP/out" >/dev/null ||
	{ cat "$TMP/out"; fail "scx_simple against itself: a metric regressed"; }
jq -e '[.metrics[] | select(.metric == "throughput")][0] |
       .n_a == 5 and .n_b == 5' "$TMP/out" >/dev/null ||
	{ cat "$TMP/out"; fail "not five throughput samples a side"; }
self_a=$(jq -r .a "$TMP/out")

# the slow knob throttles dispatch: throughput regressed, significant
# (4 a side: the fewest with which the rank test can reach p < 0.05)
expect_rc 1 "$KTSTR" compare --a-sched "$BIN/scx_ktstr" -- \
	--b-sched "$BIN/scx_ktstr" --slow -- --repeat 4 --together -t "$CASE"
expect_in "$TMP/out" "^rate_gate_pass +throughput .* regressed \(threshold 10%\)$"
expect_in "$TMP/out" "^# [1-9][0-9]* regressed, "
slow_a=$(sed -n 's/^# side A: .*; run \(.*\)$/\1/p' "$TMP/out")
slow_b=$(sed -n 's/^# side B: .*; run \(.*\)$/\1/p' "$TMP/out")
[ -d "$slow_a" ] && [ -d "$slow_b" ] || fail "the sides' run directories are not named"

# pictures: the A/B bars, and the failed (slow) cases' run-queue plots,
# rendered by rsvg-convert and not blank
expect_rc 1 "$KTSTR" stats compare "$slow_a" "$slow_b" --svg "$TMP/cmp.svg"
expect_in "$TMP/out" "^# plot $TMP/cmp.svg$"
rsvg-convert -o "$TMP/cmp.png" "$TMP/cmp.svg" || fail "rsvg-convert refused the compare plot"
python3 "$KTSTR_DIR/tests/png_not_blank.py" "$TMP/cmp.png" 2000 ||
	fail "the compare plot is blank"
grep -q 'rate_gate_pass throughput' "$TMP/cmp.svg" || fail "the plot has no throughput bar"
tl=$(ls "$slow_b"/rate_gate_pass*-*.timeline.svg | head -1)
[ -n "$tl" ] || fail "the failed slow case has no timeline plot"
expect_in "$slow_b/pass-1.ktap" "^# timeline plot .*\.timeline\.svg$"
rsvg-convert -o "$TMP/tl.png" "$tl" || fail "rsvg-convert refused $tl"
python3 "$KTSTR_DIR/tests/png_not_blank.py" "$TMP/tl.png" 2000 ||
	fail "the timeline plot is blank"

# each pass's KTAP is kept beside its samples
[ -s "$slow_b/pass-4.ktap" ] || fail "no pass-4.ktap in side B's run directory"
expect_in "$slow_b/pass-4.ktap" "^(not )?ok 1 rate_gate_pass~4"

# the runs are kept and read back
expect_rc 0 "$KTSTR" stats list --json
[ "$(jq length "$TMP/out")" -eq 4 ] || { cat "$TMP/out"; fail "not the four sides' runs"; }
expect_rc 0 "$KTSTR" stats show "$self_a" --json
jq -e '.cases[0].case == "rate_gate_pass" and
       (.cases[0].metrics.throughput.samples | length) == 5' "$TMP/out" \
	>/dev/null || { cat "$TMP/out"; fail "stats show: not five samples"; }
expect_rc 1 "$KTSTR" stats compare "$slow_a" "$slow_b"
expect_in "$TMP/out" "^rate_gate_pass +throughput .* regressed"
# B against A: the same change is an improvement (other metrics may go
# either way: the unthrottled side migrates more, say)
"$KTSTR" stats compare "$slow_b" "$slow_a" >"$TMP/out" 2>"$TMP/err"
rc=$?
[ "$rc" -le 1 ] || { cat "$TMP/err"; fail "the reversed compare exited $rc"; }
expect_in "$TMP/out" "^rate_gate_pass +throughput .* improved"
# thresholds beyond every change: nothing regressed
expect_rc 0 "$KTSTR" stats compare "$slow_a" "$slow_b" --threshold 100000 \
	--threshold spread=1000 --threshold imbalance=1000
# bad input: named, exit 250
expect_rc 250 "$KTSTR" stats compare "$slow_a" no-such-run
expect_in "$TMP/err" "no run 'no-such-run'"
expect_rc 250 "$KTSTR" stats compare "$slow_a" "$slow_b" --threshold bogus=5
expect_in "$TMP/err" "no metric 'bogus'"

# two plain runs: two run ids, the first one's sidecars untouched
"$KTSTR" run -t "$CASE" >"$TMP/r1" 2>&1 || { cat "$TMP/r1"; fail "run 1"; }
"$KTSTR" run -t "$CASE" >"$TMP/r2" 2>&1 || { cat "$TMP/r2"; fail "run 2"; }
run_dir() {
	grep -A1 '^# ktstr: test outputs$' "$1" | sed -n '2s/^# //p'
}
d1=$(run_dir "$TMP/r1")
d2=$(run_dir "$TMP/r2")
[ -n "$d1" ] && [ "$d1" != "$d2" ] || fail "two runs, one run directory ($d1)"
ls "$d1"/rate_gate_pass-*.ktstr.json >/dev/null || fail "run 1's sidecar is gone"

# payloads: stress-ng and hackbench under scx_simple, then the fixture
"$KTSTR" run --sched "$SIMPLE" -- -t payload_ >"$TMP/p1" 2>&1 ||
	{ cat "$TMP/p1"; fail "the payload cases failed under scx_simple"; }
expect_in "$TMP/p1" "ok 1 payload_hackbench.payload # hackbench exited 0, 1 metric"
expect_in "$TMP/p1" "payload_stress_ng.payload # stress-ng exited 0, [1-9][0-9]* metrics"
p1=$(run_dir "$TMP/p1")
"$KTSTR" run -t payload_ >"$TMP/p2" 2>&1 || { cat "$TMP/p2"; fail "the payload cases failed"; }
p2=$(run_dir "$TMP/p2")
expect_rc 0 "$KTSTR" stats show "$p1" --json
jq -e '.cases[] | select(.case == "payload_stress_ng") |
       .metrics["stress-ng.cpu.bogo-ops-per-second-real-time"].better == "higher"' \
	"$TMP/out" >/dev/null || { cat "$TMP/out"; fail "stats show: no stress-ng metric"; }
jq -e '.cases[] | select(.case == "payload_hackbench") |
       .metrics["hackbench.time_s"].better == "lower"' "$TMP/out" >/dev/null ||
	{ cat "$TMP/out"; fail "stats show: no hackbench time"; }
"$KTSTR" stats compare "$p1" "$p2" --json >"$TMP/pc" 2>&1
jq -e '[.metrics[] | select(.metric == "hackbench.time_s" or
			    .metric == "stress-ng.cpu.bogo-ops")] | length == 2' \
	"$TMP/pc" >/dev/null || { cat "$TMP/pc"; fail "the compare has no payload metrics"; }
exit 0
