// SPDX-License-Identifier: GPL-2.0
/*
 * The statistics of `ktstr stats compare`: the rank test against values
 * from the published tables, and the calls on samples whose answer is
 * known.
 */
#include <math.h>
#include <string.h>

#include "kselftest_harness.h"
#include "stats_math.h"

TEST(median_odd_even)
{
	double odd[] = { 5, 1, 3 }, even[] = { 4, 1, 3, 2 };

	ASSERT_EQ(3, stats_median(odd, 3));
	ASSERT_EQ(2.5, stats_median(even, 4));
}

/* 5 against 5, fully separated: the smallest p there is, 2/252 */
TEST(mann_whitney_exact_separated)
{
	double a[] = { 1, 2, 3, 4, 5 }, b[] = { 6, 7, 8, 9, 10 };
	double p = stats_mann_whitney_p(a, 5, b, 5);

	ASSERT_LT(fabs(p - 2.0 / 252), 1e-12);
	/* the direction does not matter to a two-sided test */
	ASSERT_LT(fabs(stats_mann_whitney_p(b, 5, a, 5) - p), 1e-12);
}

/*
 * U = 5 for 4 against 5 (a: 1 2 3 9, b: 4 5 6 7 8; 9 beats all five):
 * the arrangements with U <= 5 are the partitions of 0..5 into at most
 * 4 parts of at most 5, 1+1+2+3+5+6 = 18 of C(9,4) = 126, so p = 36/126.
 */
TEST(mann_whitney_exact_table_value)
{
	double a[] = { 1, 2, 3, 9 }, b[] = { 4, 5, 6, 7, 8 };
	double p = stats_mann_whitney_p(a, 4, b, 5);

	ASSERT_LT(fabs(p - 36.0 / 126), 1e-12);
}

/* what the sample sizes allow: 3 a side can never be significant */
TEST(smallest_p)
{
	double a[] = { 1, 2, 3 }, b[] = { 7, 8, 9 };
	struct stats_cmp c;

	ASSERT_LT(fabs(stats_min_p(3, 3) - 0.1), 1e-12);
	ASSERT_LT(fabs(stats_min_p(4, 4) - 2.0 / 70), 1e-12);
	ASSERT_LT(fabs(stats_min_p(5, 5) - 2.0 / 252), 1e-12);
	stats_compare(a, 3, b, 3, true, true, 10, 0.05, &c);
	ASSERT_EQ(CALL_INCONCLUSIVE, c.call);
	ASSERT_NE(NULL, strstr(c.why, "too few samples"));
}

/* interleaved samples: no evidence of a difference */
TEST(mann_whitney_interleaved_not_significant)
{
	double a[] = { 1, 3, 5, 7, 9 }, b[] = { 2, 4, 6, 8, 10 };

	ASSERT_GT(stats_mann_whitney_p(a, 5, b, 5), 0.5);
}

/* ties take the normal approximation; all tied: p = 1 */
TEST(mann_whitney_ties)
{
	double a[] = { 1, 1, 1 }, b[] = { 1, 1, 1 };
	double c[] = { 1, 1, 2, 2, 2, 2 }, d[] = { 3, 3, 4, 4, 4, 4 };

	ASSERT_EQ(1, stats_mann_whitney_p(a, 3, b, 3));
	ASSERT_LT(stats_mann_whitney_p(c, 6, d, 6), 0.01);
}

/* throughput halved in every sample: regressed, beyond any doubt */
TEST(call_regressed_throughput)
{
	double a[] = { 100, 102, 98, 101, 99 }, b[] = { 50, 52, 49, 51, 48 };
	struct stats_cmp c;

	stats_compare(a, 5, b, 5, true, true, 10, 0.05, &c);
	ASSERT_EQ(CALL_REGRESSED, c.call);
	ASSERT_LT(c.change, -45);
	ASSERT_LT(c.hi, -10);
	/* the same change of a lower-is-better metric is an improvement */
	stats_compare(a, 5, b, 5, false, true, 10, 0.05, &c);
	ASSERT_EQ(CALL_IMPROVED, c.call);
}

/* noise around one value: unchanged, whatever its direction */
TEST(call_unchanged_noise)
{
	double a[] = { 100, 103, 97, 101, 99 }, b[] = { 102, 98, 100, 96, 104 };
	struct stats_cmp c;

	stats_compare(a, 5, b, 5, true, true, 10, 0.05, &c);
	ASSERT_EQ(CALL_UNCHANGED, c.call);
}

/* a large change seen once a side cannot be called */
TEST(call_one_sample_inconclusive)
{
	double a[] = { 100 }, b[] = { 50 };
	struct stats_cmp c;

	stats_compare(a, 1, b, 1, true, true, 10, 0.05, &c);
	ASSERT_EQ(CALL_INCONCLUSIVE, c.call);
	ASSERT_NE(NULL, c.why);
}

/* a wide scatter past the threshold but not significant */
TEST(call_scatter_inconclusive)
{
	double a[] = { 10, 200, 50, 120, 80 }, b[] = { 30, 300, 90, 160, 20 };
	struct stats_cmp c;

	stats_compare(a, 5, b, 5, false, true, 10, 0.05, &c);
	ASSERT_EQ(CALL_INCONCLUSIVE, c.call);
}

/* absolute thresholds: spread 2 -> 12 points against a 5-point limit */
TEST(call_absolute_points)
{
	double a[] = { 2, 2.5, 1.5, 2.2, 1.8 }, b[] = { 12, 12.5, 11, 13, 12.2 };
	struct stats_cmp c;

	stats_compare(a, 5, b, 5, false, false, 5, 0.05, &c);
	ASSERT_EQ(CALL_REGRESSED, c.call);
	ASSERT_LT(fabs(c.change - 10), 0.5);
}

/* the interval is the same every time for the same samples */
TEST(bootstrap_deterministic)
{
	double a[] = { 3, 1, 4, 1, 5 }, b[] = { 9, 2, 6, 5, 3 };
	double c1, l1, h1, c2, l2, h2;

	stats_change_ci(a, 5, b, 5, true, &c1, &l1, &h1);
	stats_change_ci(a, 5, b, 5, true, &c2, &l2, &h2);
	ASSERT_EQ(l1, l2);
	ASSERT_EQ(h1, h2);
	ASSERT_LE(l1, c1);
	ASSERT_GE(h1, c1);
}

TEST_HARNESS_MAIN
