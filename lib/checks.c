// SPDX-License-Identifier: GPL-2.0
/*
 * The check math. Detail line formats follow the reference harness so
 * that people and tools reading either find the same words.
 */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <stddef.h>
#include <string.h>

#include "checks.h"
#include "util.h"

const char *verdict_name(enum verdict v)
{
	static const char *const names[] = {
		"skip", "pass", "inconclusive", "fail"
	};

	return names[v];
}

void check_init(struct check_result *r)
{
	memset(r, 0, sizeof(*r));
	r->verdict = VERDICT_PASS;
}

void check_merge(struct check_result *r, enum verdict v)
{
	if (v > r->verdict)
		r->verdict = v;
}

void check_fail(struct check_result *r, const char *fmt, ...)
{
	va_list ap;

	check_merge(r, VERDICT_FAIL);
	r->nr_details++;
	if (r->len + 2 >= sizeof(r->details))
		return;
	va_start(ap, fmt);
	r->len += vsnprintf(r->details + r->len, sizeof(r->details) - r->len,
			    fmt, ap);
	va_end(ap);
	if (r->len + 1 < sizeof(r->details)) {
		r->details[r->len++] = '\n';
		r->details[r->len] = '\0';
	} else {
		r->len = sizeof(r->details) - 1;
	}
}

#define MERGE(field) do {						\
	if (test->field)						\
		out->field = test->field;				\
	else if (sched_overrides && sched_overrides->field)		\
		out->field = sched_overrides->field;			\
} while (0)

void checks_effective(const struct ktstr_checks *sched_overrides,
		      const struct ktstr_checks *test,
		      double time_scale, struct ktstr_checks *out)
{
	memset(out, 0, sizeof(*out));
	out->max_gap_ms = DEFAULT_MAX_GAP_MS;
	MERGE(not_starved);
	MERGE(isolation);
	MERGE(max_gap_ms);
	MERGE(max_spread_pct);
	MERGE(min_iteration_rate);
	MERGE(max_throughput_cv);
	MERGE(max_migration_ratio);
	MERGE(max_p99_wake_latency_us);
	MERGE(max_wake_latency_cv);
	if (time_scale > 1) {
		out->max_gap_ms *= time_scale;
		out->min_iteration_rate /= time_scale;
		out->max_p99_wake_latency_us *= time_scale;
	}
}

int checks_parse(const char *s, struct ktstr_checks *c, char *err,
		 size_t errlen)
{
	static const struct {
		const char *name;
		size_t off;
	} fields[] = {
#define F(f) { #f, offsetof(struct ktstr_checks, f) }
		F(max_gap_ms), F(max_spread_pct), F(min_iteration_rate),
		F(max_throughput_cv), F(max_migration_ratio),
		F(max_p99_wake_latency_us), F(max_wake_latency_cv),
		F(max_imbalance_ratio),
#undef F
	};
	char *copy = strdup(s ? s : ""), *tok, *save;
	size_t i;
	int ret = 0;

	memset(c, 0, sizeof(*c));
	for (tok = strtok_r(copy, ",", &save); tok && !ret;
	     tok = strtok_r(NULL, ",", &save)) {
		char *eq = strchr(tok, '='), *end;
		double v;

		if (!eq) {
			ret = set_err(err, errlen, "'%s' is not name=value", tok);
			break;
		}
		*eq = '\0';
		v = strtod(eq + 1, &end);
		if (*end || end == eq + 1 || !isfinite(v) || v < 0) {
			/* nan compares false everywhere: it would turn a check off */
			ret = set_err(err, errlen, "'%s=%s': not a number >= 0",
				      tok, eq + 1);
			break;
		}
		if (v > 1e9) {
			ret = set_err(err, errlen, "'%s=%s': more than 1e9",
				      tok, eq + 1);
			break;
		}
		for (i = 0; i < ARRAY_SIZE(fields); i++)
			if (!strcmp(tok, fields[i].name))
				break;
		if (i < ARRAY_SIZE(fields))
			*(double *)((char *)c + fields[i].off) = v;
		else if (!strcmp(tok, "max_local_dsq_depth"))
			c->max_local_dsq_depth = v;
		else if (!strcmp(tok, "sustained_samples"))
			c->sustained_samples = v;
		else
			ret = set_err(err, errlen, "unknown threshold '%s'", tok);
	}
	free(copy);
	return ret;
}

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

double percentile_u32(uint32_t *v, unsigned int n, double p)
{
	unsigned int i;

	if (!n)
		return 0;
	qsort(v, n, sizeof(*v), cmp_u32);
	i = (unsigned int)ceil(p / 100.0 * n);
	return v[i ? i - 1 : 0];
}

static double off_cpu_pct(const struct worker_report *w)
{
	if (w->wall_ms <= 0)
		return 0;
	return 100.0 * (w->wall_ms - w->cpu_ms) / w->wall_ms;
}

static void check_isolation(const struct worker_report *w,
			    const struct cpus *cpuset, struct check_result *r)
{
	char list[1024] = "";
	size_t off = 0;
	unsigned int cpu;

	if (cpus_subset(&w->used, cpuset))
		return;
	for (cpu = 0; cpu < CPUS_MAX; cpu++)
		if (cpus_test(&w->used, cpu) && !cpus_test(cpuset, cpu) &&
		    off + 8 < sizeof(list))
			off += snprintf(list + off, sizeof(list) - off, "%s%u",
					off ? ", " : "", cpu);
	check_fail(r, "tid %d ran on unexpected CPUs {%s}", w->tid, list);
}

static void check_spread(const struct ktstr_checks *c,
			 const struct worker_report *w, int n,
			 const struct cpus *cpuset, struct check_result *r)
{
	double lo = 100, hi = 0;
	int i;

	if (n < 2)
		return;
	for (i = 0; i < n; i++) {
		double p = off_cpu_pct(&w[i]);

		lo = p < lo ? p : lo;
		hi = p > hi ? p : hi;
	}
	if (hi - lo > c->max_spread_pct)
		check_fail(r, "unfair cgroup: spread=%.0f%% (%.0f-%.0f%%) %d workers on %u cpus (threshold %.0f%%)",
			   hi - lo, lo, hi, n, cpus_count(cpuset),
			   c->max_spread_pct);
}

/* coefficient of variation from a sum, a sum of squares and a count */
static double cv(double sum, double sq, unsigned int n, double *mean)
{
	*mean = sum / n;
	return sqrt(fmax(sq / n - *mean * *mean, 0)) / *mean;
}

static void check_throughput_cv(const struct ktstr_checks *c,
				const struct worker_report *w, int n,
				struct check_result *r)
{
	double sum = 0, sq = 0, mean, v;
	int i, m = 0;

	for (i = 0; i < n; i++) {
		double rate;

		if (w[i].cpu_ms <= 0)
			continue;
		rate = w[i].units / (w[i].cpu_ms / 1000.0);
		sum += rate;
		sq += rate * rate;
		m++;
	}
	if (m < 2) {
		check_merge(r, VERDICT_INCONCLUSIVE);
		return;
	}
	v = cv(sum, sq, m, &mean);
	if (v > c->max_throughput_cv)
		check_fail(r, "throughput CV %.3f exceeds limit %.3f (mean=%.0f work/cpu_s)",
			   v, c->max_throughput_cv, mean);
}

/* how evenly wake-ups are served: the CV of every sample in the cgroup */
static void check_wake_cv(const struct ktstr_checks *c,
			  const struct worker_report *w, int n,
			  struct check_result *r)
{
	double sum = 0, sq = 0, mean, v;
	unsigned int i, m = 0;
	int k;

	for (k = 0; k < n; k++)
		for (i = 0; i < w[k].nr_wake; i++) {
			sum += w[k].wake_us[i];
			sq += (double)w[k].wake_us[i] * w[k].wake_us[i];
			m++;
		}
	if (m < 2 || sum <= 0) {
		check_merge(r, VERDICT_INCONCLUSIVE);
		return;
	}
	v = cv(sum, sq, m, &mean);
	if (v > c->max_wake_latency_cv)
		check_fail(r, "wake latency CV %.3f exceeds limit %.3f (%u samples, mean %.0fus)",
			   v, c->max_wake_latency_cv, m, mean);
}

void checks_cgroup(const struct ktstr_checks *c,
		   const struct worker_report *w, int n,
		   const struct cpus *cpuset, struct check_result *r)
{
	uint64_t migrations = 0, units = 0;
	int i;

	for (i = 0; i < n; i++) {
		migrations += w[i].migrations;
		units += w[i].units;
		if (c->not_starved && !w[i].units)
			check_fail(r, "tid %d starved (0 work units)", w[i].tid);
		if (c->isolation)
			check_isolation(&w[i], cpuset, r);
		if (c->max_gap_ms && w[i].max_gap_ms > c->max_gap_ms)
			check_fail(r, "tid %d stuck %.0fms on cpu%d at +%.0fms (threshold %.0fms)",
				   w[i].tid, w[i].max_gap_ms, w[i].gap_cpu,
				   w[i].gap_at_ms, c->max_gap_ms);
		if (c->min_iteration_rate && w[i].wall_ms > 0 &&
		    w[i].units / (w[i].wall_ms / 1000.0) < c->min_iteration_rate)
			check_fail(r, "worker %d iteration rate %.1f/s below floor %.1f/s",
				   w[i].tid, w[i].units / (w[i].wall_ms / 1000.0),
				   c->min_iteration_rate);
		if (c->max_p99_wake_latency_us && w[i].nr_wake) {
			uint32_t tmp[WAKE_SAMPLES];
			double p99;

			memcpy(tmp, w[i].wake_us, w[i].nr_wake * sizeof(tmp[0]));
			p99 = percentile_u32(tmp, w[i].nr_wake, 99);
			if (p99 > c->max_p99_wake_latency_us)
				check_fail(r, "p99 wake latency %.0fns exceeds limit %.0fns (%u samples)",
					   p99 * 1000, c->max_p99_wake_latency_us * 1000,
					   w[i].nr_wake);
		}
	}
	if (c->max_spread_pct)
		check_spread(c, w, n, cpuset, r);
	if (c->max_throughput_cv)
		check_throughput_cv(c, w, n, r);
	if (c->max_wake_latency_cv)
		check_wake_cv(c, w, n, r);
	if (c->max_migration_ratio) {
		if (!units)
			check_merge(r, VERDICT_INCONCLUSIVE);
		else if ((double)migrations / units > c->max_migration_ratio)
			check_fail(r, "migration ratio %.4f exceeds threshold %.4f (%llu migrations / %llu iterations)",
				   (double)migrations / units,
				   c->max_migration_ratio,
				   (unsigned long long)migrations,
				   (unsigned long long)units);
	}
}
