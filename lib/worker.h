/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Workers: each a forked process in its own process group, held until it
 * has been moved into its cgroup, stopped by SIGUSR1, reporting over a
 * pipe, killed if it does not report by a deadline.
 */
#ifndef __KTSTR_WORKER_H
#define __KTSTR_WORKER_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "ktstr.h"
#include "report.h"

/*
 * What a worker publishes while it runs, in memory shared with the
 * harness, so the timeline can cut the run into phases. Written only by
 * the worker, with WRITE_SHARED(); the harness reads each field with
 * READ_SHARED() at phase boundaries.
 */
struct worker_live {
	uint64_t units;
	uint64_t migrations;
	double cpu_ms;			/* refreshed every 64 units */
	double run_delay_ms;		/* likewise, from schedstat */
	double wall_ms;
	double phase_max_gap_ms;	/* since the epoch changed */
	int phase_gap_cpu;
	unsigned int seen_epoch;	/* the worker's own bookkeeping */
};

/*
 * Bumped by the harness at each phase (atomically): workers restart
 * their phase maxima when they see it change.
 */
extern unsigned int *worker_epoch;

/* Shared memory for @n workers' live counters (and the epoch). */
struct worker_live *worker_live_alloc(unsigned int n);

struct worker {
	pid_t pid;
	int cgroup;
	int release_fd;		/* parent writes one byte: go */
	int report_fd;		/* child writes its worker_report */
	bool stopped;
	struct worker_live *live;
	struct worker_report report;
};

const char *work_name(enum ktstr_work w);

/*
 * Fork a worker that waits for worker_release(), then runs at @nice;
 * @live may be NULL.
 */
int worker_spawn(struct worker *w, const struct ktstr_cgroup *cg, int cgroup,
		 int nice, struct worker_live *live);
int worker_release(struct worker *w);

/*
 * Signal stop; worker_collect() then reads the report, waiting at most
 * @timeout_ms for it.
 */
void worker_signal_stop(struct worker *w);
int worker_collect(struct worker *w, unsigned int timeout_ms);

/* Spin units done between two CLOCK_MONOTONIC times (the slow-down probe) */
struct unit_probe {
	double start_ms, end_ms;
	unsigned long units;
};

/* Spin units as workers do them, for at least @min_ms of wall time. */
void worker_probe_units(unsigned int min_ms, struct unit_probe *p);

/* Kill without a report (cleanup after a failure). */
void worker_kill(struct worker *w);

#endif /* __KTSTR_WORKER_H */
