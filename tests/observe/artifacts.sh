#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The run directory: a sidecar for every case, a failure dump for every
# failure (a placeholder saying why when nothing could be captured),
# every file valid JSON, stale files cleared, and replay reruns exactly
# the failures.
. "$(dirname "$0")/../lib.sh"
need_kernel
export KTSTR_RUNS="$TMP/runs"

# --sched /bin/true never attaches: steady_scx fails with nothing to
# capture (a placeholder); steady_eevdf keeps EEVDF and passes.
"$KTSTR" run --sched /bin/true -- -t =steady_eevdf -t =steady_scx \
	>"$TMP/run" 2>&1 && fail "a scheduler that never attaches passed"
dir=$(sed -n '/^# ktstr: test outputs$/{n;s/^# //p;}' "$TMP/run")
[ -d "$dir" ] || fail "no run directory ($dir)"
case "$(basename "$dir")" in
6.*-*-[0-9]*) ;;
*) fail "run directory $(basename "$dir") is not <release>-<commit>-<seq>" ;;
esac
jq -e --arg id "$(basename "$dir")" '.id == $id and .started != null' \
	"$dir/run.json" >/dev/null || fail "run.json does not name the run"
n=0
for f in "$dir"/*.json; do
	jq -e . "$f" >/dev/null || fail "$f is not valid JSON"
	n=$((n + 1))
done
# beside them: each case's structured result and timing
sidecars=$(ls "$dir"/*.ktstr.json | wc -l)
dumps=$(ls "$dir"/*.failure-dump.json | wc -l)
[ "$sidecars" = 2 ] && [ "$dumps" = 1 ] ||
	fail "expected 2 sidecars and 1 failure dump, found $sidecars and $dumps ($(ls "$dir"))"
jq -e '.test == "steady_eevdf" and .passed == true and .kernel.release != null and .timestamp != null and (.cgroups | length) == 2 and .monitor.verdict == "OK" and (.monitor.events | has("available")) and (.monitor.schedstat.csw >= 0) and (.monitor.thresholds.max_keep_last_rate == 100)' \
	"$dir"/steady_eevdf-*.ktstr.json >/dev/null || fail "steady_eevdf sidecar lacks fields"
# the placeholder in the manual's shape: schema, maps [], the stage, the flag
jq -e '.is_placeholder == true and (.stage | test("never attached")) and
	.schema == "single" and .maps == [] and
	(.sdt_alloc_unavailable | test("^test failed at stage `[^`]+`; no BPF state captured \\(.*never attached"))' \
	"$dir"/steady_scx-*.failure-dump.json >/dev/null || fail "no placeholder for steady_scx"
grep -q "scheduler did not attach" "$dir"/steady_scx-*.bundle.txt ||
	fail "the failure's report is not in the run directory as text"
expect_in "$TMP/run" "^# FAILED steady_scx"
expect_in "$TMP/run" "^# replay ./ktstr replay --filter steady_scx --exec$"
expect_in "$TMP/run" "^# failure dump .*/steady_scx-[0-9a-f]{16}\.failure-dump\.json$"

# replay names exactly the failure, with the run's own options
"$KTSTR" replay >"$TMP/replay"
grep -qx './ktstr run --sched /bin/true -- -t =steady_scx' "$TMP/replay" ||
	fail "replay printed: $(cat "$TMP/replay")"

# the same variant failing, then passing, in one run directory
# (--run-dir): the stale failure dump goes. KTSTR_TIME_SCALE=1 holds the
# rate floor at native speed, which TCG cannot meet.
KTSTR_TIME_SCALE=1 "$KTSTR" run --run-dir "$dir" -t =rate_gate_pass \
	>"$TMP/f1" 2>&1 && fail "rate_gate_pass met a native-speed floor under TCG"
ls "$dir"/rate_gate_pass-*.failure-dump.json >/dev/null 2>&1 ||
	fail "no failure dump for the failing rate_gate_pass"
"$KTSTR" run --run-dir "$dir" -t =rate_gate_pass >"$TMP/f2" 2>&1 ||
	fail "rate_gate_pass failed"
ls "$dir"/rate_gate_pass-*.failure-dump.json >/dev/null 2>&1 &&
	fail "a passing rerun left the old failure dump behind"
# without --run-dir every run has a directory of its own
[ "$(ls -d "$KTSTR_RUNS"/*/ | wc -l)" -eq 1 ] ||
	fail "a --run-dir run made a directory of its own"
echo "run directory $(basename "$dir"): $n JSON files valid, placeholder, replay, stale dump cleared"
