// SPDX-License-Identifier: GPL-2.0
/*
 * The check math. Detail line formats follow the ktstr manual's (the
 * Rust harness this suite reproduces) so that people and tools reading
 * either find the same words.
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

/* append one line to @buf (bounded), keeping it NUL-terminated */
static void append_line(char *buf, size_t size, size_t *len,
			const char *fmt, va_list ap)
{
	int n;

	if (*len + 2 >= size)
		return;
	n = vsnprintf(buf + *len, size - *len, fmt, ap);
	if (n < 0)
		return;
	*len = *len + n < size - 1 ? *len + n : size - 2;
	buf[(*len)++] = '\n';
	buf[*len] = '\0';
}

void check_fail(struct check_result *r, const char *fmt, ...)
{
	va_list ap;

	check_merge(r, VERDICT_FAIL);
	va_start(ap, fmt);
	append_line(r->details, sizeof(r->details), &r->len, fmt, ap);
	va_end(ap);
}

const struct check_record *check_find(const struct check_result *r,
				      const char *id)
{
	int i;

	for (i = 0; i < r->nr_recs; i++)
		if (!strcmp(r->recs[i].id, id))
			return &r->recs[i];
	return NULL;
}

void check_record(struct check_result *r, const char *id, enum verdict v,
		  double margin, const char *fmt, ...)
{
	struct check_record *c = (struct check_record *)check_find(r, id);
	va_list ap;

	if (!c) {
		if (r->nr_recs >= MAX_CHECK_RECORDS)
			return;
		c = &r->recs[r->nr_recs++];
		snprintf(c->id, sizeof(c->id), "%s", id);
		c->verdict = VERDICT_SKIP;
		c->margin = -1;
	}
	if (v < c->verdict || (v == c->verdict && margin <= c->margin))
		return;
	c->verdict = v;
	c->margin = margin;
	va_start(ap, fmt);
	vsnprintf(c->summary, sizeof(c->summary), fmt, ap);
	va_end(ap);
}

void check_inconclusive(struct check_result *r, const char *fmt, ...)
{
	va_list ap;

	check_merge(r, VERDICT_INCONCLUSIVE);
	va_start(ap, fmt);
	append_line(r->notes, sizeof(r->notes), &r->notes_len, fmt, ap);
	va_end(ap);
}

/* the case's value, else the scheduler's, else the default */
#define MERGE_U(field, dflt) do {					\
	out->field = dflt;						\
	if (test->field)						\
		out->field = test->field;				\
	else if (sched_overrides && sched_overrides->field)		\
		out->field = sched_overrides->field;			\
} while (0)

/* the same for a threshold KTSTR_OFF (negative) turns off: 0 */
#define MERGE(field, dflt) do {						\
	MERGE_U(field, dflt);						\
	if (out->field < 0)						\
		out->field = 0;						\
} while (0)

void checks_effective(const struct ktstr_checks *sched_overrides,
		      const struct ktstr_checks *test,
		      double time_scale, struct ktstr_checks *out)
{
	memset(out, 0, sizeof(*out));
	out->not_starved = !test->allow_starved &&
			   !(sched_overrides && sched_overrides->allow_starved);
	out->isolation = test->isolation ||
			 (sched_overrides && sched_overrides->isolation);
	out->ignore_rq_stall = test->ignore_rq_stall ||
			       (sched_overrides && sched_overrides->ignore_rq_stall);
	MERGE(max_gap_ms, DEFAULT_MAX_GAP_MS);
	MERGE(max_spread_pct, DEFAULT_MAX_SPREAD_PCT);
	MERGE(max_weight_error_pct, DEFAULT_MAX_WEIGHT_ERROR_PCT);
	MERGE(max_nice_error_pct, DEFAULT_MAX_NICE_ERROR_PCT);
	MERGE(min_iteration_rate, 0);
	MERGE(max_throughput_cv, 0);
	MERGE(max_migration_ratio, 0);
	MERGE(max_p99_wake_latency_us, 0);
	MERGE(max_wake_latency_cv, 0);
	MERGE(max_imbalance_ratio, DEFAULT_MAX_IMBALANCE_RATIO);
	MERGE(max_fallback_rate, DEFAULT_MAX_FALLBACK_RATE);
	MERGE(max_keep_last_rate, DEFAULT_MAX_KEEP_LAST_RATE);
	MERGE_U(max_local_dsq_depth, DEFAULT_MAX_LOCAL_DSQ_DEPTH);
	MERGE_U(sustained_samples, DEFAULT_SUSTAINED_SAMPLES);
	if (time_scale > 1) {
		out->max_gap_ms *= time_scale;
		out->min_iteration_rate /= time_scale;
		out->max_p99_wake_latency_us *= time_scale;
	}
}

int checks_floor(const struct ktstr_checks *floors, double time_scale,
		 struct ktstr_checks *eff)
{
	double t = time_scale > 1 ? time_scale : 1;
	int raised = 0;

#define FLOOR(field, scale) do {					\
	if (eff->field && floors->field > 0 &&				\
	    eff->field < floors->field * (scale)) {			\
		eff->field = floors->field * (scale);			\
		raised++;						\
	}								\
} while (0)
	FLOOR(max_gap_ms, t);
	FLOOR(max_p99_wake_latency_us, t);
	FLOOR(max_wake_latency_cv, 1);
	FLOOR(max_spread_pct, 1);
	FLOOR(max_weight_error_pct, 1);
	FLOOR(max_nice_error_pct, 1);
	FLOOR(max_imbalance_ratio, 1);
	FLOOR(max_throughput_cv, 1);
	FLOOR(max_migration_ratio, 1);
	FLOOR(max_fallback_rate, 1);
	FLOOR(max_keep_last_rate, 1);
#undef FLOOR
	return raised;
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
		F(max_imbalance_ratio), F(max_weight_error_pct),
		F(max_nice_error_pct), F(max_fallback_rate),
		F(max_keep_last_rate),
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
		if (!strcmp(eq + 1, "off")) {
			v = KTSTR_OFF;
		} else if (*end || end == eq + 1 || !isfinite(v) || v < 0) {
			/* nan compares false everywhere: it would turn a check off */
			ret = set_err(err, errlen, "'%s=%s': not a number >= 0",
				      tok, eq + 1);
			break;
		} else if (v > 1e9) {
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
			c->max_local_dsq_depth = v < 0 ? (unsigned int)-1 : v;
		else if (!strcmp(tok, "sustained_samples") && v >= 1)
			c->sustained_samples = v;
		else if (!strcmp(tok, "not_starved") && v < 0)
			c->allow_starved = true;
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

/*
 * Record a "must stay at or below" check: "@val <= @thr" or "@val > @thr",
 * each printed with its format (the observed value may need more digits).
 */
static void record_max(struct check_result *r, const char *id, double val,
		       double thr, const char *vfmt, const char *tfmt)
{
	char v[32], t[32];
	bool bad = val > thr;

	snprintf(v, sizeof(v), vfmt, val);
	snprintf(t, sizeof(t), tfmt, thr);
	check_record(r, id, bad ? VERDICT_FAIL : VERDICT_PASS,
		     thr > 0 ? val / thr : 0, "%s %s %s", v, bad ? ">" : "<=", t);
}

static void check_isolation(const struct worker_report *w,
			    const struct cpus *cpuset, struct check_result *r)
{
	char list[1024] = "";
	size_t off = 0;
	unsigned int cpu;

	if (cpus_subset(&w->used, cpuset)) {
		check_record(r, "isolation", VERDICT_PASS, 0,
			     "every worker stayed on its cpuset");
		return;
	}
	for (cpu = 0; cpu < CPUS_MAX; cpu++)
		if (cpus_test(&w->used, cpu) && !cpus_test(cpuset, cpu) &&
		    off + 8 < sizeof(list))
			off += snprintf(list + off, sizeof(list) - off, "%s%u",
					off ? ", " : "", cpu);
	check_fail(r, "tid %d ran on unexpected CPUs {%s}", w->tid, list);
	check_record(r, "isolation", VERDICT_FAIL, 1,
		     "tid %d ran on CPUs {%s}", w->tid, list);
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
	if (hi - lo > c->max_spread_pct &&
	    hi - lo <= c->max_spread_pct + c->host_noise_pct) {
		check_inconclusive(r, "max_spread_pct: spread %.0f%% over the %.0f%% threshold, but the host did not run the VM for %.0f%% of the run",
				   hi - lo, c->max_spread_pct, c->host_noise_pct);
		check_record(r, "max_spread_pct", VERDICT_INCONCLUSIVE, 0,
			     "%.1f%% > %.0f%%, within the host's %.0f%% pause",
			     hi - lo, c->max_spread_pct, c->host_noise_pct);
		return;
	}
	if (hi - lo > c->max_spread_pct)
		check_fail(r, "unfair cgroup: spread=%.0f%% (%.0f-%.0f%%) %d workers on %u cpus (threshold %.0f%%)",
			   hi - lo, lo, hi, n, cpus_count(cpuset),
			   c->max_spread_pct);
	record_max(r, "max_spread_pct", hi - lo, c->max_spread_pct, "%.1f%%",
		   "%.0f%%");
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
		check_record(r, "max_throughput_cv", VERDICT_INCONCLUSIVE, 0,
			     "fewer than 2 workers with CPU time");
		return;
	}
	v = cv(sum, sq, m, &mean);
	record_max(r, "max_throughput_cv", v, c->max_throughput_cv, "%.3f",
		   "%.3f");
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
		for (i = 0; i < w[k].nr_wake && i < WAKE_SAMPLES; i++) {
			sum += w[k].wake_us[i];
			sq += (double)w[k].wake_us[i] * w[k].wake_us[i];
			m++;
		}
	if (m < 2 || sum <= 0) {
		check_merge(r, VERDICT_INCONCLUSIVE);
		check_record(r, "max_wake_latency_cv", VERDICT_INCONCLUSIVE, 0,
			     "fewer than 2 wake latency samples");
		return;
	}
	v = cv(sum, sq, m, &mean);
	record_max(r, "max_wake_latency_cv", v, c->max_wake_latency_cv,
		   "%.3f", "%.3f");
	if (v > c->max_wake_latency_cv)
		check_fail(r, "wake latency CV %.3f exceeds limit %.3f (%u samples, mean %.0fus)",
			   v, c->max_wake_latency_cv, m, mean);
}

/* one worker's 99th percentile wake-up latency */
static void check_p99_wake(const struct ktstr_checks *c,
			   const struct worker_report *w,
			   struct check_result *r)
{
	/* worker_collect() bounds nr_wake; so does every reader */
	unsigned int n = w->nr_wake < WAKE_SAMPLES ? w->nr_wake : WAKE_SAMPLES;
	uint32_t tmp[WAKE_SAMPLES];
	double p99;

	memcpy(tmp, w->wake_us, n * sizeof(tmp[0]));
	p99 = percentile_u32(tmp, n, 99);
	if (p99 > c->max_p99_wake_latency_us)
		check_fail(r, "p99 wake latency %.0fns exceeds limit %.0fns (%u samples)",
			   p99 * 1000, c->max_p99_wake_latency_us * 1000, n);
	record_max(r, "max_p99_wake_latency_us", p99,
		   c->max_p99_wake_latency_us, "%.0fus", "%.0fus");
}

/* a cgroup's CPU changes per work unit */
static void check_migration_ratio(const struct ktstr_checks *c,
				  uint64_t migrations, uint64_t units,
				  struct check_result *r)
{
	double ratio;

	if (!units) {
		check_merge(r, VERDICT_INCONCLUSIVE);
		check_record(r, "max_migration_ratio", VERDICT_INCONCLUSIVE,
			     0, "no work units to divide by");
		return;
	}
	ratio = (double)migrations / units;
	if (ratio > c->max_migration_ratio)
		check_fail(r, "migration ratio %.4f exceeds threshold %.4f (%llu migrations / %llu iterations)",
			   ratio, c->max_migration_ratio,
			   (unsigned long long)migrations,
			   (unsigned long long)units);
	record_max(r, "max_migration_ratio", ratio, c->max_migration_ratio,
		   "%.4f", "%.4f");
}

void checks_cgroup(const struct ktstr_checks *c,
		   const struct worker_report *w, int n,
		   const struct cpus *cpuset, struct check_result *r)
{
	uint64_t migrations = 0, units = 0;
	int i, starved = 0;

	for (i = 0; i < n; i++) {
		double rate = w[i].wall_ms > 0 ?
			      w[i].units / (w[i].wall_ms / 1000.0) : 0;

		migrations += w[i].migrations;
		units += w[i].units;
		if (c->not_starved && !w[i].units) {
			check_fail(r, "tid %d starved (0 work units)", w[i].tid);
			starved++;
		}
		if (c->isolation)
			check_isolation(&w[i], cpuset, r);
		if (c->max_gap_ms) {
			if (w[i].max_gap_ms > c->max_gap_ms)
				check_fail(r, "tid %d stuck %.0fms on cpu%d at +%.0fms (threshold %.0fms)",
					   w[i].tid, w[i].max_gap_ms, w[i].gap_cpu,
					   w[i].gap_at_ms, c->max_gap_ms);
			record_max(r, "max_gap_ms", w[i].max_gap_ms,
				   c->max_gap_ms, "%.0fms", "%.0fms");
		}
		if (c->min_iteration_rate && w[i].wall_ms > 0) {
			bool low = rate < c->min_iteration_rate;

			if (low)
				check_fail(r, "worker %d iteration rate %.1f/s below floor %.1f/s",
					   w[i].tid, rate, c->min_iteration_rate);
			check_record(r, "min_iteration_rate",
				     low ? VERDICT_FAIL : VERDICT_PASS,
				     rate > 0 ? c->min_iteration_rate / rate : 1e9,
				     "%.1f/s %s %.1f/s", rate, low ? "<" : ">=",
				     c->min_iteration_rate);
		}
		if (c->max_p99_wake_latency_us && w[i].nr_wake)
			check_p99_wake(c, &w[i], r);
	}
	if (c->not_starved && starved)
		check_record(r, "not_starved", VERDICT_FAIL, starved,
			     "%d of %d workers in a cgroup made no progress",
			     starved, n);
	else if (c->not_starved)
		check_record(r, "not_starved", VERDICT_PASS, 0,
			     "every worker made progress");
	if (c->max_spread_pct)
		check_spread(c, w, n, cpuset, r);
	if (c->max_throughput_cv)
		check_throughput_cv(c, w, n, r);
	if (c->max_wake_latency_cv)
		check_wake_cv(c, w, n, r);
	if (c->max_migration_ratio)
		check_migration_ratio(c, migrations, units, r);
}

void checks_weights(const struct ktstr_checks *c,
		    const struct cgroup_share *cg, int n,
		    struct check_result *r)
{
	double total = 0, wsum = 0;
	int i, m = 0;

	if (!c->max_weight_error_pct)
		return;
	for (i = 0; i < n; i++) {
		if (!cg[i].weight)
			continue;
		total += cg[i].cpu_ms;
		wsum += cg[i].weight;
		m++;
	}
	if (m < 2)
		return;
	if (total <= 0) {
		check_inconclusive(r, "max_weight_error_pct: the weighted cgroups got no CPU time to share");
		check_record(r, "max_weight_error_pct", VERDICT_INCONCLUSIVE, 0,
			     "no CPU time to share");
		return;
	}
	for (i = 0; i < n; i++) {
		double got, asks;

		if (!cg[i].weight)
			continue;
		got = 100 * cg[i].cpu_ms / total;
		asks = 100 * cg[i].weight / wsum;
		check_record(r, "max_weight_error_pct",
			     fabs(got - asks) > c->max_weight_error_pct ?
			     VERDICT_FAIL : VERDICT_PASS,
			     fabs(got - asks) / c->max_weight_error_pct,
			     "%s %.0f%% for %.0f%%: %.0f %s %.0f points", cg[i].name,
			     got, asks, fabs(got - asks),
			     fabs(got - asks) > c->max_weight_error_pct ? ">" : "<=",
			     c->max_weight_error_pct);
		if (fabs(got - asks) > c->max_weight_error_pct)
			check_fail(r, "cgroup weights ignored: %s got %.0f%% of the CPU time, its cpu.weight %u asks %.0f%% (threshold %.0f points)",
				   cg[i].name, got, cg[i].weight, asks,
				   c->max_weight_error_pct);
	}
}

unsigned int nice_weight(int nice)
{
	/* kernel/sched/core.c: sched_prio_to_weight[] */
	static const unsigned int w[40] = {
		88761, 71755, 56483, 46273, 36291, 29154, 23254, 18705,
		14949, 11916, 9548, 7620, 6100, 4904, 3906, 3121,
		2501, 1991, 1586, 1277, 1024, 820, 655, 526,
		423, 335, 272, 215, 172, 137, 110, 87,
		70, 56, 45, 36, 29, 23, 18, 15,
	};

	nice = nice < -20 ? -20 : nice > 19 ? 19 : nice;
	return w[nice + 20];
}

void checks_nice(const struct ktstr_checks *c, const char *cgroup,
		 const struct worker_report *w, const int *nice, int n,
		 struct check_result *r)
{
	double cpu_lo = 0, cpu = 0, w_lo = 0, wsum = 0, got, asks;
	int i, lo = nice[0], hi = nice[0];

	if (!c->max_nice_error_pct || n < 2)
		return;
	for (i = 0; i < n; i++) {
		lo = nice[i] < lo ? nice[i] : lo;
		hi = nice[i] > hi ? nice[i] : hi;
	}
	if (lo == hi)
		return;
	for (i = 0; i < n; i++) {
		cpu += w[i].cpu_ms;
		wsum += nice_weight(nice[i]);
		if (nice[i] == lo) {
			cpu_lo += w[i].cpu_ms;
			w_lo += nice_weight(nice[i]);
		}
	}
	if (cpu <= 0) {
		check_inconclusive(r, "max_nice_error_pct: cgroup %s got no CPU time to share",
				   cgroup);
		check_record(r, "max_nice_error_pct", VERDICT_INCONCLUSIVE, 0,
			     "no CPU time to share");
		return;
	}
	got = 100 * cpu_lo / cpu;
	asks = 100 * w_lo / wsum;
	check_record(r, "max_nice_error_pct",
		     fabs(got - asks) > c->max_nice_error_pct ?
		     VERDICT_FAIL : VERDICT_PASS,
		     fabs(got - asks) / c->max_nice_error_pct,
		     "nice %d %.0f%% for %.0f%%: %.0f %s %.0f points", lo, got,
		     asks, fabs(got - asks),
		     fabs(got - asks) > c->max_nice_error_pct ? ">" : "<=",
		     c->max_nice_error_pct);
	if (fabs(got - asks) > c->max_nice_error_pct)
		check_fail(r, "nice ignored: nice %d workers of %s got %.0f%% of its CPU time, their weight asks %.0f%% against nice %d (threshold %.0f points)",
			   lo, cgroup, got, asks, hi, c->max_nice_error_pct);
}
