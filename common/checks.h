/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Checks on worker reports: each adds detail lines (the formats users
 * grep for) and a verdict.
 */
#ifndef __KTSTR_CHECKS_H
#define __KTSTR_CHECKS_H

#include <stdbool.h>
#include <stddef.h>

#include "compiler.h"
#include "ktstr.h"
#include "report.h"

/* the library's defaults, applied to every case unless it says otherwise */
#define DEFAULT_MAX_GAP_MS		2000.0
#define DEFAULT_MAX_SPREAD_PCT		15.0
#define DEFAULT_MAX_WEIGHT_ERROR_PCT	15.0
#define DEFAULT_MAX_NICE_ERROR_PCT	25.0
#define DEFAULT_MAX_IMBALANCE_RATIO	4.0
#define DEFAULT_MAX_FALLBACK_RATE	200.0	/* select_cpu fallbacks/s */
#define DEFAULT_MAX_KEEP_LAST_RATE	100.0	/* dispatch keep-last/s */
#define DEFAULT_MAX_LOCAL_DSQ_DEPTH	50
#define DEFAULT_SUSTAINED_SAMPLES	5

/* ordered so that merging is max(): fail > inconclusive > pass > skip */
enum verdict {
	VERDICT_SKIP,
	VERDICT_PASS,
	VERDICT_INCONCLUSIVE,
	VERDICT_FAIL,
};

#define MAX_CHECK_RECORDS	32

/*
 * The outcome of one named check over the whole case (its cgroups
 * merged): what a per-check KTAP subtest and the structured result carry.
 * @margin is observed over threshold (how close it came to failing): of
 * several passes the closest one's summary is kept.
 */
struct check_record {
	char id[32];			/* "max_gap_ms", "not_starved", ... */
	enum verdict verdict;
	double margin;
	char summary[128];		/* "141ms <= 2000ms" */
};

struct check_result {
	enum verdict verdict;
	char details[8192];	/* one detail line per violation */
	size_t len;
	/* one line per check that could not be judged, with its numbers */
	char notes[2048];
	size_t notes_len;
	struct check_record recs[MAX_CHECK_RECORDS];
	int nr_recs;
};

const char *verdict_name(enum verdict v);
void check_init(struct check_result *r);
void check_fail(struct check_result *r, const char *fmt, ...)
	__printf(2, 3);
void check_merge(struct check_result *r, enum verdict v);
/*
 * Record check @id's outcome (merged with an earlier record of the same
 * id: the worse verdict wins, then the higher margin). Does not touch the
 * case's verdict: check_fail() and check_inconclusive() do.
 */
void check_record(struct check_result *r, const char *id, enum verdict v,
		  double margin, const char *fmt, ...)
	__printf(5, 6);
const struct check_record *check_find(const struct check_result *r,
				      const char *id);
/* a check that cannot be judged here: inconclusive, and why in a note */
void check_inconclusive(struct check_result *r, const char *fmt, ...)
	__printf(2, 3);

/*
 * Thresholds after the merge order: library defaults, then the
 * scheduler's overrides, then the test's own values. @time_scale (>= 1)
 * relaxes time and rate thresholds on a slower machine (TCG).
 */
void checks_effective(const struct ktstr_checks *sched_overrides,
		      const struct ktstr_checks *test,
		      double time_scale, struct ktstr_checks *out);

/*
 * Raise each enabled "max_" threshold of @eff that is below the same one
 * in @floors (a scheduler's design bound, native units: the time ones
 * are scaled by @time_scale as checks_effective does). Returns how many
 * were raised.
 */
int checks_floor(const struct ktstr_checks *floors, double time_scale,
		 struct ktstr_checks *eff);

/*
 * Run every enabled check over the workers of one cgroup. @cpuset is
 * what the cgroup was allowed (for isolation and the spread line's CPU
 * count).
 */
void checks_cgroup(const struct ktstr_checks *c,
		   const struct worker_report *w, int n,
		   const struct cpus *cpuset, struct check_result *r);

/* one cgroup's CPU time and declared cpu.weight (0: none declared) */
struct cgroup_share {
	const char *name;
	double cpu_ms;
	unsigned int weight;
};

/* cgroups declaring weights: each one's share of the CPU time they got */
void checks_weights(const struct ktstr_checks *c,
		    const struct cgroup_share *cg, int n,
		    struct check_result *r);

/*
 * A cgroup whose workers run at two nice levels: the lower-nice
 * workers' share of the cgroup's CPU time against their weights'.
 */
void checks_nice(const struct ktstr_checks *c, const char *cgroup,
		 const struct worker_report *w, const int *nice, int n,
		 struct check_result *r);

/* the CFS/EEVDF load weight of a nice level (kernel's sched_prio_to_weight) */
unsigned int nice_weight(int nice);

/*
 * A scheduler's threshold overrides as "name=value,...", e.g.
 * "max_gap_ms=500,max_spread_pct=20" (ktstr run --sched-checks). Returns
 * 0, or -1 with a sentence in @err.
 */
int checks_parse(const char *s, struct ktstr_checks *c, char *err,
		 size_t errlen);

/* the p-th percentile of @n samples (sorted in place) */
double percentile_u32(uint32_t *v, unsigned int n, double p);

#endif /* __KTSTR_CHECKS_H */
