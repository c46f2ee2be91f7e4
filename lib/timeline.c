// SPDX-License-Identifier: GPL-2.0
#include <stdio.h>
#include <string.h>

#include "timeline.h"
#include "util.h"

/* a phase whose throughput moves this much is marked */
#define MARKED_CHANGE	0.4

void timeline_cut(struct timeline *tl, const struct worker *w, int nr)
{
	int k;

	if (tl->nr_phases > MONITOR_MAX_PHASES)
		return;
	tl->at_ms[tl->nr_phases] = now_ms();
	for (k = 0; k < nr && k < TIMELINE_MAX_WORKERS; k++) {
		struct timeline_point *p = &tl->snap[tl->nr_phases][k];
		const struct worker_live *l = w[k].live;

		if (!l)
			continue;
		p->alive = !w[k].stopped;
		p->units = l->units;
		p->migrations = l->migrations;
		p->cpu_ms = l->cpu_ms;
		p->wall_ms = l->wall_ms;
		p->run_delay_ms = l->run_delay_ms;
		p->max_gap_ms = l->phase_max_gap_ms;
		p->gap_cpu = l->phase_gap_cpu;
	}
	tl->nr_phases++;
	if (worker_epoch)
		(*worker_epoch)++;
}

void timeline_marker(struct timeline *tl, const char *line)
{
	int ph = tl->nr_phases ? tl->nr_phases - 1 : 0;
	size_t len = strlen(tl->markers[ph]);

	snprintf(tl->markers[ph] + len, sizeof(tl->markers[ph]) - len, "%s\n",
		 line);
}

static void cgroup_row(const struct timeline *tl, int ph, int cg,
		       const char *name, const struct worker *w, int nr,
		       uint64_t *units_out)
{
	double lo = 100, hi = 0, sum = 0, delay = 0, worst_delay = 0, gap = 0;
	uint64_t units = 0, mig = 0;
	int k, n = 0, gap_cpu = -1;

	for (k = 0; k < nr && k < TIMELINE_MAX_WORKERS; k++) {
		const struct timeline_point *a = &tl->snap[ph][k];
		const struct timeline_point *b = &tl->snap[ph + 1][k];
		double wall = b->wall_ms - a->wall_ms, off, d;

		/* a worker stopped by the end of the phase has no row */
		if (w[k].cgroup != cg || !w[k].live || !b->alive || wall <= 0)
			continue;
		n++;
		off = 100 * (wall - (b->cpu_ms - a->cpu_ms)) / wall;
		off = off < 0 ? 0 : off > 100 ? 100 : off;
		sum += off;
		lo = off < lo ? off : lo;
		hi = off > hi ? off : hi;
		d = b->run_delay_ms - a->run_delay_ms;
		delay += d;
		worst_delay = d > worst_delay ? d : worst_delay;
		units += b->units - a->units;
		mig += b->migrations - a->migrations;
		if (b->max_gap_ms > gap) {
			gap = b->max_gap_ms;
			gap_cpu = b->gap_cpu;
		}
	}
	*units_out += units;
	if (!n)
		return;
	printf("# %s: off-cpu avg=%.1f%% min=%.1f%% max=%.1f%% spread=%.1f%% | run-delay mean=%.1fms worst=%.1fms | iters=%llu migrations=%llu | gap=%.0fms@cpu%d\n",
	       name, sum / n, lo, hi, hi - lo, delay / n, worst_delay,
	       (unsigned long long)units, (unsigned long long)mig, gap,
	       gap_cpu);
}

void timeline_print(const struct timeline *tl, const struct ktstr_test *t,
		    const char *topo, const char *sched,
		    const struct monitor *m, const struct worker *w, int nr)
{
	double prev_rate = 0;
	int ph, i;

	if (tl->nr_phases < 2)
		return;
	printf("# --- timeline ---\n");
	printf("# topology: %s scheduler: %s scenario: %s duration: %.1fs\n",
	       topo, sched, t->name,
	       (tl->at_ms[tl->nr_phases - 1] - tl->at_ms[0]) / 1000.0);
	for (ph = 0; ph + 1 < tl->nr_phases; ph++) {
		const struct monitor_phase *mp = ph < m->nr_phases ?
						 &m->phases[ph] : NULL;
		double secs = (tl->at_ms[ph + 1] - tl->at_ms[ph]) / 1000.0;
		unsigned int ns = mp && mp->samples ? mp->samples : 1;
		uint64_t units = 0;
		double rate;
		const char *p;

		printf("# Phase %d: %s (%.0fms, %u samples):\n", ph + 1,
		       mp ? mp->label : "?", secs * 1000, mp ? mp->samples : 0);
		if (mp && mp->samples)
			printf("# imbalance: avg=%.1f max=%.1f | dsq: avg=%.1f max=%u | nr_run: avg=%.1f\n",
			       mp->sum_imbalance / ns, mp->max_imbalance,
			       mp->sum_dsq / ns, mp->max_dsq, mp->sum_nr / ns);
		printf("# per-cgroup:\n");
		for (i = 0; i < KTSTR_MAX_CGROUPS && t->cgroups[i].name; i++)
			cgroup_row(tl, ph, i, t->cgroups[i].name, w, nr, &units);
		rate = secs > 0 ? units / secs : 0;
		printf("# throughput: %.0f iter/s\n", rate);
		if (ph && prev_rate > 0 && rate < prev_rate * (1 - MARKED_CHANGE))
			printf("# !!! degradation: throughput %.0f%% below the previous phase\n",
			       100 * (1 - rate / prev_rate));
		else if (ph && prev_rate > 0 && rate > prev_rate * (1 + MARKED_CHANGE))
			printf("# +++ improvement: throughput %.0f%% above the previous phase\n",
			       100 * (rate / prev_rate - 1));
		prev_rate = rate;
		for (p = tl->markers[ph]; *p;) {
			int len = strcspn(p, "\n");

			printf("# %.*s\n", len, p);
			p += len + (p[len] == '\n');
		}
	}
}
