// SPDX-License-Identifier: GPL-2.0
/*
 * --budget: a greedy cover of tests, then topology features, within a
 * time budget.
 */
#include <dirent.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "budget.h"
#include "util.h"

/* an earlier run's timing sidecar: small, and a case's wall time sane */
#define TIMING_MAX	(64 << 10)
#define WALL_MAX_S	(7 * 86400.0)

unsigned int budget_features(const struct topo *t)
{
	unsigned int cpus = topo_cpus(t), m = 0;

	if (t->llcs <= 4)
		m |= 1u << (BF_LLC1 + (t->llcs ? t->llcs : 1) - 1);
	else
		m |= 1u << (t->llcs <= 8 ? BF_LLC5_8 : BF_LLC9);
	m |= 1u << (t->threads > 1 ? BF_SMT : BF_NOSMT);
	m |= 1u << (t->nodes <= 1 ? BF_NODE1 : t->nodes == 2 ? BF_NODE2 :
		    BF_NODE3);
	m |= 1u << (cpus <= 4 ? BF_CPU4 : cpus <= 16 ? BF_CPU16 :
		    cpus <= 64 ? BF_CPU64 : BF_CPU65);
	return m;
}

void budget_feature_names(unsigned int mask, char *buf, size_t len)
{
	static const char *const names[BF_NR] = {
		"1 LLC", "2 LLCs", "3 LLCs", "4 LLCs", "5-8 LLCs", "9+ LLCs",
		"no SMT", "SMT",
		"1 node", "2 nodes", "3+ nodes",
		"<=4 CPUs", "5-16 CPUs", "17-64 CPUs", "65+ CPUs",
	};
	size_t at = 0;
	int b;

	buf[0] = '\0';
	for (b = 0; b < BF_NR && at < len; b++)
		if (mask & (1u << b))
			at += snprintf(buf + at, len - at, "%s%s",
				       at ? ", " : "", names[b]);
}

double budget_model_s(const struct topo *t, unsigned int duration_ms,
		      bool kvm)
{
	unsigned int cpus = topo_cpus(t);
	double run = duration_ms / 1000.0;

	/*
	 * Measured under single-threaded TCG on 2 host cores: 4 vCPUs boot
	 * and run a 2 s case in about 9 s, 64 vCPUs in about 30 s.
	 */
	if (kvm)
		return 2.0 + 0.02 * cpus + run + 1.0;
	return 5.0 + 0.35 * (cpus > 4 ? cpus - 4 : 0) + 1.5 * run + 1.0;
}

/* "key":"value" or "key":number from @json */
static bool field(const char *json, const char *key, char *out, size_t len)
{
	char pat[64];
	const char *p;
	size_t n;

	snprintf(pat, sizeof(pat), "\"%s\":", key);
	p = strstr(json, pat);
	if (!p)
		return false;
	p += strlen(pat);
	if (*p == '"')
		n = strcspn(++p, "\"");
	else
		n = strcspn(p, ",}");
	snprintf(out, len, "%.*s", (int)(n < len ? n : len - 1), p);
	return true;
}

int budget_load_measured(const char *runs_base, struct budget_item *it,
			 int n)
{
	char dir[4096], path[8192], name[200], wall[32], *end;
	double *stamp = calloc(n ? n : 1, sizeof(*stamp));
	struct dirent *r, *f;
	DIR *rd = opendir(runs_base), *fd;
	struct stat st;
	int i, found = 0;
	double w;

	while (rd && stamp && (r = readdir(rd))) {
		if (r->d_name[0] == '.')
			continue;
		snprintf(dir, sizeof(dir), "%s/%s", runs_base, r->d_name);
		fd = opendir(dir);
		while (fd && (f = readdir(fd))) {
			size_t l = strlen(f->d_name);
			char *json;

			if (l < 12 || strcmp(f->d_name + l - 12, ".timing.json"))
				continue;
			snprintf(path, sizeof(path), "%s/%s", dir, f->d_name);
			json = read_regular_file(path, TIMING_MAX, NULL);
			if (!json || stat(path, &st) ||
			    !field(json, "name", name, sizeof(name)) ||
			    !field(json, "wall_s", wall, sizeof(wall))) {
				free(json);
				continue;
			}
			free(json);
			w = strtod(wall, &end);
			end += strspn(end, " \t\r\n");
			if (end == wall || *end || !(w >= 1 && w <= WALL_MAX_S))
				continue;
			for (i = 0; i < n; i++) {
				/* the newest; of two as new, the longer */
				if (strcmp(it[i].name, name) ||
				    st.st_mtime < stamp[i] ||
				    (st.st_mtime == stamp[i] && it[i].measured &&
				     w <= it[i].est_s))
					continue;
				found += !it[i].measured;
				stamp[i] = st.st_mtime;
				it[i].est_s = w;
				it[i].measured = true;
			}
		}
		if (fd)
			closedir(fd);
	}
	if (rd)
		closedir(rd);
	free(stamp);
	return found;
}

/* the features @it's test has run on among the chosen */
static unsigned int covered(const struct budget_item *it, int n,
			    const char *test)
{
	unsigned int m = 0;
	int i;

	for (i = 0; i < n; i++)
		if (it[i].chosen && !strcmp(it[i].test, test))
			m |= budget_features(&it[i].topo);
	return m;
}

static int popcount(unsigned int m)
{
	return __builtin_popcount(m);
}

/* each test's cheapest item (the most features on a tie), into @first */
static int cheapest_per_test(const struct budget_item *it, int n, int *first)
{
	int i, j, k, nr = 0;

	for (i = 0; i < n; i++) {
		int best = i;

		for (j = 0; j < i && strcmp(it[j].test, it[i].test); j++)
			;
		if (j < i)
			continue;
		for (j = i + 1; j < n; j++) {
			if (strcmp(it[j].test, it[i].test))
				continue;
			if (it[j].est_s < it[best].est_s ||
			    (it[j].est_s == it[best].est_s &&
			     popcount(budget_features(&it[j].topo)) >
			     popcount(budget_features(&it[best].topo))))
				best = j;
		}
		first[nr++] = best;
	}
	/* cheapest tests first: the most tests fit */
	for (i = 1; i < nr; i++)
		for (j = i; j > 0 && it[first[j]].est_s < it[first[j - 1]].est_s;
		     j--) {
			k = first[j];
			first[j] = first[j - 1];
			first[j - 1] = k;
		}
	return nr;
}

/* 1: each test once, cheapest first, while they fit */
static int choose_firsts(struct budget_item *it, const int *first, int nr,
			 double cap, double *used)
{
	int i, chosen = 0;

	for (i = 0; i < nr; i++) {
		struct budget_item *b = &it[first[i]];

		if (*used + b->est_s > cap) {
			snprintf(b->why, sizeof(b->why),
				 "its test's cheapest run needs %.0f s, %.0f s of the budget left",
				 b->est_s, cap - *used);
			continue;
		}
		b->chosen = true;
		*used += b->est_s;
		chosen++;
		snprintf(b->why, sizeof(b->why), "first run of %s", b->test);
	}
	return chosen;
}

/* 2: the most new features per second, while any fits */
static int choose_features(struct budget_item *it, int n, double cap,
			   double *used)
{
	char names[160];
	int i, chosen = 0;

	for (;;) {
		double best_rate = 0;
		int best = -1, gain;

		for (i = 0; i < n; i++) {
			if (it[i].chosen || *used + it[i].est_s > cap ||
			    !covered(it, n, it[i].test))
				continue;
			gain = popcount(budget_features(&it[i].topo) &
					~covered(it, n, it[i].test));
			if (gain && gain / (it[i].est_s + 0.1) > best_rate) {
				best_rate = gain / (it[i].est_s + 0.1);
				best = i;
			}
		}
		if (best < 0)
			return chosen;
		budget_feature_names(budget_features(&it[best].topo) &
				     ~covered(it, n, it[best].test), names,
				     sizeof(names));
		it[best].chosen = true;
		*used += it[best].est_s;
		chosen++;
		snprintf(it[best].why, sizeof(it[best].why), "new for %s: %s",
			 it[best].test, names);
	}
}

/* why the rest stays out */
static void explain_rest(struct budget_item *it, int n, double left)
{
	char names[160];
	unsigned int fresh;
	int i;

	for (i = 0; i < n; i++) {
		if (it[i].chosen || it[i].why[0])
			continue;
		if (!covered(it, n, it[i].test)) {
			snprintf(it[i].why, sizeof(it[i].why),
				 "its test did not fit the budget");
			continue;
		}
		fresh = budget_features(&it[i].topo) &
			~covered(it, n, it[i].test);
		budget_feature_names(fresh, names, sizeof(names));
		if (!fresh)
			snprintf(it[i].why, sizeof(it[i].why),
				 "adds no topology feature its test has not run on");
		else
			snprintf(it[i].why, sizeof(it[i].why),
				 "would add %s but needs %.0f s, %.0f s left",
				 names, it[i].est_s, left);
	}
}

int budget_choose(struct budget_item *it, int n, double budget_s,
		  unsigned int jobs, double *used_s)
{
	double cap = budget_s * (jobs ? jobs : 1), used = 0;
	int *first = calloc(n ? n : 1, sizeof(*first));
	int i, chosen = 0;

	for (i = 0; i < n; i++) {
		it[i].chosen = false;
		it[i].why[0] = '\0';
	}
	if (first)
		chosen = choose_firsts(it, first, cheapest_per_test(it, n, first),
				       cap, &used);
	chosen += choose_features(it, n, cap, &used);
	explain_rest(it, n, cap - used);
	free(first);
	*used_s = used;
	return chosen;
}

void budget_print(FILE *f, const struct budget_item *it, int n,
		  double budget_s, unsigned int jobs, double used_s)
{
	int i, nr = 0, measured = 0;

	for (i = 0; i < n; i++) {
		nr += it[i].chosen;
		measured += it[i].measured;
	}
	fprintf(f, "# budget %.0f s x %u VM%s at once: %d of %d chosen, %.0f s of %.0f s estimated (%d of %d estimates measured, the rest modelled)\n",
		budget_s, jobs, jobs == 1 ? "" : "s", nr, n, used_s,
		budget_s * jobs, measured, n);
	for (i = 0; i < n; i++)
		if (it[i].chosen)
			fprintf(f, "# chosen   %-40s %5.0f s %-8s %s\n",
				it[i].name, it[i].est_s,
				it[i].measured ? "measured" : "model",
				it[i].why);
	for (i = 0; i < n; i++)
		if (!it[i].chosen)
			fprintf(f, "# left out %-40s %5.0f s %-8s %s\n",
				it[i].name, it[i].est_s,
				it[i].measured ? "measured" : "model",
				it[i].why);
}
