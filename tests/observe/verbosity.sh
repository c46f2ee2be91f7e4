#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The manual's verbosity knobs, ours: KTSTR_VERBOSE=1 (RUST_BACKTRACE=1)
# streams the auto-repro VM's console to stderr as it comes and puts the
# whole console in the diagnostics; KTSTR_LOG=debug (RUST_LOG=ktstr=debug)
# traces the host's decisions and shows why each probe of the repro VM
# attached or not, with libbpf's messages. An unknown level is named.
. "$(dirname "$0")/../lib.sh"
need_kernel

KTSTR_VERBOSE=1 KTSTR_LOG=debug expect_rc 1 "$KTSTR" run --sched \
	"$BIN/scx_ktstr" --crash-after 500 -- -t =steady_scx
# the repro VM's console, live, after the announcement
sed -n '/the repro VM.s console follows/,$p' "$TMP/err" >"$TMP/live"
expect_in "$TMP/live" "Linux version"
expect_in "$TMP/live" "sched_ext: BPF scheduler \"ktstr\" enabled"
# host tracing: the VM, its end, the registers
expect_in "$TMP/err" "^ktstr debug: vm: TCG|^ktstr debug: vm: KVM"
expect_in "$TMP/err" "^ktstr debug: vm: ended after"
expect_in "$TMP/err" "^ktstr debug: vm: vCPU registers when the guest reported the failure: taken"
# the repro guest's probe decisions, under --- auto-repro ---
sed -n '/--- auto-repro ---/,$p' "$TMP/out" >"$TMP/repro"
expect_in "$TMP/repro" "ktstr debug: repro: [a-z_]+: kprobe and kretprobe attached"
expect_in "$TMP/repro" "ktstr debug: repro: trigger scx_ops_exit_kind: attached"
expect_in "$TMP/repro" "ktstr debug: repro: callback ktstr_dispatch .*fentry/fexit attached"
expect_in "$TMP/repro" "ktstr debug: libbpf: "
echo "KTSTR_VERBOSE=1: repro console live; KTSTR_LOG=debug: VM, registers, probe decisions, libbpf"

KTSTR_LOG=chatty expect_rc 0 "$KTSTR" run --list
expect_in "$TMP/err" "KTSTR_LOG='chatty' is not a level ktstr knows"
echo "KTSTR_LOG=chatty: named as unknown"
