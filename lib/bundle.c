// SPDX-License-Identifier: GPL-2.0
/*
 * The failure bundle: what a person needs to act on a failed test, in a
 * fixed order, as '#' lines ahead of the KTAP result line.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "env.h"
#include "defaults.h"
#include "log_collapse.h"
#include "run.h"
#include "summary.h"
#include "util.h"

/* the last @max lines of @text as '#' lines, each after @prefix */
static void diag_prefixed(const char *prefix, const char *text, int max)
{
	const char *p = text;
	int lines = 0;

	for (p = text; *p; p++)
		lines += *p == '\n';
	p = text;
	while (*p && lines > max) {
		if (*p++ == '\n')
			lines--;
	}
	while (*p) {
		int n = strcspn(p, "\n");

		printf("# %s%.*s\n", prefix, n, p);
		p += n + (p[n] == '\n');
	}
}

static void diag_lines(const char *text, int max)
{
	diag_prefixed("", text, max);
}

/* the scheduler's log, repeated blocks collapsed (log_collapse.c) */
static void diag_log_collapsed(const char *text, int max)
{
	char *out = log_collapse(text);

	diag_lines(out, max);
	free(out);
}

static void print_stats(const struct ktstr_test *t, const struct worker *w,
			int nr)
{
	struct cgroup_summary cs[KTSTR_MAX_CGROUPS];
	unsigned long long mig = 0;
	double worst_gap = 0, worst_spread = 0;
	struct cpus all = { 0 };
	int i, j, n = 0, nr_cg;

	for (nr_cg = 0; nr_cg < KTSTR_MAX_CGROUPS && t->cgroups[nr_cg].name; nr_cg++) {
		struct cgroup_summary *s = &cs[nr_cg];

		cgroup_summarize(w, nr, nr_cg, s);
		n += s->workers;
		mig += s->migrations;
		for (j = 0; j < CPUS_MAX / 64; j++)
			all.bits[j] |= s->used.bits[j];
		if (s->gap_ms > worst_gap)
			worst_gap = s->gap_ms;
		if (s->off_max - s->off_min > worst_spread)
			worst_spread = s->off_max - s->off_min;
	}
	printf("# --- stats ---\n");
	printf("# %d workers, %u cpus, %llu migrations, worst_spread=%.1f%%, worst_gap=%.0fms\n",
	       n, cpus_count(&all), mig, worst_spread, worst_gap);
	/*
	 * The manual's fields first, in its order, so that its parsers
	 * work; then ours after a '|'.
	 */
	for (i = 0; i < nr_cg; i++) {
		const struct cgroup_summary *s = &cs[i];
		char spread[16] = "n/a", wake[32] = "";

		if (s->workers)
			snprintf(spread, sizeof(spread), "%.1f%%",
				 s->off_max - s->off_min);
		if (s->nr_wake)
			snprintf(wake, sizeof(wake), " wake-p99=%.0fus",
				 s->wake_p99_us);
		printf("# cg%d: workers=%d cpus=%u spread=%s gap=%.0fms migrations=%llu iter=%llu | %s",
		       i, s->workers, cpus_count(&s->used), spread, s->gap_ms,
		       s->migrations, s->units, t->cgroups[i].name);
		if (!s->workers) {
			printf(" (no reports)\n");
			continue;
		}
		printf(" off-cpu avg=%.1f%% min=%.1f%% max=%.1f%% run-delay mean=%.1fms cpu=%.0fms%s\n",
		       s->off_avg, s->off_min, s->off_max,
		       s->run_delay_mean_ms, s->cpu_ms, wake);
	}
}

/* BUG SUMMARY: the one-line cause of a scheduler crash */
static void print_bug_summary(const struct sched *s)
{
	if (!s || !sched_crashed(s))
		return;
	printf("# BUG SUMMARY: %s%s%s%s\n", s->exit_kind,
	       s->exit_msg[0] ? " (" : "", s->exit_msg,
	       s->exit_msg[0] ? ")" : "");
}

static bool text_has(const char *hay, const char *needle)
{
	return hay && needle && strstr(hay, needle);
}

#define TRACE_DIR	"/sys/kernel/tracing"
#define DUMP_EVENT	TRACE_DIR "/events/sched_ext/sched_ext_dump/enable"

void dump_trace_arm(void)
{
	FILE *f = fopen(TRACE_DIR "/trace", "w");	/* clears the buffer */

	if (f)
		fclose(f);
	f = fopen(DUMP_EVENT, "w");
	if (f) {
		fputs("1", f);
		fclose(f);
	}
}

/*
 * The sched_ext_dump trace event carries the kernel's debug dump line by
 * line, for every scheduler, whether or not its loader prints the dump.
 */
static char *dump_trace_read(void)
{
	char *trace = read_file(TRACE_DIR "/trace", NULL), *line, *save;
	char *out;
	size_t len = 0;

	if (!trace)
		return NULL;
	out = xcalloc(1, strlen(trace) + 1);
	for (line = strtok_r(trace, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		char *p = strstr(line, "sched_ext_dump: ");

		if (p)
			len += sprintf(out + len, "%s\n", p + strlen("sched_ext_dump: "));
	}
	free(trace);
	if (!len) {
		free(out);
		return NULL;
	}
	return out;
}

/* the last @n lines of the kernel log, as the guest's console */
static void print_dmesg_tail(int n)
{
	char rec[1024], *all = xcalloc(1, 1 << 20);
	size_t len = 0;
	ssize_t got;
	int fd = open("/dev/kmsg", O_RDONLY | O_NONBLOCK | O_CLOEXEC);

	while (fd >= 0 && (got = read(fd, rec, sizeof(rec) - 1)) != 0) {
		char *text;

		if (got < 0) {
			if (errno == EPIPE)
				continue;
			break;
		}
		rec[got] = '\0';
		text = strchr(rec, ';');
		if (text && len + got + 2 < (1 << 20))
			len += sprintf(all + len, "%s", text + 1);
	}
	if (fd >= 0)
		close(fd);
	diag_lines(all, n);
	free(all);
}

/*
 * How far the run got, in the manual's words where they apply (the
 * scheduler failing to attach is a setup failure; a scheduler dying
 * under the workload leaves the workload without a valid result), then
 * ours on a line of its own.
 */
static void print_diagnostics(const struct run_outcome *o, bool failed)
{
	const struct sched *s = o->sched;
	bool died = s && s->died_at_s >= 0;
	bool attach = failed && s && !o->sched_attached;

	if (!died && !attach && !(failed && ktstr_env()->verbose))
		return;
	printf("# --- diagnostics ---\n");
	if (attach)
		printf("# stage: init started but payload never ran (cgroup/scheduler setup failed)\n");
	else if (died)
		printf("# stage: payload started but produced no test result\n");
	else
		printf("# stage: workload completed\n");
	if (s && s->exited)
		printf("# exit_code=%d\n",
		       WIFEXITED(s->status) ? WEXITSTATUS(s->status) :
		       128 + WTERMSIG(s->status));
	if (attach)
		printf("# the scheduler did not attach; the workload never started\n");
	else if (died)
		printf("# the scheduler died under the running workload, %.1fs into the test\n",
		       s->died_at_s);
	printf("# last kernel log lines:\n");
	print_dmesg_tail(ktstr_env()->verbose ? 200 : 20);
}

int run_report(const struct run_outcome *o)
{
	const struct ktstr_test *t = o->t;
	struct check_result *res = o->res;
	struct sched *s = o->sched;
	const char *topo = ktstr_env()->topo;
	char *log = s ? read_file(s->log_path, NULL) : NULL;
	bool failed = res->verdict == VERDICT_FAIL;
	bool expected = false;
	char *dump = NULL;

	if (!topo)
		topo = t->topo ? t->topo : KTSTR_DEFAULT_TOPO;
	if (o->time_scale > 1)
		printf("# timing thresholds scaled x%.1f: %s, slow-down measured with every CPU busy\n",
		       o->time_scale,
		       ktstr_env()->tcg ?
		       "no hardware virtualization (TCG)" :
		       "this machine is slower than the one the thresholds were set on");
	/* only detail lines count: they are the verdict, logs are context */
	if (t->expect_err)
		expected = failed && text_has(res->details, t->expect_err);
	if (failed)
		print_bug_summary(s);
	printf("# ktstr_test '%s' [sched=%s] [topo=%s] %s:\n", t->name,
	       o->sched_path ? o->sched_path : "eevdf", topo,
	       failed ? "failed" : res->verdict == VERDICT_INCONCLUSIVE ?
	       "inconclusive" : "passed");
	diag_lines(res->details, 100);
	/* checks that could not be judged here, with their numbers */
	if (res->notes_len)
		diag_prefixed("inconclusive: ", res->notes, 20);
	print_stats(t, o->workers, o->nr_workers);
	print_diagnostics(o, failed);
	if (o->mon && o->tl)
		timeline_print(o->tl, t, topo,
			       o->sched_path ? o->sched_path : "eevdf", o->mon,
			       o->workers, o->nr_workers);
	if (failed && log && *log) {
		printf("# --- scheduler log ---\n");
		diag_log_collapsed(log, 80);
	}
	if (o->mon)
		monitor_print(o->mon);
	/* the kernel's dump exists for error exits only */
	if (failed && s && sched_crashed(s)) {
		dump = dump_trace_read();
		if (dump || s->kernel_lines[0]) {
			printf("# --- sched_ext dump ---\n");
			diag_lines(s->kernel_lines, 40);
			if (dump)
				diag_lines(dump, 120);
		}
	}
	free(dump);
	free(log);
	if (t->expect_err) {
		if (expected) {
			printf("# expected failure caught: '%s'\n", t->expect_err);
			return KTSTR_PASS;
		}
		printf("# expected a failure with '%s', but the run %s\n",
		       t->expect_err, failed ? "failed differently" : "passed");
		return KTSTR_FAIL;
	}
	return failed ? KTSTR_FAIL : KTSTR_PASS;
}
