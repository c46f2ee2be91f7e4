/* SPDX-License-Identifier: GPL-2.0 */
/*
 * One cgroup's workers rolled up from their final reports: what the stats
 * section and the JSON sidecar both show.
 */
#ifndef __KTSTR_SUMMARY_H
#define __KTSTR_SUMMARY_H

#include "cpus.h"
#include "worker.h"

struct cgroup_summary {
	int workers;			/* that reported */
	unsigned long long units, migrations;
	double off_avg, off_min, off_max;	/* off-CPU share, % */
	double gap_ms;			/* the longest gap of any of them */
	double run_delay_mean_ms;
	double cpu_ms;			/* CPU time of all of them */
	double units_per_s;		/* their work rates, summed */
	unsigned int nr_wake;		/* wake latency samples, all workers */
	double wake_p99_us;		/* their 99th percentile */
	struct cpus used;
};

void cgroup_summarize(const struct worker *w, int nr, int cgroup,
		      struct cgroup_summary *s);

#endif /* __KTSTR_SUMMARY_H */
