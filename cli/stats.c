// SPDX-License-Identifier: GPL-2.0
/*
 * ktstr stats list | show RUN | compare A B
 *
 * What earlier runs measured, read back from their run directories, and
 * whether B is worse than A: per case and metric the change of the
 * median with its bootstrap interval and a rank test (cli/stats_math.c).
 * Exit 1 when a metric regressed, so that a bot can gate on it.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "json.h"
#include "stats.h"
#include "stats_math.h"
#include "svg.h"
#include "util.h"

static void print_usage(FILE *f)
{
	int m;

	fprintf(f, "usage: ktstr stats list [--json]\n"
		"       ktstr stats show RUN [--json]\n"
		"       ktstr stats compare A B [--threshold [METRIC=]VALUE]... [--alpha P] [--json]\n"
		"                               [--svg FILE]\n"
		"  RUN, A, B  a run id (ktstr stats list), latest, latest~N, or a directory;\n"
		"             RUN@LABEL: the cases of a run over several kernels on that one\n"
		"  --threshold VALUE         the relative metrics' threshold in percent\n"
		"  --threshold METRIC=VALUE  one metric's threshold, in its own terms\n"
		"  --alpha P  the rank test's significance level (default 0.05)\n"
		"  --svg FILE the comparison as a bar plot (B in percent of A, with intervals)\n"
		"metrics (direction, default threshold):\n");
	for (m = 0; m < NR_METRICS; m++)
		fprintf(f, "  %-11s %s is better, %g%s: %s\n",
			stats_metrics[m].name,
			stats_metrics[m].higher_better ? "higher" : "lower",
			stats_metrics[m].threshold,
			stats_metrics[m].relative ? "%" :
			stats_metrics[m].unit, stats_metrics[m].what);
	fprintf(f, "compare exits 1 when a metric regressed, 250 when there is nothing to compare, else 0.\n");
}

static int parse_number(const char *what, const char *v, double min,
			double max, double *out)
{
	char *end;

	errno = 0;
	*out = strtod(v, &end);
	if (errno || end == v || *end || !isfinite(*out) || *out < min ||
	    *out > max) {
		fprintf(stderr, "ktstr stats: %s '%s': a number from %g to %g\n",
			what, v, min, max);
		return -1;
	}
	return 0;
}

static int parse_threshold(const char *v, struct stats_opts *o)
{
	const char *eq = strchr(v, '=');
	size_t len = eq ? (size_t)(eq - v) : 0;
	bool known = false;
	double t;
	int m;

	if (!eq)
		return parse_number("--threshold", v, 0, 1e6, &o->relative);
	for (m = 0; m < NR_METRICS; m++)
		known |= strlen(stats_metrics[m].name) == len &&
			 !strncmp(v, stats_metrics[m].name, len);
	/* a payload's metrics are <payload>.<metric>: known only later */
	if (!known && !memchr(v, '.', len)) {
		fprintf(stderr, "ktstr stats: --threshold '%s': no metric '%.*s' (ktstr stats --help lists them; a payload's are <payload>.<metric>)\n",
			v, (int)len, v);
		return -1;
	}
	if (o->nr_over == STATS_MAX_OVERRIDES ||
	    len >= sizeof(o->over[0].name)) {
		fprintf(stderr, "ktstr stats: --threshold '%s': more than %d, or a name too long\n",
			v, STATS_MAX_OVERRIDES);
		return -1;
	}
	if (parse_number("--threshold", eq + 1, 0, 1e9, &t))
		return -1;
	snprintf(o->over[o->nr_over].name, sizeof(o->over[0].name), "%.*s",
		 (int)len, v);
	o->over[o->nr_over++].value = t;
	return 0;
}

double stats_threshold(const struct stats_opts *o, const struct stats_series *s)
{
	int i;

	for (i = o->nr_over - 1; i >= 0; i--)
		if (!strcmp(o->over[i].name, s->name))
			return o->over[i].value;
	if (s->relative && o->relative >= 0)
		return o->relative;
	return s->threshold;
}

void stats_opts_init(struct stats_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->alpha = 0.05;
	o->relative = -1;
}

int stats_opt_parse(struct stats_opts *o, int argc, char **argv, int *i)
{
	const char *a = argv[*i];

	if (!strcmp(a, "--json")) {
		o->json = true;
		return 1;
	}
	if (strcmp(a, "--threshold") && strcmp(a, "--alpha") &&
	    strcmp(a, "--svg"))
		return 0;
	if (*i + 1 >= argc) {
		fprintf(stderr, "ktstr: %s needs a value\n", a);
		return -1;
	}
	(*i)++;
	if (!strcmp(a, "--svg")) {
		o->svg = argv[*i];
		return 1;
	}
	if (!strcmp(a, "--threshold"))
		return parse_threshold(argv[*i], o) ? -1 : 1;
	return parse_number("--alpha", argv[*i], 1e-9, 0.5, &o->alpha) ? -1 : 1;
}

/* the options among the positional arguments; *pos gets those */
static int parse_opts(int argc, char **argv, struct stats_opts *o,
		      const char **pos, int max_pos, int *nr_pos)
{
	int i, r;

	stats_opts_init(o);
	*nr_pos = 0;
	for (i = 1; i < argc; i++) {
		r = stats_opt_parse(o, argc, argv, &i);
		if (r < 0)
			return -1;
		if (r)
			continue;
		if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
			print_usage(stdout);
			return 1;
		} else if (argv[i][0] == '-' && argv[i][1]) {
			fprintf(stderr, "ktstr stats %s: unknown option '%s'\n",
				argv[0], argv[i]);
			return -1;
		} else if (*nr_pos == max_pos) {
			fprintf(stderr, "ktstr stats %s: one argument too many: '%s'\n",
				argv[0], argv[i]);
			return -1;
		}
		pos[(*nr_pos)++] = argv[i];
	}
	return 0;
}

/*
 * RUN@LABEL: of a run over several kernels, the cases on the kernel
 * LABEL (named CASE/LABEL), under their plain names, so that two kernels
 * of one run compare like two runs.
 */
static int only_kernel(struct stats_run *r, const char *label)
{
	size_t l = strlen(label);
	int i, out = 0;

	for (i = 0; i < r->nr_cases; i++) {
		struct stats_case *c = &r->cases[i];
		size_t k = strlen(c->key);

		if (k <= l + 1 || c->key[k - l - 1] != '/' ||
		    strcmp(c->key + k - l, label))
			continue;
		c->key[k - l - 1] = '\0';
		if (i != out)
			r->cases[out] = *c;
		out++;
	}
	r->nr_cases = out;
	snprintf(r->id + strlen(r->id), sizeof(r->id) - strlen(r->id), "@%s",
		 label);
	if (!out) {
		fprintf(stderr, "ktstr stats: no case of %s ran on a kernel labelled '%s' (the labels end the case names: CASE/LABEL)\n",
			r->path, label);
		return -1;
	}
	return 0;
}

static int load_named(const char *arg, struct stats_run *r)
{
	char path[4096], err[512], name[4096];
	const char *at = strrchr(arg, '@');

	snprintf(name, sizeof(name), "%.*s",
		 at ? (int)(at - arg) : (int)strlen(arg), arg);
	if (stats_resolve(name, path, sizeof(path), err, sizeof(err)) ||
	    stats_load(path, r, err, sizeof(err))) {
		fprintf(stderr, "ktstr stats: %s\n", err);
		return -1;
	}
	if (at && only_kernel(r, at + 1)) {
		stats_free(r);
		return -1;
	}
	return 0;
}

static int stats_list(int argc, char **argv)
{
	struct stats_opts o;
	const char *pos[1];
	char **runs, err[512];
	struct json j;
	int n, i, k, np;

	i = parse_opts(argc, argv, &o, pos, 0, &np);
	if (i)
		return i < 0 ? VM_EXIT_USAGE : 0;
	n = stats_list_runs(&runs, err, sizeof(err));
	if (n < 0) {
		fprintf(stderr, "ktstr stats: %s\n", err);
		return 1;
	}
	if (o.json) {
		json_init(&j, stdout);
		json_open(&j, NULL, '[');
	} else {
		printf("%-40s %-20s %5s %6s %6s\n", "run", "started", "cases",
		       "passed", "failed");
	}
	for (i = 0; i < n; i++) {
		struct stats_run r;
		int pass = 0, fail = 0;

		if (stats_load(runs[i], &r, err, sizeof(err))) {
			fprintf(stderr, "ktstr stats: %s\n", err);
			continue;
		}
		for (k = 0; k < r.nr_cases; k++) {
			pass += r.cases[k].passed;
			fail += r.cases[k].failed;
		}
		if (o.json) {
			json_open(&j, NULL, '{');
			json_str(&j, "id", r.id);
			json_str(&j, "path", r.path);
			json_str(&j, "started", r.started);
			json_int(&j, "cases", r.nr_cases);
			json_int(&j, "passed", pass);
			json_int(&j, "failed", fail);
			json_close(&j, '}');
		} else {
			printf("%-40s %-20s %5d %6d %6d\n", r.id,
			       r.started[0] ? r.started : "-", r.nr_cases, pass,
			       fail);
		}
		stats_free(&r);
		free(runs[i]);
	}
	free(runs);
	if (o.json)
		json_close(&j, ']');
	return 0;
}

static void json_samples(struct json *j, const double *v, int n)
{
	int i;

	json_open(j, "samples", '[');
	for (i = 0; i < n; i++)
		json_num(j, NULL, v[i]);
	json_close(j, ']');
}

static double min_of(const double *v, int n)
{
	double m = v[0];
	int i;

	for (i = 1; i < n; i++)
		if (v[i] < m)
			m = v[i];
	return m;
}

static double max_of(const double *v, int n)
{
	double m = v[0];
	int i;

	for (i = 1; i < n; i++)
		if (v[i] > m)
			m = v[i];
	return m;
}

static int stats_show(int argc, char **argv)
{
	struct stats_opts o;
	struct stats_run r;
	const char *pos[1];
	struct json j;
	int i, m, np;

	i = parse_opts(argc, argv, &o, pos, 1, &np);
	if (i)
		return i < 0 ? VM_EXIT_USAGE : 0;
	if (load_named(np ? pos[0] : "latest", &r))
		return 1;
	if (o.json) {
		json_init(&j, stdout);
		json_open(&j, NULL, '{');
		json_str(&j, "id", r.id);
		json_str(&j, "started", r.started);
		json_open(&j, "cases", '[');
	} else {
		printf("# run %s%s%s: %d cases\n", r.id,
		       r.started[0] ? ", started " : "", r.started, r.nr_cases);
		printf("%-36s %-11s %3s %12s %12s %12s\n", "case", "metric", "n",
		       "median", "min", "max");
	}
	for (i = 0; i < r.nr_cases; i++) {
		const struct stats_case *c = &r.cases[i];

		if (o.json) {
			json_open(&j, NULL, '{');
			json_str(&j, "case", c->key);
			json_str(&j, "scheduler", c->sched);
			json_int(&j, "passed", c->passed);
			json_int(&j, "failed", c->failed);
			json_open(&j, "metrics", '{');
		}
		for (m = 0; m < c->nr_series; m++) {
			const struct stats_series *se = &c->s[m];
			const double *v = se->v;
			int n = se->n;

			if (!n)
				continue;
			if (o.json) {
				json_open(&j, se->name, '{');
				json_str(&j, "unit", se->unit);
				json_str(&j, "better", se->higher_better ? "higher" : "lower");
				json_num(&j, "median", stats_median(v, n));
				json_num(&j, "min", min_of(v, n));
				json_num(&j, "max", max_of(v, n));
				json_samples(&j, v, n);
				json_close(&j, '}');
				continue;
			}
			printf("%-36s %-11s %3d %12.1f %12.1f %12.1f %s\n",
			       c->key, se->name, n, stats_median(v, n),
			       min_of(v, n), max_of(v, n), se->unit);
		}
		if (o.json) {
			json_close(&j, '}');
			json_close(&j, '}');
		}
	}
	if (o.json) {
		json_close(&j, ']');
		json_close(&j, '}');
	}
	stats_free(&r);
	return 0;
}

static const struct stats_case *find_case(const struct stats_run *r,
					  const char *key)
{
	int i;

	for (i = 0; i < r->nr_cases; i++)
		if (!strcmp(r->cases[i].key, key))
			return &r->cases[i];
	return NULL;
}

static void print_cmp(const struct stats_case *c, const struct stats_series *se,
		      const struct stats_cmp *s, double threshold)
{
	const char *u = se->relative ? "%" : se->unit;

	printf("%-32s %-11s %10.1f (%d) %10.1f (%d) %+8.1f%s [%+.1f, %+.1f] p=%.3f  %s",
	       c->key, se->name, s->median_a, s->na, s->median_b, s->nb,
	       s->change, u, s->lo, s->hi, s->p, stats_call_name(s->call));
	if (s->call == CALL_INCONCLUSIVE && s->why)
		printf(" (%s)", s->why);
	else if (s->call != CALL_UNCHANGED)
		printf(" (threshold %g%s)", threshold, u);
	putchar('\n');
}

static void json_cmp(struct json *j, const struct stats_case *c,
		     const struct stats_series *se, const struct stats_cmp *s,
		     double threshold)
{
	json_open(j, NULL, '{');
	json_str(j, "case", c->key);
	json_str(j, "metric", se->name);
	json_str(j, "unit", se->unit);
	json_str(j, "better", se->higher_better ? "higher" : "lower");
	json_bool(j, "relative", se->relative);
	json_num(j, "threshold", threshold);
	json_int(j, "n_a", s->na);
	json_int(j, "n_b", s->nb);
	json_num(j, "median_a", s->median_a);
	json_num(j, "median_b", s->median_b);
	json_num(j, "change", s->change);
	json_num(j, "ci_low", s->lo);
	json_num(j, "ci_high", s->hi);
	json_num(j, "p", s->p);
	json_str(j, "call", stats_call_name(s->call));
	json_str(j, "why", s->why);
	json_close(j, '}');
}

static const struct stats_series *find_series(const struct stats_case *c,
					      const char *name)
{
	int i;

	for (i = 0; i < c->nr_series; i++)
		if (!strcmp(c->s[i].name, name))
			return &c->s[i];
	return NULL;
}

/* one bar of the --svg plot: every change in percent of A's median */
static void add_bar(struct svg_bar *bars, int *n, const struct stats_case *c,
		    const struct stats_series *se, const struct stats_cmp *s)
{
	double base = fabs(s->median_a), k;
	struct svg_bar *b;

	if (*n == SVG_MAX_BARS || (!se->relative && base < 1e-9))
		return;
	b = &bars[(*n)++];
	k = se->relative ? 1 : 100 / base;
	snprintf(b->label, sizeof(b->label), "%s %s", c->key, se->name);
	b->change = s->change * k;
	b->lo = s->lo * k;
	b->hi = s->hi * k;
	b->call = stats_call_name(s->call);
	b->higher_better = se->higher_better;
}

static void write_svg(const struct stats_opts *o, const struct stats_run *a,
		      const struct stats_run *b, const struct svg_bar *bars,
		      int n)
{
	char title[600], *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	if (!f)
		return;
	snprintf(title, sizeof(title), "A %s against B %s", a->id, b->id);
	svg_compare(f, title, bars, n);
	fclose(f);
	if (write_file_atomic(o->svg, text, len))
		fprintf(stderr, "ktstr: --svg %s: %s\n", o->svg, strerror(errno));
	else if (!o->json)
		printf("# plot %s\n", o->svg);
	free(text);
}

int stats_compare_runs(const struct stats_run *a, const struct stats_run *b,
		       const struct stats_opts *o)
{
	int counts[4] = { 0 }, i, m, only_a = 0, nr_bars = 0;
	struct svg_bar *bars = o->svg ? xcalloc(SVG_MAX_BARS, sizeof(*bars)) : NULL;
	struct json j;

	if (o->json) {
		json_init(&j, stdout);
		json_open(&j, NULL, '{');
		json_str(&j, "a", a->id);
		json_str(&j, "b", b->id);
		json_num(&j, "alpha", o->alpha);
		json_open(&j, "metrics", '[');
	} else {
		printf("# compare A %s with B %s (alpha %g; change of the median, 95%% interval)\n",
		       a->id, b->id, o->alpha);
		printf("%-32s %-11s %15s %15s %9s\n", "case", "metric",
		       "A median (n)", "B median (n)", "change");
	}
	for (i = 0; i < a->nr_cases; i++) {
		const struct stats_case *ca = &a->cases[i];
		const struct stats_case *cb = find_case(b, ca->key);

		if (!cb) {
			only_a++;
			continue;
		}
		for (m = 0; m < ca->nr_series; m++) {
			const struct stats_series *sa = &ca->s[m];
			const struct stats_series *sb = find_series(cb, sa->name);
			double t = stats_threshold(o, sa);
			struct stats_cmp s;

			if (!sa->n || !sb || !sb->n)
				continue;
			stats_compare(sa->v, sa->n, sb->v, sb->n,
				      sa->higher_better, sa->relative, t,
				      o->alpha, &s);
			counts[s.call]++;
			if (bars)
				add_bar(bars, &nr_bars, ca, sa, &s);
			if (o->json)
				json_cmp(&j, ca, sa, &s, t);
			else
				print_cmp(ca, sa, &s, t);
		}
	}
	if (o->json) {
		json_close(&j, ']');
		json_int(&j, "regressed", counts[CALL_REGRESSED]);
		json_int(&j, "improved", counts[CALL_IMPROVED]);
		json_int(&j, "unchanged", counts[CALL_UNCHANGED]);
		json_int(&j, "inconclusive", counts[CALL_INCONCLUSIVE]);
		json_int(&j, "cases_only_in_a", only_a);
		json_int(&j, "cases_only_in_b", b->nr_cases - (a->nr_cases - only_a));
		json_close(&j, '}');
	} else {
		if (only_a || b->nr_cases > a->nr_cases - only_a)
			printf("# cases in one run only (not compared): %d in A, %d in B\n",
			       only_a, b->nr_cases - (a->nr_cases - only_a));
		printf("# %d regressed, %d improved, %d unchanged, %d inconclusive\n",
		       counts[CALL_REGRESSED], counts[CALL_IMPROVED],
		       counts[CALL_UNCHANGED], counts[CALL_INCONCLUSIVE]);
	}
	if (bars)
		write_svg(o, a, b, bars, nr_bars);
	free(bars);
	/* nothing measured on both sides is no verdict, least of all a pass */
	if (!counts[0] && !counts[1] && !counts[2] && !counts[3]) {
		fprintf(stderr, "ktstr: nothing to compare: no case has a metric in both runs\n");
		return -1;
	}
	return counts[CALL_REGRESSED];
}

static int stats_compare_cmd(int argc, char **argv)
{
	struct stats_run a, b;
	struct stats_opts o;
	const char *pos[2];
	int r, np;

	r = parse_opts(argc, argv, &o, pos, 2, &np);
	if (r)
		return r < 0 ? VM_EXIT_USAGE : 0;
	if (np != 2) {
		fprintf(stderr, "ktstr stats compare: name two runs, A and B (ktstr stats list shows them)\n");
		return VM_EXIT_USAGE;
	}
	/* not 1: a run that cannot be read is no regression */
	if (load_named(pos[0], &a))
		return VM_EXIT_USAGE;
	if (load_named(pos[1], &b)) {
		stats_free(&a);
		return VM_EXIT_USAGE;
	}
	r = stats_compare_runs(&a, &b, &o);
	stats_free(&a);
	stats_free(&b);
	return r < 0 ? VM_EXIT_USAGE : r ? 1 : 0;
}

int cmd_stats(int argc, char **argv)
{
	if (argc < 2 || !strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")) {
		print_usage(argc < 2 ? stderr : stdout);
		return argc < 2 ? VM_EXIT_USAGE : 0;
	}
	if (!strcmp(argv[1], "list"))
		return stats_list(argc - 1, argv + 1);
	if (!strcmp(argv[1], "show"))
		return stats_show(argc - 1, argv + 1);
	if (!strcmp(argv[1], "compare"))
		return stats_compare_cmd(argc - 1, argv + 1);
	fprintf(stderr, "ktstr stats: unknown subcommand '%s' (list, show, compare)\n",
		argv[1]);
	return VM_EXIT_USAGE;
}
