// SPDX-License-Identifier: GPL-2.0
/*
 * Running one declared test in this kernel: scheduler, cgroups, workers,
 * steps, checks, and the failure bundle as '#' lines before the result.
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "env.h"
#include "defaults.h"
#include "artifacts.h"
#include "cgroup.h"
#include "mapdump.h"
#include "needs.h"
#include "protocol.h"
#include "repro.h"
#include "checks.h"
#include "cpus.h"
#include "ktstr.h"
#include "payload.h"
#include "run.h"
#include "sched_workarounds.h"
#include "scheduler.h"
#include "sched_ops.h"
#include "sched_profiles.h"
#include "shrink.h"
#include "util.h"
#include "worker.h"

#define MAX_WORKERS		256
#define POLL_MS			50
/*
 * One spin unit (worker.c) takes about this long natively on a current
 * x86 core; under TCG it takes longer, and that ratio is the slow-down
 * timing thresholds are scaled by.
 */
#define NATIVE_UNIT_US		25.0

char ktstr_skip_reason[256];

struct run {
	const struct ktstr_test *t;
	struct topo topo;
	struct cpus usable;
	struct cpus cpuset[KTSTR_MAX_CGROUPS];
	bool cg_live[KTSTR_MAX_CGROUPS];
	struct worker workers[MAX_WORKERS];
	struct worker_live *live;
	int nr_workers;
	struct monitor mon;
	bool mon_started;
	struct timeline tl;
	bool evaluated;
	struct map_hold maps_held;	/* taken at attach */
	struct repro repro;		/* auto-repro probes, if asked */
	char *maps;			/* the scheduler's maps, on failure */
	char maps_why[256];
	struct sched sched;
	bool have_sched;
	const char *sched_path;
	long long start_ms;
	double time_scale;
	struct ktstr_checks eff;	/* thresholds after the merge */
	unsigned int run_ms;		/* the steps' holds, added up */
	int steps_done, nr_steps;
	char skip[256];			/* a claim the case needs is not made */
	enum ktstr_stage stage;		/* how far it got */
	struct check_result res;
	struct payload_run payloads[KTSTR_MAX_PAYLOADS];
	int nr_payloads;
};

static int cgroup_index(const struct ktstr_test *t, const char *name)
{
	int i;

	for (i = 0; i < KTSTR_MAX_CGROUPS && t->cgroups[i].name; i++)
		if (name && !strcmp(t->cgroups[i].name, name))
			return i;
	return -1;
}

static void marker(struct run *r, const char *fmt, ...)
{
	char line[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	timeline_marker(&r->tl, line);
}

/* how long each CPU's probe spins: several TCG round-robin turns */
#define PROBE_MS		300

/*
 * How much slower than native one CPU runs here *while every CPU is
 * busy*: under single-threaded TCG all vCPUs share one host thread, so
 * a probe on an otherwise idle guest would overstate the speed by the
 * number of CPUs. One pinned probe per usable CPU, started together.
 *
 * Two readings, the worse one wins. The CPUs' units added up over the
 * window from the first start to the last end: it does not matter how
 * the host handed out its turns inside the window, so a probe that ran
 * alone while another waited for its turn does not make the host look
 * faster than it is. And each probe over its own time, so one slow CPU
 * (a busy host thread, say) is not averaged away.
 */
static double measure_time_scale(const struct cpus *usable)
{
	const char *forced = ktstr_env()->time_scale;
	double first = 0, last = 0, worst = 0, us;
	unsigned long units = 0;
	struct unit_probe probe;
	int p[2], go[2], n = 0, reported = 0;
	unsigned int cpu;

	if (forced && atof(forced) > 0)
		return atof(forced);
	/*
	 * Measured everywhere, not only under TCG: a native run on a slow
	 * machine (or in a guest that does not know it is emulated) is
	 * judged against what it can do. KTSTR_ACCEL=kvm trusts the host.
	 */
	if (ktstr_env()->kvm || pipe2(p, O_CLOEXEC))
		return 1.0;
	if (pipe2(go, O_CLOEXEC)) {
		close(p[0]);
		close(p[1]);
		return 1.0;
	}
	for (cpu = 0; cpu < CPUS_MAX; cpu++) {
		cpu_set_t set;
		char c;

		if (!cpus_test(usable, cpu))
			continue;
		n++;
		if (fork() == 0) {
			close(go[1]);
			CPU_ZERO(&set);
			CPU_SET(cpu, &set);
			sched_setaffinity(0, sizeof(set), &set);
			/* every probe starts when the last one is forked */
			if (read(go[0], &c, 1) < 0)
				_exit(1);
			worker_probe_units(PROBE_MS, &probe);
			_exit(write(p[1], &probe, sizeof(probe)) != sizeof(probe));
		}
	}
	close(go[0]);
	close(go[1]);
	close(p[1]);
	while (n-- > 0 && read(p[0], &probe, sizeof(probe)) == sizeof(probe)) {
		if (!probe.units || probe.end_ms <= probe.start_ms)
			continue;
		us = (probe.end_ms - probe.start_ms) * 1000 / probe.units;
		worst = us > worst ? us : worst;
		first = !reported || probe.start_ms < first ? probe.start_ms : first;
		last = probe.end_ms > last ? probe.end_ms : last;
		units += probe.units;
		reported++;
	}
	close(p[0]);
	while (wait(NULL) > 0)
		;
	if (units) {
		/* the CPUs that reported, each busy for the whole window */
		us = (last - first) * 1000 * reported / units;
		worst = us > worst ? us : worst;
	}
	us = worst / NATIVE_UNIT_US;
	return us < 1 ? 1 : us > 100 ? 100 : us;
}

static int pin_task(pid_t pid, const struct cpus *c)
{
	cpu_set_t set;
	unsigned int cpu;

	CPU_ZERO(&set);
	for (cpu = 0; cpu < CPUS_MAX && cpu < CPU_SETSIZE; cpu++)
		if (cpus_test(c, cpu))
			CPU_SET(cpu, &set);
	return sched_setaffinity(pid, sizeof(set), &set);
}

static int start_cgroup(struct run *r, int i)
{
	const struct ktstr_cgroup *cg = &r->t->cgroups[i];
	unsigned int n = cg->workers ? cg->workers : KTSTR_DEFAULT_WORKERS, k;
	struct cpus pin;
	char err[256];

	if (cpuset_resolve(cg->cpuset, &r->topo, &r->usable, &r->cpuset[i],
			   err, sizeof(err))) {
		check_fail(&r->res, "cgroup %s: %s", cg->name, err);
		return -1;
	}
	if (cg_create(cg->name) ||
	    (cg->cpuset && cg_set_cpuset(cg->name, &r->cpuset[i]))) {
		check_fail(&r->res, "cgroup %s: cannot create it or set cpuset.cpus: %s",
			   cg->name, strerror(errno));
		return -1;
	}
	r->cg_live[i] = true;
	if (cg->affinity &&
	    cpuset_resolve(cg->affinity, &r->topo, &r->usable, &pin, err,
			   sizeof(err))) {
		check_fail(&r->res, "cgroup %s: affinity: %s", cg->name, err);
		return -1;
	}
	if (cg->weight && cg_set_weight(cg->name, cg->weight)) {
		check_fail(&r->res, "cgroup %s: cannot set cpu.weight %u: %s",
			   cg->name, cg->weight, strerror(errno));
		return -1;
	}
	for (k = 0; k < n && r->nr_workers < MAX_WORKERS; k++) {
		struct worker *w = &r->workers[r->nr_workers];
		int nice = cg->nice_alt && k % 2 ? cg->nice_alt : cg->nice;

		if (worker_spawn(w, cg, i, nice,
				 r->live ? &r->live[r->nr_workers] : NULL)) {
			check_fail(&r->res, "cgroup %s: cannot fork a worker: %s",
				   cg->name, strerror(errno));
			return -1;
		}
		r->nr_workers++;
		/*
		 * Into the cgroup and onto its CPUs first, then released: no
		 * stray samples, and a pinned worker never ran elsewhere.
		 */
		if (cg->affinity && pin_task(w->pid, &pin)) {
			check_fail(&r->res, "cgroup %s: cannot pin worker %d to %s: %s",
				   cg->name, w->pid, cg->affinity, strerror(errno));
			return -1;
		}
		if (cg_move(cg->name, w->pid) || worker_release(w)) {
			check_fail(&r->res, "cgroup %s: cannot move worker %d into it: %s",
				   cg->name, w->pid, strerror(errno));
			return -1;
		}
	}
	return 0;
}

/*
 * How long a stopped worker has to answer: 5 s natively, stretched by the
 * slow-down measured at the start (a vCPU on a loaded TCG host can go
 * seconds without running), at most a minute.
 */
static unsigned int report_timeout_ms(const struct run *r)
{
	double t = 5000 * (r->time_scale > 1 ? r->time_scale : 1);

	return t > 60000 ? 60000 : (unsigned int)t;
}

static void stop_cgroup_workers(struct run *r, int i)
{
	unsigned int timeout = report_timeout_ms(r);
	long long deadline;
	int k;

	for (k = 0; k < r->nr_workers; k++)
		if (r->workers[k].cgroup == i)
			worker_signal_stop(&r->workers[k]);
	/* one deadline for the cgroup's workers, not one each */
	deadline = now_ms() + timeout;
	for (k = 0; k < r->nr_workers; k++) {
		struct worker *w = &r->workers[k];
		long long left = deadline - now_ms();

		if (w->cgroup != i ||
		    !worker_collect(w, left > 0 ? (unsigned int)left : 0))
			continue;
		/*
		 * No report: it never got the CPU back to answer. Its live
		 * counter tells a worker that never ran at all.
		 */
		if (r->eff.not_starved && w->live && !READ_SHARED(w->live->units))
			check_fail(&r->res, "tid %d starved (0 work units)",
				   w->pid);
		check_fail(&r->res, "tid %d did not report within %.1f s of being stopped",
			   w->pid, timeout / 1000.0);
	}
}

static void set_affinity(struct run *r, int i, const struct cpus *c)
{
	int k;

	for (k = 0; k < r->nr_workers; k++)
		if (r->workers[k].cgroup == i && !r->workers[k].stopped)
			pin_task(r->workers[k].pid, c);
}

static void apply_op(struct run *r, const struct ktstr_step *s,
		     const struct ktstr_op *op)
{
	int i = cgroup_index(r->t, op->cgroup);
	int j = cgroup_index(r->t, op->other);
	struct cpus tmp;
	char err[256], list[256] = "";
	int ret = 0;

	if (i < 0) {
		check_fail(&r->res, "step '%s': %s names no declared cgroup '%s'",
			   s->label ? s->label : "?", ktstr_op_name(op->kind),
			   op->cgroup ? op->cgroup : "(null)");
		return;
	}
	switch (op->kind) {
	case OP_ADD_CGROUP:
		ret = start_cgroup(r, i);
		break;
	case OP_REMOVE_CGROUP:
		stop_cgroup_workers(r, i);
		ret = cg_remove(r->t->cgroups[i].name);
		r->cg_live[i] = false;
		break;
	case OP_SET_CPUSET:
	case OP_SET_AFFINITY:
		if (cpuset_resolve(op->spec, &r->topo, &r->usable, &tmp, err,
				   sizeof(err))) {
			check_fail(&r->res, "step '%s': %s", s->label, err);
			return;
		}
		cpus_format(&tmp, list, sizeof(list));
		if (op->kind == OP_SET_AFFINITY) {
			set_affinity(r, i, &tmp);
		} else {
			r->cpuset[i] = tmp;
			ret = cg_set_cpuset(r->t->cgroups[i].name, &tmp);
		}
		break;
	case OP_CLEAR_CPUSET:
		r->cpuset[i] = r->usable;
		ret = cg_set_cpuset(r->t->cgroups[i].name, &r->usable);
		break;
	case OP_SWAP_CPUSETS:
		if (j < 0)
			return;
		tmp = r->cpuset[i];
		r->cpuset[i] = r->cpuset[j];
		r->cpuset[j] = tmp;
		ret = cg_set_cpuset(r->t->cgroups[i].name, &r->cpuset[i]) ||
		      cg_set_cpuset(r->t->cgroups[j].name, &r->cpuset[j]);
		break;
	case OP_MOVE_ALL:
		if (j >= 0)
			ret = cg_move_all(r->t->cgroups[i].name,
					  r->t->cgroups[j].name);
		break;
	case OP_FREEZE:
	case OP_UNFREEZE:
		ret = cg_freeze(r->t->cgroups[i].name, op->kind == OP_FREEZE);
		break;
	default:
		return;
	}
	marker(r, ">>> %s: %s (%s%s%s%s%s)", s->label ? s->label : "step",
	       ktstr_op_name(op->kind), op->cgroup, op->other ? " -> " : "",
	       op->other ? op->other : "", list[0] ? " cpus " : "", list);
	if (ret)
		check_fail(&r->res, "step '%s': %s on %s failed: %s",
			   s->label ? s->label : "?", ktstr_op_name(op->kind),
			   op->cgroup, strerror(errno));
}

/* Hold for @ms, watching the scheduler. False if it died. */
static bool hold(struct run *r, unsigned int ms)
{
	long long end = now_ms() + ms;

	while (now_ms() < end) {
		if (r->have_sched && !sched_alive(&r->sched, r->start_ms))
			return false;
		usleep(POLL_MS * 1000);
	}
	return !r->have_sched || sched_alive(&r->sched, r->start_ms);
}

static const char *resolve_sched(const struct ktstr_test *t, const char **args)
{
	const char *env = ktstr_env()->sched;

	/* --sched replaces a test's scheduler; EEVDF baselines stay so */
	if (env && t->sched) {
		*args = ktstr_env()->sched_args;
		return strcmp(env, "eevdf") ? env : NULL;
	}
	*args = t->sched_args;
	return t->sched;
}

static int start_sched(struct run *r)
{
	const char *args;
	char err[4096], full[512];
	struct sched_workaround w;
	int attempt;

	r->sched_path = resolve_sched(r->t, &args);
	if (!r->sched_path)
		return 0;
	dump_trace_arm();
	/* armed before the scheduler starts: a crash at attach is seen too */
	repro_start(&r->repro);
	/* the fixture gets a watchdog shorter than the kernel's 30 s */
	if (!strcmp(r->sched_path, "scx_ktstr") && !ktstr_env()->sched) {
		snprintf(full, sizeof(full), "--timeout-ms %u %s",
			 r->t->watchdog_ms ? r->t->watchdog_ms : KTSTR_DEFAULT_WATCHDOG_MS,
			 args ? args : "");
		args = full;
	}
	/* known problems of this scheduler on this kernel, reported */
	w = sched_workaround_for(r->sched_path);
	for (attempt = 0; attempt <= w.attach_retries; attempt++) {
		if (!sched_start(&r->sched, r->sched_path, args,
				 (unsigned int)(10000 * r->time_scale), err,
				 sizeof(err))) {
			r->have_sched = true;
			mapdump_hold(&r->maps_held, r->sched.pid);
			repro_attach_callbacks(&r->repro, &r->maps_held);
			return 0;
		}
		if (attempt < w.attach_retries) {
			printf("# attach attempt %d of %d failed, retrying: %.*s\n",
			       attempt + 1, w.attach_retries + 1,
			       (int)strcspn(err, "\n"), err);
			sched_workaround_pin(&w);
		}
	}
	check_fail(&r->res, "%s", err);
	check_record(&r->res, "scheduler", VERDICT_FAIL, 1, "did not attach");
	return -1;
}

static void run_steps(struct run *r)
{
	static const struct ktstr_step whole = { .label = "steady", .hold = 1.0 };
	const struct ktstr_test *t = r->t;
	unsigned int dur = t->duration_ms ? t->duration_ms : KTSTR_DEFAULT_DURATION_MS;
	int s, o;

	for (r->nr_steps = 0; r->nr_steps < KTSTR_MAX_STEPS &&
	     (t->steps[r->nr_steps].hold || t->steps[r->nr_steps].hold_ms);
	     r->nr_steps++)
		;
	for (s = 0; s < (r->nr_steps ? r->nr_steps : 1); s++) {
		const struct ktstr_step *st = r->nr_steps ? &t->steps[s] : &whole;
		unsigned int ms = st->hold_ms ? st->hold_ms : st->hold * dur;

		r->run_ms += ms;

		monitor_phase(&r->mon, st->label ? st->label : "step");
		timeline_cut(&r->tl, r->workers, r->nr_workers);
		for (o = 0; o < KTSTR_MAX_OPS && st->ops[o].kind; o++)
			apply_op(r, st, &st->ops[o]);
		if (!hold(r, ms))
			return;
		r->steps_done = s + 1;
	}
}

static void judge_sched_death(struct run *r)
{
	struct sched *s = &r->sched;

	if (!r->have_sched || s->died_at_s < 0)
		return;
	if (r->steps_done && r->steps_done < (r->nr_steps ? r->nr_steps : 1))
		check_fail(&r->res, "scheduler process died unexpectedly after completing step %d of %d (%.1fs into test)",
			   r->steps_done, r->nr_steps, s->died_at_s);
	else
		check_fail(&r->res, "scheduler process died unexpectedly during workload (%.1fs into test)",
			   s->died_at_s);
	if (s->exit_kind[0])
		check_fail(&r->res, "sched_ext exit: %s%s%s", s->exit_kind,
			   s->exit_msg[0] ? ": " : "", s->exit_msg);
	check_record(&r->res, "scheduler", VERDICT_FAIL, 1,
		     "died %.1fs into the test%s%s", s->died_at_s,
		     s->exit_kind[0] ? ": " : "", s->exit_kind);
}

/*
 * A gap threshold as long as the run cannot be exceeded: under TCG the
 * scaled default often is. Say so with the numbers instead of passing.
 */
static void judge_gap_reach(struct run *r)
{
	double longest = 0;
	int k, tid = 0;

	if (!r->eff.max_gap_ms || !r->run_ms || r->eff.max_gap_ms < r->run_ms)
		return;
	for (k = 0; k < r->nr_workers; k++)
		if (r->workers[k].report.max_gap_ms > longest) {
			longest = r->workers[k].report.max_gap_ms;
			tid = r->workers[k].report.tid;
		}
	check_inconclusive(&r->res, "max_gap_ms: threshold %.0fms (x%.1f for this host's slow-down) is not shorter than the %ums run: no gap can exceed it (longest seen %.0fms, tid %d)",
			   r->eff.max_gap_ms, r->time_scale, r->run_ms,
			   longest, tid);
	check_record(&r->res, "max_gap_ms", VERDICT_INCONCLUSIVE, 0,
		     "%.0fms seen, threshold %.0fms not shorter than the %ums run",
		     longest, r->eff.max_gap_ms, r->run_ms);
}

/*
 * The monitor's gates as check records: each gate failed when one of its
 * violations was raised (the monitor's own lines, from this process).
 */
static void record_monitor(struct run *r)
{
	static const struct {
		const char *id, *prefix;
	} gates[] = {
		{ "max_imbalance_ratio", "imbalance ratio " },
		{ "max_local_dsq_depth", "local DSQ depth " },
		{ "rq_stall", "rq_clock stall " },
		{ "max_fallback_rate", "fallback rate " },
		{ "max_keep_last_rate", "keep_last rate " },
	};
	const struct monitor *m = &r->mon;
	const struct ktstr_checks *c = &r->eff;
	const char *p;
	size_t g;

	if (!r->mon_started)
		return;
	for (g = 0; g < ARRAY_SIZE(gates); g++) {
		const char *id = gates[g].id;

		p = strstr(m->violations, gates[g].prefix);
		if (p && (p == m->violations || p[-1] == '\n'))
			check_record(&r->res, id, VERDICT_FAIL, 1, "%.*s",
				     (int)strcspn(p, "\n"), p);
		else if ((g == 0 && !c->max_imbalance_ratio) ||
			 (g == 1 && !c->max_local_dsq_depth) ||
			 (g == 2 && !m->cfg.check_rq_stall) ||
			 (g == 3 && !c->max_fallback_rate) ||
			 (g == 4 && !c->max_keep_last_rate))
			continue;
		else if (m->unavailable[0])
			check_record(&r->res, id, VERDICT_INCONCLUSIVE, 0,
				     "no samples: %s", m->unavailable);
		else if (g >= 3 && !m->ev_available)
			check_record(&r->res, id, VERDICT_INCONCLUSIVE, 0,
				     "no event counters: %s", m->ev_why);
		else if (g == 0)
			check_record(&r->res, id, VERDICT_PASS, 0,
				     "max %.1f, threshold %.1f", m->max_imbalance,
				     c->max_imbalance_ratio);
		else if (g == 1)
			check_record(&r->res, id, VERDICT_PASS, 0,
				     "max %u, threshold %u", m->max_dsq,
				     c->max_local_dsq_depth);
		else if (g == 2)
			check_record(&r->res, id, VERDICT_PASS, 0,
				     "no stalled rq clock");
		else
			check_record(&r->res, id, VERDICT_PASS, 0,
				     "max %.1f/s, threshold %.1f/s",
				     g == 3 ? m->max_fallback_rate :
				     m->max_keep_last_rate,
				     g == 3 ? c->max_fallback_rate :
				     c->max_keep_last_rate);
	}
}

/*
 * A failure no check claims (setup, a step, the scheduler's options)
 * still needs a failing record: the per-check view must agree with the
 * case.
 */
static void record_unchecked_failure(struct run *r)
{
	int i;

	if (r->res.verdict != VERDICT_FAIL)
		return;
	for (i = 0; i < r->res.nr_recs; i++)
		if (r->res.recs[i].verdict == VERDICT_FAIL)
			return;
	check_record(&r->res, "setup", VERDICT_FAIL, 1, "%.*s",
		     (int)strcspn(r->res.details, "\n"), r->res.details);
}

static void evaluate(struct run *r)
{
	struct worker_report reps[MAX_WORKERS];
	struct cgroup_share shares[KTSTR_MAX_CGROUPS];
	int nice[MAX_WORKERS];
	int i, k, n;

	if (r->evaluated)
		return;
	r->evaluated = true;
	if (r->mon_started && r->mon.nr_violations) {
		const char *p = r->mon.violations;

		while (*p) {
			int len = strcspn(p, "\n");

			check_fail(&r->res, "%.*s", len, p);
			p += len + (p[len] == '\n');
		}
	}
	/* what the host took from the run: shares of time lose that much */
	if (r->mon_started && r->run_ms)
		r->eff.host_noise_pct = 100.0 * r->mon.host_late_ms / r->run_ms;
	for (i = 0; i < KTSTR_MAX_CGROUPS && r->t->cgroups[i].name; i++) {
		const struct ktstr_cgroup *cg = &r->t->cgroups[i];
		struct ktstr_checks c = r->eff;

		shares[i] = (struct cgroup_share){ cg->name, 0, cg->weight };
		for (n = 0, k = 0; k < r->nr_workers; k++)
			if (r->workers[k].cgroup == i && r->workers[k].report.tid) {
				reps[n] = r->workers[k].report;
				nice[n] = reps[n].nice;
				shares[i].cpu_ms += reps[n].cpu_ms;
				n++;
			}
		if (!n)
			continue;
		/* workers at two nice levels are meant to differ */
		if (cg->nice_alt)
			c.max_spread_pct = 0;
		checks_cgroup(&c, reps, n, &r->cpuset[i], &r->res);
		if (cg->nice_alt)
			checks_nice(&c, cg->name, reps, nice, n, &r->res);
	}
	checks_weights(&r->eff, shares, i, &r->res);
	judge_gap_reach(r);
	record_monitor(r);
	if (r->have_sched && r->sched.died_at_s < 0)
		check_record(&r->res, "scheduler", VERDICT_PASS, 0,
			     "attached and alive to the end");
}

static unsigned int weighted_cgroups(const struct ktstr_test *t)
{
	unsigned int i, n = 0;

	for (i = 0; i < KTSTR_MAX_CGROUPS && t->cgroups[i].name; i++)
		n += !!t->cgroups[i].weight;
	return n;
}

static bool splits_nice(const struct ktstr_test *t)
{
	int i;

	for (i = 0; i < KTSTR_MAX_CGROUPS && t->cgroups[i].name; i++)
		if (t->cgroups[i].nice_alt)
			return true;
	return false;
}

/*
 * A case about cgroup or task weights judges only a scheduler that claims
 * to honour them: one that does not is skipped, with the reason. Set
 * r->skip and return -1 to skip.
 */
static int gate_on_claims(struct run *r)
{
	const char *why_not;
	char why[256], ops[64];
	int has;

	if (!r->have_sched)
		return 0;
	if (r->eff.max_weight_error_pct && weighted_cgroups(r->t) >= 2) {
		has = sched_ops_flag(&r->maps_held, "SCX_OPS_HAS_CGROUP_WEIGHT",
				     why, sizeof(why));
		if (!has) {
			snprintf(r->skip, sizeof(r->skip),
				 "%s does not set SCX_OPS_HAS_CGROUP_WEIGHT: it does not claim cgroup cpu.weight support",
				 r->sched_path);
			return -1;
		}
		if (has < 0) {
			check_inconclusive(&r->res, "max_weight_error_pct: cannot tell whether the scheduler supports cgroup weights: %s",
					   why);
			r->eff.max_weight_error_pct = 0;
		}
	}
	if (r->eff.max_nice_error_pct && splits_nice(r->t)) {
		sched_attached_ops(ops, sizeof(ops));
		why_not = sched_profile_no_task_weights(ops);
		if (why_not) {
			snprintf(r->skip, sizeof(r->skip), "%s", why_not);
			return -1;
		}
	}
	return 0;
}

/* A case that ends before it starts: a result line, and its code. */
static int end_early(const struct ktstr_test *t, int ret, const char *why)
{
	if (ret == KTSTR_SKIP)
		snprintf(ktstr_skip_reason, sizeof(ktstr_skip_reason), "%s", why);
	else
		printf("# %s\n", why);
	result_emit(t, NULL, ret, KTSTR_STAGE_SETUP, why);
	return ret;
}

/*
 * What must hold before anything runs: a topology this machine has, and
 * the fixture's knobs when the case is a negative one. Returns a KTSTR_
 * code other than PASS to end the case early, with its reason in @why.
 */
static int preflight(struct run *r, char *why, size_t len)
{
	const struct ktstr_test *t = r->t;
	const char *topo = ktstr_env()->topo;
	const char *sched = ktstr_env()->sched;
	unsigned int have;

	if (!topo)
		topo = t->topo ? t->topo : KTSTR_DEFAULT_TOPO;
	if (topo_parse(topo, &r->topo, why, len))
		return KTSTR_FAIL;
	have = sysconf(_SC_NPROCESSORS_ONLN);
	if (have < topo_cpus(&r->topo)) {
		snprintf(why, len, "topology %s needs %u CPUs, this machine has %u",
			 topo, topo_cpus(&r->topo), have);
		return KTSTR_SKIP;
	}
	if (t->expect_err && t->sched && !strcmp(t->sched, "scx_ktstr") &&
	    sched && *sched) {
		snprintf(why, len, "needs the fixture's failure knobs, not %s",
			 sched);
		return KTSTR_SKIP;
	}
	/* the case's needs, then the scheduler's (ktstr run --sched-needs) */
	switch (needs_check(t->needs, why, len)) {
	case 1:
		return KTSTR_SKIP;
	case -1:
		return KTSTR_FAIL;
	}
	switch (needs_check(ktstr_env()->sched_needs, why, len)) {
	case 1:
		return KTSTR_SKIP;
	case -1:
		return KTSTR_FAIL;
	}
	return KTSTR_PASS;
}

/* thresholds for this run, and the harness onto the root's CPU */
/* the scheduler's design bounds over the case's tighter thresholds */
static void apply_floors(struct run *r, const char *ops)
{
	const char *floors = ops ? sched_profile_floors(ops) : NULL;
	struct ktstr_checks f = { 0 };
	char err[256];

	if (!floors)
		return;
	if (checks_parse(floors, &f, err, sizeof(err))) {
		check_fail(&r->res, "lib/sched_profiles.c floors: %s", err);
		return;
	}
	if (checks_floor(&f, r->time_scale, &r->eff))
		printf("# %s: design bounds %s (lib/sched_profiles.c): the case's tighter values are raised to them\n",
		       ops, floors);
}

static void prepare(struct run *r)
{
	struct ktstr_checks sched_over = { 0 };
	const char *args, *path = resolve_sched(r->t, &args);
	const char *env = ktstr_env()->sched_checks, *known = NULL;
	char err[256], ops[64], *over;

	cpus_usable(&r->topo, &r->usable);
	r->time_scale = measure_time_scale(&r->usable);
	/*
	 * The scheduler's overrides sit between the defaults and the test:
	 * what is known of it (sched_profiles.c), then --sched-checks.
	 */
	if (path) {
		sched_ops_name(path, ops, sizeof(ops));
		known = sched_profile_checks(ops);
		if (known)
			printf("# %s: known thresholds %s (lib/sched_profiles.c)\n",
			       ops, known);
	}
	if (asprintf(&over, "%s,%s", known ? known : "", env ? env : "") < 0)
		over = NULL;
	if (!over || checks_parse(over, &sched_over, err, sizeof(err)))
		check_fail(&r->res, "KTSTR_SCHED_CHECKS: %s",
			   over ? err : strerror(errno));
	free(over);
	checks_effective(&sched_over, &r->t->checks, r->time_scale, &r->eff);
	apply_floors(r, path ? ops : NULL);
	if (topo_cpus(&r->topo) > 2) {
		cpu_set_t set;

		CPU_ZERO(&set);
		CPU_SET(topo_cpus(&r->topo) - 1, &set);
		sched_setaffinity(0, sizeof(set), &set);
	}
	r->live = worker_live_alloc(MAX_WORKERS);
	r->start_ms = now_ms();
}

/* the declared programs, each in its cgroup, beside the workers */
static int start_payloads(struct run *r)
{
	const struct ktstr_test *t = r->t;
	int i, cg;

	for (i = 0; i < KTSTR_MAX_PAYLOADS && t->payloads[i].cmd; i++) {
		const struct ktstr_payload *p = &t->payloads[i];

		cg = p->cgroup ? cgroup_index(t, p->cgroup) : 0;
		if (cg < 0 || !r->cg_live[cg]) {
			check_fail(&r->res, "payload %s: cgroup '%s' is not a declared cgroup started with the case",
				   p->name, p->cgroup);
			return -1;
		}
		r->nr_payloads++;
		if (payload_start(&r->payloads[i], p, t->cgroups[cg].name)) {
			check_fail(&r->res, "%s", r->payloads[i].why);
			return -1;
		}
	}
	return 0;
}

/*
 * The case's time is up: each payload gets a grace period (its own
 * timeout is the case's duration; TCG stretches its start and its end)
 * and then its verdict and metrics.
 */
static void finish_payloads(struct run *r)
{
	long long deadline = now_ms() + 10000 * (r->time_scale > 1 ? r->time_scale : 1);
	int i;

	for (i = 0; i < r->nr_payloads; i++) {
		payload_finish(&r->payloads[i], deadline);
		payload_judge(&r->payloads[i], &r->res);
	}
}

/* scheduler, cgroups, monitor, the steps, then stop and judge */
static void run_workload(struct run *r)
{
	const struct ktstr_test *t = r->t;
	struct monitor_cfg mcfg;
	int i;

	r->stage = KTSTR_STAGE_ATTACH;
	if (start_sched(r) || gate_on_claims(r))
		return;
	r->stage = KTSTR_STAGE_WORKLOAD;
	for (i = 0; i < KTSTR_MAX_CGROUPS && t->cgroups[i].name; i++)
		if (!t->cgroups[i].deferred && start_cgroup(r, i))
			return;
	if (start_payloads(r))
		return;
	monitor_cfg_init(&mcfg, &r->eff, &r->usable);
	monitor_start(&r->mon, &mcfg);
	r->mon_started = true;
	run_steps(r);
	finish_payloads(r);
	timeline_cut(&r->tl, r->workers, r->nr_workers);
	/* before the scheduler stops: its programs' stats are wanted */
	monitor_stop(&r->mon);
	for (i = 0; i < KTSTR_MAX_CGROUPS && t->cgroups[i].name; i++)
		if (r->cg_live[i])
			stop_cgroup_workers(r, i);
	r->stage = KTSTR_STAGE_DONE;
	evaluate(r);
}

/* everything that runs stops, whatever happened */
static void clean_up(struct run *r)
{
	int i;

	for (i = 0; i < r->nr_workers; i++)
		worker_kill(&r->workers[i]);
	/* a payload the case never waited for: its whole group goes */
	for (i = 0; i < r->nr_payloads; i++)
		if (r->payloads[i].pid && r->payloads[i].out_fd >= 0) {
			kill(-r->payloads[i].pid, SIGKILL);
			waitpid(r->payloads[i].pid, NULL, 0);
		}
	if (r->mon_started && r->mon.running)
		monitor_stop(&r->mon);
	repro_stop(&r->repro);
	if (r->have_sched) {
		sched_alive(&r->sched, r->start_ms);
		sched_stop(&r->sched);
	}
	cg_teardown();
}

/* the scheduler's BPF maps on a failure, or why there are none */
static void capture_maps(struct run *r)
{
	/* the maps were held since attach: they outlive a crashed loader */
	if (r->res.verdict == VERDICT_FAIL && r->have_sched)
		r->maps = mapdump_capture(&r->maps_held, r->maps_why,
					  sizeof(r->maps_why));
	mapdump_release(&r->maps_held);
	if (!r->maps && !r->maps_why[0])
		snprintf(r->maps_why, sizeof(r->maps_why), "%s",
			 !r->sched_path ? "no sched_ext scheduler (EEVDF): no BPF state" :
			 "the scheduler never attached: no BPF state");
}

/* the report for people, the artifacts and the result for the host */
static int report(struct run *r)
{
	struct run_outcome o = {
		.t = r->t, .res = &r->res,
		.sched = r->sched_path ? &r->sched : NULL,
		.sched_path = r->sched_path,
		.sched_attached = r->have_sched,
		.workers = r->workers, .nr_workers = r->nr_workers,
		.time_scale = r->time_scale,
		.payloads = r->payloads, .nr_payloads = r->nr_payloads,
		.mon = r->mon_started ? &r->mon : NULL,
		.tl = &r->tl,
	};
	int ret;

	ret = run_report(&o);
	repro_print(&r->repro, stdout);
	artifacts_emit(&o, ret == KTSTR_FAIL, r->maps, r->maps_why);
	result_emit(r->t, &o, ret, r->stage, NULL);
	return ret;
}

int ktstr_run_test(const struct ktstr_test *decl)
{
	struct run *r = xcalloc(1, sizeof(*r));
	const struct ktstr_test *t;
	char why[512];
	int ret;

	/* `ktstr shrink`: a smaller version of the declaration */
	t = shrink_apply(decl, ktstr_env()->shrink, why, sizeof(why));
	if (!t) {
		free(r);
		return end_early(decl, KTSTR_FAIL, why);
	}
	if (t != decl)
		printf("# shrink: %s\n", ktstr_env()->shrink);
	r->t = t;
	ktstr_skip_reason[0] = '\0';
	check_init(&r->res);
	ret = preflight(r, why, sizeof(why));
	if (ret != KTSTR_PASS) {
		free(r);
		return end_early(t, ret, why);
	}
	prepare(r);
	if (cg_setup(t->name, &r->usable, why, sizeof(why))) {
		check_fail(&r->res, "%s", why);
		record_unchecked_failure(r);
		ret = report(r);
		free(r);
		return ret;
	}
	run_workload(r);
	clean_up(r);
	if (r->skip[0]) {
		mapdump_release(&r->maps_held);
		ret = end_early(t, KTSTR_SKIP, r->skip);
		free(r);
		return ret;
	}
	judge_sched_death(r);
	evaluate(r);
	record_unchecked_failure(r);
	capture_maps(r);
	ret = report(r);
	free(r->maps);
	free(r);
	return ret;
}
