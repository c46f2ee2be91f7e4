#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The documented report is the real one. A real failure (the fixture's
# slow knob against a rate floor) is compared, line kind by line kind,
# with the examples of Documentation/reading-failures.md that are marked
# <!-- doc_shapes -->: the same field names in the same order, and the
# kinds in the same order. Numbers, hashes and paths are not compared.
# When the code's format changes, this fails until the docs are updated
# from a real run.
. "$(dirname "$0")/../lib.sh"
need_kernel
export KTSTR_RUNS="$TMP/runs"
doc="$KTSTR_DIR/Documentation/reading-failures.md"

"$KTSTR" run --sched "$BIN/scx_ktstr" --slow -- -t =rate_gate_pass \
	>"$TMP/run" 2>&1 && { cat "$TMP/run"; fail "rate_gate_pass passed on the slowed fixture"; }

# the marked examples: the fenced block after each marker
awk '/<!-- doc_shapes -->/ { want = 1; next }
     want && /^```/ { if (inb) { inb = 0; want = 0 } else inb = 1; next }
     inb' "$doc" >"$TMP/doc"
[ -s "$TMP/doc" ] || fail "no <!-- doc_shapes --> example in $doc"

# A line's shape: directories, the run's and the variant's hashes, the
# BPF program's name, every number and the width of blank runs replaced;
# words and order stay.
shape() {
	sed -E -e 's/  +/ /g' -e 's#(^| )/[^ ]*/#\1#g' \
		-e 's/-[0-9a-f]{7,12}(-dirty)?$/-COMMIT/' \
		-e 's/-[0-9a-f]{16}\./-HASH./g' \
		-e 's/^(# bpf: )[^ ]+/\1NAME/' \
		-e 's/[0-9]+(\.[0-9]+)?/N/g'
}

# kind|regex of the raw line, in the order the report prints them
kinds=(
	"header|^# ktstr_test '"
	"detail line|^# worker [0-9]+ iteration rate "
	"stats|^# --- stats ---$"
	"stats roll-up|^# [0-9]+ workers, "
	"stats row|^# cg[0-9]+: "
	"timeline|^# --- timeline ---$"
	"timeline header|^# topology: "
	"phase|^# Phase [0-9]+: "
	"phase monitor line|^# imbalance: "
	"per-cgroup|^# per-cgroup:$"
	"per-cgroup row|^# [A-Za-z_][A-Za-z0-9_]*: off-cpu "
	"step marker|^# >>> "
	"monitor|^# --- monitor ---$"
	"monitor samples|^# samples="
	"monitor avg|^# avg: "
	"monitor events|^# events: "
	"monitor schedstat|^# schedstat: "
	"monitor bpf|^# bpf: "
	"monitor cost|^# monitor cost: "
	"monitor verdict|^# verdict: "
	"outputs|^# (ktstr: )?test outputs"
	"outputs failed|^# FAILED "
	"outputs failure dump|^# +failure dump "
	"outputs stats|^# +stats "
	"outputs replay|^# +replay "
	"outputs rerun|^# rerun all failures: "
)

bad=0
last_doc=0
last_run=0
for k in "${kinds[@]}"; do
	name=${k%%|*}
	re=${k#*|}
	d=$(grep -nE -m1 -- "$re" "$TMP/doc")
	r=$(grep -nE -m1 -- "$re" "$TMP/run")
	if [ -z "$d" ]; then
		echo "the docs show no $name line ($re)"
		bad=1
		continue
	fi
	if [ -z "$r" ]; then
		echo "the run printed no $name line ($re)"
		bad=1
		continue
	fi
	ds=$(printf '%s\n' "${d#*:}" | shape)
	rs=$(printf '%s\n' "${r#*:}" | shape)
	if [ "$ds" != "$rs" ]; then
		printf '%s differs:\n  docs: %s\n  run:  %s\n' "$name" "${d#*:}" "${r#*:}"
		bad=1
	fi
	# the kinds come in the same order in both
	if [ "${d%%:*}" -lt "$last_doc" ] || [ "${r%%:*}" -lt "$last_run" ]; then
		echo "$name is out of order (docs line ${d%%:*}, run line ${r%%:*})"
		bad=1
	fi
	last_doc=${d%%:*}
	last_run=${r%%:*}
done
# the verdict is the monitor block's last line
if grep -A1 '^# verdict: ' "$TMP/run" | tail -1 |
	grep -qE '^# (samples=|avg: |events|schedstat: |bpf: |monitor cost: )'; then
	echo "the monitor block does not end with its verdict"
	bad=1
fi
if [ $bad != 0 ]; then
	echo "--- the run:"
	cat "$TMP/run"
	fail "Documentation/reading-failures.md and the report differ (update the docs from a real run)"
fi
echo "${#kinds[@]} documented line kinds match a real rate_gate_pass failure in fields and order"
