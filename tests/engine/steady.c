// SPDX-License-Identifier: GPL-2.0
/*
 * Steady state: cgroups of spinning workers under EEVDF and under the
 * fixture scheduler must all make progress, fairly, and stay inside
 * their cpusets.
 */
#include "kselftest_harness.h"
#include "ktstr_test.h"
#include "cases.h"

/*
 * 3 workers on the 3 usable CPUs of 1n2l2c1t (the 4th is the root's):
 * a scheduler that stacks two of them on one CPU shows a spread near 50%.
 */
#define TWO_CGROUPS							\
	.cgroups = { { .name = "a", .workers = 2 },			\
		     { .name = "b", .workers = 1 } }

#define FAIR .checks = { .not_starved = true, .max_spread_pct = 25 }

KTSTR_TEST(steady_eevdf,
	.description = "two cgroups, EEVDF baseline: no starvation, fair",
	.topo = "1n2l2c1t",
	TWO_CGROUPS,
	FAIR,
)

KTSTR_TEST(steady_scx,
	.description = "two cgroups under scx_ktstr: no starvation, fair",
	.topo = "1n2l2c1t",
	.sched = "scx_ktstr",
	TWO_CGROUPS,
	FAIR,
)

KTSTR_TEST(isolation_llc,
	.description = "one cpuset per LLC: workers never leave theirs",
	ISOLATION_LLC_BODY,
	.gauntlet = { .min_llcs = 2 },
)

KTSTR_TEST(oversubscribed,
	.description = "8 workers on 2 CPUs: nobody starves, each gets its share",
	OVERSUBSCRIBED_BODY,
)

KTSTR_TEST(rate_gate_pass,
	.description = "the rate floor the slow knob must miss, met by a healthy scheduler",
	RATE_GATE_BODY,
)

KTSTR_TEST(cgroup_ops,
	.description = "add and remove a cgroup and change cpusets mid-run",
	.topo = "1n2l2c1t",
	.sched = "scx_ktstr",
	.duration_ms = 4000,
	.cgroups = { { .name = "base", .workers = 2 },
		     { .name = "late", .workers = 2, .deferred = true } },
	.steps = {
		{ .label = "start", .hold = 0.25 },
		{ .label = "grow", .hold = 0.25,
		  .ops = { { OP_ADD_CGROUP, "late" } } },
		{ .label = "split", .hold = 0.25,
		  .ops = { { OP_SET_CPUSET, "base", NULL, "llc:0" },
			   { OP_SET_CPUSET, "late", NULL, "llc:1" } } },
		{ .label = "shrink", .hold = 0.25,
		  .ops = { { OP_REMOVE_CGROUP, "late" },
			   { OP_CLEAR_CPUSET, "base" } } },
	},
	.checks = { .not_starved = true },
	.gauntlet = { .min_llcs = 2 },
)

KTSTR_TEST(mixed_workloads,
	.description = "every work type side by side: each makes progress",
	.topo = "1n2l2c1t",
	.sched = "scx_ktstr",
	.duration_ms = 4000,
	.cgroups = {
		{ .name = "yield", .workers = 1, .work = WORK_YIELD },
		{ .name = "mixed", .workers = 1, .work = WORK_MIXED },
		{ .name = "io", .workers = 1, .work = WORK_IO },
		{ .name = "bursty", .workers = 1, .work = WORK_BURSTY },
		{ .name = "pipe", .workers = 1, .work = WORK_PIPE_PINGPONG },
		{ .name = "futex", .workers = 1, .work = WORK_FUTEX_PINGPONG },
		{ .name = "cache", .workers = 1, .work = WORK_CACHE },
		{ .name = "fork", .workers = 1, .work = WORK_FORK_EXIT },
	},
	.checks = { .not_starved = true },
)

KTSTR_TEST(churning_workloads,
	.description = "work types that churn scheduler state: each makes progress",
	.topo = "1n2l2c1t",
	.sched = "scx_ktstr",
	.duration_ms = 4000,
	.cgroups = {
		{ .name = "fanout", .workers = 1, .work = WORK_FUTEX_FANOUT },
		{ .name = "nice", .workers = 1, .work = WORK_NICE_SWEEP },
		{ .name = "affinity", .workers = 1, .work = WORK_AFFINITY_CHURN },
		{ .name = "policy", .workers = 1, .work = WORK_POLICY_CHURN },
		{ .name = "faults", .workers = 1, .work = WORK_PAGE_FAULT },
		{ .name = "mutex", .workers = 1, .work = WORK_MUTEX },
		{ .name = "sequence", .workers = 1, .work = WORK_SEQUENCE },
	},
	.checks = { .not_starved = true },
)

KTSTR_TEST(cgroup_freeze_move_affinity,
	.description = "freeze and thaw a cgroup, move its tasks, pin a cgroup",
	.topo = "1n2l2c1t",
	.sched = "scx_ktstr",
	.duration_ms = 4000,
	.cgroups = { { .name = "a", .workers = 2 },
		     { .name = "b", .workers = 1 } },
	.steps = {
		{ .label = "freeze", .hold = 0.25,
		  .ops = { { OP_FREEZE, "b" } } },
		{ .label = "thaw", .hold = 0.25,
		  .ops = { { OP_UNFREEZE, "b" } } },
		{ .label = "pin", .hold = 0.25,
		  .ops = { { OP_SET_AFFINITY, "a", NULL, "cpus:0" } } },
		{ .label = "merge", .hold = 0.25,
		  .ops = { { OP_MOVE_ALL, "b", "a" } } },
	},
	.checks = { .not_starved = true },
)

KTSTR_MAIN
