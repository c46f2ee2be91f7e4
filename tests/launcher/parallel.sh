#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# ktstr run -j N, --shard I/N with ktstr merge, and --budget: the same
# cases and verdicts in the same order as one VM at a time, a stream that
# TAP parsers take, each VM on host CPUs of its own, no qemu after Ctrl-C.
. "$(dirname "$0")/../lib.sh"
need_kernel
export KTSTR_RUNS="$TMP/runs"
# the kernel's kunit.py: from the tree the test kernel was built from
# (its build directory's source link), else the tree ktstr sits in
kunit_in() { [ -f "$1/tools/testing/kunit/kunit.py" ] &&
	echo "$1/tools/testing/kunit/kunit.py"; }
KUNIT=${KUNIT:-$(kunit_in "$(dirname "$KERNEL")/../../../source" ||
	kunit_in "$KTSTR_DIR/../../../..")}
[ -n "$KUNIT" ] || fail "no kunit.py in the test kernel's source: set KUNIT"
# no timing-tight checks: two VMs share two cores here
cases=(-t =steady_eevdf -t =fail_verify_is_caught -t =crash_is_caught
       -t =isolation_llc)

# the top-level results, SKIP reasons cut (a reason may name a duration)
verdicts() {
	grep -E '^(not )?ok [0-9]+ ' "$1" | sed 's/ # SKIP.*/ # SKIP/'
}

# stream checks: TAP::Parser (what prove runs) and the kernel's kunit.py
tap_ok() {
	local f=$1 n
	n=$(verdicts "$f" | wc -l)
	perl -MTAP::Parser -e '
		my $p = TAP::Parser->new({ tap => do { local $/; <STDIN> } });
		1 while $p->next;
		my @e = $p->parse_errors;
		die "TAP::Parser: @e\n" if @e;
		die "TAP::Parser: planned ", $p->tests_planned, ", ran ",
		    $p->tests_run, "\n" if $p->tests_planned != $p->tests_run;
		print "TAP::Parser: ", $p->tests_run, " tests, ",
		      scalar($p->passed), " ok\n";' <"$f" ||
		fail "$f is not TAP that TAP::Parser takes"
	if command -v python3 >/dev/null; then
		python3 "$KUNIT" parse <"$f" >"$f.kunit" 2>&1
		# it counts the nested per-check subtests too
		grep -q "Testing complete. Ran [0-9]* tests" "$f.kunit" ||
			{ cat "$f.kunit"; fail "kunit.py did not parse $f"; }
		grep -qE "\[ERROR\]|\[CRASHED\]|[Cc]ould not find" "$f.kunit" &&
			{ cat "$f.kunit"; fail "kunit.py found errors in $f"; }
		[ "$(grep -cE '=+ \[(PASSED|FAILED|SKIPPED)\] [^ ]+ =+$|\[(PASSED|FAILED|SKIPPED)\] [^ .]+$' "$f.kunit")" -ge "$n" ] ||
			{ cat "$f.kunit"; fail "kunit.py did not see $n cases in $f"; }
		echo "kunit.py: $(grep -o 'Ran .*' "$f.kunit")"
	fi
}

"$KTSTR" run -j 1 --no-auto-repro "${cases[@]}" >"$TMP/j1" 2>"$TMP/j1.err"
[ "$(verdicts "$TMP/j1" | wc -l)" = 4 ] ||
	{ cat "$TMP/j1" "$TMP/j1.err"; fail "-j 1 did not give 4 results"; }

# -j 2: two VMs at once, each pinned to a host CPU the other does not use
ncpu=$(nproc)
"$KTSTR" run -j 2 --no-auto-repro "${cases[@]}" >"$TMP/j2" 2>"$TMP/j2.err" &
kpid=$!
pinned=
while kill -0 $kpid 2>/dev/null; do
	mapfile -t qs < <(qemu_of $kpid)
	if [ ${#qs[@]} -ge 2 ]; then
		a=$(awk '/Cpus_allowed_list/ { print $2 }' "/proc/${qs[0]}/status" 2>/dev/null)
		b=$(awk '/Cpus_allowed_list/ { print $2 }' "/proc/${qs[1]}/status" 2>/dev/null)
		if [ -n "$a" ] && [ -n "$b" ]; then
			pinned="$a $b"
			break
		fi
	fi
	sleep 0.2
done
wait $kpid
verdicts "$TMP/j1" >"$TMP/v1"
verdicts "$TMP/j2" >"$TMP/v2"
# on a difference, both runs' failures with their reasons
diff "$TMP/v1" "$TMP/v2" ||
	{ grep -A4 -E "ktstr_test '.*' .*failed:|^ *not ok" "$TMP/j1" "$TMP/j2" |
		head -60
	  fail "-j 2 gave other names, verdicts or order than -j 1"; }
grep -q '^KTAP version 1$' "$TMP/j2" && grep -q '^1\.\.4$' "$TMP/j2" ||
	fail "-j 2: no KTAP header for 4 cases"
diff <(grep -E '^[0-9]+ passed' "$TMP/j1") <(grep -E '^[0-9]+ passed' "$TMP/j2") ||
	fail "-j 2: other totals than -j 1"
expect_in "$TMP/j2.err" '\[[0-9]/4\] running: [a-z_]+, [a-z_]+'
if [ "$ncpu" -ge 2 ]; then
	[ -n "$pinned" ] || fail "never saw two qemu of the run at once"
	set -- $pinned
	[ "$1" != "$2" ] || fail "two VMs on the same host CPUs ($1)"
	echo "-j 2: two VMs at once, pinned to host CPUs $1 and $2"
fi
tap_ok "$TMP/j1"
tap_ok "$TMP/j2"

# three shards at once, one VM each, merged: the unsharded run's cases
for i in 1 2 3; do
	"$KTSTR" run -j 1 --no-auto-repro --shard $i/3 \
		--out "$TMP/shard$i" "${cases[@]}" >"$TMP/s$i" 2>"$TMP/s$i.err" &
	pids[$i]=$!
done
for i in 1 2 3; do
	wait ${pids[$i]}
	expect_in "$TMP/s$i.err" "shard $i/3 \(--shard $i/3\): [0-9] of the 4"
	cmp -s "$TMP/s$i" "$TMP/shard$i/ktap" || fail "shard $i: --out's ktap is not its stdout"
done
"$KTSTR" merge --out "$TMP/merged" "$TMP/shard1" "$TMP/shard2" "$TMP/shard3" \
	>"$TMP/m" 2>"$TMP/m.err"
verdicts "$TMP/m" >"$TMP/vm"
diff "$TMP/v1" "$TMP/vm" ||
	{ cat "$TMP/m" "$TMP/m.err"; fail "merged shards differ from the unsharded run"; }
diff <(grep -E '^[0-9]+ passed' "$TMP/j1") <(grep -E '^[0-9]+ passed' "$TMP/m") ||
	fail "merge: other totals than one run"
[ "$(grep -c '^KTAP version 1$' "$TMP/m")" = 1 ] || fail "merge: not one header"
[ "$(grep -c '^# ktstr: test outputs$' "$TMP/m")" = 1 ] || fail "merge: not one outputs block"
ls "$TMP"/merged/runs/*/steady_eevdf-*.ktstr.json >/dev/null ||
	fail "merge: the run directory was not joined"
tap_ok "$TMP/m"
# a missing shard is said, and fails the merge
rc=0
"$KTSTR" merge "$TMP/shard1" "$TMP/shard3" >/dev/null 2>"$TMP/m2.err" || rc=$?
[ $rc = 1 ] || fail "a merge without shard 2 exited $rc"
expect_in "$TMP/m2.err" "shard 2/3 is missing"
echo "3 shards ($(for i in 1 2 3; do verdicts "$TMP/s$i" | wc -l; done | paste -sd+)) merged into the unsharded run's $(wc -l <"$TMP/v1") results"

# the CI engines' variables
CI_NODE_INDEX=2 CI_NODE_TOTAL=3 "$KTSTR" run --dry-run "${cases[@]}" \
	>"$TMP/gl" 2>"$TMP/gl.err"
expect_in "$TMP/gl.err" "shard 2/3 \(CI_NODE_INDEX=2 CI_NODE_TOTAL=3\)"
diff <(grep -v '^#' "$TMP/gl" | cut -d' ' -f1) <(grep '^case ' "$TMP/shard2/cases" | cut -d' ' -f3) ||
	fail "GitLab's CI_NODE_INDEX=2 is not --shard 2/3"
JOB_COMPLETION_INDEX=1 KTSTR_SHARD_TOTAL=3 "$KTSTR" run --dry-run "${cases[@]}" \
	>"$TMP/k8" 2>&1
diff <(grep -v '^#' "$TMP/gl" | cut -d' ' -f1) <(grep -v '^#' "$TMP/k8" | grep -v '^ktstr' | cut -d' ' -f1) ||
	fail "JOB_COMPLETION_INDEX=1 of 3 is not --shard 2/3"
expect_rc 250 env JOB_COMPLETION_INDEX=1 "$KTSTR" run --dry-run "${cases[@]}"
expect_in "$TMP/err" "pass --shard-total N"

# --budget: the plan without a boot; measured times from the runs above
"$KTSTR" run --gauntlet tiny-1llc,smt-2llc,numa2-4llc,medium-8llc \
	-t =steady_scx -t =isolation_llc --budget 40 -j 1 --dry-run \
	>"$TMP/plan" 2>"$TMP/plan.err" || { cat "$TMP/plan.err"; fail "--budget --dry-run failed"; }
expect_in "$TMP/plan" "^# budget 40 s x 1 VM"
expect_in "$TMP/plan" "^# chosen   gauntlet/steady_scx/.* first run of steady_scx"
expect_in "$TMP/plan" "^# chosen   gauntlet/isolation_llc/.* first run of isolation_llc"
expect_in "$TMP/plan" "^# left out gauntlet/.*(needs|adds no topology feature)"
"$KTSTR" run --budget 600 -j 1 --dry-run "${cases[@]}" >"$TMP/plan2" 2>&1 ||
	{ cat "$TMP/plan2"; fail "--budget 600 --dry-run failed"; }
# 600 s hold all four: each chosen, on the times the runs above measured
expect_in "$TMP/plan2" "^# budget 600 s x 1 VM at once: 4 of 4 chosen.*\(4 of 4 estimates measured"
expect_in "$TMP/plan2" "^# chosen   steady_eevdf .* measured"
echo "budget: $(grep -c '^# chosen' "$TMP/plan") chosen, $(grep -c '^# left out' "$TMP/plan") left out, measured times used"

# auto-repro after a crash runs in the crashed case's slot: its block
# lands in that case's output, after the case before it
if [ -x "$BIN/scx_ktstr" ]; then
	"$KTSTR" run -j 2 --sched "$BIN/scx_ktstr" --crash-after 800 -- \
		-t =steady_scx -t =steady_eevdf >"$TMP/rep" 2>"$TMP/rep.err"
	awk '/^ok 1 steady_eevdf$/ { a = NR } /^# --- auto-repro ---$/ { r = NR }
	     /^not ok 2 steady_scx$/ { b = NR }
	     END { exit !(a && r > a && b > r) }' "$TMP/rep" ||
		{ cat "$TMP/rep.err"; grep -E '^(not )?ok|auto-repro' "$TMP/rep"; fail "-j 2: the auto-repro block is not in the crashed case's output"; }
	echo "-j 2: auto-repro ran in the crashed case's slot"
fi

# Ctrl-C stops every VM of a -j run
"$KTSTR" run -j 2 --no-auto-repro -t =steady_eevdf -t =isolation_llc \
	>"$TMP/int" 2>"$TMP/int.err" &
kpid=$!
for _ in $(seq 200); do
	[ "$(qemu_of $kpid | wc -l)" -ge 2 ] && break
	sleep 0.1
done
[ "$(qemu_of $kpid | wc -l)" -ge 2 ] || { kill $kpid; fail "no two qemu started"; }
kill -INT $kpid
wait $kpid
rc=$?
[ $rc = 130 ] || { cat "$TMP/int" "$TMP/int.err"; fail "Ctrl-C: exit $rc, want 130"; }
for _ in $(seq 50); do
	[ -z "$(qemu_of $kpid)" ] && break
	sleep 0.1
done
[ -z "$(qemu_of $kpid)" ] || fail "qemu left behind after Ctrl-C"
expect_in "$TMP/int" "^not ok 1 steady_eevdf # interrupted"
expect_in "$TMP/int" "^not ok 2 isolation_llc # interrupted"
echo "-j 2 and 1 VM at a time agree, 3 shards merge into one run, budget plan, Ctrl-C leaves no qemu"
