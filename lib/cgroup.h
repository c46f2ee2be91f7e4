/* SPDX-License-Identifier: GPL-2.0 */
/*
 * cgroup v2 for tests: one parent per test under the unified hierarchy,
 * a child per declared cgroup, cpusets, moves and freezing.
 */
#ifndef __KTSTR_CGROUP_H
#define __KTSTR_CGROUP_H

#include <stdbool.h>
#include <sys/types.h>

#include "cpus.h"

#define CGROUP_ROOT	"/sys/fs/cgroup"

/*
 * Create the test's parent with cpuset and cpu controllers enabled,
 * allowed @cpus. Returns 0 or -1 with a reason in @err.
 */
int cg_setup(const char *test, const struct cpus *cpus, char *err,
	     size_t errlen);
int cg_create(const char *name);
int cg_set_cpuset(const char *name, const struct cpus *cpus);
int cg_set_weight(const char *name, unsigned int weight);
int cg_move(const char *name, pid_t pid);
int cg_move_all(const char *from, const char *to);
int cg_freeze(const char *name, bool frozen);
/* Kill what is left in the cgroup and remove it. */
int cg_remove(const char *name);
/* Remove the parent and every child: also after a failure. */
void cg_teardown(void);

#endif /* __KTSTR_CGROUP_H */
