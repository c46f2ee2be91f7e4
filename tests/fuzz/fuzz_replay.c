// SPDX-License-Identifier: GPL-2.0
/*
 * `ktstr replay` over a last-run file as a crashed, truncated or planted
 * one could read: the input is the file. Without --exec the command is
 * only printed; with a filter half the time. Whatever the file holds,
 * the reader must not overrun, leak or pass an argument cut in two.
 */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "cli.h"
#include "fuzz.h"
#include "util.h"

/* --exec is never given: reaching the run command is a finding */
int cmd_run(int argc, char **argv)
{
	abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char path[4200];
	char *argv[] = { "replay", "--filter", "a", NULL };
	FILE *f;

	if (!path[0]) {
		setenv("KTSTR_RUNS", fuzz_tmpdir(), 1);
		snprintf(path, sizeof(path), "%s/last-run", fuzz_tmpdir());
		/* stderr stays: the sanitizers report there */
		if (!freopen("/dev/null", "w", stdout))
			abort();
	}
	f = fopen(path, "w");
	if (!f || fwrite(data, 1, size, f) != size || fclose(f))
		abort();
	cmd_replay(size & 1 ? 3 : 1, argv);
	return 0;
}
