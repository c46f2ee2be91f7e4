// SPDX-License-Identifier: GPL-2.0
/*
 * The case's structured result: one line the host decides from
 * (protocol.h), so that no verdict depends on the wording of the report
 * meant for people.
 */
#include <stdio.h>

#include "artifacts.h"
#include "json.h"
#include "protocol.h"

static const char *result_name(int ret)
{
	return ret == KTSTR_PASS ? "pass" : ret == KTSTR_SKIP ? "skip" : "fail";
}

static void scheduler_part(struct json *j, const struct run_outcome *o)
{
	const struct sched *s = o->sched;
	int kind = s ? scx_exit_kind_of(s->exit_kind) : 0;

	json_open(j, "scheduler", '{');
	json_str(j, "path", o->sched_path ? o->sched_path : "eevdf");
	json_bool(j, "attached", o->sched_attached);
	json_bool(j, "died", s && s->died_at_s >= 0);
	json_num(j, "died_at_s", s ? s->died_at_s : -1);
	json_int(j, "exit_kind", kind);
	json_str(j, "exit_reason", s && s->exit_kind[0] ? s->exit_kind : NULL);
	json_str(j, "exit_msg", s && s->exit_msg[0] ? s->exit_msg : NULL);
	json_bool(j, "error_exit", kind >= SCX_EXIT_KIND_ERROR);
	json_close(j, '}');
}

void result_emit(const struct ktstr_test *t, const struct run_outcome *o,
		 int ret, enum ktstr_stage stage, const char *skip)
{
	struct json j;
	size_t len;
	char *buf;
	FILE *f = json_object_mem(&j, &buf, &len);
	int i;

	if (!f)
		return;
	json_int(&j, "schema", KTSTR_RESULT_SCHEMA);
	json_str(&j, "test", t->name);
	json_str(&j, "result", result_name(ret));
	json_str(&j, "verdict", o ? verdict_name(o->res->verdict) :
		 result_name(ret));
	json_str(&j, "expect_err", t->expect_err);
	json_bool(&j, "expected_caught", t->expect_err && ret == KTSTR_PASS);
	json_str(&j, "skip_reason", ret == KTSTR_SKIP ? skip : NULL);
	json_str(&j, "stage", ktstr_stage_name(stage));
	if (o)
		scheduler_part(&j, o);
	json_open(&j, "checks", '[');
	for (i = 0; o && i < o->res->nr_recs; i++) {
		const struct check_record *c = &o->res->recs[i];

		json_open(&j, NULL, '{');
		json_str(&j, "id", c->id);
		json_str(&j, "verdict", verdict_name(c->verdict));
		json_str(&j, "summary", c->summary);
		json_close(&j, '}');
	}
	json_close(&j, ']');
	json_close(&j, '}');
	json_mem_end(f, &buf, &len);
	artifact_line(KTSTR_ARTIFACT_RESULT, buf);
}
