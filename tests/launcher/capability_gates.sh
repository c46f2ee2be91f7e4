#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Capability gates: a case that needs a kfunc this kernel lacks skips,
# naming the kfunc; one whose needs are met runs; a malformed need is a
# failure, not a skip.
. "$(dirname "$0")/../lib.sh"
need_kernel

"$KTSTR" run -t =needs_newer_kfunc -t =needs_met >"$TMP/out" 2>"$TMP/err" ||
	{ cat "$TMP/out"; fail "the gated cases did not pass or skip"; }
expect_in "$TMP/out" "^ok [0-9]+ needs_newer_kfunc # SKIP needs kfunc scx_bpf_dsq_move_to_local, which this kernel lacks$"
expect_in "$TMP/out" "^ok [0-9]+ needs_met$"
# the structured result carries the reason too
expect_in "$TMP/out" "^    ok [0-9]+ needs_met\.scheduler # attached and alive to the end$"

# the scheduler's needs (KTSTR_SCHED_NEEDS) gate every case it runs
KTSTR_SCHED_NEEDS=ops:no_such_member "$KTSTR" run -t =needs_met \
	>"$TMP/sched" 2>&1 || fail "a scheduler's unmet need failed the case"
expect_in "$TMP/sched" "^ok [0-9]+ needs_met # SKIP needs ops no_such_member, which this kernel lacks$"
KTSTR_SCHED_NEEDS=bogus "$KTSTR" run -t =needs_met >"$TMP/bad" 2>&1 &&
	fail "a malformed need passed"
expect_in "$TMP/bad" "need 'bogus' is not KIND:NAME"

# --matrix: which cases run on which kernel, one boot per kernel (the
# second kernel is the same image at another path, labelled by release)
cp "$KERNEL" "$TMP/bzImage"
"$KTSTR" run --matrix "$KERNEL" "$TMP/bzImage" -t needs_ -t =steady_scx \
	>"$TMP/mx" 2>"$TMP/mxerr" || { cat "$TMP/mx" "$TMP/mxerr"; fail "--matrix failed"; }
expect_in "$TMP/mx" "^# matrix: 3 cases on 2 kernels, one boot each$"
expect_in "$TMP/mx" "^needs_newer_kfunc +skips +skips *$"
expect_in "$TMP/mx" "^needs_met +runs +runs *$"
expect_in "$TMP/mx" "^# needs_newer_kfunc on K2: needs kfunc scx_bpf_dsq_move_to_local, which this kernel lacks$"
[ "$(grep -c 'booting' "$TMP/mxerr")" -eq 2 ] || fail "not one boot per kernel"
echo "kfunc gate skips with its name; met needs run; scheduler needs gate; malformed needs fail; matrix"
