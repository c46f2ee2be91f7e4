#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# `ktstr run --native` inside a machine whose kernel has sched_ext (here a
# 2-CPU guest, as kernel CI runs kselftests on the machine under test):
# cases run in place, a case whose topology needs more CPUs is skipped
# with the reason, and the negative cases still catch real failures.
. "$(dirname "$0")/../lib.sh"
need_kernel

cat >"$TMP/native" <<'SH'
#!/bin/sh
set -e
mkdir -p /opt/ktstr/bin/tests
cp /bin/ktstr /bin/scx_ktstr /bin/bpftool /opt/ktstr/bin/
cp /bin/steady /bin/negative /opt/ktstr/bin/tests/
KTSTR_RUNS=/tmp/runs /opt/ktstr/bin/ktstr run --native \
	-t =rate_gate_pass -t =crash_is_caught -t =steady_scx
SH
chmod +x "$TMP/native"
"$KTSTR" exec --topo 1n1l2c1t --timeout 300 -i "$TMP/native" -i "$BIN/ktstr" \
	-i "$BIN/scx_ktstr" -i "$BIN/bpftool" -i "$BIN/tests/steady" \
	-i "$BIN/tests/negative" -- native >"$TMP/out" 2>&1 ||
	{ tail -40 "$TMP/out"; fail "the native run failed"; }
grep -E '^(ok|not ok)|passed,' "$TMP/out"
expect_in "$TMP/out" "^ok [0-9]+ rate_gate_pass$"
expect_in "$TMP/out" "^ok [0-9]+ crash_is_caught$"
expect_in "$TMP/out" "^ok [0-9]+ steady_scx # SKIP topology 1n2l2c1t needs 4 CPUs, this machine has 2"
expect_in "$TMP/out" "^2 passed, 0 failed, 1 skipped$"
