// SPDX-License-Identifier: GPL-2.0
/*
 * How CPU time is shared when it is scarce: cgroup weights, nice levels,
 * wakeups and pinned tasks. A healthy scheduler passes each; the bug
 * catalog (bug_catalog.c) runs the same declarations with one bug of the
 * fixture switched on and must see each fail.
 *
 * A scheduler that does not claim cgroup weight support
 * (SCX_OPS_HAS_CGROUP_WEIGHT) skips cgroup_weights, one known to ignore
 * nice by design skips nice_weights; both say so.
 */
#include "kselftest_harness.h"
#include "ktstr_test.h"
#include "cases.h"

KTSTR_TEST(cgroup_weights,
	.description = "cpu.weight 100 against 400 under contention: CPU time near 1:4",
	CGROUP_WEIGHTS_BODY,
	.gauntlet = { .skip = true },
)

KTSTR_TEST(cgroup_weights_eevdf,
	.description = "the weight check's baseline: EEVDF honours cpu.weight",
	.topo = "1n1l2c1t",
	.duration_ms = 4000,
	.cgroups = { { .name = "light", .workers = 2, .weight = 100 },
		     { .name = "heavy", .workers = 2, .weight = 400 } },
	.gauntlet = { .skip = true },
)

KTSTR_TEST(nice_weights,
	.description = "nice 0 against nice 10 in one cgroup: CPU time near 9:1",
	NICE_BODY,
	.gauntlet = { .skip = true },
)

KTSTR_TEST(wake_latency,
	.description = "short sleeps and futex round trips are woken promptly",
	WAKE_LATENCY_BODY,
)

KTSTR_TEST(affinity_pinned,
	.description = "a worker pinned to one CPU runs there beside free ones",
	AFFINITY_PINNED_BODY,
	.gauntlet = { .skip = true },
)

KTSTR_MAIN
