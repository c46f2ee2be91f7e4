// SPDX-License-Identifier: GPL-2.0
/*
 * The per-case JSON sidecar and the failure dump, printed for the host.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "artifacts.h"
#include "json.h"
#include "summary.h"
#include "util.h"

static void emit(const char *kind, char *buf)
{
	printf("%s%s %s\n", ARTIFACT_PREFIX, kind, buf);
	fflush(stdout);
	free(buf);
}

static void cgroup_stats(struct json *j, const struct run_outcome *o)
{
	const struct ktstr_test *t = o->t;
	struct cgroup_summary s;
	int i;

	json_open(j, "cgroups", '[');
	for (i = 0; i < KTSTR_MAX_CGROUPS && t->cgroups[i].name; i++) {
		cgroup_summarize(o->workers, o->nr_workers, i, &s);
		json_open(j, NULL, '{');
		json_str(j, "name", t->cgroups[i].name);
		json_int(j, "workers", s.workers);
		json_int(j, "units", s.units);
		json_int(j, "migrations", s.migrations);
		json_num(j, "off_cpu_avg_pct", s.off_avg);
		json_num(j, "off_cpu_min_pct", s.off_min);
		json_num(j, "off_cpu_max_pct", s.off_max);
		json_num(j, "spread_pct", s.off_max - s.off_min);
		json_num(j, "max_gap_ms", s.gap_ms);
		json_num(j, "run_delay_mean_ms", s.run_delay_mean_ms);
		json_num(j, "cpu_ms", s.cpu_ms);
		json_int(j, "weight", t->cgroups[i].weight ?
			 t->cgroups[i].weight : 100);
		if (s.nr_wake)
			json_num(j, "wake_p99_us", s.wake_p99_us);
		json_close(j, '}');
	}
	json_close(j, ']');
}

static void monitor_summary(struct json *j, const struct monitor *m)
{
	unsigned int n = m->samples ? m->samples : 1;
	int i;

	json_open(j, "monitor", '{');
	json_int(j, "samples", m->samples);
	json_num(j, "max_imbalance", m->max_imbalance);
	json_int(j, "max_dsq_depth", m->max_dsq);
	json_int(j, "stuck", m->stuck);
	json_num(j, "avg_imbalance", m->sum_imbalance / n);
	json_num(j, "avg_nr_running", m->sum_nr / n);
	json_str(j, "unavailable", m->unavailable[0] ? m->unavailable : NULL);
	json_int(j, "violations", m->nr_violations);
	json_str(j, "verdict", m->nr_violations ? "FAILED" : "OK");
	json_close(j, '}');
	json_open(j, "phases", '[');
	for (i = 0; i < m->nr_phases; i++) {
		const struct monitor_phase *p = &m->phases[i];

		json_open(j, NULL, '{');
		json_str(j, "label", p->label);
		json_int(j, "duration_ms", p->end_ms - p->start_ms);
		json_int(j, "samples", p->samples);
		json_num(j, "avg_imbalance", p->samples ? p->sum_imbalance / p->samples : 0);
		json_int(j, "max_dsq_depth", p->max_dsq);
		json_close(j, '}');
	}
	json_close(j, ']');
}

static void details(struct json *j, const char *text)
{
	char *copy = xstrdup(text), *line, *save;

	json_open(j, "details", '[');
	for (line = strtok_r(copy, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save))
		json_str(j, NULL, line);
	json_close(j, ']');
	free(copy);
}

void artifacts_emit(const struct run_outcome *o, bool failed,
		    const char *maps, const char *maps_why)
{
	const char *topo = getenv("KTSTR_TOPO");
	struct utsname u;
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	struct json j;
	int i;

	if (!f)
		return;
	uname(&u);
	json_init(&j, f);
	json_open(&j, NULL, '{');
	json_str(&j, "test", o->t->name);
	/* gauntlet/<test>/<preset> when the host runs it as a variant */
	if (getenv("KTSTR_VARIANT"))
		json_str(&j, "variant", getenv("KTSTR_VARIANT"));
	json_str(&j, "topology", topo ? topo : o->t->topo ? o->t->topo : "1n1l2c1t");
	json_str(&j, "scheduler", o->sched_path ? o->sched_path : "eevdf");
	json_str(&j, "verdict", verdict_name(o->res->verdict));
	json_bool(&j, "passed", !failed);
	json_bool(&j, "skipped", false);
	json_str(&j, "expect_err", o->t->expect_err);
	details(&j, o->res->details);
	json_num(&j, "time_scale", o->time_scale);
	cgroup_stats(&j, o);
	if (o->mon)
		monitor_summary(&j, o->mon);
	if (o->sched) {
		json_open(&j, "sched_ext_exit", '{');
		json_str(&j, "kind", o->sched->exit_kind);
		json_str(&j, "message", o->sched->exit_msg);
		json_num(&j, "died_at_s", o->sched->died_at_s);
		json_close(&j, '}');
	}
	json_open(&j, "kernel", '{');
	json_str(&j, "release", u.release);
	json_str(&j, "version", u.version);
	json_str(&j, "machine", u.machine);
	json_close(&j, '}');
	json_close(&j, '}');
	fclose(f);
	emit(ARTIFACT_STATS, buf);
	if (!failed)
		return;

	buf = NULL;
	f = open_memstream(&buf, &len);
	if (!f)
		return;
	json_init(&j, f);
	json_open(&j, NULL, '{');
	json_str(&j, "test", o->t->name);
	json_str(&j, "schema", "single");
	json_bool(&j, "is_placeholder", !maps);
	if (!maps)
		json_str(&j, "stage", maps_why ? maps_why :
			 "no scheduler: nothing to capture");
	fputs(",\"maps\":", f);
	fputs(maps ? maps : "[]", f);
	j.need_comma[j.depth] = true;
	json_open(&j, "programs", '[');
	for (i = 0; o->mon && i < o->mon->nr_progs1; i++) {
		const struct prog_stat *p = &o->mon->progs1[i];

		json_open(&j, NULL, '{');
		json_int(&j, "id", p->id);
		json_str(&j, "name", p->name);
		json_int(&j, "run_cnt", p->run_cnt);
		json_int(&j, "run_time_ns", p->run_time_ns);
		json_close(&j, '}');
	}
	json_close(&j, ']');
	json_close(&j, '}');
	fclose(f);
	emit(ARTIFACT_FAILURE_DUMP, buf);
}
