/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Workers: each a forked process in its own process group, held until it
 * has been moved into its cgroup, stopped by SIGUSR1, reporting over a
 * pipe, killed if it does not report by a deadline.
 */
#ifndef __KTSTR_WORKER_H
#define __KTSTR_WORKER_H

#include <stdbool.h>
#include <sys/types.h>

#include "ktstr.h"
#include "report.h"

struct worker {
	pid_t pid;
	int cgroup;
	int release_fd;		/* parent writes one byte: go */
	int report_fd;		/* child writes its worker_report */
	bool stopped;
	struct worker_report report;
};

const char *work_name(enum ktstr_work w);
int work_from_name(const char *name);

/* Fork a worker that waits for worker_release(). */
int worker_spawn(struct worker *w, const struct ktstr_cgroup *cg, int cgroup);
int worker_release(struct worker *w);

/* Signal stop; worker_collect() then reads the report (5 s deadline). */
void worker_signal_stop(struct worker *w);
int worker_collect(struct worker *w);

/* Microseconds one spin unit takes here (the TCG slow-down probe). */
double worker_calibrate_unit_us(void);

/* Kill without a report (cleanup after a failure). */
void worker_kill(struct worker *w);

#endif /* __KTSTR_WORKER_H */
