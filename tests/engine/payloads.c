// SPDX-License-Identifier: GPL-2.0
/*
 * Real benchmarks as workloads: stress-ng and hackbench (Debian's
 * stress-ng and rt-tests), each in its cgroup beside a worker of ours,
 * its exit status checked and its metrics in the sidecar, where
 * `ktstr stats show` and `ktstr stats compare` read them like the
 * built-in ones. A host without the program skips the case, naming the
 * package.
 */
#include "kselftest_harness.h"
#include "ktstr_test.h"

KTSTR_TEST(payload_stress_ng,
	.description = "stress-ng's cpu stressor, 2 instances for 3 s, beside a spinner: exits 0, bogo-ops in the sidecar",
	.topo = "1n1l2c1t",
	.sched = "scx_ktstr",
	.duration_ms = 3000,
	.cgroups = { { .name = "stress", .workers = 1 } },
	.payloads = { { .name = "stress-ng", .cgroup = "stress",
			.cmd = "stress-ng --cpu 2 --cpu-method int64 --timeout 3 --metrics --yaml {out}",
			.format = PAYLOAD_STRESS_NG, .package = "stress-ng" } },
	.gauntlet = { .skip = true },
)

KTSTR_TEST(payload_hackbench,
	.description = "hackbench, 1 group of 5 sender/receiver pairs over sockets: exits 0, its time in the sidecar",
	.topo = "1n1l2c1t",
	.sched = "scx_ktstr",
	.duration_ms = 3000,
	.cgroups = { { .name = "bench", .workers = 1 } },
	.payloads = { { .name = "hackbench", .cgroup = "bench",
			.cmd = "hackbench -g 1 -f 5 -l 100",
			.format = PAYLOAD_HACKBENCH, .package = "rt-tests" } },
	.gauntlet = { .skip = true },
)

KTSTR_MAIN
