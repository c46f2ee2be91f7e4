// SPDX-License-Identifier: GPL-2.0
/*
 * ktstr compare --a-sched BIN [ARGS] -- --b-sched BIN [ARGS] --
 *               [--a-kernel K] [--b-kernel K] [--repeat N]
 *               [--threshold ...] [--alpha P] [--json] [run options]
 *
 * A/B in one invocation: pass k runs the selected cases on side A, then
 * on side B (A B A B ...), each side a `ktstr run` of its own into its
 * own run directory (the k-th pass as NAME~k), so drift of the host over
 * the minutes this takes falls on both sides alike; --together runs the
 * two of a pass at the same time, side by side. Then the sides are
 * compared as `ktstr stats compare` does. Each run's KTAP is kept as
 * pass-K.ktap in its run directory; stdout is the comparison. Exit 1
 * when a metric regressed.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli.h"
#include "rundir.h"
#include "stats.h"
#include "util.h"

#define MAX_PASSTHROUGH	64

struct side {
	const char *name;		/* "A" or "B" */
	char *const *sched;		/* BIN ARGS..., up to "--"; or NULL */
	int nr_sched;
	const char *kernel;
	char dir[4096];
	int failed_passes;
};

struct compare_opts {
	struct side side[2];
	unsigned int repeat;
	struct stats_opts stats;
	char *pass[MAX_PASSTHROUGH];	/* to every `ktstr run` */
	int nr_pass;
	bool together;			/* both sides of a pass at once */
};

static volatile sig_atomic_t interrupted;

/* the children get the signal too and stop their VMs; we wait for them */
static void on_signal(int sig)
{
	interrupted = sig;
}

/* --x-sched BIN ARGS... --: the scheduler with its arguments */
static int take_sched(int argc, char **argv, int *i, struct side *s)
{
	int start = *i + 1, end;

	if (start >= argc) {
		fprintf(stderr, "ktstr compare: %s needs a scheduler\n", argv[*i]);
		return -1;
	}
	for (end = start; end < argc && strcmp(argv[end], "--"); end++)
		;
	if (end == argc) {
		fprintf(stderr, "ktstr compare: %s %s: end the scheduler's arguments with '--'\n",
			argv[*i], argv[start]);
		return -1;
	}
	s->sched = argv + start;
	s->nr_sched = end - start;
	*i = end;
	return 0;
}

static int parse_compare(int argc, char **argv, struct compare_opts *o)
{
	int i, r;

	memset(o, 0, sizeof(*o));
	o->side[0].name = "A";
	o->side[1].name = "B";
	o->repeat = 5;
	stats_opts_init(&o->stats);
	for (i = 1; i < argc; i++) {
		const char *a = argv[i];
		bool valued = !strcmp(a, "--a-kernel") || !strcmp(a, "--b-kernel") ||
			      !strcmp(a, "--repeat");

		if (valued && i + 1 >= argc) {
			fprintf(stderr, "ktstr compare: %s needs a value\n", a);
			return -1;
		}
		if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			printf("usage: ktstr compare [--a-sched BIN [ARGS] --] [--b-sched BIN [ARGS] --]\n"
			       "                     [--a-kernel K] [--b-kernel K] [--repeat N]\n"
			       "                     [--threshold [METRIC=]V]... [--alpha P] [--json] [--together]\n"
			       "                     [run options]\n"
			       "  runs the selected cases on side A and side B in turn, N passes (default 5),\n"
			       "  then compares them as 'ktstr stats compare' does; a side without --x-sched\n"
			       "  runs each case's own scheduler, without --x-kernel the default kernel.\n"
			       "  --together runs both sides of a pass at once (two VMs side by side).\n"
			       "  Run options (-t FILTER, -j N, --timeout, ...) go to every 'ktstr run';\n"
			       "  each run's KTAP is kept as <its run directory>/pass-K.ktap.\n"
			       "  Exit 1 when a metric regressed from A to B.\n");
			return 1;
		} else if (!strcmp(a, "--a-sched") || !strcmp(a, "--b-sched")) {
			if (take_sched(argc, argv, &i, &o->side[a[2] == 'b']))
				return -1;
		} else if (valued && strcmp(a, "--repeat")) {
			o->side[a[2] == 'b'].kernel = argv[++i];
		} else if (!strcmp(a, "--repeat")) {
			char *end;
			unsigned long n;

			errno = 0;
			n = strtoul(argv[++i], &end, 10);
			if (errno || *end || end == argv[i] || n < 1 || n > 100) {
				fprintf(stderr, "ktstr compare: --repeat '%s': a whole number from 1 to 100\n",
					argv[i]);
				return -1;
			}
			o->repeat = n;
		} else if (!strcmp(a, "--together")) {
			o->together = true;
		} else {
			r = stats_opt_parse(&o->stats, argc, argv, &i);
			if (r < 0)
				return -1;
			if (r)
				continue;
			if (!strcmp(a, "--sched") || !strcmp(a, "--kernel") ||
			    !strcmp(a, "--repeat-from") || !strcmp(a, "--run-dir") ||
			    !strcmp(a, "--out")) {
				fprintf(stderr, "ktstr compare: %s is set per side (--a-sched, --b-kernel, ...) or by compare itself\n",
					a);
				return -1;
			}
			if (o->nr_pass == MAX_PASSTHROUGH) {
				fprintf(stderr, "ktstr compare: more than %d run options\n",
					MAX_PASSTHROUGH);
				return -1;
			}
			o->pass[o->nr_pass++] = argv[i];
		}
	}
	if (!o->side[0].sched && !o->side[1].sched && !o->side[0].kernel &&
	    !o->side[1].kernel) {
		fprintf(stderr, "ktstr compare: the sides are the same: give --a-sched/--b-sched or --a-kernel/--b-kernel\n");
		return -1;
	}
	return 0;
}

/* each side's run directory: new, under the runs directory, unguessable */
static int make_dirs(struct compare_opts *o)
{
	char base[4096];
	int k;

	runs_base(base, sizeof(base));
	if (mkdir_p(base)) {
		fprintf(stderr, "ktstr compare: cannot create %s: %s\n", base,
			strerror(errno));
		return -1;
	}
	for (k = 0; k < 2; k++) {
		snprintf(o->side[k].dir, sizeof(o->side[k].dir),
			 "%s/compare-%c-XXXXXX", base, k ? 'b' : 'a');
		if (!mkdtemp(o->side[k].dir)) {
			fprintf(stderr, "ktstr compare: cannot create a run directory in %s: %s\n",
				base, strerror(errno));
			return -1;
		}
	}
	return 0;
}

/*
 * Start one pass of one side: `ktstr run` with its KTAP into
 * <dir>/pass-<k>.ktap (the directory is ours: mkdtemp) and its progress
 * on our stderr. Returns the child, or -1.
 */
static pid_t start_side(const struct compare_opts *o, const struct side *s,
			unsigned int pass)
{
	char *argv[MAX_PASSTHROUGH + 64], from[16], self[4200], ktap[4200];
	int n = 0, i, fd;
	pid_t pid;

	snprintf(self, sizeof(self), "%s/ktstr", ktstr_bin_dir);
	snprintf(from, sizeof(from), "%u", pass);
	snprintf(ktap, sizeof(ktap), "%s/pass-%u.ktap", s->dir, pass);
	argv[n++] = self;
	argv[n++] = "run";
	if (s->sched) {
		argv[n++] = "--sched";
		for (i = 0; i < s->nr_sched; i++)
			argv[n++] = s->sched[i];
		argv[n++] = "--";
	}
	if (s->kernel) {
		argv[n++] = "--kernel";
		argv[n++] = (char *)s->kernel;
	}
	argv[n++] = "--run-dir";
	argv[n++] = (char *)s->dir;
	argv[n++] = "--repeat-from";
	argv[n++] = from;
	for (i = 0; i < o->nr_pass; i++)
		argv[n++] = o->pass[i];
	argv[n] = NULL;
	fd = open(ktap, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	if (fd < 0) {
		fprintf(stderr, "ktstr compare: %s: %s\n", ktap, strerror(errno));
		return -1;
	}
	fflush(NULL);
	pid = fork();
	if (!pid) {
		dup2(fd, STDOUT_FILENO);
		execv(self, argv);
		fprintf(stderr, "ktstr compare: cannot run %s: %s\n", self,
			strerror(errno));
		_exit(127);
	}
	close(fd);
	return pid;
}

/* its exit code; -1 when it cannot be waited for */
static int wait_side(pid_t pid)
{
	int status;

	if (pid < 0)
		return -1;
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

/* the pass's "N passed, N failed" line of one side, for the progress */
static void pass_summary(const struct side *s, unsigned int pass, char *buf,
			 size_t len)
{
	char path[4200], *text, *last;

	snprintf(path, sizeof(path), "%s/pass-%u.ktap", s->dir, pass);
	snprintf(buf, len, "no result");
	text = read_file(path, NULL);
	if (!text)
		return;
	last = strstr(text, " passed, ");
	while (last && last > text && last[-1] != '\n')
		last--;
	if (last)
		snprintf(buf, len, "%.*s", (int)strcspn(last, "\n"), last);
	free(text);
}

/* both sides of one pass, one after the other or (--together) at once */
static int run_pass(struct compare_opts *o, unsigned int pass)
{
	pid_t pid[2] = { -1, -1 };
	char sum[2][128];
	int k, rc[2];

	for (k = 0; k < 2 && !interrupted; k++) {
		struct side *s = &o->side[k];

		fprintf(stderr, "ktstr compare: pass %u/%u, side %s (%s%s%s)\n",
			pass, o->repeat, s->name,
			s->sched ? s->sched[0] : "each case's scheduler",
			s->kernel ? ", kernel " : "", s->kernel ? s->kernel : "");
		pid[k] = start_side(o, s, pass);
		if (!o->together)
			rc[k] = wait_side(pid[k]);
	}
	for (k = 0; k < 2; k++) {
		if (o->together)
			rc[k] = pid[k] < 0 ? -1 : wait_side(pid[k]);
		else if (pid[k] < 0)
			rc[k] = -1;
	}
	/* Ctrl-C: the runs stopped their VMs; say so with the signal */
	if (interrupted)
		return 128 + interrupted;
	for (k = 0; k < 2; k++) {
		if (rc[k] == VM_EXIT_USAGE || rc[k] < 0 || rc[k] >= 126) {
			fprintf(stderr, "ktstr compare: side %s's run ended with %d (its KTAP: %s/pass-%u.ktap): stopping\n",
				o->side[k].name, rc[k], o->side[k].dir, pass);
			return rc[k] >= 128 ? rc[k] : 1;
		}
		o->side[k].failed_passes += rc[k] != 0;
		pass_summary(&o->side[k], pass, sum[k], sizeof(sum[k]));
	}
	fprintf(stderr, "ktstr compare: pass %u/%u: A %s; B %s\n", pass,
		o->repeat, sum[0], sum[1]);
	return 0;
}

int cmd_compare(int argc, char **argv)
{
	struct compare_opts o;
	struct stats_run ra, rb;
	struct sigaction sa = { .sa_handler = on_signal };
	char err[512];
	unsigned int pass;
	int k, rc;

	rc = parse_compare(argc, argv, &o);
	if (rc)
		return rc < 0 ? VM_EXIT_USAGE : 0;
	if (make_dirs(&o))
		return 1;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	for (pass = 1; pass <= o.repeat && !interrupted; pass++) {
		rc = run_pass(&o, pass);
		if (rc)
			return rc;
	}
	if (interrupted)
		return 128 + interrupted;
	if (stats_load(o.side[0].dir, &ra, err, sizeof(err)) ||
	    stats_load(o.side[1].dir, &rb, err, sizeof(err))) {
		fprintf(stderr, "ktstr compare: %s\n", err);
		return 1;
	}
	if (!o.stats.json)
		for (k = 0; k < 2; k++)
			printf("# side %s: %s%s%s%s; run %s\n",
			       o.side[k].name, o.side[k].sched ?
			       o.side[k].sched[0] : "each case's scheduler",
			       o.side[k].kernel ? " on " : "",
			       o.side[k].kernel ? o.side[k].kernel : "",
			       o.side[k].failed_passes ?
			       " (some cases failed: see pass-K.ktap)" : "",
			       o.side[k].dir);
	rc = stats_compare_runs(&ra, &rb, &o.stats);
	stats_free(&ra);
	stats_free(&rb);
	return rc < 0 ? VM_EXIT_USAGE : rc ? 1 : 0;
}
