/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The statistics behind `ktstr stats compare`: medians, a rank test that
 * assumes no distribution (Mann-Whitney U), a bootstrap interval for the
 * relative change of the median, and the call each metric gets.
 */
#ifndef __KTSTR_STATS_MATH_H
#define __KTSTR_STATS_MATH_H

#include <stdbool.h>

double stats_median(const double *v, int n);

/*
 * Two-sided p-value of the Mann-Whitney U test of @a against @b: exact
 * (by counting arrangements) when neither side has more than 25 values
 * and no value is tied, else the normal approximation with the tie
 * correction. 1 when either side is empty.
 */
double stats_mann_whitney_p(const double *a, int na, const double *b,
			    int nb);

/*
 * The smallest two-sided p the exact test can give for these sizes,
 * 2 / C(na + nb, na): 0.1 for 3 a side, 0.029 for 4, 0.0079 for 5.
 */
double stats_min_p(int na, int nb);

/*
 * The change of the median from @a to @b (in percent of A's median when
 * @relative, else in the metric's unit) and its 95 % bootstrap interval
 * (percentile method, STATS_RESAMPLES draws from a fixed seed, so the
 * same samples always give the same interval). A relative change of a
 * median of zero is taken against 1e-9 and so reads as huge, which is
 * what a metric appearing from nothing is.
 */
void stats_change_ci(const double *a, int na, const double *b, int nb,
		     bool relative, double *change, double *lo, double *hi);

#define STATS_RESAMPLES	2000

enum stats_call {
	CALL_UNCHANGED,
	CALL_IMPROVED,
	CALL_REGRESSED,
	CALL_INCONCLUSIVE,
};

const char *stats_call_name(enum stats_call c);

struct stats_cmp {
	int na, nb;
	double median_a, median_b;
	double change, lo, hi;	/* change in the metric's unit, see below */
	double p;		/* Mann-Whitney, two-sided */
	enum stats_call call;
	const char *why;	/* a few words behind an inconclusive call */
};

/*
 * Compare samples of one metric. @higher_better: its direction.
 * @threshold: the smallest change that matters, in percent of A's
 * median when @relative, else in the metric's own unit (spread in
 * percentage points). A change is called only when the rank test says
 * it is real (p < @alpha) and the whole interval lies beyond the
 * threshold; a real change inside it is unchanged; anything else that
 * reaches past the threshold is inconclusive (more --repeat helps).
 */
void stats_compare(const double *a, int na, const double *b, int nb,
		   bool higher_better, bool relative, double threshold,
		   double alpha, struct stats_cmp *out);

#endif /* __KTSTR_STATS_MATH_H */
