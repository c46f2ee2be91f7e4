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

#include "env.h"
#include "defaults.h"
#include "artifacts.h"
#include "payload.h"
#include "json.h"
#include "summary.h"
#include "util.h"

void artifact_line(const char *kind, char *buf)
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
		json_num(j, "units_per_s", s.units_per_s);
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

/* each payload's exit and metrics, for stats show and compare */
static void payload_stats(struct json *j, const struct run_outcome *o)
{
	int i, k;

	json_open(j, "payloads", '[');
	for (i = 0; i < o->nr_payloads; i++) {
		const struct payload_run *pr = &o->payloads[i];

		json_open(j, NULL, '{');
		json_str(j, "name", pr->p->name);
		json_int(j, "exit", pr->exit_code);
		json_bool(j, "timed_out", pr->timed_out);
		json_str(j, "error", pr->why[0] ? pr->why : NULL);
		json_open(j, "metrics", '[');
		for (k = 0; k < pr->nr; k++) {
			json_open(j, NULL, '{');
			json_str(j, "name", pr->m[k].name);
			json_num(j, "value", pr->m[k].value);
			json_str(j, "better", pr->m[k].higher_better ? "higher" : "lower");
			json_close(j, '}');
		}
		json_close(j, ']');
		json_close(j, '}');
	}
	json_close(j, ']');
}

static void details(struct json *j, const char *key, const char *text)
{
	char *copy = xstrdup(text), *line, *save;

	json_open(j, key, '[');
	for (line = strtok_r(copy, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save))
		json_str(j, NULL, line);
	json_close(j, ']');
	free(copy);
}

/* the event counters, n/a as null with the reason */
static void monitor_events(struct json *j, const struct monitor *m)
{
	uint64_t fb, kl, off;
	double fbr, klr;
	bool have = monitor_event_totals(m, &fb, &fbr, &kl, &klr, &off);
	int i;

	json_open(j, "events", '{');
	json_bool(j, "available", have);
	if (!have) {
		json_str(j, "unavailable", m->ev_why[0] ? m->ev_why :
			 "no reading while the scheduler was attached");
		json_close(j, '}');
		return;
	}
	json_int(j, "fallback", fb);
	json_num(j, "fallback_rate", fbr);
	json_int(j, "keep_last", kl);
	json_num(j, "keep_last_rate", klr);
	json_int(j, "offline", off);
	json_num(j, "max_fallback_rate", m->max_fallback_rate);
	json_num(j, "max_keep_last_rate", m->max_keep_last_rate);
	json_open(j, "counters", '{');
	for (i = 0; i < m->ev1.nr; i++) {
		uint64_t v0 = 0;

		scx_events_get(&m->ev0, m->ev1.name[i], &v0);
		json_int(j, m->ev1.name[i], m->ev1.val[i] - v0);
	}
	json_close(j, '}');
	json_close(j, '}');
}

static void monitor_schedstat(struct json *j, const struct monitor *m,
			      double secs)
{
	const struct schedstat *a = &m->ss0, *b = &m->ss1;
	int i;

	json_open(j, "schedstat", '{');
	json_int(j, "csw", b->sched_count - a->sched_count);
	json_num(j, "csw_rate", (b->sched_count - a->sched_count) / secs);
	json_num(j, "run_delay_ns_per_s", (b->run_delay_ns - a->run_delay_ns) / secs);
	json_int(j, "ttwu", b->ttwu - a->ttwu);
	json_int(j, "goidle", b->goidle - a->goidle);
	json_open(j, "domains", '[');
	for (i = 0; i < b->nr_domains && i < a->nr_domains; i++) {
		const struct schedstat_domain *x = &a->dom[i], *y = &b->dom[i];

		json_open(j, NULL, '{');
		json_int(j, "level", i);
		json_num(j, "lb_rate", (y->lb_count - x->lb_count) / secs);
		json_num(j, "lb_failed_rate", (y->lb_failed - x->lb_failed) / secs);
		json_num(j, "lb_gained_rate", (y->lb_gained - x->lb_gained) / secs);
		json_int(j, "alb_pushed", y->alb_pushed - x->alb_pushed);
		json_num(j, "wake_remote_rate",
			 (y->ttwu_wake_remote - x->ttwu_wake_remote) / secs);
		json_int(j, "move_affine", y->ttwu_move_affine - x->ttwu_move_affine);
		json_close(j, '}');
	}
	json_close(j, ']');
	json_close(j, '}');
}

static void monitor_programs(struct json *j, const struct monitor *m)
{
	int i, k;

	json_open(j, "bpf", '[');
	for (i = 0; i < m->nr_progs1; i++) {
		const struct prog_stat *a = &m->progs1[i];
		uint64_t cnt = a->run_cnt, ns = a->run_time_ns;

		for (k = 0; k < m->nr_progs0; k++)
			if (m->progs0[k].id == a->id) {
				cnt -= m->progs0[k].run_cnt;
				ns -= m->progs0[k].run_time_ns;
			}
		json_open(j, NULL, '{');
		json_str(j, "name", a->name);
		json_int(j, "cnt", cnt);
		json_num(j, "ns_per_call", cnt ? (double)ns / cnt : 0);
		json_int(j, "verified_insns", a->verified_insns);
		json_close(j, '}');
	}
	json_close(j, ']');
}

static void monitor_summary(struct json *j, const struct monitor *m)
{
	unsigned int n = m->samples ? m->samples : 1;
	double secs = (m->end_ms - m->start_ms) / 1000.0, fb, kl;
	int i;

	if (secs <= 0)
		secs = 1;
	json_open(j, "monitor", '{');
	json_int(j, "samples", m->samples);
	json_num(j, "max_imbalance", m->max_imbalance);
	json_int(j, "max_dsq_depth", m->max_dsq);
	json_int(j, "stuck", m->stuck);
	json_bool(j, "sustained_violation", m->nr_violations > 0);
	json_num(j, "avg_imbalance", m->sum_imbalance / n);
	json_num(j, "avg_nr_running", m->sum_nr / n);
	json_num(j, "avg_dsq_depth", m->sum_dsq / n);
	json_num(j, "avg_scx_nr_running", m->sum_scx_nr / n);
	json_str(j, "unavailable", m->unavailable[0] ? m->unavailable : NULL);
	monitor_events(j, m);
	monitor_schedstat(j, m, secs);
	monitor_programs(j, m);
	json_open(j, "thresholds", '{');
	json_num(j, "max_imbalance_ratio", m->cfg.max_imbalance_ratio);
	json_int(j, "max_local_dsq_depth", m->cfg.max_local_dsq_depth);
	json_int(j, "sustained_samples", m->cfg.sustained);
	json_num(j, "max_fallback_rate", m->cfg.max_fallback_rate);
	json_num(j, "max_keep_last_rate", m->cfg.max_keep_last_rate);
	json_bool(j, "rq_stall", m->cfg.check_rq_stall);
	json_close(j, '}');
	json_num(j, "cpu_ms", m->cpu_ms);
	json_int(j, "violations", m->nr_violations);
	details(j, "violation_lines", m->violations);
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
		json_num(j, "max_imbalance", p->max_imbalance);
		json_num(j, "avg_nr_running", p->samples ? p->sum_nr / p->samples : 0);
		json_int(j, "max_dsq_depth", p->max_dsq);
		if (monitor_phase_rates(p, &fb, &kl)) {
			json_num(j, "fallback_rate", fb);
			json_num(j, "keep_last_rate", kl);
		} else {
			json_str(j, "fallback_rate", NULL);
			json_str(j, "keep_last_rate", NULL);
		}
		json_close(j, '}');
	}
	json_close(j, ']');
}

/* the run-queue depth per CPU over time and the phases, for the plot */
static void rq_series(struct json *j, const struct monitor *m)
{
	unsigned int cpus = m->nr_cpus < MONITOR_SERIES_CPUS ? m->nr_cpus :
			    MONITOR_SERIES_CPUS, i, cpu;
	int p;

	json_open(j, "rq_series", '{');
	json_int(j, "cpus", cpus);
	json_open(j, "t_ms", '[');
	for (i = 0; i < m->nr_series; i++)
		json_int(j, NULL, m->series_ms[i]);
	json_close(j, ']');
	json_open(j, "nr_running", '[');
	for (cpu = 0; cpu < cpus; cpu++) {
		json_open(j, NULL, '[');
		for (i = 0; i < m->nr_series; i++)
			json_int(j, NULL, m->series_nr[i][cpu]);
		json_close(j, ']');
	}
	json_close(j, ']');
	json_open(j, "phases", '[');
	for (p = 0; p < m->nr_phases; p++) {
		json_open(j, NULL, '{');
		json_str(j, "label", m->phases[p].label);
		json_int(j, "start_ms", m->phases[p].start_ms - m->start_ms);
		json_int(j, "end_ms", (m->phases[p].end_ms ?: m->end_ms) - m->start_ms);
		json_close(j, '}');
	}
	json_close(j, ']');
	json_close(j, '}');
}

/* how far the case got, in the ktstr manual's words where they fit */
static const char *placeholder_stage(const struct run_outcome *o)
{
	if (!o->sched_path)
		return "no sched_ext scheduler (EEVDF)";
	if (!o->mon)
		return "init started but payload never ran (cgroup/scheduler setup failed)";
	if (o->sched && o->sched->died_at_s >= 0)
		return "workload running; the scheduler died";
	return "workload completed";
}

/* the stats artifact: every case, passed or not */
static void emit_stats(const struct run_outcome *o, bool failed)
{
	const char *topo = ktstr_env()->topo;
	struct utsname u;
	struct json j;
	size_t len;
	char *buf;
	FILE *f = json_object_mem(&j, &buf, &len);

	if (!f)
		return;
	uname(&u);
	json_str(&j, "test", o->t->name);
	/* gauntlet/<test>/<preset> when the host runs it as a variant */
	if (ktstr_env()->variant)
		json_str(&j, "variant", ktstr_env()->variant);
	json_str(&j, "topology", topo ? topo : o->t->topo ? o->t->topo :
		 KTSTR_DEFAULT_TOPO);
	json_str(&j, "scheduler", o->sched_path ? o->sched_path : "eevdf");
	json_str(&j, "verdict", verdict_name(o->res->verdict));
	json_bool(&j, "passed", !failed);
	json_bool(&j, "skipped", false);
	json_str(&j, "expect_err", o->t->expect_err);
	details(&j, "details", o->res->details);
	json_num(&j, "time_scale", o->time_scale);
	cgroup_stats(&j, o);
	payload_stats(&j, o);
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
	json_mem_end(f, &buf, &len);
	artifact_line(ARTIFACT_STATS, buf);
}

/* the scheduler's BPF programs as the monitor last read them */
static void programs(struct json *j, const struct monitor *mon)
{
	int i;

	json_open(j, "programs", '[');
	for (i = 0; mon && i < mon->nr_progs1; i++) {
		const struct prog_stat *p = &mon->progs1[i];

		json_open(j, NULL, '{');
		json_int(j, "id", p->id);
		json_str(j, "name", p->name);
		json_int(j, "run_cnt", p->run_cnt);
		json_int(j, "run_time_ns", p->run_time_ns);
		json_int(j, "verified_insns", p->verified_insns);
		json_close(j, '}');
	}
	json_close(j, ']');
}

/* the failure dump: full with @maps, else the manual's placeholder */
static void emit_failure_dump(const struct run_outcome *o, const char *maps,
			      const char *maps_why)
{
	struct json j;
	size_t len;
	char *buf;
	FILE *f = json_object_mem(&j, &buf, &len);

	if (!f)
		return;
	/* the manual's fields first: schema, maps, why not, is_placeholder */
	json_str(&j, "schema", "single");
	json_raw(&j, "maps", maps ? maps : "[]");
	if (!maps) {
		const char *why = maps_why && *maps_why ? maps_why :
				  "no scheduler: nothing to capture";
		char text[768];

		snprintf(text, sizeof(text),
			 "test failed at stage `%s`; no BPF state captured (%s)",
			 placeholder_stage(o), why);
		json_str(&j, "sdt_alloc_unavailable", text);
		json_str(&j, "stage", why);
	}
	json_bool(&j, "is_placeholder", !maps);
	json_str(&j, "test", o->t->name);
	programs(&j, o->mon);
	if (o->mon && o->mon->nr_series)
		rq_series(&j, o->mon);
	json_close(&j, '}');
	json_mem_end(f, &buf, &len);
	artifact_line(ARTIFACT_FAILURE_DUMP, buf);
}

void artifacts_emit(const struct run_outcome *o, bool failed,
		    const char *maps, const char *maps_why)
{
	emit_stats(o, failed);
	if (failed)
		emit_failure_dump(o, maps, maps_why);
}
