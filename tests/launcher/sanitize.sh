#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make SANITIZE=1 (ASan + UBSan, clang): the host tool, the unit tests and
# one guest case built into a temporary OUTPUT and run; any sanitizer
# report fails. The guest case, fail_verify_is_caught, runs the sanitized
# engine binary and scheduler loader in the guest (the init is static and
# stays unsanitized) and the host's failure path. Built: the host side,
# one engine binary and scx_ktstr, not `make all`. libbpf, bpftool and
# vmlinux.h come from $OUTPUT when built there (they are not sanitized).
. "$(dirname "$0")/../lib.sh"
need_kernel

CLANG=${CLANG:-clang-19}
command -v "$CLANG" >/dev/null || CLANG=clang
printf 'int main(void) { return 0; }\n' >"$TMP/probe.c"
"$CLANG" -fsanitize=address,undefined -o "$TMP/probe" "$TMP/probe.c" \
	>/dev/null 2>&1 ||
	skip "no sanitizer runtime for $CLANG: apt-get install libclang-rt-19-dev"

SAN=$TMP/san
mkdir -p "$SAN/obj" "$SAN/bin"
for d in obj/libbpf obj/include obj/bpf obj/guest-bpftool include bin/bpftool; do
	[ -e "$OUTPUT/$d" ] && cp -a "$OUTPUT/$d" "$SAN/$d"
done
start=$(date +%s)
make -s -j"$(nproc)" -C "$KTSTR_DIR" SANITIZE=1 OUTPUT="$SAN" host \
	"$SAN/bin/tests/negative" "$SAN/bin/scx_ktstr" >"$TMP/build" 2>&1 ||
	{ tail -30 "$TMP/build"; fail "make SANITIZE=1 failed"; }
nm "$SAN/bin/ktstr" | grep -q __asan_report ||
	fail "the SANITIZE=1 host tool has no ASan in it"
file -L "$SAN/bin/ktstr-init" | grep -q "statically linked" ||
	fail "the guest init is no longer static"
echo "# built in $(($(date +%s) - start))s"

sanitizer_report() {
	grep -qE "ERROR: (AddressSanitizer|LeakSanitizer)|runtime error:|SUMMARY: UndefinedBehaviorSanitizer" "$1"
}

for t in "$SAN"/bin/unit/*; do
	"$t" >"$TMP/unit" 2>&1
	rc=$?
	if [ $rc -ne 0 ] || sanitizer_report "$TMP/unit"; then
		grep -m20 -E "not ok|ERROR|runtime error|#[0-9]+ " "$TMP/unit"
		fail "unit test ${t##*/} under ASan/UBSan (exit $rc)"
	fi
done
echo "# unit tests clean under ASan/UBSan"

# the sanitized binary itself, not the ktstr script (which would build
# every engine test there first)
KTSTR_DIR=$KTSTR_DIR OUTPUT=$SAN "$SAN/bin/ktstr" run --no-auto-repro \
	-t =fail_verify_is_caught >"$TMP/out" 2>"$TMP/err"
rc=$?
if [ $rc -ne 0 ] || sanitizer_report "$TMP/out" || sanitizer_report "$TMP/err"; then
	tail -40 "$TMP/out"
	tail -40 "$TMP/err"
	fail "fail_verify_is_caught under SANITIZE=1 (exit $rc)"
fi
expect_in "$TMP/out" "^ok 1 fail_verify_is_caught"
echo "sanitized host tool, unit tests and a guest case: no sanitizer report"
