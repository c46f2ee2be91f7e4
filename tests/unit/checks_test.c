// SPDX-License-Identifier: GPL-2.0
/*
 * Check math and the exact detail lines people grep for.
 */
#include <string.h>

#include "kselftest_harness.h"
#include "checks.h"

static struct worker_report rep(pid_t tid, uint64_t units, double cpu_ms,
				double wall_ms)
{
	struct worker_report r = { .tid = tid, .units = units,
				   .cpu_ms = cpu_ms, .wall_ms = wall_ms };

	cpus_set(&r.used, 0);
	return r;
}

TEST(starved_and_rate_lines)
{
	struct ktstr_checks c = { .not_starved = true,
				  .min_iteration_rate = 1000 };
	struct worker_report w[2] = { rep(71, 0, 0, 1000),
				      rep(73, 500, 900, 1000) };
	struct check_result r;
	struct cpus all;

	cpus_parse("0-1", &all);
	check_init(&r);
	checks_cgroup(&c, w, 2, &all, &r);
	EXPECT_EQ(VERDICT_FAIL, r.verdict);
	EXPECT_NE(NULL, strstr(r.details, "tid 71 starved (0 work units)\n"));
	EXPECT_NE(NULL, strstr(r.details,
			       "worker 73 iteration rate 500.0/s below floor 1000.0/s\n"));
}

TEST(spread_line)
{
	struct ktstr_checks c = { .max_spread_pct = 15 };
	/* off-cpu 10% and 40%: spread 30 */
	struct worker_report w[2] = { rep(1, 10, 900, 1000),
				      rep(2, 10, 600, 1000) };
	struct check_result r;
	struct cpus all;

	cpus_parse("0-3", &all);
	check_init(&r);
	checks_cgroup(&c, w, 2, &all, &r);
	EXPECT_STREQ("unfair cgroup: spread=30% (10-40%) 2 workers on 4 cpus (threshold 15%)\n",
		     r.details);
}

TEST(gap_and_isolation_lines)
{
	struct ktstr_checks c = { .isolation = true, .max_gap_ms = 2000 };
	struct worker_report w = rep(9, 10, 500, 1000);
	struct check_result r;
	struct cpus set;

	w.max_gap_ms = 2500;
	w.gap_cpu = 3;
	w.gap_at_ms = 1200;
	cpus_set(&w.used, 5);
	cpus_set(&w.used, 6);
	cpus_parse("0-3", &set);
	check_init(&r);
	checks_cgroup(&c, &w, 1, &set, &r);
	EXPECT_NE(NULL, strstr(r.details, "tid 9 ran on unexpected CPUs {5, 6}\n"));
	EXPECT_NE(NULL, strstr(r.details,
			       "tid 9 stuck 2500ms on cpu3 at +1200ms (threshold 2000ms)\n"));
}

TEST(passing_workers_pass)
{
	struct ktstr_checks c = { .not_starved = true, .isolation = true,
				  .max_gap_ms = 2000, .max_spread_pct = 15 };
	struct worker_report w[2] = { rep(1, 10, 950, 1000),
				      rep(2, 12, 940, 1000) };
	struct check_result r;
	struct cpus all;

	cpus_parse("0-1", &all);
	check_init(&r);
	checks_cgroup(&c, w, 2, &all, &r);
	EXPECT_EQ(VERDICT_PASS, r.verdict);
	EXPECT_STREQ("", r.details);
}

TEST(migration_ratio_and_inconclusive)
{
	struct ktstr_checks c = { .max_migration_ratio = 0.01 };
	struct worker_report w = rep(1, 1000, 900, 1000);
	struct check_result r;
	struct cpus all;

	cpus_parse("0-1", &all);
	w.migrations = 50;
	check_init(&r);
	checks_cgroup(&c, &w, 1, &all, &r);
	EXPECT_STREQ("migration ratio 0.0500 exceeds threshold 0.0100 (50 migrations / 1000 iterations)\n",
		     r.details);
	/* no work at all: the ratio has no denominator */
	w = rep(1, 0, 0, 1000);
	check_init(&r);
	checks_cgroup(&c, &w, 1, &all, &r);
	EXPECT_EQ(VERDICT_INCONCLUSIVE, r.verdict);
}

TEST(wake_latency_lines)
{
	struct ktstr_checks c = { .max_p99_wake_latency_us = 500,
				  .max_wake_latency_cv = 0.5 };
	struct worker_report w = rep(4, 100, 500, 1000);
	struct check_result r;
	struct cpus all;
	int i;

	cpus_parse("0", &all);
	/* 99 samples at 100us, one at 900us: p99 100us, CV 0.737 */
	for (i = 0; i < 99; i++)
		w.wake_us[i] = 100;
	w.wake_us[99] = 900;
	w.nr_wake = 100;
	check_init(&r);
	checks_cgroup(&c, &w, 1, &all, &r);
	EXPECT_EQ(NULL, strstr(r.details, "p99 wake latency"));
	EXPECT_NE(NULL, strstr(r.details, "wake latency CV 0.737 exceeds limit 0.500 (100 samples, mean 108us)\n"));
	/* 2 slow samples of 100: p99 is the slow one */
	w.wake_us[98] = 900;
	check_init(&r);
	checks_cgroup(&c, &w, 1, &all, &r);
	EXPECT_NE(NULL, strstr(r.details, "p99 wake latency 900000ns exceeds limit 500000ns (100 samples)\n"));
}

TEST(verdict_lattice_and_merge_order)
{
	struct ktstr_checks sched = { .max_gap_ms = 500, .max_spread_pct = 20 };
	struct ktstr_checks test = { .max_spread_pct = 10 };
	struct ktstr_checks eff;
	struct check_result r;

	check_init(&r);
	check_merge(&r, VERDICT_SKIP);
	EXPECT_EQ(VERDICT_PASS, r.verdict);
	check_merge(&r, VERDICT_INCONCLUSIVE);
	check_merge(&r, VERDICT_PASS);
	EXPECT_EQ(VERDICT_INCONCLUSIVE, r.verdict);
	check_merge(&r, VERDICT_FAIL);
	EXPECT_EQ(VERDICT_FAIL, r.verdict);

	/* defaults, then the scheduler's, then the test's */
	checks_effective(NULL, &(struct ktstr_checks){ 0 }, 1, &eff);
	EXPECT_EQ(2000, eff.max_gap_ms);
	checks_effective(&sched, &test, 1, &eff);
	EXPECT_EQ(500, eff.max_gap_ms);
	EXPECT_EQ(10, eff.max_spread_pct);
	/* TCG: time thresholds relaxed by the measured scale */
	test.min_iteration_rate = 1000;
	checks_effective(NULL, &test, 4, &eff);
	EXPECT_EQ(8000, eff.max_gap_ms);
	EXPECT_EQ(250, eff.min_iteration_rate);
}

TEST(defaults_apply_everywhere_unless_off)
{
	struct ktstr_checks eff, sched = { 0 }, test = { 0 };
	char err[128];

	/* a case that says nothing gets every default */
	checks_effective(NULL, &test, 1, &eff);
	EXPECT_TRUE(eff.not_starved);
	EXPECT_EQ(DEFAULT_MAX_GAP_MS, eff.max_gap_ms);
	EXPECT_EQ(DEFAULT_MAX_SPREAD_PCT, eff.max_spread_pct);
	EXPECT_EQ(DEFAULT_MAX_WEIGHT_ERROR_PCT, eff.max_weight_error_pct);
	EXPECT_EQ(DEFAULT_MAX_NICE_ERROR_PCT, eff.max_nice_error_pct);
	EXPECT_EQ(DEFAULT_MAX_IMBALANCE_RATIO, eff.max_imbalance_ratio);
	EXPECT_EQ(DEFAULT_MAX_LOCAL_DSQ_DEPTH, eff.max_local_dsq_depth);
	/* KTSTR_OFF in the case turns one off; allow_starved the other */
	test.max_spread_pct = KTSTR_OFF;
	test.allow_starved = true;
	checks_effective(NULL, &test, 1, &eff);
	EXPECT_EQ(0, eff.max_spread_pct);
	EXPECT_FALSE(eff.not_starved);
	/* a scheduler's "off" sits between the default and the case */
	ASSERT_EQ(0, checks_parse("max_gap_ms=off", &sched, err, sizeof(err)));
	checks_effective(&sched, &(struct ktstr_checks){ 0 }, 1, &eff);
	EXPECT_EQ(0, eff.max_gap_ms);
	checks_effective(&sched, &(struct ktstr_checks){ .max_gap_ms = 300 },
			 1, &eff);
	EXPECT_EQ(300, eff.max_gap_ms);
}

TEST(weight_line)
{
	struct ktstr_checks c = { .max_weight_error_pct = 15 };
	struct cgroup_share ignored[3] = {
		{ "light", 1000, 100 }, { "heavy", 1100, 400 },
		{ "other", 5000, 0 },	/* no weight declared: not counted */
	};
	struct cgroup_share honoured[2] = {
		{ "light", 420, 100 }, { "heavy", 1580, 400 },
	};
	struct check_result r;

	check_init(&r);
	checks_weights(&c, honoured, 2, &r);
	EXPECT_EQ(VERDICT_PASS, r.verdict);
	checks_weights(&c, ignored, 3, &r);
	EXPECT_EQ(VERDICT_FAIL, r.verdict);
	EXPECT_NE(NULL, strstr(r.details,
			       "cgroup weights ignored: heavy got 52% of the CPU time, its cpu.weight 400 asks 80% (threshold 15 points)\n"));
	/* nothing to share is inconclusive, with the reason */
	check_init(&r);
	honoured[0].cpu_ms = honoured[1].cpu_ms = 0;
	checks_weights(&c, honoured, 2, &r);
	EXPECT_EQ(VERDICT_INCONCLUSIVE, r.verdict);
	EXPECT_NE(NULL, strstr(r.notes, "got no CPU time"));
}

TEST(nice_line)
{
	struct ktstr_checks c = { .max_nice_error_pct = 15 };
	struct worker_report even[4] = { rep(1, 9, 1000, 2000),
					 rep(2, 9, 1000, 2000),
					 rep(3, 9, 1000, 2000),
					 rep(4, 9, 1000, 2000) };
	struct worker_report fair[2] = { rep(1, 9, 1800, 2000),
					 rep(2, 9, 200, 2000) };
	int nice4[4] = { 0, 10, 0, 10 }, nice2[2] = { 0, 10 };
	struct check_result r;

	EXPECT_EQ(1024, nice_weight(0));
	EXPECT_EQ(110, nice_weight(10));
	check_init(&r);
	checks_nice(&c, "mixed", fair, nice2, 2, &r);
	EXPECT_EQ(VERDICT_PASS, r.verdict);
	checks_nice(&c, "mixed", even, nice4, 4, &r);
	EXPECT_STREQ("nice ignored: nice 0 workers of mixed got 50% of its CPU time, their weight asks 90% against nice 10 (threshold 15 points)\n",
		     r.details);
}

TEST(scheduler_overrides_parse)
{
	struct ktstr_checks c;
	char err[256];

	ASSERT_EQ(0, checks_parse("max_gap_ms=500,max_spread_pct=20,max_local_dsq_depth=8",
				  &c, err, sizeof(err)));
	EXPECT_EQ(500, c.max_gap_ms);
	EXPECT_EQ(20, c.max_spread_pct);
	EXPECT_EQ(8, c.max_local_dsq_depth);
	ASSERT_EQ(-1, checks_parse("max_gap=5", &c, err, sizeof(err)));
	EXPECT_STREQ("unknown threshold 'max_gap'", err);
	ASSERT_EQ(-1, checks_parse("max_gap_ms=fast", &c, err, sizeof(err)));
	EXPECT_STREQ("'max_gap_ms=fast': not a number >= 0", err);
}

/*
 * A scheduler's design bound raises a case's tighter threshold (scaled
 * like the case's own for time), never lowers a looser one, and leaves
 * a check the case turned off switched off.
 */
TEST(design_floors)
{
	struct ktstr_checks floors = { .max_p99_wake_latency_us = 40000,
				       .max_spread_pct = 10 };
	struct ktstr_checks test = { .max_p99_wake_latency_us = 5000,
				     .max_spread_pct = 30 };
	struct ktstr_checks eff;

	checks_effective(NULL, &test, 5, &eff);
	ASSERT_EQ(25000, eff.max_p99_wake_latency_us);
	ASSERT_EQ(1, checks_floor(&floors, 5, &eff));
	ASSERT_EQ(200000, eff.max_p99_wake_latency_us);
	ASSERT_EQ(30, eff.max_spread_pct);
	test.max_p99_wake_latency_us = 0;
	checks_effective(NULL, &test, 5, &eff);
	ASSERT_EQ(0, checks_floor(&floors, 5, &eff));
	ASSERT_EQ(0, eff.max_p99_wake_latency_us);
}

TEST_HARNESS_MAIN
