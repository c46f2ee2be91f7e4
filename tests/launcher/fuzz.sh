#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The libFuzzer harnesses (tests/fuzz/): built with `make fuzz`, each run
# for a few seconds from its seed corpus; any crash, leak or sanitizer
# report fails. Skips without clang's libFuzzer runtime
# (libclang-rt-19-dev). For long runs: tests/fuzz/run.sh 3600.
. "$(dirname "$0")/../lib.sh"

CLANG=${CLANG:-clang-19}
command -v "$CLANG" >/dev/null || CLANG=clang
printf 'int LLVMFuzzerTestOneInput(const char *d, unsigned long n) { return 0; }\n' >"$TMP/probe.c"
"$CLANG" -fsanitize=fuzzer,address,undefined -o "$TMP/probe" "$TMP/probe.c" \
	>/dev/null 2>&1 ||
	skip "no libFuzzer runtime for $CLANG: apt-get install libclang-rt-19-dev"

make -s -j"$(nproc)" -C "$KTSTR_DIR" OUTPUT="$OUTPUT" fuzz >"$TMP/build" 2>&1 ||
	{ tail -30 "$TMP/build"; fail "make fuzz failed"; }
n=$(find "$KTSTR_DIR/tests/fuzz" -maxdepth 1 -name 'fuzz_*.c' ! -name fuzz_util.c | wc -l)
[ "$(find "$OUTPUT/fuzz" -maxdepth 1 -name 'fuzz_*' -type f | wc -l)" -ge "$n" ] ||
	fail "make fuzz built fewer than the $n harnesses"

# from the seeds alone (a fresh copy), 20 s each: sixteen harnesses in
# about six minutes
OUTPUT=$OUTPUT KTSTR_FUZZ_CORPUS=$TMP/corpus \
	"$KTSTR_DIR/tests/fuzz/run.sh" "${KTSTR_FUZZ_SECONDS:-20}" >"$TMP/run" 2>&1
rc=$?
cat "$TMP/run"
[ $rc -eq 0 ] || fail "a fuzzer found something (see its findings directory above)"
[ "$(grep -c '^ok ' "$TMP/run")" -ge "$n" ] || fail "not every harness ran"
echo "$n harnesses built and run, no finding"
