// SPDX-License-Identifier: GPL-2.0
/*
 * Statistics for `ktstr stats compare`. Run metrics under a VM are not
 * normally distributed (a preempted vCPU gives a long tail), and a
 * patch author repeats a case a handful of times, not hundreds: hence
 * medians, a rank test and a bootstrap, all of which hold for any
 * distribution and stay honest with five samples a side.
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "stats_math.h"
#include "util.h"

/* exact U distribution up to this many values a side */
#define EXACT_MAX	25

static int cmp_double(const void *x, const void *y)
{
	double a = *(const double *)x, b = *(const double *)y;

	return a < b ? -1 : a > b;
}

double stats_median(const double *v, int n)
{
	double *s, m;

	if (n <= 0)
		return 0;
	s = xmalloc(n * sizeof(*s));
	memcpy(s, v, n * sizeof(*s));
	qsort(s, n, sizeof(*s), cmp_double);
	m = n % 2 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
	free(s);
	return m;
}

struct ranked {
	double v;
	int side;	/* 0: a, 1: b */
};

static int cmp_ranked(const void *x, const void *y)
{
	return cmp_double(&((const struct ranked *)x)->v,
			  &((const struct ranked *)y)->v);
}

/*
 * U of @a (the pairs in which a's value is the larger, ties counting a
 * half) from midranks; *ties_out gets sum(t^3 - t) over tied groups.
 */
static double u_statistic(const double *a, int na, const double *b, int nb,
			  double *ties_out)
{
	int n = na + nb, i, j;
	struct ranked *r = xmalloc(n * sizeof(*r));
	double ra = 0, ties = 0;

	for (i = 0; i < na; i++)
		r[i] = (struct ranked){ a[i], 0 };
	for (i = 0; i < nb; i++)
		r[na + i] = (struct ranked){ b[i], 1 };
	qsort(r, n, sizeof(*r), cmp_ranked);
	for (i = 0; i < n; i = j) {
		double mid, t;
		int k;

		for (j = i + 1; j < n && r[j].v == r[i].v; j++)
			;
		t = j - i;
		mid = (i + 1 + j) / 2.0;	/* ranks i+1 .. j */
		ties += t * t * t - t;
		for (k = i; k < j; k++)
			if (!r[k].side)
				ra += mid;
	}
	free(r);
	*ties_out = ties;
	return ra - na * (na + 1) / 2.0;
}

/*
 * P(U <= u) under the null hypothesis for sizes m and n, by counting:
 * the arrangements with U = k satisfy f(m, n, k) = f(m - 1, n, k - n)
 * + f(m, n - 1, k) (the largest value is from a, or from b).
 */
static double exact_cdf(int m, int n, int u)
{
	int max = m * n, i, j, k;
	double **f, total = 0, below = 0;

	f = xcalloc((m + 1) * (n + 1), sizeof(*f));
	for (i = 0; i <= m; i++) {
		for (j = 0; j <= n; j++) {
			double *cur = xcalloc(max + 1, sizeof(*cur));

			f[i * (n + 1) + j] = cur;
			if (!i || !j) {
				cur[0] = 1;
				continue;
			}
			for (k = 0; k <= i * j; k++) {
				const double *up = f[(i - 1) * (n + 1) + j];
				const double *left = f[i * (n + 1) + j - 1];

				cur[k] = (k >= j ? up[k - j] : 0) + left[k];
			}
		}
	}
	for (k = 0; k <= max; k++) {
		total += f[m * (n + 1) + n][k];
		if (k <= u)
			below += f[m * (n + 1) + n][k];
	}
	for (i = 0; i < (m + 1) * (n + 1); i++)
		free(f[i]);
	free(f);
	return below / total;
}

double stats_mann_whitney_p(const double *a, int na, const double *b,
			    int nb)
{
	double ties, u, mu, sigma, z, p;
	int n = na + nb;

	if (na < 1 || nb < 1)
		return 1;
	u = u_statistic(a, na, b, nb, &ties);
	if (!ties && na <= EXACT_MAX && nb <= EXACT_MAX) {
		/* U is a whole number without ties; symmetric about mu */
		double lo = exact_cdf(na, nb, (int)u);
		double hi = 1 - exact_cdf(na, nb, (int)u - 1);

		p = 2 * (lo < hi ? lo : hi);
		return p > 1 ? 1 : p;
	}
	mu = na * nb / 2.0;
	sigma = sqrt(na * nb / 12.0 * ((n + 1) - ties / ((double)n * (n - 1))));
	if (sigma <= 0)
		return 1;
	z = (fabs(u - mu) - 0.5) / sigma;
	if (z < 0)
		z = 0;
	p = erfc(z / M_SQRT2);
	return p > 1 ? 1 : p;
}

double stats_min_p(int na, int nb)
{
	double c = 1;
	int i;

	/* 2 / C(na + nb, na): all of one side below all of the other */
	for (i = 1; i <= na; i++)
		c = c * (nb + i) / i;
	return 2 / c > 1 ? 1 : 2 / c;
}

/* xorshift64*: a fixed seed, so an interval never changes between calls */
static uint64_t next_rand(uint64_t *s)
{
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return *s * 2685821657736338717ULL;
}

static double resampled_median(const double *v, int n, double *tmp,
			       uint64_t *seed)
{
	int i;

	for (i = 0; i < n; i++)
		tmp[i] = v[next_rand(seed) % n];
	qsort(tmp, n, sizeof(*tmp), cmp_double);
	return n % 2 ? tmp[n / 2] : (tmp[n / 2 - 1] + tmp[n / 2]) / 2;
}

static double change_of(double ma, double mb, bool relative)
{
	double base = fabs(ma) > 1e-9 ? fabs(ma) : 1e-9;

	return relative ? 100 * (mb - ma) / base : mb - ma;
}

void stats_change_ci(const double *a, int na, const double *b, int nb,
		     bool relative, double *change, double *lo, double *hi)
{
	double *d, *ta, *tb;
	uint64_t seed = 0x9e3779b97f4a7c15ULL;
	int i;

	*change = change_of(stats_median(a, na), stats_median(b, nb),
			    relative);
	*lo = *hi = *change;
	if (na < 2 && nb < 2)
		return;
	d = xmalloc(STATS_RESAMPLES * sizeof(*d));
	ta = xmalloc(na * sizeof(*ta));
	tb = xmalloc(nb * sizeof(*tb));
	for (i = 0; i < STATS_RESAMPLES; i++)
		d[i] = change_of(resampled_median(a, na, ta, &seed),
				 resampled_median(b, nb, tb, &seed), relative);
	qsort(d, STATS_RESAMPLES, sizeof(*d), cmp_double);
	*lo = d[(int)(0.025 * STATS_RESAMPLES)];
	*hi = d[(int)(0.975 * STATS_RESAMPLES) - 1];
	free(d);
	free(ta);
	free(tb);
}

const char *stats_call_name(enum stats_call c)
{
	static const char *const names[] = {
		[CALL_UNCHANGED] = "unchanged",
		[CALL_IMPROVED] = "improved",
		[CALL_REGRESSED] = "regressed",
		[CALL_INCONCLUSIVE] = "inconclusive",
	};

	return names[c];
}

void stats_compare(const double *a, int na, const double *b, int nb,
		   bool higher_better, bool relative, double threshold,
		   double alpha, struct stats_cmp *out)
{
	bool beyond, all_up, all_down, up;

	memset(out, 0, sizeof(*out));
	out->na = na;
	out->nb = nb;
	out->median_a = stats_median(a, na);
	out->median_b = stats_median(b, nb);
	stats_change_ci(a, na, b, nb, relative, &out->change, &out->lo,
			&out->hi);
	out->p = stats_mann_whitney_p(a, na, b, nb);
	beyond = fabs(out->change) > threshold;
	if (!beyond) {
		out->call = CALL_UNCHANGED;
		return;
	}
	out->call = CALL_INCONCLUSIVE;
	if (na < 2 || nb < 2) {
		out->why = "one sample a side: --repeat N";
		return;
	}
	if (out->p >= alpha) {
		/* 3 a side: the rank test's smallest p is 2/20, never < 0.05 */
		out->why = stats_min_p(na, nb) >= alpha ?
			   "too few samples for the rank test at this alpha: more --repeat" :
			   "not significant";
		return;
	}
	all_up = out->lo > threshold;
	all_down = out->hi < -threshold;
	if (!all_up && !all_down) {
		out->why = "interval reaches inside the threshold";
		return;
	}
	up = all_up;
	out->call = up == higher_better ? CALL_IMPROVED : CALL_REGRESSED;
}
