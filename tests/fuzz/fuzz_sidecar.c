// SPDX-License-Identifier: GPL-2.0
/*
 * `ktstr stats` reads the sidecars of a run directory, which anything
 * may have written: feed one as a sidecar twice (the second lands in the
 * same case), then check what was kept is bounded and printable.
 */
#include <math.h>
#include <stdio.h>

#include "fuzz.h"
#include "stats.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fuzz_str(data, size), err[160];
	struct stats_run r = { 0 };
	int i, m, k;

	stats_add_sidecar(&r, s, err, sizeof(err));
	stats_add_sidecar(&r, s, err, sizeof(err));
	for (i = 0; i < r.nr_cases; i++) {
		const struct stats_case *c = &r.cases[i];

		if (!stats_name_ok(c->key) || c->nr_series > STATS_MAX_SERIES)
			abort();
		for (m = 0; m < c->nr_series; m++) {
			if (c->s[m].n > STATS_MAX_SAMPLES)
				abort();
			for (k = 0; k < c->s[m].n; k++)
				if (!isfinite(c->s[m].v[k]))
					abort();
		}
	}
	stats_free(&r);
	free(s);
	return 0;
}
