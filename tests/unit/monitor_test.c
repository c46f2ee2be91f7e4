// SPDX-License-Identifier: GPL-2.0
/*
 * Monitor judgement: sustained runs only, the exact violation lines.
 */
#include <string.h>

#include "kselftest_harness.h"
#include "monitor.h"

static void setup(struct monitor *m, const char *cpus)
{
	struct ktstr_checks c = { .max_local_dsq_depth = 3 };
	struct cpus set;

	memset(m, 0, sizeof(*m));
	cpus_parse(cpus, &set);
	monitor_cfg_init(&m->cfg, &c, &set);
	m->nr_cpus = 4;
	monitor_phase(m, "steady");
}

TEST(imbalance_needs_sustained_samples)
{
	uint32_t nr[4] = { 9, 1, 1, 0 }, dsq[4] = { 0 };
	uint64_t clock[4] = { 1, 1, 1, 1 };
	struct monitor m;
	int i;

	setup(&m, "0-2");
	for (i = 0; i < 4; i++) {
		clock[0] += 10, clock[1] += 10, clock[2] += 10;
		monitor_judge(&m, nr, nr, dsq, clock);
	}
	EXPECT_EQ(0, m.nr_violations);	/* 4 < 5 samples */
	nr[1] = 1;
	clock[0] += 10, clock[1] += 10, clock[2] += 10;
	monitor_judge(&m, nr, nr, dsq, clock);
	ASSERT_EQ(1, m.nr_violations);
	EXPECT_STREQ("imbalance ratio 9.0 exceeded threshold 4.0 for 5 consecutive samples (ending at sample 5)\n",
		     m.violations);
	EXPECT_EQ(9.0, m.max_imbalance);
}

TEST(dsq_depth_and_rq_clock_stall)
{
	uint32_t nr[4] = { 1, 1, 1, 1 }, dsq[4] = { 0, 7, 0, 0 };
	uint64_t clock[4] = { 100, 200, 300, 400 };
	struct monitor m;
	int i;

	setup(&m, "0-2");
	for (i = 0; i < 6; i++) {
		clock[0] += 10;		/* cpu1 and cpu2 never move */
		monitor_judge(&m, nr, nr, dsq, clock);
	}
	EXPECT_NE(NULL, strstr(m.violations,
			       "local DSQ depth 7 on cpu1 exceeded threshold 3 for 5 consecutive samples (ending at sample 5)\n"));
	EXPECT_NE(NULL, strstr(m.violations,
			       "rq_clock stall on cpu2 for 5 consecutive samples (ending at sample 6, clock=300)\n"));
	/* cpu3 is not judged: it belongs to the root cgroup */
	EXPECT_EQ(NULL, strstr(m.violations, "cpu3"));
	EXPECT_EQ(2, m.stuck);
}

TEST(an_idle_cpu_is_not_stalled)
{
	uint32_t nr[4] = { 0, 0, 0, 0 }, dsq[4] = { 0 };
	uint64_t clock[4] = { 5, 5, 5, 5 };
	struct monitor m;
	int i;

	setup(&m, "0-2");
	for (i = 0; i < 10; i++)
		monitor_judge(&m, nr, nr, dsq, clock);
	EXPECT_EQ(0, m.nr_violations);
	EXPECT_EQ(10, m.phases[0].samples);
}

TEST_HARNESS_MAIN
