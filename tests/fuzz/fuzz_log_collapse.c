// SPDX-License-Identifier: GPL-2.0
/* log_collapse: the scheduler's own output, into the failure bundle */
#include "fuzz.h"
#include "log_collapse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fuzz_str(data, size);
	char *out = log_collapse(s);

	if (!out)
		abort();
	free(out);
	free(s);
	return 0;
}
