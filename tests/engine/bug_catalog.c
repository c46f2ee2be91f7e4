// SPDX-License-Identifier: GPL-2.0
/*
 * The bug catalog (Documentation/checks.md): each case is a positive
 * case's own declaration (cases.h) with one classic scheduler bug
 * switched on in the fixture, and passes only when the positive case's
 * checks catch it with the named detail line. So each proves that the
 * default suite fails a scheduler with that bug.
 *
 * Off the gauntlet: each bug is shown on the topology its case declares.
 */
#include "kselftest_harness.h"
#include "ktstr_test.h"
#include "cases.h"

KTSTR_TEST(bug_unfair_slices,
	.description = "oversubscribed with odd pids on 1/8 slices, even on 4x: the spread check fails",
	OVERSUBSCRIBED_BODY,
	.sched_args = "--unfair-slices",
	.expect_err = "unfair cgroup: spread=",
	.gauntlet = { .skip = true },
)

KTSTR_TEST(bug_ignore_weights,
	.description = "cgroup_weights with weights claimed but ignored: the weight check fails",
	CGROUP_WEIGHTS_BODY,
	.sched_args = "--ignore-weights",
	.expect_err = "cgroup weights ignored:",
	.gauntlet = { .skip = true },
)

KTSTR_TEST(bug_ignore_nice,
	.description = "nice_weights with task weights ignored: the nice check fails",
	NICE_BODY,
	.sched_args = "--ignore-nice",
	.expect_err = "nice ignored:",
	.gauntlet = { .skip = true },
)

KTSTR_TEST(bug_tick_only,
	.description = "wake_latency with wakeups acted on only on a 100 Hz tick: p99 wake latency fails",
	WAKE_LATENCY_BODY,
	.sched_args = "--tick-only",
	.expect_err = "p99 wake latency",
	.gauntlet = { .skip = true },
)

KTSTR_TEST(bug_not_work_conserving,
	.description = "oversubscribed with every task queued on CPU 0 while CPU 1 idles: the imbalance gate fails",
	OVERSUBSCRIBED_BODY,
	.sched_args = "--pile",
	.expect_err = "imbalance ratio",
	.gauntlet = { .skip = true },
)

KTSTR_TEST(bug_strand_pinned,
	.description = "affinity_pinned with pinned tasks queued where only CPU 0 looks: starved",
	AFFINITY_PINNED_BODY,
	.sched_args = "--strand-pinned",
	.expect_err = "starved (0 work units)",
	.gauntlet = { .skip = true },
)

KTSTR_TEST(bug_ignore_cpuset,
	.description = "isolation_llc with tasks sent to CPUs their cpuset forbids: the kernel ejects the scheduler",
	ISOLATION_LLC_BODY,
	.sched_args = "--ignore-cpuset",
	.expect_err = "not allowed for",
	.gauntlet = { .skip = true },
)

KTSTR_MAIN
