// SPDX-License-Identifier: GPL-2.0
/*
 * Runs read back from their directories for `ktstr stats`: which runs
 * there are, which directory a name on the command line means, and the
 * metrics each sidecar carries. The files were written by earlier runs
 * of ours, but anything in the runs directory is read as untrusted: a
 * file too large, not JSON, or with a metric that is no finite number
 * is skipped with a warning naming it, never half-read.
 */
#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "rundir.h"
#include "stats.h"
#include "util.h"

/* a sidecar is a few kilobytes; anything this large is not ours */
#define SIDECAR_MAX	(4 << 20)

/*
 * Directions and thresholds: a change smaller than the threshold does
 * not matter whatever the test says. Timing tails (gap, wake p99) jitter
 * by tens of percent between runs under TCG, so their thresholds are
 * wide; spread and imbalance are already relative, so theirs are in
 * their own unit.
 */
const struct stats_metric_def stats_metrics[NR_METRICS] = {
	[METRIC_THROUGHPUT] = { "throughput", "units/s", true, true, 10,
				"work units per second, all workers summed" },
	[METRIC_SPREAD] = { "spread", "pts", false, false, 5,
			    "off-CPU spread within a cgroup, worst cgroup" },
	[METRIC_GAP] = { "max_gap", "ms", false, true, 50,
			 "longest time a worker went without running" },
	[METRIC_WAKE_P99] = { "wake_p99", "us", false, true, 50,
			      "99th percentile wake latency, worst cgroup" },
	[METRIC_MIGRATIONS] = { "migrations", "", false, true, 50,
				"CPU changes of all workers" },
	[METRIC_RUN_DELAY] = { "run_delay", "ms", false, true, 25,
			       "mean time runnable but waiting, per worker" },
	[METRIC_IMBALANCE] = { "imbalance", "", false, false, 1,
			       "the monitor's worst run-queue imbalance ratio" },
};

/* sum or max of one number over the cgroups; false when none has it */
static bool over_cgroups(const struct json_val *s, const char *key, bool sum,
			 double *out)
{
	const struct json_val *cg = json_get(s, "cgroups");
	bool any = false;
	double acc = 0, v;
	int i;

	if (!cg || cg->type != JSON_ARR)
		return false;
	for (i = 0; i < cg->nr; i++) {
		if (!json_get_num(&cg->kids[i], key, &v) || !isfinite(v))
			continue;
		if (sum)
			acc += v;
		else if (!any || v > acc)
			acc = v;
		any = true;
	}
	*out = acc;
	return any;
}

bool stats_metric_of(const struct json_val *s, enum stats_metric m,
		     double *out)
{
	double sum;
	int nr = 0, i;
	const struct json_val *cg;

	switch (m) {
	case METRIC_THROUGHPUT:
		return over_cgroups(s, "units_per_s", true, out);
	case METRIC_SPREAD:
		return over_cgroups(s, "spread_pct", false, out);
	case METRIC_GAP:
		return over_cgroups(s, "max_gap_ms", false, out);
	case METRIC_WAKE_P99:
		return over_cgroups(s, "wake_p99_us", false, out);
	case METRIC_MIGRATIONS:
		return over_cgroups(s, "migrations", true, out);
	case METRIC_RUN_DELAY:
		/* a mean per worker: the cgroups' means, weighted alike */
		cg = json_get(s, "cgroups");
		if (!over_cgroups(s, "run_delay_mean_ms", true, &sum))
			return false;
		for (i = 0; i < cg->nr; i++)
			nr += json_get(&cg->kids[i], "run_delay_mean_ms") != NULL;
		*out = sum / nr;
		return true;
	case METRIC_IMBALANCE:
		return json_get_num(json_get(s, "monitor"), "max_imbalance",
				    out) && isfinite(*out);
	default:
		return false;
	}
}

bool stats_name_ok(const char *s)
{
	if (!s || !*s || strlen(s) > 160)
		return false;
	for (; *s; s++)
		if ((unsigned char)*s <= ' ' || *s == '=' || *s == 0x7f)
			return false;
	return true;
}

static void init_case(struct stats_case *c, const char *key)
{
	int m;

	memset(c, 0, sizeof(*c));
	snprintf(c->key, sizeof(c->key), "%s", key);
	for (m = 0; m < NR_METRICS; m++) {
		struct stats_series *s = &c->s[m];

		snprintf(s->name, sizeof(s->name), "%s", stats_metrics[m].name);
		s->unit = stats_metrics[m].unit;
		s->higher_better = stats_metrics[m].higher_better;
		s->relative = stats_metrics[m].relative;
		s->threshold = stats_metrics[m].threshold;
	}
	c->nr_series = NR_METRICS;
}

static struct stats_case *case_of(struct stats_run *r, const char *key)
{
	int i;

	for (i = 0; i < r->nr_cases; i++)
		if (!strcmp(r->cases[i].key, key))
			return &r->cases[i];
	if (r->nr_cases == STATS_MAX_CASES)
		return NULL;
	r->cases = realloc(r->cases, (r->nr_cases + 1) * sizeof(*r->cases));
	if (!r->cases)
		abort();
	init_case(&r->cases[r->nr_cases], key);
	return &r->cases[r->nr_cases++];
}

static void add_sample(struct stats_series *s, double v)
{
	if (s->n < STATS_MAX_SAMPLES)
		s->v[s->n++] = v;
}

/* a payload's metric: found by name, or a new series; NULL when full */
static struct stats_series *payload_series(struct stats_case *c,
					   const char *name, bool higher)
{
	struct stats_series *s;
	int i;

	for (i = NR_METRICS; i < c->nr_series; i++)
		if (!strcmp(c->s[i].name, name))
			return &c->s[i];
	if (c->nr_series == STATS_MAX_SERIES)
		return NULL;
	s = &c->s[c->nr_series++];
	memset(s, 0, sizeof(*s));
	snprintf(s->name, sizeof(s->name), "%s", name);
	s->unit = "";
	s->higher_better = higher;
	s->relative = true;
	s->threshold = STATS_PAYLOAD_THRESHOLD;
	return s;
}

/* "payloads":[{"name":P,"metrics":[{"name":M,"value":V,"better":B}]}] */
static void add_payloads(struct stats_case *c, const struct json_val *side)
{
	const struct json_val *pl = json_get(side, "payloads");
	int i, k;

	for (i = 0; pl && pl->type == JSON_ARR && i < pl->nr; i++) {
		const char *p = json_get_str(&pl->kids[i], "name");
		const struct json_val *ms = json_get(&pl->kids[i], "metrics");

		for (k = 0; p && ms && ms->type == JSON_ARR && k < ms->nr; k++) {
			const struct json_val *m = &ms->kids[k];
			const char *mn = json_get_str(m, "name");
			const char *better = json_get_str(m, "better");
			struct stats_series *s;
			char name[96];
			double v;

			if (!stats_name_ok(p) || !stats_name_ok(mn) ||
			    !json_get_num(m, "value", &v) || !isfinite(v) ||
			    snprintf(name, sizeof(name), "%s.%s", p, mn) >=
			    (int)sizeof(name))
				continue;
			s = payload_series(c, name, !better || strcmp(better, "lower"));
			if (s)
				add_sample(s, v);
		}
	}
}

/* one sidecar's numbers into its case; false if it is not a sidecar */
static bool add_sidecar(struct stats_run *r, const struct json_val *s)
{
	const char *key = json_get_str(s, "variant") ?:
			  json_get_str(s, "test");
	const char *sched = json_get_str(s, "scheduler");
	struct stats_case *c;
	double v;
	int m;

	if (!stats_name_ok(key) || strlen(key) >= sizeof(c->key))
		return false;
	c = case_of(r, key);
	if (!c)
		return false;
	if (!c->sched[0] && stats_name_ok(sched))
		snprintf(c->sched, sizeof(c->sched), "%s", sched);
	if (json_get_bool(s, "passed", false))
		c->passed++;
	else
		c->failed++;
	for (m = 0; m < NR_METRICS; m++)
		if (stats_metric_of(s, m, &v))
			add_sample(&c->s[m], v);
	add_payloads(c, s);
	return true;
}

static bool ends_with(const char *s, const char *suffix)
{
	size_t a = strlen(s), b = strlen(suffix);

	return a >= b && !strcmp(s + a - b, suffix);
}

static void load_one(struct stats_run *r, const char *dir, const char *name)
{
	char path[4400], err[160];
	char *text;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	/* a link in the run directory is not followed, a FIFO not waited on */
	text = read_regular_file(path, SIDECAR_MAX, NULL);
	if (!text && (errno == EINVAL || errno == EFBIG)) {
		fprintf(stderr, "ktstr stats: %s: skipped: not a regular file of at most %d bytes\n",
			path, SIDECAR_MAX);
		r->nr_bad++;
		return;
	}
	if (!text)
		set_err(err, sizeof(err), "%s", strerror(errno));
	if (!text || stats_add_sidecar(r, text, err, sizeof(err))) {
		fprintf(stderr, "ktstr stats: %s: skipped: %s\n", path, err);
		r->nr_bad++;
	}
	free(text);
}

int stats_add_sidecar(struct stats_run *r, const char *text, char *err,
		      size_t len)
{
	struct json_val *v = json_parse(text, err, len);
	int ret = -1;

	if (v && v->type == JSON_OBJ && add_sidecar(r, v))
		ret = 0;
	else if (v)
		set_err(err, len, "no printable test name, or more cases than a run holds");
	json_free(v);
	return ret;
}

/* run.json's start time, else the directory's mtime */
static void load_meta(struct stats_run *r)
{
	char path[4200], err[160];
	struct json_val *v = NULL;
	struct stat st;
	char *text;
	double s;

	snprintf(path, sizeof(path), "%s/run.json", r->path);
	text = read_regular_file(path, 4095, NULL);
	if (text)
		v = json_parse(text, err, sizeof(err));
	if (v && json_get_num(v, "started_s", &s) && isfinite(s)) {
		r->started_s = (long long)s;
		snprintf(r->started, sizeof(r->started), "%s",
			 json_get_str(v, "started") ?: "");
	} else if (!stat(r->path, &st)) {
		r->started_s = st.st_mtime;
	}
	json_free(v);
	free(text);
}

int stats_load(const char *path, struct stats_run *r, char *err, size_t len)
{
	struct dirent **names;
	const char *slash;
	int n, i;

	memset(r, 0, sizeof(*r));
	snprintf(r->path, sizeof(r->path), "%s", path);
	slash = strrchr(path, '/');
	snprintf(r->id, sizeof(r->id), "%s", slash && slash[1] ? slash + 1 : path);
	/* sorted: the samples come in the same order every time */
	n = scandir(path, &names, NULL, alphasort);
	if (n < 0)
		return set_err(err, len, "cannot read the run directory %s: %s",
			       path, strerror(errno));
	for (i = 0; i < n; i++) {
		if (ends_with(names[i]->d_name, ".ktstr.json"))
			load_one(r, path, names[i]->d_name);
		free(names[i]);
	}
	free(names);
	load_meta(r);
	return 0;
}

void stats_free(struct stats_run *r)
{
	free(r->cases);
	r->cases = NULL;
}

/* a run directory: holds run.json, or sidecars (runs before run ids) */
static bool is_run_dir(const char *path)
{
	struct dirent *d;
	char p[4200];
	struct stat st;
	bool yes = false;
	DIR *dir;

	snprintf(p, sizeof(p), "%s/run.json", path);
	if (!lstat(p, &st) && S_ISREG(st.st_mode))
		return true;
	dir = opendir(path);
	if (!dir)
		return false;
	while (!yes && (d = readdir(dir)))
		yes = ends_with(d->d_name, ".ktstr.json");
	closedir(dir);
	return yes;
}

struct dated {
	char *path;
	long long started_s;
};

static int cmp_dated(const void *x, const void *y)
{
	const struct dated *a = x, *b = y;

	if (a->started_s != b->started_s)
		return a->started_s < b->started_s ? -1 : 1;
	return strcmp(a->path, b->path);
}

int stats_list_runs(char ***paths, char *err, size_t len)
{
	char base[4096], path[4400];
	struct dated *d = NULL;
	struct stat st;
	struct dirent *e;
	int n = 0, i;
	DIR *dir;

	runs_base(base, sizeof(base));
	*paths = NULL;
	dir = opendir(base);
	if (!dir) {
		if (errno == ENOENT)
			return 0;
		return set_err(err, len, "cannot read the runs directory %s: %s",
			       base, strerror(errno));
	}
	while ((e = readdir(dir))) {
		struct stats_run r;

		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", base, e->d_name);
		if (lstat(path, &st) || !S_ISDIR(st.st_mode) ||
		    !is_run_dir(path))
			continue;
		memset(&r, 0, sizeof(r));
		snprintf(r.path, sizeof(r.path), "%s", path);
		load_meta(&r);
		d = realloc(d, (n + 1) * sizeof(*d));
		if (!d)
			abort();
		d[n].path = xstrdup(path);
		d[n++].started_s = r.started_s;
	}
	closedir(dir);
	qsort(d, n, sizeof(*d), cmp_dated);
	*paths = xcalloc(n + 1, sizeof(**paths));
	for (i = 0; i < n; i++)
		(*paths)[i] = d[i].path;
	free(d);
	return n;
}

int stats_resolve(const char *arg, char *path, size_t len, char *err,
		  size_t errlen)
{
	char base[4096], **runs;
	unsigned long back = 0;
	struct stat st;
	char *end;
	int n, i, ret;

	if (strchr(arg, '/')) {
		if (stat(arg, &st) || !S_ISDIR(st.st_mode))
			return set_err(err, errlen, "'%s': no run directory there",
				       arg);
		snprintf(path, len, "%s", arg);
		return 0;
	}
	if (!strncmp(arg, "latest", 6)) {
		if (arg[6] == '~') {
			errno = 0;
			back = strtoul(arg + 7, &end, 10);
			if (errno || end == arg + 7 || *end || back > 100000)
				return set_err(err, errlen, "'%s': latest~N with N a whole number",
					       arg);
		} else if (arg[6]) {
			goto by_id;
		}
		n = stats_list_runs(&runs, err, errlen);
		if (n < 0)
			return -1;
		ret = 0;
		if ((unsigned long)n <= back)
			ret = set_err(err, errlen, "'%s': there are %d runs (ktstr stats list)",
				      arg, n);
		else
			snprintf(path, len, "%s", runs[n - 1 - back]);
		for (i = 0; i < n; i++)
			free(runs[i]);
		free(runs);
		return ret;
	}
by_id:
	/* a run id is one path component: no "..", nothing hidden */
	if (!arg[0] || arg[0] == '.')
		return set_err(err, errlen, "'%s': not a run id (ktstr stats list shows them)",
			       arg);
	runs_base(base, sizeof(base));
	snprintf(path, len, "%s/%s", base, arg);
	if (stat(path, &st) || !S_ISDIR(st.st_mode))
		return set_err(err, errlen, "no run '%s' in %s (ktstr stats list shows the runs)",
			       arg, base);
	return 0;
}
