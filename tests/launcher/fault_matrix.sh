#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The fault matrix: each way a scheduler, the guest or the host can fail
# a case, through `ktstr run`. For every fault: the exit status and the
# classification in the structured output (the result's exit kind and
# stage, the placeholder dump's launcher kind), a report and a failure
# dump (full or placeholder) in the run directory, no qemu left, no
# temporary file left, and nothing written outside the run directory,
# the cache and $TMPDIR (every file-creating system call of ktstr and
# its children, qemu included, is traced with strace).
. "$(dirname "$0")/../lib.sh"
need_kernel
command -v strace >/dev/null || skip "strace is not installed (vmtest/install-deps.sh)"
command -v jq >/dev/null || skip "jq is not installed (vmtest/install-deps.sh)"

S=$TMP/s
mkdir -p "$S/tmp" "$S/runs" "$S/bin"
export TMPDIR=$S/tmp KTSTR_RUNS=$S/runs KTSTR_KERNEL=$KERNEL
CACHE=${KERNEL%%/kernels/*}
CASE==steady_scx
FX=$BIN/scx_ktstr
# named "ktstr" so that the fixture it runs in detach mode attaches as
# the ops the engine waits for ("ktstr"); /bin/scx_ktstr is the fixture
cp "$BIN/fault_sched" "$S/bin/ktstr"
FAULT=$S/bin/ktstr
cd "$S" || fail "cannot enter $S"

TRACED="open,openat,openat2,creat,mkdir,mkdirat,rename,renameat,renameat2"
TRACED="$TRACED,link,linkat,symlink,symlinkat,unlink,unlinkat,rmdir"
TRACED="$TRACED,truncate,chmod,fchmodat,mknod,mknodat,bind"

# traced NAME CMD...: CMD under strace into $S/trace.NAME
traced() {
	local name=$1
	shift
	strace -f -qq -y --seccomp-bpf -e status=successful \
		-e trace="$TRACED" -o "$S/trace.$name" "$@"
}

# Every path a traced call wrote, made, renamed or removed, outside the
# places ktstr may write: the run directories, the cache, $TMPDIR and
# devices.
outside_writes() {
	python3 - "$1" "$S" "$CACHE" <<'PY'
import re, sys
trace, sandbox, cache = sys.argv[1:4]
allowed = (sandbox + "/", cache + "/", "/dev/")
write_flags = re.compile(r"O_WRONLY|O_RDWR|O_CREAT|O_TRUNC")
call = re.compile(r"^\d+\s+(\w+)\((.*)\)\s+=\s+\S+")
quoted = re.compile(r'(?:(\w+)<([^>]*)>,\s*)?"((?:[^"\\]|\\.)*)"')
bad = set()
for line in open(trace, errors="replace"):
    m = call.match(line)
    if not m:
        continue
    fn, args = m.groups()
    if fn in ("open", "openat", "openat2") and not write_flags.search(args):
        continue
    for dirfd, dirpath, path in quoted.findall(args):
        if fn == "bind" and path.startswith("\\0"):
            continue
        if not path.startswith("/"):
            path = (dirpath or sandbox) + "/" + path
        if path.startswith("/proc/") and fn in ("open", "openat"):
            continue
        if not path.startswith(allowed) and path not in (sandbox, cache):
            bad.add(f"{fn}: {path}")
print("\n".join(sorted(bad)))
PY
}

# after NAME: the checks every fault shares
after() {
	local name=$1 w

	[ -z "$(pgrep -f "qemu-system.*$S/tmp")" ] ||
		fail "$name: qemu left running: $(pgrep -af "qemu-system.*$S/tmp")"
	[ -z "$(ls -A "$S/tmp")" ] ||
		fail "$name: left in \$TMPDIR: $(ls -A "$S/tmp")"
	w=$(outside_writes "$S/trace.$name")
	[ -z "$w" ] || fail "$name: written outside the run, cache and temporary directories:
$w"
}

# run_fault NAME WANT_RC ARGS...: `ktstr run ARGS` into run directory
# $S/runs/NAME; its output in $S/NAME.out and $S/NAME.err
run_fault() {
	local name=$1 want=$2 rc
	shift 2
	traced "$name" "$BIN/ktstr" run --run-dir "$S/runs/$name" "$@" \
		>"$S/$name.out" 2>"$S/$name.err"
	rc=$?
	if [ "$rc" != "$want" ]; then
		tail -n 30 "$S/$name.out" "$S/$name.err"
		fail "$name: ktstr run exited $rc, expected $want"
	fi
	after "$name"
}

# the case's KTAP line is "not ok", the totals line is there
failed_case() {
	expect_in "$S/$1.out" "^not ok 1 "
	expect_in "$S/$1.out" "^0 passed, 1 failed"
}

# dump NAME: the case's failure dump (JSON), the only one of the run
dump() {
	local f
	f=$(ls "$S/runs/$1"/*.failure-dump.json 2>/dev/null | grep -v repro | head -1)
	[ -n "$f" ] || fail "$1: no failure dump in $S/runs/$1: $(ls "$S/runs/$1")"
	jq -e . "$f" >/dev/null || fail "$1: $f is not JSON"
	echo "$f"
}

# result NAME FILTER: a jq FILTER on the case's structured result, as the
# host kept it in the run directory
result() {
	local f
	f=$(ls "$S/runs/$1"/*.result.json 2>/dev/null | head -1)
	[ -n "$f" ] || fail "$1: no structured result in $S/runs/$1: $(ls "$S/runs/$1")"
	jq -r "$2" "$f"
}

# placeholder NAME KIND CODE: a placeholder dump naming how the VM ended
placeholder() {
	local d
	d=$(dump "$1")
	[ "$(jq -r .is_placeholder "$d")" = true ] ||
		fail "$1: the dump is not a placeholder: $(head -c 300 "$d")"
	[ "$(jq -r .launcher.kind "$d")" = "$2" ] &&
		[ "$(jq -r .launcher.exit_code "$d")" = "$3" ] ||
		fail "$1: launcher $(jq -c .launcher "$d"), expected $2 ($3)"
	expect_in "$S/$1.out" "^# exit_code=$3"
}

# --- the scheduler's faults: the guest reports them

run_fault bpf_error 1 --no-auto-repro --sched "$FX" --crash-after 500 -- -t "$CASE"
failed_case bpf_error
[ "$(result bpf_error .scheduler.exit_kind)" = 1025 ] ||
	fail "bpf_error: exit kind $(result bpf_error .scheduler.exit_kind), expected 1025 (SCX_EXIT_ERROR_BPF)"
d=$(dump bpf_error)
# every vCPU's registers from qemu, taken when the guest saw the failure
[ "$(jq '.vcpus | length' "$d")" = 4 ] &&
	jq -e '.vcpus_taken == "when the guest reported the failure" and
	       (.vcpus[] | .registers.RIP | test("^0x[0-9a-f]{16}$"))' "$d" >/dev/null ||
	fail "bpf_error: no registers for the 4 vCPUs: $(jq -c '{vcpus_taken, vcpus_unavailable, n: (.vcpus | length)}' "$d")"
echo "scx_bpf_error: exit kind 1025, failure dump with the 4 vCPUs' registers"

run_fault stall 1 --no-auto-repro --sched "$FX" --stall-after 300 --timeout 1500 -- -t "$CASE"
failed_case stall
[ "$(result stall .scheduler.exit_kind)" = 1026 ] ||
	fail "stall: exit kind $(result stall .scheduler.exit_kind), expected 1026 (SCX_EXIT_ERROR_STALL)"
dump stall >/dev/null
echo "watchdog stall: exit kind 1026, failure dump written"

run_fault verifier 1 --sched "$FX" --fail-verify -- -t "$CASE"
failed_case verifier
[ "$(result verifier .stage)" = attach ] &&
	[ "$(result verifier .scheduler.attached)" = false ] ||
	fail "verifier: stage $(result verifier .stage), attached $(result verifier .scheduler.attached)"
expect_in "$S/verifier.out" "verifier|BPF program load failed|Permission denied"
dump verifier >/dev/null
echo "verifier rejection: stage attach, not attached, dump written"

run_fault before_attach 1 --sched "$FAULT" exit 7 -- -t "$CASE"
failed_case before_attach
[ "$(result before_attach .stage)" = attach ] ||
	fail "before_attach: stage $(result before_attach .stage)"
expect_in "$S/before_attach.out" "exited with 7 before sched_ext was enabled"
dump before_attach >/dev/null
echo "exit 7 before attaching: stage attach, dump written"

run_fault clean_exit 1 --no-auto-repro --sched "$FAULT" detach 1500 /bin/scx_ktstr -- -t "$CASE"
failed_case clean_exit
[ "$(result clean_exit .scheduler.attached)" = true ] &&
	[ "$(result clean_exit .scheduler.died)" = true ] ||
	fail "clean_exit: $(result clean_exit -c .scheduler)"
[ "$(result clean_exit .scheduler.error_exit)" = false ] ||
	fail "clean_exit: a clean detach taken for an error exit: $(result clean_exit -c .scheduler)"
dump clean_exit >/dev/null
echo "clean detach, exit 3, under the workload: died, no error exit, dump written"

# --- the guest's faults: the launcher decides, a placeholder dump

run_fault panic 1 --sched "$FAULT" panic 500 -- -t "$CASE"
failed_case panic
placeholder panic panic 253
echo "guest panic: 253, placeholder dump"

run_fault hang 1 --timeout 8 --sched "$FAULT" hang 500 -- -t "$CASE"
failed_case hang
placeholder hang hang 254
jq -e '.vcpus_taken == "before the hung VM was killed" and (.vcpus | length) == 4' \
	"$(dump hang)" >/dev/null ||
	fail "hang: no registers taken before the kill: $(jq -c '{vcpus_taken, vcpus_unavailable}' "$(dump hang)")"
echo "guest hang: 254, placeholder dump with the registers taken before the kill"

run_fault poweroff 1 --sched "$FAULT" poweroff 500 -- -t "$CASE"
failed_case poweroff
placeholder poweroff no-result 255
echo "guest powered off mid-case: 255, placeholder dump"

run_fault mid_frame 1 --timeout 8 --sched "$BIN/chan_inject" half -- -t "$CASE"
failed_case mid_frame
placeholder mid_frame hang 254
echo "guest frozen mid-frame: 254, placeholder dump"

run_fault timeout 1 --timeout 1 -t "$CASE"
failed_case timeout
placeholder timeout hang 254
echo "test timeout (1 s, x2 under TCG): 254, placeholder dump"

# --- the host's faults

KTSTR_QEMU=/nonexistent/qemu run_fault no_qemu 1 -t "$CASE"
failed_case no_qemu
placeholder no_qemu qemu 252
expect_in "$S/no_qemu.out" "cannot run qemu"
echo "qemu missing: 252, placeholder dump"

run_fault no_kernel 1 --kernel "$S/no-such-bzImage" -t "$CASE"
failed_case no_kernel
placeholder no_kernel bad-kernel 251
echo "kernel missing: 251, placeholder dump"

printf 'not a kernel\n' >"$S/not-bzImage"
run_fault not_bzimage 1 --kernel "$S/not-bzImage" -t "$CASE"
failed_case not_bzimage
placeholder not_bzimage bad-kernel 251
expect_in "$S/not_bzimage.out" "not an x86 bzImage"
echo "not a bzImage: 251, placeholder dump"

run_fault bad_topo 250 --topo 2n3l1c1t -t "$CASE"
expect_in "$S/bad_topo.err" "3 LLCs cannot be split evenly over 2 NUMA nodes"
echo "bad topology: 250 before any VM"

# --- signals: the whole run stops, the case is interrupted, totals

# the ktstr (not strace) whose command line names run directory $1
ktstr_of() {
	local p
	for p in $(pgrep -x ktstr); do
		tr '\0' ' ' <"/proc/$p/cmdline" 2>/dev/null | grep -qF -- "$1 " &&
			{ echo "$p"; return; }
	done
}

# signal_run NAME SIG WAIT_FOR ARGS...: start `ktstr run`, send SIG once
# WAIT_FOR (a qemu count) qemus have run for it
signal_run() {
	local name=$1 sig=$2 want=$3 spid kpid n seen="" q
	shift 3
	traced "$name" "$BIN/ktstr" run --run-dir "$S/runs/$name" "$@" \
		>"$S/$name.out" 2>"$S/$name.err" &
	spid=$!
	for _ in $(seq 1200); do
		kpid=$(ktstr_of "$S/runs/$name")
		for q in $([ -n "$kpid" ] && qemu_of "$kpid"); do
			case " $seen " in *" $q "*) ;; *) seen="$seen $q" ;; esac
		done
		n=$(echo $seen | wc -w)
		[ "$n" -ge "$want" ] && break
		sleep 0.1
	done
	[ "$n" -ge "$want" ] || fail "$name: $want qemu(s) never ran for ktstr"
	sleep 1
	kill -s "$sig" "$kpid"
	local start=$(date +%s)
	wait "$spid"
	rc=$?
	local took=$(( $(date +%s) - start ))
	[ "$took" -le 10 ] || fail "$name: SIG$sig took ${took}s to stop the run"
	after "$name"
	echo "$rc"
}

for sig in INT TERM; do
	want=$((128 + $(kill -l $sig)))
	rc=$(signal_run "sig$sig" $sig 1 -j 1 -t "$CASE" -t =steady_eevdf | tail -1)
	[ "$rc" = "$want" ] || fail "SIG$sig during a case: exit $rc, expected $want"
	expect_in "$S/sig$sig.out" "^not ok 1 .* # interrupted"
	expect_in "$S/sig$sig.out" "^0 passed, 1 failed"
	# steady_eevdf is declared first; steady_scx never starts
	grep -q "^\(not \)\?ok .* steady_scx" "$S/sig$sig.out" &&
		fail "SIG$sig: the next case started"
	echo "SIG$sig during a case: exit $rc, case interrupted, the next never started"

	rc=$(signal_run "repro$sig" $sig 2 --sched "$FX" --crash-after 500 -- -t "$CASE" | tail -1)
	[ "$rc" = "$want" ] || fail "SIG$sig during auto-repro: exit $rc, expected $want"
	expect_in "$S/repro$sig.out" "^not ok 1 "
	echo "SIG$sig during auto-repro: exit $rc, no qemu left"
done

# --- two runs at once on the same cache and runs directory: each its
# own run directory, both streams whole; and two at once into one
# --run-dir, both cases' results there
for i in 1 2; do
	traced "twice$i" "$BIN/ktstr" run -t "$CASE" >"$S/twice$i.out" 2>"$S/twice$i.err" &
done
wait
for i in 1 2; do
	after "twice$i"
	expect_in "$S/twice$i.out" "^ok 1 "
	expect_in "$S/twice$i.out" "^1 passed, 0 failed"
done
# the named directories above have no '-'; runs get <release>-<commit>-<seq>
dirs=$(ls -d "$S"/runs/*-*/ 2>/dev/null)
[ "$(echo "$dirs" | wc -l)" = 2 ] ||
	fail "two runs at once, expected two run directories: $dirs"
for d in $dirs; do
	jq -e . "$d/run.json" >/dev/null &&
		jq -e '.result == "pass"' "$d"/steady_scx-*.result.json >/dev/null ||
		fail "two runs at once: $d is not whole: $(ls "$d")"
done
traced one_a "$BIN/ktstr" run --run-dir "$S/runs/one" -t "$CASE" >"$S/one_a.out" 2>&1 &
traced one_b "$BIN/ktstr" run --run-dir "$S/runs/one" -t =steady_eevdf >"$S/one_b.out" 2>&1 &
wait
after one_a
after one_b
jq -e . "$S/runs/one/run.json" >/dev/null || fail "run.json is not whole"
for c in steady_scx steady_eevdf; do
	f=$(ls "$S/runs/one/$c"-*.ktstr.json 2>/dev/null)
	[ -n "$f" ] && jq -e . "$f" >/dev/null || fail "one run directory: $c's sidecar lost"
done
echo "two runs at once: own run directories; into one --run-dir: both results whole"

# --- a run directory on a full filesystem: a clear error, KTAP whole
if mkdir -p "$S/full" && mount -t tmpfs -o size=256k tmpfs "$S/full" 2>/dev/null; then
	trap 'umount "$S/full" 2>/dev/null; [ -n "${KEEP_TMP:-}" ] || rm -rf "$TMP"' EXIT
	mkdir "$S/full/run"
	dd if=/dev/zero of="$S/full/filler" bs=4k 2>/dev/null
	traced full "$BIN/ktstr" run --run-dir "$S/full/run" -t "$CASE" \
		>"$S/full.out" 2>"$S/full.err"
	after full
	expect_in "$S/full.out" "^1\.\.1"
	expect_in "$S/full.out" "^(not )?ok 1 "
	expect_in "$S/full.out" "^[0-9]+ passed, [0-9]+ failed"
	grep -hq "No space left on device" "$S/full.out" "$S/full.err" ||
		fail "full filesystem: no error says so"
	umount "$S/full"
	echo "run directory on a full filesystem: the error says so, the KTAP stream is whole"
else
	echo "full filesystem: not tried (cannot mount a tmpfs here)"
fi
