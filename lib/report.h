/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What a worker reports at the end of a run, over its pipe.
 */
#ifndef __KTSTR_REPORT_H
#define __KTSTR_REPORT_H

#include <stdint.h>
#include <sys/types.h>

#include "cpus.h"

#define WAKE_SAMPLES	256

struct worker_report {
	pid_t tid;
	int cgroup;			/* index in the test's cgroups */
	int nice;			/* the nice level it ran at */
	uint64_t units;			/* work units done */
	double cpu_ms;			/* CLOCK_THREAD_CPUTIME_ID */
	double wall_ms;
	double run_delay_ms;		/* /proc/self/schedstat delta */
	uint64_t migrations;		/* CPU changes seen between samples */
	struct cpus used;		/* CPUs it was seen on */
	double max_gap_ms;		/* longest off-CPU gap */
	int gap_cpu;			/* CPU it resumed on after it */
	double gap_at_ms;		/* when, since the worker started */
	unsigned int nr_wake;		/* wake latency samples (us) */
	uint32_t wake_us[WAKE_SAMPLES];
	unsigned int wake_dropped;	/* negative ones: a harness bug */
};

#endif /* __KTSTR_REPORT_H */
