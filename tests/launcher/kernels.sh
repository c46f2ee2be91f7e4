#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# --kernel more than once: every case runs on every kernel, named
# CASE/LABEL; the run id names the kernels; `stats compare RUN@L1 RUN@L2`
# compares the kernels of one run. The second kernel here is the same
# image at another path (a bare bzImage, labelled by its release): the
# mechanism under test is the same for two different builds, and a
# second build would cost CI a kernel compile.
. "$(dirname "$0")/../lib.sh"
need_kernel
export KTSTR_RUNS="$TMP/runs"
cp "$KERNEL" "$TMP/bzImage"
l1=$(basename "$(dirname "$(dirname "$(dirname "$(dirname "$KERNEL")")")")")

"$KTSTR" run --kernel "$KERNEL" --kernel "$TMP/bzImage" -t =steady_scx \
	>"$TMP/run" 2>&1 || { cat "$TMP/run"; fail "the two-kernel run failed"; }
l2=$(sed -n 's/^ok 2 steady_scx\///p' "$TMP/run")
expect_in "$TMP/run" "^ok 1 steady_scx/$l1$"
[ -n "$l2" ] && [ "$l2" != "$l1" ] || { cat "$TMP/run"; fail "no second kernel label"; }
expect_in "$TMP/run" "^2 passed, 0 failed, 0 skipped$"
run=$(cd "$KTSTR_RUNS" && ls -d -- */ | tr -d /)
case "$run" in
"$l1+$l2-"*) ;;
*) fail "the run id '$run' does not name both kernels" ;;
esac
for l in "$l1" "$l2"; do
	f=$(ls "$KTSTR_RUNS/$run"/steady_scx-"$l"-????????????????.ktstr.json) ||
		fail "no sidecar for kernel $l"
	[ "$(jq -r .variant "$f")" = "steady_scx/$l" ] ||
		fail "the sidecar of kernel $l does not name its variant"
done

# the kernels of one run compared; one sample a side calls no regression
expect_rc 0 "$KTSTR" stats compare "$run@$l1" "$run@$l2"
grep -qF "# compare A $run@$l1 with B $run@$l2 " "$TMP/out" ||
	{ cat "$TMP/out"; fail "the compare does not name the run's two kernels"; }
expect_in "$TMP/out" "^steady_scx +throughput "
expect_rc 250 "$KTSTR" stats compare "$run@$l1" "$run@nosuch"
expect_in "$TMP/err" "no case .* on a kernel labelled 'nosuch'"

# the same A/B through compare: a kernel a side, both at once
expect_rc 0 "$KTSTR" compare --a-kernel "$KERNEL" --b-kernel "$TMP/bzImage" \
	--repeat 1 --together -t =steady_scx
expect_in "$TMP/out" "^# side A: each case's scheduler on $KERNEL; run "
expect_in "$TMP/out" "^# side B: each case's scheduler on $TMP/bzImage; run "
expect_in "$TMP/out" "^steady_scx +throughput "

# a kernel that is not one is refused before any boot
expect_rc 251 "$KTSTR" run --kernel "$KERNEL" --kernel /etc/hostname -t =steady_scx
exit 0
