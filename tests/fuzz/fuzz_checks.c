// SPDX-License-Identifier: GPL-2.0
/* checks_parse: ktstr run --sched-checks "name=value,..." */
#include <stdio.h>

#include "checks.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fuzz_str(data, size), err[256];
	struct ktstr_checks c;

	memset(&c, 0, sizeof(c));
	if (checks_parse(s, &c, err, sizeof(err)) &&
	    !memchr(err, '\0', sizeof(err)))
		abort();
	free(s);
	return 0;
}
