#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Auto-repro after real crashes of the fixture: a second VM with kprobes on
# the crash path's kernel functions, fentry/fexit on its BPF callbacks and
# a trigger on the scheduler's exit.
. "$(dirname "$0")/../lib.sh"
need_kernel
export KTSTR_RUNS="$TMP/runs"

# crash knob: the pipeline names the dispatch callback, the probes catch
# arguments decoded from BTF, the trigger fires, the crash reproduces
"$KTSTR" run --sched "$BIN/scx_ktstr" --crash-after 800 -- -t =steady_scx \
	>"$TMP/crash" 2>&1 && fail "a crashing scheduler passed"
sed -n '/^# --- auto-repro ---/,/^not ok/p' "$TMP/crash" >"$TMP/block"
[ -s "$TMP/block" ] || { tail -30 "$TMP/crash"; fail "no --- auto-repro --- block"; }
expect_in "$TMP/block" "^# --- probe pipeline ---"
# the manual's two lines, then ours; traceable + dropped = extracted
expect_in "$TMP/block" "^# extracted: [0-9]+ functions from crash backtrace$"
expect_in "$TMP/block" "^# traceable: [0-9]+ passed, [0-9]+ dropped: .*bpf_prog_[0-9a-f]+_ktstr_dispatch"
ext=$(sed -n 's/^# extracted: \([0-9]*\) .*/\1/p' "$TMP/block")
sum=$(sed -n 's/^# traceable: \([0-9]*\) passed, \([0-9]*\) dropped.*/\1 + \2/p' "$TMP/block")
[ -n "$sum" ] && [ $((sum)) = "$ext" ] || fail "traceable ($sum) does not add up to extracted ($ext)"
expect_in "$TMP/block" "^# generic: [0-9]+ dropped"
expect_in "$TMP/block" "^#   ktstr_dispatch$"
expect_in "$TMP/block" "^#   balance_scx +kernel/sched/ext.c:[0-9]+"
expect_in "$TMP/block" "^# repro: kprobes=[1-9][0-9]* fentry=1 trigger=scx_ops_exit_kind \(attached\) fired=yes events=[1-9]"
expect_in "$TMP/block" "balance_scx \[.*rq=\{cpu=[0-9]+\} prev=\{pid=[0-9]+ comm="
# the kretprobe closes the call: its return value on the entry's line
expect_in "$TMP/block" "balance_scx \[.*\} rf=0x[0-9a-f]+( \(still running when the exit was raised\))? = [0-9]+$"
# fentry/fexit on the callback, its source from BPF line info, and the
# line of the backtrace's offset: the scx_bpf_error() call
expect_in "$TMP/block" "^# repro: fentry/fexit on ktstr_dispatch \(ops.dispatch, prog [0-9]+, bpf/scx_ktstr.bpf.c:[0-9]+\)"
expect_in "$TMP/block" "^# repro:   crash frame ktstr_dispatch\+0x[0-9a-f]+: bpf/scx_ktstr.bpf.c:[0-9]+: scx_bpf_error\("
# the callback's arguments from its sched_ext_ops prototype, and the call
# that raised the exit marked and still running when it was raised
expect_in "$TMP/block" "^#   .* ktstr_dispatch \[.*\] cpu=[0-9]+ prev=\{pid=[0-9]+ comm=.* slice=[0-9]+"
expect_in "$TMP/block" "^# \* .* ktstr_dispatch \[.*\] cpu=[0-9]+ prev=.*\(still running when the exit was raised\)"
expect_in "$TMP/block" "^# repro: exit info: kind=1025 \(scx_bpf_error\) code=0 msg=.*host-triggered crash"
expect_in "$TMP/block" "^# reproduced: scx_bpf_error"
secs=$(sed -n 's/^# repro VM duration: \([0-9]*\)\..*/\1/p' "$TMP/block")
# one boot (a few seconds under TCG) + the case's 3 s + a margin
[ -n "$secs" ] && [ "$secs" -le 30 ] || fail "the repro VM took ${secs}s"
ls "$KTSTR_RUNS"/*/steady_scx-*.repro.failure-dump.json >/dev/null ||
	fail "no repro failure dump"

# a scheduler that is not ours: the tree's scx_qmap raises scx_bpf_error()
# in ops.enqueue after -e enqueues; fentry finds qmap_enqueue through its
# struct_ops map and its line info points at that call
qmap="$OUTPUT/tree/sched_ext/build/bin/scx_qmap"
"$KTSTR" run --sched "$qmap" -e 100 -- -t =steady_scx >"$TMP/qmap" 2>&1 &&
	fail "scx_qmap -e 100 passed"
expect_in "$TMP/qmap" "^# repro: fentry/fexit on qmap_enqueue \(ops.enqueue, prog [0-9]+, sched_ext/scx_qmap.bpf.c:[0-9]+\)"
expect_in "$TMP/qmap" "^# repro:   crash frame qmap_enqueue\+0x[0-9a-f]+: sched_ext/scx_qmap.bpf.c:[0-9]+: scx_bpf_error\(\"test triggering error\"\);"
expect_in "$TMP/qmap" "qmap_enqueue \[.*\] p=\{pid=[0-9]+ comm=.*\} enq_flags=0x[0-9a-f]+"
expect_in "$TMP/qmap" "^# reproduced: scx_bpf_error \(test triggering error\)"
# its queue maps cannot be dumped: listed with type and reason, and the
# other maps are still dumped
qdump=$(ls -t "$KTSTR_RUNS"/*/steady_scx-*[0-9a-f].failure-dump.json | head -1)
jq -e '.is_placeholder == false and
	([.maps[] | select(.dumped == false and .map.type == "queue" and (.reason | length) > 0)] | length) >= 5 and
	([.maps[] | select(.command[1]? == "dump")] | length) >= 3' "$qdump" >/dev/null ||
	fail "scx_qmap's failure dump does not list its queue maps and dump the rest ($qdump)"

# a scheduler that crashes only on its first run: the rerun says so. The
# wrapper's name makes harness expect ops "k", a prefix of "ktstr".
cat >"$TMP/scx_k" <<'SH'
#!/bin/sh
if [ -z "$KTSTR_REPRO_FUNCS" ]; then
	exec scx_ktstr --crash-after 800 "$@"
fi
exec scx_ktstr "$@"
SH
chmod +x "$TMP/scx_k"
cp "$BIN/scx_ktstr" "$TMP/"
"$KTSTR" run --sched "$TMP/scx_k" -- -t =steady_scx >"$TMP/once" 2>&1 &&
	fail "the first run should have crashed"
expect_in "$TMP/once" "^# crash did not reproduce: the rerun ran normally"

# --no-auto-repro: no second VM
"$KTSTR" run --no-auto-repro --sched "$BIN/scx_ktstr" --crash-after 800 -- \
	-t =steady_scx >"$TMP/off" 2>&1
grep -q -- "--- auto-repro ---" "$TMP/off" && fail "--no-auto-repro still reran"
echo "kprobes and fentry/fexit with decoded arguments and BPF source lines, reproduced in ${secs}s (scx_qmap's error too); a one-off crash is told; --no-auto-repro honoured"
