// SPDX-License-Identifier: GPL-2.0
/*
 * The registry of declared tests and `--list`: the declarations as JSON,
 * without running anything, for the host runner and for jq.
 */
#include <stdio.h>
#include <string.h>

#include "defaults.h"
#include "checks.h"
#include "needs.h"
#include "protocol.h"
#include "json.h"
#include "ktstr.h"
#include "worker.h"

#define MAX_TESTS	256

static const struct ktstr_test *tests[MAX_TESTS];
static int nr_tests;

void ktstr_register(const struct ktstr_test *t)
{
	if (nr_tests < MAX_TESTS)
		tests[nr_tests++] = t;
}

const char *ktstr_op_name(enum ktstr_op_kind k)
{
	static const char *const names[] = {
		"none", "add_cgroup", "remove_cgroup", "set_cpuset",
		"clear_cpuset", "swap_cpusets", "move_all", "freeze",
		"unfreeze", "set_affinity",
	};

	return k <= OP_SET_AFFINITY ? names[k] : "?";
}

/*
 * The checks a case runs with: the library's defaults merged with the
 * case's own values (a scheduler's --sched-checks come on top at run time,
 * and timing thresholds are scaled by the slow-down measured there). 0
 * means the check is off.
 */
static void list_checks(struct json *j, const struct ktstr_checks *declared)
{
	struct ktstr_checks eff, *c = &eff;

	checks_effective(NULL, declared, 1.0, &eff);
	json_open(j, "checks", '{');
	json_bool(j, "not_starved", c->not_starved);
	json_bool(j, "isolation", c->isolation);
	json_num(j, "max_gap_ms", c->max_gap_ms);
	json_num(j, "max_spread_pct", c->max_spread_pct);
	json_num(j, "max_weight_error_pct", c->max_weight_error_pct);
	json_num(j, "max_nice_error_pct", c->max_nice_error_pct);
	json_num(j, "min_iteration_rate", c->min_iteration_rate);
	json_num(j, "max_throughput_cv", c->max_throughput_cv);
	json_num(j, "max_migration_ratio", c->max_migration_ratio);
	json_num(j, "max_p99_wake_latency_us", c->max_p99_wake_latency_us);
	json_num(j, "max_wake_latency_cv", c->max_wake_latency_cv);
	json_num(j, "max_imbalance_ratio", c->max_imbalance_ratio);
	json_num(j, "max_fallback_rate", c->max_fallback_rate);
	json_num(j, "max_keep_last_rate", c->max_keep_last_rate);
	json_int(j, "max_local_dsq_depth", c->max_local_dsq_depth);
	json_int(j, "sustained_samples", c->sustained_samples);
	json_bool(j, "rq_stall", !c->ignore_rq_stall);
	json_close(j, '}');
}

static void list_gauntlet(struct json *j, const struct ktstr_test *t)
{
	json_open(j, "gauntlet", '{');
	json_int(j, "min_llcs", t->gauntlet.min_llcs);
	json_int(j, "max_llcs", t->gauntlet.max_llcs);
	json_int(j, "min_cpus", t->gauntlet.min_cpus);
	json_int(j, "max_cpus", t->gauntlet.max_cpus);
	json_int(j, "min_nodes", t->gauntlet.min_nodes);
	json_int(j, "max_nodes", t->gauntlet.max_nodes);
	json_bool(j, "requires_smt", t->gauntlet.requires_smt);
	json_bool(j, "skip", t->gauntlet.skip);
	json_close(j, '}');
}

static void list_cgroups(struct json *j, const struct ktstr_test *t)
{
	int i;

	json_open(j, "cgroups", '[');
	for (i = 0; i < KTSTR_MAX_CGROUPS && t->cgroups[i].name; i++) {
		const struct ktstr_cgroup *cg = &t->cgroups[i];

		json_open(j, NULL, '{');
		json_str(j, "name", cg->name);
		json_str(j, "cpuset", cg->cpuset);
		json_int(j, "workers", cg->workers ? cg->workers :
			 KTSTR_DEFAULT_WORKERS);
		json_str(j, "work", work_name(cg->work));
		json_int(j, "policy", cg->policy);
		json_int(j, "nice", cg->nice);
		json_int(j, "nice_alt", cg->nice_alt);
		json_int(j, "weight", cg->weight ? cg->weight : 100);
		json_str(j, "affinity", cg->affinity);
		json_bool(j, "deferred", cg->deferred);
		json_close(j, '}');
	}
	json_close(j, ']');
}

static void list_payloads(struct json *j, const struct ktstr_test *t)
{
	int i;

	json_open(j, "payloads", '[');
	for (i = 0; i < KTSTR_MAX_PAYLOADS && t->payloads[i].cmd; i++) {
		const struct ktstr_payload *p = &t->payloads[i];
		char prog[128];

		json_open(j, NULL, '{');
		json_str(j, "name", p->name);
		json_str(j, "cgroup", p->cgroup);
		json_str(j, "cmd", p->cmd);
		/* the program the host carries into the guest */
		snprintf(prog, sizeof(prog), "%.*s", (int)strcspn(p->cmd, " "),
			 p->cmd);
		json_str(j, "program", prog);
		json_str(j, "package", p->package);
		json_close(j, '}');
	}
	json_close(j, ']');
}

static void list_steps(struct json *j, const struct ktstr_test *t)
{
	int i, o;

	json_open(j, "steps", '[');
	for (i = 0; i < KTSTR_MAX_STEPS && (t->steps[i].hold || t->steps[i].hold_ms); i++) {
		json_open(j, NULL, '{');
		json_str(j, "label", t->steps[i].label);
		json_num(j, "hold", t->steps[i].hold);
		json_int(j, "hold_ms", t->steps[i].hold_ms);
		json_open(j, "ops", '[');
		for (o = 0; o < KTSTR_MAX_OPS && t->steps[i].ops[o].kind; o++) {
			const struct ktstr_op *op = &t->steps[i].ops[o];

			json_open(j, NULL, '{');
			json_str(j, "op", ktstr_op_name(op->kind));
			json_str(j, "cgroup", op->cgroup);
			json_str(j, "other", op->other);
			json_str(j, "spec", op->spec);
			json_close(j, '}');
		}
		json_close(j, ']');
		json_close(j, '}');
	}
	json_close(j, ']');
}

static void list_one(struct json *j, const struct ktstr_test *t)
{
	json_open(j, NULL, '{');
	json_str(j, "name", t->name);
	json_str(j, "description", t->description);
	json_str(j, "topo", t->topo ? t->topo : KTSTR_DEFAULT_TOPO);
	json_str(j, "sched", t->sched ? t->sched : "eevdf");
	json_str(j, "sched_args", t->sched_args);
	json_int(j, "duration_ms", t->duration_ms ? t->duration_ms :
		 KTSTR_DEFAULT_DURATION_MS);
	json_int(j, "memory_mb", t->memory_mb ? t->memory_mb :
		 KTSTR_DEFAULT_MEMORY_MB);
	json_int(j, "watchdog_ms", t->watchdog_ms ? t->watchdog_ms :
		 KTSTR_DEFAULT_WATCHDOG_MS);
	json_str(j, "expect_err", t->expect_err);
	json_str(j, "needs", t->needs);
	json_bool(j, "auto_repro", !t->no_auto_repro);
	list_gauntlet(j, t);
	list_cgroups(j, t);
	list_payloads(j, t);
	list_steps(j, t);
	list_checks(j, &t->checks);
	json_close(j, '}');
}

/* one declaration per line inside the array, so line tools work too */
int ktstr_list_main(void)
{
	struct json j;
	int i;

	json_init(&j, stdout);
	json_open(&j, NULL, '[');
	for (i = 0; i < nr_tests; i++) {
		fputc('\n', stdout);
		list_one(&j, tests[i]);
	}
	fputc('\n', stdout);
	json_close(&j, ']');
	return 0;
}

/*
 * --needs: for `ktstr run --matrix`, whether each declared case runs on
 * this kernel or skips for a need it lacks, one line each:
 *	@@ktstr.needs {"name":N,"verdict":"runs"|"skips"|"error","why":W}
 */
int ktstr_needs_main(void)
{
	struct json j;
	char why[256];
	int i, r;

	for (i = 0; i < nr_tests; i++) {
		why[0] = '\0';
		r = tests[i]->needs ? needs_check(tests[i]->needs, why, sizeof(why)) : 0;
		fputs(KTSTR_ARTIFACT_PREFIX "needs ", stdout);
		json_init(&j, stdout);
		json_open(&j, NULL, '{');
		json_str(&j, "name", tests[i]->name);
		json_str(&j, "verdict", r == 0 ? "runs" : r > 0 ? "skips" : "error");
		json_str(&j, "why", why[0] ? why : NULL);
		json_close(&j, '}');
	}
	return 0;
}
