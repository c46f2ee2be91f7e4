// SPDX-License-Identifier: GPL-2.0
/*
 * Schedulers' design choices that the checks must respect. Weight
 * support for cgroups is a flag the scheduler sets itself
 * (SCX_OPS_HAS_CGROUP_WEIGHT, read through sched_ops.c); for task weights
 * there is no such flag, so the few schedulers that ignore nice by design
 * are named here, each with the reason printed when a case is skipped.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sched_profiles.h"
#include "util.h"

static const struct {
	const char *ops;
	const char *no_task_weights;
} profiles[] = {
	{ "central", "scx_central runs one FIFO fed from a central CPU: task weights (nice) are not honoured by design" },
};

const char *sched_profile_no_task_weights(const char *ops)
{
	size_t i;

	for (i = 0; i < sizeof(profiles) / sizeof(profiles[0]); i++)
		if (!strcmp(profiles[i].ops, ops))
			return profiles[i].no_task_weights;
	return NULL;
}

void sched_attached_ops(char *buf, unsigned long len)
{
	char *s = read_file("/sys/kernel/sched_ext/root/ops", NULL);

	snprintf(buf, len, "%s", s ? s : "");
	buf[strcspn(buf, "\n")] = '\0';
	free(s);
}
