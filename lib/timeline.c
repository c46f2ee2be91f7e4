// SPDX-License-Identifier: GPL-2.0
#include <stdio.h>
#include <string.h>
#include <sys/utsname.h>

#include "timeline.h"
#include "topo.h"
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
		struct worker_live *l = w[k].live;

		if (!l)
			continue;
		p->alive = !w[k].stopped;
		p->units = READ_SHARED(l->units);
		p->migrations = READ_SHARED(l->migrations);
		p->cpu_ms = READ_SHARED(l->cpu_ms);
		p->wall_ms = READ_SHARED(l->wall_ms);
		p->run_delay_ms = READ_SHARED(l->run_delay_ms);
		p->max_gap_ms = READ_SHARED(l->phase_max_gap_ms);
		p->gap_cpu = READ_SHARED(l->phase_gap_cpu);
	}
	tl->nr_phases++;
	if (worker_epoch)
		__atomic_fetch_add(worker_epoch, 1, __ATOMIC_RELAXED);
}

void timeline_marker(struct timeline *tl, const char *line)
{
	int ph = tl->nr_phases ? tl->nr_phases - 1 : 0;
	size_t len = strlen(tl->markers[ph]);

	snprintf(tl->markers[ph] + len, sizeof(tl->markers[ph]) - len, "%s\n",
		 line);
}

/* @out NULL: only add the cgroup's iterations to *@units_out */
static void cgroup_row(FILE *out, const struct timeline *tl, int ph, int cg,
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
	if (!n || !out)
		return;
	/* the manual's units: run delay in microseconds */
	fprintf(out, "# %s: off-cpu avg=%.1f%% min=%.1f%% max=%.1f%% spread=%.1f%% | run-delay mean=%.0fµs worst=%.0fµs | iters=%llu migrations=%llu | gap=%.0fms@cpu%d\n",
	       name, sum / n, lo, hi, hi - lo, delay * 1000 / n,
	       worst_delay * 1000,
	       (unsigned long long)units, (unsigned long long)mig, gap,
	       gap_cpu);
}

/* cgroups and workers alive at the end of phase @ph: after its ops */
static void alive_at_end(const struct timeline *tl, int ph,
			 const struct worker *w, int nr, int *cgroups,
			 int *workers)
{
	bool seen[KTSTR_MAX_CGROUPS] = { false };
	int k;

	*cgroups = *workers = 0;
	for (k = 0; k < nr && k < TIMELINE_MAX_WORKERS; k++) {
		if (!w[k].live || !tl->snap[ph + 1][k].alive)
			continue;
		(*workers)++;
		if (w[k].cgroup >= 0 && w[k].cgroup < KTSTR_MAX_CGROUPS &&
		    !seen[w[k].cgroup]) {
			seen[w[k].cgroup] = true;
			(*cgroups)++;
		}
	}
}

/*
 * One marker per step in the manual's shape, ">>> label: ops=N (C
 * cgroups, W workers)", then each op applied on its own "op:" line (the
 * run records them as ">>> label: what (detail)").
 */
static void print_markers(const struct timeline *tl, int ph,
			  const char *label, const struct worker *w, int nr)
{
	char prefix[80];
	const char *p;
	int ops = 0, cgroups, workers;

	snprintf(prefix, sizeof(prefix), ">>> %s: ", label);
	for (p = tl->markers[ph]; *p; p++)
		ops += *p == '\n';
	alive_at_end(tl, ph, w, nr, &cgroups, &workers);
	printf("# >>> %s: ops=%d (%d cgroups, %d workers)\n", label, ops,
	       cgroups, workers);
	for (p = tl->markers[ph]; *p;) {
		int len = strcspn(p, "\n");
		int skip = str_starts_with(p, prefix) ? strlen(prefix) : 0;

		if (len > skip)
			printf("# op: %.*s\n", len - skip, p + skip);
		p += len + (p[len] == '\n');
	}
}

void timeline_print(const struct timeline *tl, const struct ktstr_test *t,
		    const char *topo, const char *sched,
		    const struct monitor *m, const struct worker *w, int nr)
{
	double prev_rate = 0;
	struct utsname u;
	struct topo tp;
	char err[128], line[512];
	int ph, i;

	if (tl->nr_phases < 2)
		return;
	if (uname(&u))
		snprintf(u.release, sizeof(u.release), "?");
	printf("# --- timeline ---\n");
	/* the manual's fields, then the kernel */
	printf("# topology: %s (%u cpus) scheduler: %s scenario: %s duration: %.1fs kernel: %s\n",
	       topo, topo_parse(topo, &tp, err, sizeof(err)) ? 0 : topo_cpus(&tp),
	       sched, t->name,
	       (tl->at_ms[tl->nr_phases - 1] - tl->at_ms[0]) / 1000.0,
	       u.release);
	for (ph = 0; ph + 1 < tl->nr_phases; ph++) {
		const struct monitor_phase *mp = ph < m->nr_phases ?
						 &m->phases[ph] : NULL;
		const char *label = mp ? mp->label : "step";
		double secs = (tl->at_ms[ph + 1] - tl->at_ms[ph]) / 1000.0;
		uint64_t units = 0, ignored = 0;
		double rate;

		printf("# Phase %d: %s (%.0fms, %u samples):\n", ph + 1, label,
		       secs * 1000, mp ? mp->samples : 0);
		for (i = 0; i < KTSTR_MAX_CGROUPS && t->cgroups[i].name; i++)
			cgroup_row(NULL, tl, ph, i, t->cgroups[i].name, w, nr,
				   &units);
		rate = secs > 0 ? units / secs : 0;
		monitor_phase_line(mp, rate, line, sizeof(line));
		printf("# %s\n", line);
		printf("# per-cgroup:\n");
		for (i = 0; i < KTSTR_MAX_CGROUPS && t->cgroups[i].name; i++)
			cgroup_row(stdout, tl, ph, i, t->cgroups[i].name, w, nr,
				   &ignored);
		print_markers(tl, ph, label, w, nr);
		if (ph && prev_rate > 0 && rate < prev_rate * (1 - MARKED_CHANGE))
			printf("# !!! degradation: throughput %.0f%% below the previous phase\n",
			       100 * (1 - rate / prev_rate));
		else if (ph && prev_rate > 0 && rate > prev_rate * (1 + MARKED_CHANGE))
			printf("# +++ improvement: throughput %.0f%% above the previous phase\n",
			       100 * (rate / prev_rate - 1));
		prev_rate = rate;
	}
}
