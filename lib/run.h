/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Internal to the test runner: the report it prints.
 */
#ifndef __KTSTR_RUN_H
#define __KTSTR_RUN_H

#include "checks.h"
#include "scheduler.h"
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
int run_report(const struct ktstr_test *t, struct check_result *res,
	       struct sched *s, const char *sched_path,
	       const struct worker *w, int nr, double time_scale,
	       const char *markers);

#endif /* __KTSTR_RUN_H */
