// SPDX-License-Identifier: GPL-2.0
/*
 * ktstr run: which cases run (--shard, --budget, --repeat) and where the stream
 * goes besides stdout (--out DIR).
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cases.h"
#include "budget.h"
#include "shard.h"
#include "util.h"

int shard_cases(const struct run_opts *o, struct test_case *cases, int n)
{
	int i, out = 0;

	for (i = 0; i < n; i++) {
		cases[i].seq = i;
		/* json is not freed: gauntlet variants share their case's */
		if (o->shard_total &&
		    shard_of(cases[i].name, o->shard_total) != o->shard_index)
			continue;
		if (i != out)
			cases[out] = cases[i];
		out++;
	}
	if (o->shard_total)
		fprintf(stderr, "ktstr: shard %u/%u (%s): %d of the %d selected cases\n",
			o->shard_index + 1, o->shard_total, o->shard_src, out, n);
	return out;
}

void kernel_label(const char *bzimage, char *buf, size_t len)
{
	static const char tail[] = "/arch/x86/boot/bzImage";
	size_t l = strlen(bzimage);

	/* a cache entry or a source tree: the directory says the most */
	if (l > sizeof(tail) - 1 && !strcmp(bzimage + l - (sizeof(tail) - 1), tail)) {
		char dir[PATH_MAX];
		const char *b;

		snprintf(dir, sizeof(dir), "%.*s", (int)(l - (sizeof(tail) - 1)),
			 bzimage);
		b = strrchr(dir, '/');
		snprintf(buf, len, "%s", b ? b + 1 : dir);
	} else {
		kernel_release(bzimage, buf, len);
	}
	release_sanitize(buf);
}

int kernel_cases(const struct run_opts *o, struct test_case *cases, int n,
		 int max)
{
	static struct test_case base[MAX_CASES];
	int i, k, out = 0;

	if ((long long)n * o->nr_kernels > max) {
		fprintf(stderr, "ktstr run: %d cases on %d kernels is more than the %d a run holds\n",
			n, o->nr_kernels, max);
		return -1;
	}
	memcpy(base, cases, n * sizeof(*cases));
	for (i = 0; i < n; i++) {
		for (k = 0; k < o->nr_kernels; k++) {
			struct test_case *c = &cases[out++];

			*c = base[i];
			c->kernel = o->kernels[k];
			if (snprintf(c->name, sizeof(c->name), "%s/%s",
				     base[i].name, o->kernel_labels[k]) >=
			    (int)sizeof(c->name)) {
				fprintf(stderr, "ktstr run: '%s/%s' is longer than a case name may be\n",
					base[i].name, o->kernel_labels[k]);
				return -1;
			}
			snprintf(c->variant, sizeof(c->variant), "%s", c->name);
		}
	}
	return out;
}

int repeat_cases(const struct run_opts *o, struct test_case *cases, int n,
		 int max)
{
	static struct test_case base[MAX_CASES];
	unsigned int reps = o->repeat ? o->repeat : 1;
	unsigned int from = o->repeat_from ? o->repeat_from : 1, k;
	int i, out = 0;

	if ((long long)n * reps > max) {
		fprintf(stderr, "ktstr run: --repeat %u: %d cases %u times is more than the %d a run holds\n",
			reps, n, reps, max);
		return -1;
	}
	memcpy(base, cases, n * sizeof(*cases));
	/* pass after pass (A B A B), so host drift spreads over all cases */
	for (k = from; k < from + reps; k++) {
		for (i = 0; i < n; i++) {
			struct test_case *c = &cases[out++];

			*c = base[i];
			/* its place in the unsharded run: pass after pass */
			c->seq = base[i].seq + (int)(k - from) * max;
			/* the samples of one case: grouped by its name */
			if (!c->variant[0] && strcmp(c->name, c->test))
				snprintf(c->variant, sizeof(c->variant), "%s",
					 c->name);
			if (k == 1)
				continue;
			if (snprintf(c->name, sizeof(c->name), "%s~%u",
				     base[i].name, k) >= (int)sizeof(c->name)) {
				fprintf(stderr, "ktstr run: --repeat: '%s~%u' is longer than a case name may be\n",
					base[i].name, k);
				return -1;
			}
		}
	}
	return out;
}

int budget_cases(const struct run_opts *o, struct test_case *cases, int n,
		 bool kvm, unsigned int jobs, FILE *f)
{
	struct budget_item *it = xcalloc(n ? n : 1, sizeof(*it));
	char base[4096], err[128];
	double used;
	int i, out = 0;

	for (i = 0; i < n; i++) {
		it[i].name = cases[i].name;
		it[i].test = cases[i].test;
		it[i].duration_ms = cases[i].duration_ms;
		if (topo_parse(cases[i].topo, &it[i].topo, err, sizeof(err)))
			it[i].topo = TOPO_DEFAULT;
		it[i].est_s = budget_model_s(&it[i].topo, cases[i].duration_ms,
					     kvm);
	}
	runs_base(base, sizeof(base));
	budget_load_measured(base, it, n);
	budget_choose(it, n, o->budget_s, jobs, &used);
	budget_print(f, it, n, o->budget_s, jobs, used);
	for (i = 0; i < n; i++) {
		if (!it[i].chosen)
			continue;
		if (i != out)
			cases[out] = cases[i];
		out++;
	}
	free(it);
	return out;
}

static void *tee_main(void *arg)
{
	struct run_tee *t = arg;
	char buf[65536];
	ssize_t len;

	while ((len = read(t->in, buf, sizeof(buf))) > 0 ||
	       (len < 0 && errno == EINTR))
		if (len > 0 && (write(t->out, buf, len) < 0 ||
				write(t->file, buf, len) < 0))
			break;
	return NULL;
}

int tee_stdout(struct run_tee *t, const char *path)
{
	sigset_t block, old;
	int p[2], err;

	t->file = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (t->file < 0 || pipe2(p, O_CLOEXEC)) {
		fprintf(stderr, "ktstr run: --out: cannot write %s: %s\n", path,
			strerror(errno));
		return -1;
	}
	fflush(stdout);
	t->in = p[0];
	t->out = fcntl(1, F_DUPFD_CLOEXEC, 3);
	dup2(p[1], 1);
	close(p[1]);
	sigemptyset(&block);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGHUP);
	pthread_sigmask(SIG_BLOCK, &block, &old);
	err = pthread_create(&t->thread, NULL, tee_main, t);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (err) {
		fprintf(stderr, "ktstr run: --out: no thread: %s\n",
			strerror(err));
		dup2(t->out, 1);
		return -1;
	}
	return 0;
}

void tee_end(struct run_tee *t)
{
	fflush(stdout);
	dup2(t->out, 1);
	pthread_join(t->thread, NULL);
	close(t->in);
	close(t->out);
	close(t->file);
}

int write_cases_file(const struct run_opts *o, const struct test_case *cases,
		     int n)
{
	char path[PATH_MAX + 16];
	FILE *f;
	int i;

	snprintf(path, sizeof(path), "%s/cases", o->out_dir);
	f = fopen(path, "we");
	if (!f) {
		fprintf(stderr, "ktstr run: --out: cannot write %s: %s\n", path,
			strerror(errno));
		return -1;
	}
	fprintf(f, "ktstr-shard %u %u\n",
		o->shard_total ? o->shard_index + 1 : 1,
		o->shard_total ? o->shard_total : 1);
	for (i = 0; i < n; i++)
		fprintf(f, "case %d %s\n", cases[i].seq, cases[i].name);
	return fclose(f) ? -1 : 0;
}
