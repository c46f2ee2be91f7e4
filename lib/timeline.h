/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The phase timeline: the run cut at every step, with the monitor's
 * averages and one row per cgroup from the workers' live counters.
 */
#ifndef __KTSTR_TIMELINE_H
#define __KTSTR_TIMELINE_H

#include "ktstr.h"
#include "monitor.h"
#include "worker.h"

#define TIMELINE_MAX_WORKERS	256

struct timeline_point {
	uint64_t units, migrations;
	double cpu_ms, wall_ms, run_delay_ms, max_gap_ms;
	int gap_cpu;
	bool alive;
};

struct timeline {
	int nr_phases;
	long long at_ms[MONITOR_MAX_PHASES + 1];
	/* snapshot at the start of each phase, plus one at the end */
	struct timeline_point snap[MONITOR_MAX_PHASES + 1][TIMELINE_MAX_WORKERS];
	char markers[MONITOR_MAX_PHASES][1024];
};

/* A phase boundary: snapshot every worker, restart phase maxima. */
void timeline_cut(struct timeline *tl, const struct worker *w, int nr);
void timeline_marker(struct timeline *tl, const char *line);
void timeline_print(const struct timeline *tl, const struct ktstr_test *t,
		    const char *topo, const char *sched,
		    const struct monitor *m, const struct worker *w, int nr);

#endif /* __KTSTR_TIMELINE_H */
