// SPDX-License-Identifier: GPL-2.0
/*
 * A payload's output is the benchmark's: whatever stress-ng, hackbench
 * or a JSON-printing program wrote. Each parser on any text keeps at
 * most PAYLOAD_MAX_METRICS finite numbers under one-word names.
 */
#include <math.h>
#include <string.h>

#include "fuzz.h"
#include "payload.h"

static void check(const struct payload_run *pr)
{
	int i;
	const char *c;

	if (pr->nr > PAYLOAD_MAX_METRICS)
		abort();
	for (i = 0; i < pr->nr; i++) {
		if (!isfinite(pr->m[i].value) || !pr->m[i].name[0])
			abort();
		for (c = pr->m[i].name; *c; c++)
			if (!strchr("._-", *c) && !((*c >= 'a' && *c <= 'z') ||
			    (*c >= 'A' && *c <= 'Z') || (*c >= '0' && *c <= '9')))
				abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct ktstr_payload p = { .name = "fuzz" };
	static struct payload_run pr;
	char *s = fuzz_str(data, size);

	memset(&pr, 0, sizeof(pr));
	pr.p = &p;
	payload_parse_stress_ng(&pr, s);
	check(&pr);
	payload_parse_hackbench(&pr, s);
	check(&pr);
	payload_parse_json(&pr, s);
	check(&pr);
	free(s);
	return 0;
}
