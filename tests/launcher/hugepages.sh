#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# vmtest/with-hugepages, which the kernel build and bootstrap's builds run
# under: a large private anonymous mapping of the command's programs is
# advised onto huge pages (the kernel's VmFlags say "hg"), one without the
# wrapper or with KTSTR_HUGEPAGES=0 is not, the command's exit status is
# the wrapper's, nothing is left in TMPDIR, a bad KTSTR_HUGEPAGES is
# refused by name, and gcc's output is the same byte for byte. No VM.
. "$(dirname "$0")/../lib.sh"

WRAP="$KTSTR_DIR/vmtest/with-hugepages"
grep -qF '[madvise]' /sys/kernel/mm/transparent_hugepage/enabled 2>/dev/null ||
	skip "transparent huge pages are not 'madvise' here ($(cat /sys/kernel/mm/transparent_hugepage/enabled 2>/dev/null || echo absent)): the wrapper does nothing by design"
command -v gcc >/dev/null || skip "no gcc"
cd "$TMP" || fail "no $TMP"

# probe: maps 8 MiB, touches it, prints its VMA's flags from smaps
cat >probe.c <<'EOF'
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>

int main(void)
{
	size_t len = 8UL << 20;
	char *p = mmap(NULL, len, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	unsigned long lo, hi, in = 0;
	char line[512];
	FILE *f;

	if (p == MAP_FAILED)
		return 1;
	memset(p, 1, len);
	f = fopen("/proc/self/smaps", "re");
	if (!f)
		return 1;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%lx-%lx ", &lo, &hi) == 2)
			in = lo <= (unsigned long)p && (unsigned long)p < hi;
		else if (in && !strncmp(line, "VmFlags:", 8))
			puts(strstr(line, " hg") ? "hg" : "no-hg");
	}
	return 0;
}
EOF
gcc -O2 -o probe probe.c || fail "cannot compile the probe"

mkdir t
[ "$(./probe)" = no-hg ] || fail "a plain mapping is already advised: the check below could not fail"
[ "$(TMPDIR=$TMP/t "$WRAP" ./probe)" = hg ] ||
	fail "with-hugepages did not advise an 8 MiB anonymous mapping"
[ "$(KTSTR_HUGEPAGES=0 TMPDIR=$TMP/t "$WRAP" ./probe)" = no-hg ] ||
	fail "KTSTR_HUGEPAGES=0 still advised"
echo "advised under the wrapper only"

expect_rc 7 env TMPDIR="$TMP/t" "$WRAP" sh -c 'exit 7'
expect_rc 2 env KTSTR_HUGEPAGES=yes "$WRAP" true
expect_in "$TMP/err" "KTSTR_HUGEPAGES='yes'"
[ -z "$(ls -A t)" ] || fail "with-hugepages left $(ls -A t) in TMPDIR"

# gcc with its heap on huge pages builds the same object: a file large
# enough that its garbage collector runs
for i in $(seq 1 800); do
	printf 'struct s%d { int a; long b[%d]; struct s%d *n; };\n' "$i" "$i" "$i"
	printf 'long f%d(struct s%d *s) { return s->a + s->b[%d] + (s->n ? f%d(s->n) : 0); }\n' \
		"$i" "$i" "$((i - 1))" "$i"
done >big.c
gcc -O2 -g -c -o plain.o big.c || fail "gcc failed on big.c"
TMPDIR=$TMP/t "$WRAP" gcc -O2 -g -c -o advised.o big.c ||
	fail "gcc failed on big.c under with-hugepages"
cmp -s plain.o advised.o || fail "gcc under with-hugepages built another object"
echo "gcc's object is the same under the wrapper"
