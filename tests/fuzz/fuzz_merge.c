// SPDX-License-Identifier: GPL-2.0
/*
 * `ktstr merge` over shard directories whose files a broken or hostile
 * run left: the input is "<cases file>\f<ktap file>", given as two
 * shards (the same files twice with the second claiming shard 2 would
 * be refused, so the second shard is a fixed well-formed one). The
 * merged stream goes to /dev/null; no overrun, leak or hang.
 */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "cli.h"
#include "fuzz.h"
#include "util.h"

static void put(const char *dir, const char *name, const char *text,
		size_t len)
{
	char path[4200];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	if (!f || fwrite(text, 1, len, f) != len || fclose(f))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char a[4200], b[4200];
	static const char cases_b[] = "ktstr-shard 2 2\ncase 2 two\n";
	static const char ktap_b[] = "KTAP version 1\n1..1\nok 1 two\n# 1 passed, 0 failed, 0 skipped\n";
	char *argv[] = { "merge", a, b, NULL };
	char *s = fuzz_str(data, size), *ff = strchr(s, '\f');

	if (!a[0]) {
		snprintf(a, sizeof(a), "%s/a", fuzz_tmpdir());
		snprintf(b, sizeof(b), "%s/b", fuzz_tmpdir());
		if (mkdir_p(a) || mkdir_p(b))
			abort();
		put(b, "cases", cases_b, strlen(cases_b));
		put(b, "ktap", ktap_b, strlen(ktap_b));
		/* stderr stays: the sanitizers report there */
		if (!freopen("/dev/null", "w", stdout))
			abort();
	}
	if (ff) {
		put(a, "cases", s, ff - s);
		put(a, "ktap", ff + 1, strlen(ff + 1));
	} else {
		put(a, "cases", s, strlen(s));
		put(a, "ktap", "", 0);
	}
	cmd_merge(3, argv);
	free(s);
	return 0;
}
