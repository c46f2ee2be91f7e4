/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Internal to the test runner: the report it prints.
 */
#ifndef __KTSTR_RUN_H
#define __KTSTR_RUN_H

#include "checks.h"
#include "monitor.h"
#include "scheduler.h"
#include "timeline.h"
#include "worker.h"

/* kselftest's exit codes */
#define KTSTR_PASS	0
#define KTSTR_FAIL	1
#define KTSTR_SKIP	4

extern char ktstr_skip_reason[256];

/*
 * Print the failure bundle (or, on a pass, the stats) as '#' lines and
 * decide the result, honouring the test's expect_err.
 */
struct run_outcome {
	const struct ktstr_test *t;
	struct check_result *res;
	struct sched *sched;		/* NULL: EEVDF */
	const char *sched_path;
	bool sched_attached;
	const struct worker *workers;
	int nr_workers;
	double time_scale;
	const struct monitor *mon;	/* NULL: never started */
	const struct timeline *tl;
	const struct payload_run *payloads;
	int nr_payloads;
};

int run_report(const struct run_outcome *o);

/* Clear the trace buffer and enable the sched_ext_dump event. */
void dump_trace_arm(void);

#endif /* __KTSTR_RUN_H */
