#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# vmtest/with-hugepages, which the kernel build and bootstrap's builds run
# under: a large private anonymous mapping of the command's programs is
# advised onto huge pages (the kernel's VmFlags say "hg"), one without the
# wrapper or with KTSTR_HUGEPAGES=0 is not, the command's exit status is
# the wrapper's, nothing is left in TMPDIR (killed too), a bad
# KTSTR_HUGEPAGES is refused by name, a TMPDIR it cannot use runs the
# command without it, and gcc's output is the same byte for byte. No VM.
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

# killed with its process group (as bootstrap stops a build): the
# status of a TERM, nothing left behind
TMPDIR=$TMP/t setsid "$WRAP" sleep 30 &
pid=$!
for _ in $(seq 1 50); do
	[ -n "$(ls -A t)" ] && break
	sleep 0.1
done
[ -n "$(ls -A t)" ] || fail "no library directory in TMPDIR while CMD runs"
kill -TERM -- "-$pid"
rc=0
wait "$pid" || rc=$?
[ "$rc" = 143 ] || fail "killed with TERM, the wrapper exited $rc, not 143"
[ -z "$(ls -A t)" ] || fail "killed, with-hugepages left $(ls -A t) in TMPDIR"

# where the library cannot be made or carried, CMD still runs, after a
# warning that says why
mkdir "sp ace"
expect_rc 0 env TMPDIR="$TMP/sp ace" "$WRAP" ./probe
expect_in "$TMP/out" "^no-hg$"
expect_in "$TMP/err" "space or colon"
[ -z "$(ls -A "sp ace")" ] || fail "with-hugepages left a directory in a TMPDIR it cannot use"
expect_rc 0 env TMPDIR="$TMP/none" "$WRAP" ./probe
expect_in "$TMP/out" "^no-hg$"
expect_in "$TMP/err" "no temporary directory in '$TMP/none'"
echo "killed or without a usable TMPDIR: cleaned up, or run without it"

# gcc with its heap on huge pages builds the same object, debug
# information included, with its garbage collector made to run (a
# small minimum heap) so that collection sees the advised memory too
for i in $(seq 1 300); do
	printf 'struct s%d { int a; long b[%d]; struct s%d *n; };\n' "$i" "$i" "$i"
	printf 'long f%d(struct s%d *s) { return s->a + s->b[%d] + (s->n ? f%d(s->n) : 0); }\n' \
		"$i" "$i" "$((i - 1))" "$i"
done >big.c
gc=(--param ggc-min-heapsize=4096 --param ggc-min-expand=10)
gcc -Q -O2 -g "${gc[@]}" -c -o plain.o big.c 2>gc.txt ||
	fail "gcc failed on big.c"
grep -q '{GC' gc.txt || fail "gcc's garbage collector did not run on big.c"
TMPDIR=$TMP/t "$WRAP" gcc -O2 -g "${gc[@]}" -c -o advised.o big.c ||
	fail "gcc failed on big.c under with-hugepages"
cmp -s plain.o advised.o || fail "gcc under with-hugepages built another object"
echo "gcc's object is the same under the wrapper"
