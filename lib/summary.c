// SPDX-License-Identifier: GPL-2.0
#include <string.h>

#include "checks.h"
#include "summary.h"
#include "util.h"

void cgroup_summarize(const struct worker *w, int nr, int cgroup,
		      struct cgroup_summary *s)
{
	static uint32_t wake[WAKE_SAMPLES * 64];
	double sum_off = 0, delay = 0;
	unsigned int i;
	int k, j;

	memset(s, 0, sizeof(*s));
	s->off_min = 100;
	for (k = 0; k < nr; k++) {
		const struct worker_report *r = &w[k].report;
		double off;

		if (w[k].cgroup != cgroup || !r->tid)
			continue;
		s->workers++;
		s->units += r->units;
		s->migrations += r->migrations;
		delay += r->run_delay_ms;
		s->cpu_ms += r->cpu_ms;
		if (r->wall_ms > 0)
			s->units_per_s += r->units * 1000.0 / r->wall_ms;
		for (i = 0; i < r->nr_wake && i < WAKE_SAMPLES &&
			    s->nr_wake < ARRAY_SIZE(wake); i++)
			wake[s->nr_wake++] = r->wake_us[i];
		if (r->max_gap_ms > s->gap_ms)
			s->gap_ms = r->max_gap_ms;
		for (j = 0; j < CPUS_MAX / 64; j++)
			s->used.bits[j] |= r->used.bits[j];
		off = r->wall_ms > 0 ?
		      100 * (r->wall_ms - r->cpu_ms) / r->wall_ms : 0;
		sum_off += off;
		if (off < s->off_min)
			s->off_min = off;
		if (off > s->off_max)
			s->off_max = off;
	}
	if (!s->workers) {
		s->off_min = 0;
		return;
	}
	s->off_avg = sum_off / s->workers;
	s->wake_p99_us = percentile_u32(wake, s->nr_wake, 99);
	s->run_delay_mean_ms = delay / s->workers;
}
