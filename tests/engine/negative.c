// SPDX-License-Identifier: GPL-2.0
/*
 * Negative tests: each passes only because the harness caught a real
 * failure of the real fixture scheduler, switched on by one of its
 * knobs, with the text a person would read.
 *
 * They stay off the gauntlet: each knob's threshold is set for the case's
 * own topology (a rate floor for 2 CPUs, a migration ratio across 2 LLCs),
 * and a preset that makes the failure invisible would fail the test, not
 * the scheduler.
 */
#include "kselftest_harness.h"
#include "ktstr_test.h"
#include "cases.h"

KTSTR_TEST(slow_fails_rate_gate,
	.description = "slow knob: the rate floor rate_gate_pass meets is missed",
	RATE_GATE_BODY,
	.sched_args = "--slow",
	.expect_err = "iteration rate",
	.gauntlet = { .skip = true },
)

KTSTR_TEST(crash_is_caught,
	.description = "crash knob: scheduler death with the time and scx_bpf_error text",
	.topo = "1n1l2c1t",
	.sched = "scx_ktstr",
	.sched_args = "--crash-after 1000",
	.cgroups = { { .name = "a", .workers = 2 } },
	.checks = { .not_starved = true },
	.expect_err = "host-triggered crash",
	.gauntlet = { .skip = true },
)

KTSTR_TEST(stall_is_caught,
	.description = "stall knob: the watchdog's runnable task stall",
	.topo = "1n1l2c1t",
	.sched = "scx_ktstr",
	.sched_args = "--stall-after 1000",
	.watchdog_ms = 2000,
	.duration_ms = 6000,
	.cgroups = { { .name = "a", .workers = 2 } },
	.checks = { .not_starved = true },
	.expect_err = "runnable task stall",
	.gauntlet = { .skip = true },
)

KTSTR_TEST(fail_verify_is_caught,
	.description = "fail-verify knob: did not attach, with the verifier's log",
	.topo = "1n1l2c1t",
	.sched = "scx_ktstr",
	.sched_args = "--fail-verify",
	.cgroups = { { .name = "a", .workers = 2 } },
	.expect_err = "invalid mem access",
	.gauntlet = { .skip = true },
)

KTSTR_TEST(pile_fails_monitor_only,
	.description = "pile knob: the monitor sees CPU 0's deep local DSQ while worker checks pass",
	.topo = "1n1l2c1t",
	.sched = "scx_ktstr",
	.sched_args = "--pile",
	.duration_ms = 4000,
	.cgroups = { { .name = "crowd", .workers = 6 } },
	.checks = { .not_starved = true, .max_local_dsq_depth = 3 },
	.expect_err = "local DSQ depth",
	.gauntlet = { .skip = true },
)

KTSTR_TEST(scattershot_fails_migration_ratio,
	.description = "scattershot knob: the cross-LLC migration storm trips the migration ratio",
	.topo = "1n2l2c1t",
	.sched = "scx_ktstr",
	.sched_args = "--scattershot",
	.cgroups = { { .name = "a", .workers = 3, .work = WORK_IO } },
	.checks = { .not_starved = true, .max_migration_ratio = 0.2 },
	.expect_err = "migration ratio",
	.gauntlet = { .skip = true },
)

KTSTR_MAIN
