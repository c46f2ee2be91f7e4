// SPDX-License-Identifier: GPL-2.0
/* Helpers the harnesses share (fuzz.h). */
#include <stdio.h>
#include <stdlib.h>

#include "fuzz.h"

const char *fuzz_tmpdir(void)
{
	static char dir[4096];
	const char *base = getenv("TMPDIR");

	if (dir[0])
		return dir;
	snprintf(dir, sizeof(dir), "%s/ktstr-fuzz.XXXXXX",
		 base && *base ? base : "/tmp");
	if (!mkdtemp(dir))
		abort();
	return dir;
}
