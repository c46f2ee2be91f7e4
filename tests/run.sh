#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# tests/run.sh [-t FILTER]... [-l]: the project's own tests, as KTAP.
#
# Unit tests (tests/unit, kselftest harness, no VM) first, then the tests
# that boot guests (tests/launcher/*.sh, ...). A test script exits 0 for
# pass, 4 for skip (kselftest's KSFT_SKIP), anything else for fail; its
# output becomes '#' lines. The last line is 'N passed, N failed, N skipped'.
set -u

KTSTR_DIR=$(cd "$(dirname "$0")/.." && pwd)
export KTSTR_DIR
export OUTPUT=${OUTPUT:-$KTSTR_DIR/build}
filters=()
list=0
while [ $# -gt 0 ]; do
	case "$1" in
	-t) filters+=("$2"); shift 2 ;;
	-l) list=1; shift ;;
	*) echo "usage: tests/run.sh [-t FILTER]... [-l]" >&2; exit 2 ;;
	esac
done

# `tree`: the tree's sched_ext selftests and schedulers, which the
# sched/* and tree_* tests run
make -s -C "$KTSTR_DIR" OUTPUT="$OUTPUT" all tree >&2 || {
	echo "Bail out! the suite does not build (make all tree failed)"
	exit 1
}

tests=()
for t in "$OUTPUT"/bin/unit/*; do
	[ -x "$t" ] && tests+=("unit/$(basename "$t")")
done
for dir in launcher observe; do
	for t in "$KTSTR_DIR/tests/$dir"/*.sh; do
		[ -f "$t" ] && tests+=("$dir/$(basename "$t" .sh)")
	done
done

# every declared case, each in its own VM through `ktstr run`
for name in $("$KTSTR_DIR/ktstr" run --list | jq -r '.[].name'); do
	tests+=("engine/$name")
done
# the tree's schedulers through --sched, on every positive case that runs
# the fixture by default (not the EEVDF baselines, not the bug catalog or
# other negative cases, not the observe scenarios that set fixture knobs)
positive=$("$KTSTR_DIR/ktstr" run --list |
	jq -r '.[] | select(.sched == "scx_ktstr" and .expect_err == null and
			   .sched_args == null) | "-t\n=" + .name')
for s in scx_simple scx_qmap scx_central scx_flatcg; do
	tests+=("sched/$s")
done

selected=()
for t in "${tests[@]}"; do
	if [ ${#filters[@]} -eq 0 ]; then
		selected+=("$t")
		continue
	fi
	for f in "${filters[@]}"; do
		case "$t" in *"$f"*) selected+=("$t"); break ;; esac
	done
done
if [ "$list" = 1 ]; then
	printf '%s\n' "${selected[@]}"
	exit 0
fi

# The declared cases run in one `ktstr run` (several VMs at once, its
# default -j), the first time one is due; each engine/<name> then reports
# its own block of that stream: its '#' lines, its per-check subtests and
# its result line.
ENGINE_DIR=$(mktemp -d /tmp/ktstr-engine.XXXXXX)
trap 'rm -rf "$ENGINE_DIR"' EXIT
engine_batch() {
	local t args=()

	for t in "${selected[@]}"; do
		case "$t" in engine/*) args+=(-t "=${t#engine/}") ;; esac
	done
	"$KTSTR_DIR/ktstr" run "${args[@]}" >"$ENGINE_DIR/stream" \
		2>"$ENGINE_DIR/stderr"
	awk -v dir="$ENGINE_DIR" '
	/^(ok|not ok) [0-9]+ / {
		name = $0
		sub(/^(ok|not ok) [0-9]+ /, "", name)
		sub(/ .*/, "", name)
		f = dir "/case." name
		printf "%s", block > f
		print > f
		close(f)
		block = ""
		next
	}
	/^KTAP version|^1\.\.[0-9]/ { next }
	{ block = block $0 "\n" }' "$ENGINE_DIR/stream"
	touch "$ENGINE_DIR/done"
}

# one case of the batch: its block, and its exit as kselftest has it
engine_case() {
	local f="$ENGINE_DIR/case.$1"

	[ -f "$ENGINE_DIR/done" ] || engine_batch
	if [ ! -f "$f" ]; then
		echo "no result for $1 in the batch run; its stderr:"
		tail -20 "$ENGINE_DIR/stderr"
		return 1
	fi
	sed '$d' "$f"
	case "$(tail -1 "$f")" in
	"ok "*"# SKIP"*) echo "SKIP: $(tail -1 "$f" | sed 's/.*# SKIP *//')"; return 4 ;;
	"ok "*) return 0 ;;
	*) return 1 ;;
	esac
}

pass=0 fail=0 skip=0 n=0
failed=()
echo "KTAP version 1"
echo "1..${#selected[@]}"
for t in "${selected[@]}"; do
	n=$((n + 1))
	start=$(date +%s)
	echo "# [$n/${#selected[@]}] $t ..." >&2
	case "$t" in
	unit/*) out=$("$OUTPUT/bin/$t" 2>&1) ;;
	engine/*) out=$(engine_case "${t#engine/}") ;;
	sched/*)
		# scx_central on 6.12.y: the engine's workaround table
		# (lib/sched_workarounds.c) pins scx_ops_enable_helper and
		# retries, reported in the output; if every attempt still
		# fails that way the case is a SKIP with the reason.
		# a scheduler's own known bugs, found by the suite, with
		# the evidence: tests/known-issues/<scheduler>
		known=
		[ -f "$KTSTR_DIR/tests/known-issues/${t#sched/}" ] &&
			known="$KTSTR_DIR/tests/known-issues/${t#sched/}"
		mapfile -t sel <<<"$positive"
		out=$(KTSTR_KNOWN_ISSUES=$known \
			"$KTSTR_DIR/ktstr" run --sched \
			"$OUTPUT/tree/sched_ext/build/bin/${t#sched/}" -- \
			"${sel[@]}" 2>&1)
		rc=$?
		if [ $rc -ne 0 ] && [ "$t" = sched/scx_central ] &&
		   grep -q '^# # scheduler did not attach: ' <<<"$out" &&
		   grep -q 'init from non-central CPU' <<<"$out"; then
			out="$out
SKIP: scx_central's ops.init ran off the central CPU in every attempt (6.12.y runs ops.init from an unbound kthread)"
			(exit 4)
		else
			(exit $rc)
		fi ;;
	*) out=$(bash "$KTSTR_DIR/tests/$t.sh" 2>&1) ;;
	esac
	rc=$?
	secs=$(( $(date +%s) - start ))
	[ -n "$out" ] && printf '%s\n' "$out" | sed 's/^/# /'
	if [ $rc -eq 0 ]; then
		echo "ok $n $t # ${secs}s"
		pass=$((pass + 1))
	elif [ $rc -eq 4 ]; then
		reason=$(printf '%s\n' "$out" | grep -m1 '^SKIP' | sed 's/^SKIP:* *//')
		echo "ok $n $t # SKIP ${reason:-skipped}"
		skip=$((skip + 1))
	else
		echo "not ok $n $t # exit $rc, ${secs}s"
		fail=$((fail + 1))
		# CI keeps only the tail of the log: repeat each failure's
		# own verdict lines and last words there.
		failed+=("not ok $n $t # exit $rc")
		while IFS= read -r l; do
			failed+=("#   $l")
		done < <(printf '%s\n' "$out" |
			 grep -E '^(#? *)?not ok|inconclusive|FAIL' | head -n 12
			 printf '%s\n' "$out" | tail -n 6)
	fi
done
if [ $fail -ne 0 ]; then
	echo "# --- failures ---"
	printf '# %s\n' "${failed[@]}"
fi
echo "# Totals: pass:$pass fail:$fail skip:$skip"
echo "$pass passed, $fail failed, $skip skipped"
[ $fail -eq 0 ]
