// SPDX-License-Identifier: GPL-2.0
/*
 * Capability gates: a case says what it needs from the kernel and a
 * kernel that lacks it skips the case, naming the missing piece (read
 * from the kernel's BTF and /proc/config.gz, not from a version table).
 */
#include "kselftest_harness.h"
#include "ktstr_test.h"

KTSTR_TEST(needs_met,
	.description = "needs what 6.12 has (a kfunc, an ops member, a tracepoint, an option): runs",
	.topo = "1n1l2c1t",
	.sched = "scx_ktstr",
	.duration_ms = 2000,
	.needs = "kfunc:scx_bpf_consume,ops:dump,tp:sched_ext_dump,config:CONFIG_SCHED_CLASS_EXT",
	.cgroups = { { .name = "a", .workers = 2 } },
	.gauntlet = { .skip = true },
)

KTSTR_TEST(needs_newer_kfunc,
	.description = "needs scx_bpf_dsq_move_to_local (6.13): skipped on 6.12, naming it",
	.topo = "1n1l2c1t",
	.duration_ms = 2000,
	.needs = "kfunc:scx_bpf_dsq_move_to_local",
	.cgroups = { { .name = "a", .workers = 2 } },
	.gauntlet = { .skip = true },
)

KTSTR_MAIN
