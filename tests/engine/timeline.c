// SPDX-License-Identifier: GPL-2.0
/*
 * Observability scenarios: runs whose worth is in what the report shows
 * (tests/observe/ reads it), not only in their verdict.
 *
 * Off the gauntlet: the report's shape is what tests/observe/ reads.
 */
#include "kselftest_harness.h"
#include "ktstr_test.h"

KTSTR_TEST(slow_mid_run,
	.description = "the fixture turns slow halfway: the timeline marks the degradation",
	.topo = "1n1l2c1t",
	.sched = "scx_ktstr",
	.sched_args = "--slow-after 2000",
	.duration_ms = 4000,
	.cgroups = { { .name = "a", .workers = 2 } },
	.steps = {
		{ .label = "healthy", .hold_ms = 2000 },
		{ .label = "throttled", .hold_ms = 2000 },
	},
	.checks = { .not_starved = true },
	.gauntlet = { .skip = true },
)

KTSTR_MAIN
