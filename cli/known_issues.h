/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Known issues: checks a bot expects to fail for now, each with a reason
 * and a link. A listed check that fails is an expected failure (KTAP's
 * TODO directive) and does not fail its case; the case's other checks
 * still count.
 *
 * The file ($KTSTR_KNOWN_ISSUES, else known-issues at the top of the
 * suite when it exists) has one entry a line, '#' comments and blank
 * lines aside:
 *
 *	<case>.<check>  <link>  <reason ...>
 *
 * e.g. "rate_gate_pass.min_iteration_rate https://lore.kernel.org/... slow
 * on this runner".
 *
 * A scheduler's bug can show in any case: "<case|*>.<check>@<evidence>"
 * lists the check only where the scheduler's sched_ext exit (the kernel's
 * "reason: message", '_' standing for a space) starts with <evidence>,
 * e.g. "*.scheduler@runnable_task_stall". The wildcard needs evidence.
 */
#ifndef __KTSTR_KNOWN_ISSUES_H
#define __KTSTR_KNOWN_ISSUES_H

#include <stddef.h>

struct known_issue {
	char id[192];
	char link[256];
	char reason[256];
};

/*
 * Read the known-issues file once. 0 (also when there is none), or -1
 * with "FILE:LINE: what is wrong" in @err.
 */
int known_issues_load(const char *suite_dir, char *err, size_t len);

/*
 * The entry for @check of @test_case, or NULL. @exit: the scheduler's
 * sched_ext exit as "reason: message", or NULL when it did not exit.
 */
const struct known_issue *known_issue_find(const char *test_case,
					   const char *check,
					   const char *exit);

#endif /* __KTSTR_KNOWN_ISSUES_H */
