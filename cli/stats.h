/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Runs read back: the metrics of each case of a run directory, from its
 * sidecars ({test}-{hash}.ktstr.json), one sample per sidecar, so that
 * `ktstr run --repeat N` gives N samples of every case.
 */
#ifndef __KTSTR_CLI_STATS_H
#define __KTSTR_CLI_STATS_H

#include <stdbool.h>
#include <stddef.h>

#include "json_read.h"

/* samples of one metric of one case: a run holds at most this many */
#define STATS_MAX_SAMPLES	128
#define STATS_MAX_CASES		1024

enum stats_metric {
	METRIC_THROUGHPUT,
	METRIC_SPREAD,
	METRIC_GAP,
	METRIC_WAKE_P99,
	METRIC_MIGRATIONS,
	METRIC_RUN_DELAY,
	METRIC_IMBALANCE,
	NR_METRICS,
};

struct stats_metric_def {
	const char *name;
	const char *unit;
	bool higher_better;
	bool relative;		/* threshold in % of A, else in the unit */
	double threshold;
	const char *what;
};

extern const struct stats_metric_def stats_metrics[NR_METRICS];

/* a payload metric's default threshold, in percent (relative) */
#define STATS_PAYLOAD_THRESHOLD	10
/* the built-in metrics, then a case's payload metrics by name */
#define STATS_MAX_SERIES	(NR_METRICS + 24)

/* the samples of one metric of one case */
struct stats_series {
	char name[96];		/* a built-in's, or "<payload>.<metric>" */
	const char *unit;
	bool higher_better;
	bool relative;
	double threshold;	/* the default; options may override */
	int n;
	double v[STATS_MAX_SAMPLES];
};

struct stats_case {
	char key[192];		/* the variant name, else the test's */
	char sched[128];	/* of its first sample */
	int passed, failed;
	int nr_series;		/* at least NR_METRICS: the built-ins first */
	struct stats_series s[STATS_MAX_SERIES];
};

struct stats_run {
	char id[256];
	char path[4096];
	char started[64];	/* from run.json, or "" */
	long long started_s;	/* for ordering; the mtime without run.json */
	int nr_cases;
	struct stats_case *cases;	/* grown as cases appear */
	int nr_bad;		/* sidecars that did not parse (warned) */
};

/*
 * Read the sidecars of the run directory @path. Returns 0, or -1 with
 * the reason in @err (a directory that cannot be read; a sidecar that
 * does not parse is skipped with a warning on stderr instead).
 */
int stats_load(const char *path, struct stats_run *r, char *err, size_t len);
void stats_free(struct stats_run *r);

/*
 * One sidecar's text into @r (a zeroed run, or one stats_load filled):
 * 0, or -1 with why in @err. What the fuzz harness feeds.
 */
int stats_add_sidecar(struct stats_run *r, const char *text, char *err,
		      size_t len);

/*
 * A run named on the command line: a directory path (with a '/'), a run
 * id under the runs directory, or latest / latest~N (N runs before the
 * latest, by start time). The directory into @path, or -1 with why.
 */
int stats_resolve(const char *arg, char *path, size_t len, char *err,
		  size_t errlen);

/*
 * The run directories under the runs directory, newest last, as paths
 * (free each and the array). Returns the count, or -1 with why.
 */
int stats_list_runs(char ***paths, char *err, size_t len);

/*
 * A name read from a sidecar that may be printed: one word of printable
 * bytes without '=', at most 160 (a guest could send escapes or lines).
 */
bool stats_name_ok(const char *s);

/* the metric's value in one sidecar, false when it has none */
bool stats_metric_of(const struct json_val *sidecar, enum stats_metric m,
		     double *out);

#define STATS_MAX_OVERRIDES	32

struct stats_opts {
	bool json;
	double alpha;
	/* --threshold NAME=VALUE, by series name; VALUE alone: relatives */
	struct {
		char name[96];
		double value;
	} over[STATS_MAX_OVERRIDES];
	int nr_over;
	double relative;	/* --threshold VALUE, or < 0: none */
	const char *svg;	/* --svg FILE: the A/B bars */
};

/* the threshold of @s under the options */
double stats_threshold(const struct stats_opts *o, const struct stats_series *s);

void stats_opts_init(struct stats_opts *o);

/*
 * --json, --svg FILE, --threshold [METRIC=]VALUE or --alpha P at argv[*i] (advanced
 * past its value): 1 taken, 0 not one of them, -1 after an error.
 */
int stats_opt_parse(struct stats_opts *o, int argc, char **argv, int *i);

/*
 * Compare run @a with run @b per case and metric, print the table (or
 * JSON) on stdout; returns how many metrics regressed, or -1 when no
 * case has a metric on both sides (said on stderr).
 */
int stats_compare_runs(const struct stats_run *a, const struct stats_run *b,
		       const struct stats_opts *o);

int cmd_stats(int argc, char **argv);

#endif /* __KTSTR_CLI_STATS_H */
