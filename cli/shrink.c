// SPDX-License-Identifier: GPL-2.0
/*
 * ktstr shrink NAME [--runs N] [--budget SECS] [VM options]
 *
 * A failing case made as small as it can be while it still fails the
 * same way: first how often it fails (k of N fresh VMs, and which check),
 * then, greedily, each reduction of its declaration (a smaller topology,
 * a cgroup, step or op fewer, half the workers, half the duration) kept
 * when the smaller case still fails that check at least k times in N.
 * The guest applies the reductions (KTSTR_SHRINK, lib/shrink.c); the
 * result is printed as a KTSTR_TEST declaration with its k of N.
 */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json_read.h"
#include "cases.h"
#include "util.h"

#define MAX_CG		8
#define MAX_STEPS	8
#define MAX_OPS		8

/* the declaration as reduced so far, against the original's indexes */
struct shape {
	struct topo topo;
	unsigned int duration_ms;
	int nr_cg, nr_steps, nr_ops[MAX_STEPS];
	bool cg_alive[MAX_CG], step_alive[MAX_STEPS];
	bool op_alive[MAX_STEPS][MAX_OPS];
	unsigned int workers[MAX_CG];
};

struct shrink {
	struct run_opts o;
	struct test_case c;
	struct json_val *decl;
	bool kvm;
	unsigned int runs, need;	/* N, and k of them must fail */
	char check[64];			/* the check that must fail */
	double budget_s;
	long long start_ms;
	int tried, kept;
};

static int count_alive(const bool *alive, int n)
{
	int i, k = 0;

	for (i = 0; i < n; i++)
		k += alive[i];
	return k;
}

/* the reductions as KTSTR_SHRINK takes them (original indexes, from the end) */
static void shape_spec(const struct shape *s, const struct shape *orig,
		       char *buf, size_t len)
{
	size_t n = 0;
	int i, k;

#define ADD(...) (n += snprintf(buf + n, n < len ? len - n : 0, __VA_ARGS__))
	buf[0] = '\0';
	for (i = 0; i < s->nr_cg; i++)
		if (s->cg_alive[i] && s->workers[i] != orig->workers[i])
			ADD("workers=%d:%u;", i, s->workers[i]);
	for (i = s->nr_steps - 1; i >= 0; i--)
		for (k = s->nr_ops[i] - 1; s->step_alive[i] && k >= 0; k--)
			if (!s->op_alive[i][k])
				ADD("drop_op=%d.%d;", i, k);
	for (i = s->nr_steps - 1; i >= 0; i--)
		if (!s->step_alive[i])
			ADD("drop_step=%d;", i);
	for (i = s->nr_cg - 1; i >= 0; i--)
		if (!s->cg_alive[i])
			ADD("drop_cgroup=%d;", i);
	if (s->duration_ms != orig->duration_ms)
		ADD("duration_ms=%u;", s->duration_ms);
#undef ADD
	if (n && n < len)
		buf[n - 1] = '\0';
}

/* one fresh VM: did the target check (or any, with no target) fail? */
static bool one_run(struct shrink *sh, const struct shape *s,
		    const char *spec, char *failed, size_t len)
{
	char env_spec[1100], skip[256];
	char *env[] = { env_spec, NULL };
	const struct json_val *checks;
	struct vm_result res;
	bool hit = false;
	int i;

	snprintf(env_spec, sizeof(env_spec), "KTSTR_SHRINK=%s", spec);
	topo_format(&s->topo, sh->c.topo, sizeof(sh->c.topo));
	sh->c.out = fopen("/dev/null", "we");
	sh->c.result = NULL;
	run_case(&sh->o, &sh->c, NULL, sh->kvm, skip, sizeof(skip),
		 spec[0] ? env : NULL, &res);
	fclose(sh->c.out);
	failed[0] = '\0';
	checks = json_get(sh->c.result, "checks");
	for (i = 0; checks && checks->type == JSON_ARR && i < checks->nr; i++) {
		const char *id = json_get_str(&checks->kids[i], "id") ?: "";
		const char *v = json_get_str(&checks->kids[i], "verdict") ?: "";

		if (strcmp(v, "fail"))
			continue;
		if (!failed[0])
			snprintf(failed, len, "%s", id);
		if (sh->check[0] && !strcmp(id, sh->check))
			hit = true;
	}
	json_free(sh->c.result);
	sh->c.result = NULL;
	sh->tried++;
	return sh->check[0] ? hit : failed[0] != '\0';
}

static bool over_budget(const struct shrink *sh)
{
	return (now_ms() - sh->start_ms) / 1000.0 > sh->budget_s;
}

/* does @s still fail the check at least sh->need times in sh->runs? */
static bool still_fails(struct shrink *sh, const struct shape *s,
			const struct shape *orig, const char *what)
{
	char spec[1024], failed[64], topo[32];
	unsigned int r, hits = 0;

	shape_spec(s, orig, spec, sizeof(spec));
	topo_format(&s->topo, topo, sizeof(topo));
	for (r = 0; r < sh->runs && hits + (sh->runs - r) >= sh->need; r++) {
		if (vm_interrupted() || over_budget(sh))
			return false;
		hits += one_run(sh, s, spec, failed, sizeof(failed));
	}
	fprintf(stderr, "ktstr shrink: %-28s [%s%s%s]: %s %u of %u -> %s\n",
		what, topo, spec[0] ? " " : "", spec, sh->check, hits, r,
		hits >= sh->need ? "kept" : "not kept");
	return hits >= sh->need;
}

/* try each reduction once; true when one was kept */
static bool shrink_step(struct shrink *sh, struct shape *s,
			const struct shape *orig)
{
	struct shape t;
	char what[64];
	int i, k;

#define TRY(desc, ...) do {						\
	t = *s;								\
	__VA_ARGS__;							\
	if (still_fails(sh, &t, orig, desc)) {				\
		*s = t;							\
		sh->kept++;						\
		return true;						\
	}								\
	if (over_budget(sh) || vm_interrupted())			\
		return false;						\
} while (0)
	what[0] = '\0';
	if (s->topo.nodes > 1)
		TRY("one NUMA node", t.topo.llcs /= t.topo.nodes; t.topo.nodes = 1);
	if (s->topo.llcs > s->topo.nodes)
		TRY("one LLC fewer", t.topo.llcs--);
	if (s->topo.cores > 1)
		TRY("one core fewer per LLC", t.topo.cores--);
	if (s->topo.threads > 1)
		TRY("no SMT", t.topo.threads = 1);
	for (i = 0; i < s->nr_cg; i++)
		if (s->cg_alive[i] && count_alive(s->cg_alive, s->nr_cg) > 1) {
			snprintf(what, sizeof(what), "without cgroup %d", i);
			TRY(what, t.cg_alive[i] = false);
		}
	for (i = 0; i < s->nr_steps; i++)
		if (s->step_alive[i])
			TRY("a step fewer", t.step_alive[i] = false);
	for (i = 0; i < s->nr_steps; i++)
		for (k = 0; s->step_alive[i] && k < s->nr_ops[i]; k++)
			if (s->op_alive[i][k])
				TRY("an op fewer", t.op_alive[i][k] = false);
	for (i = 0; i < s->nr_cg; i++)
		if (s->cg_alive[i] && s->workers[i] > 1)
			TRY("half the workers", t.workers[i] /= 2);
	if (s->duration_ms >= 1000)
		TRY("half the duration", t.duration_ms /= 2);
#undef TRY
	return false;
}

static void upper(char *dst, size_t len, const char *prefix, const char *s)
{
	size_t n = snprintf(dst, len, "%s", prefix);

	for (; s && *s && n + 1 < len; s++)
		dst[n++] = toupper((unsigned char)*s);
	dst[n] = '\0';
}

static void print_str(const char *key, const char *v)
{
	if (v)
		printf("\t.%s = \"%s\",\n", key, v);
}

/* the reduced declaration, in the form a test file has it */
static void print_decl(const struct shrink *sh, const struct shape *s)
{
	const struct json_val *d = sh->decl, *cg = json_get(d, "cgroups");
	const struct json_val *st = json_get(d, "steps");
	char topo[32], up[64];
	double v;
	int i, k;

	topo_format(&s->topo, topo, sizeof(topo));
	printf("KTSTR_TEST(%s_shrunk,\n", sh->c.test);
	printf("\t.description = \"%s, shrunk: fails %s in %u of %u runs\",\n",
	       sh->c.test, sh->check, sh->need, sh->runs);
	printf("\t.topo = \"%s\",\n", topo);
	print_str("sched", strcmp(sh->c.sched, "eevdf") ? sh->c.sched : NULL);
	print_str("sched_args", json_get_str(d, "sched_args"));
	printf("\t.duration_ms = %u,\n\t.cgroups = {\n", s->duration_ms);
	for (i = 0; i < s->nr_cg; i++) {
		const struct json_val *c = &cg->kids[i];

		if (!s->cg_alive[i])
			continue;
		upper(up, sizeof(up), "WORK_", json_get_str(c, "work"));
		printf("\t\t{ .name = \"%s\", .workers = %u, .work = %s",
		       json_get_str(c, "name") ?: "?", s->workers[i], up);
		if (json_get_str(c, "cpuset"))
			printf(", .cpuset = \"%s\"", json_get_str(c, "cpuset"));
		printf(" },\n");
	}
	printf("\t},\n");
	if (count_alive(s->step_alive, s->nr_steps))
		printf("\t.steps = {\n");
	for (i = 0; i < s->nr_steps; i++) {
		const struct json_val *p = &st->kids[i], *ops = json_get(p, "ops");

		if (!s->step_alive[i])
			continue;
		printf("\t\t{ .label = \"%s\", ", json_get_str(p, "label") ?: "");
		if (json_get_num(p, "hold_ms", &v) && v > 0)
			printf(".hold_ms = %.0f, .ops = {", v);
		else if (json_get_num(p, "hold", &v))
			printf(".hold = %g, .ops = {", v);
		for (k = 0; k < s->nr_ops[i]; k++) {
			if (!s->op_alive[i][k])
				continue;
			upper(up, sizeof(up), "OP_",
			      json_get_str(&ops->kids[k], "op"));
			printf(" { %s, \"%s\" },", up,
			       json_get_str(&ops->kids[k], "cgroup") ?: "");
		}
		printf(" } },\n");
	}
	if (count_alive(s->step_alive, s->nr_steps))
		printf("\t},\n");
	if (json_get_num(json_get(d, "checks"), sh->check, &v) && v)
		printf("\t.checks = { .%s = %g },\n", sh->check, v);
	printf(")\n");
}

/* the shape of the declaration as --list has it */
static int shape_of(const struct shrink *sh, struct shape *s, char *err,
		    size_t len)
{
	const struct json_val *cg = json_get(sh->decl, "cgroups");
	const struct json_val *st = json_get(sh->decl, "steps");
	double v;
	int i, k;

	memset(s, 0, sizeof(*s));
	if (topo_parse(sh->c.topo, &s->topo, err, len))
		return -1;
	s->duration_ms = sh->c.duration_ms;
	if (!cg || cg->type != JSON_ARR || cg->nr > MAX_CG ||
	    !st || st->type != JSON_ARR || st->nr > MAX_STEPS)
		return set_err(err, len, "its cgroups or steps are not what --list should give");
	s->nr_cg = cg->nr;
	for (i = 0; i < cg->nr; i++) {
		s->cg_alive[i] = true;
		s->workers[i] = json_get_num(&cg->kids[i], "workers", &v) && v >= 1 ? v : 2;
	}
	s->nr_steps = st->nr;
	for (i = 0; i < st->nr; i++) {
		const struct json_val *ops = json_get(&st->kids[i], "ops");

		s->step_alive[i] = true;
		s->nr_ops[i] = ops && ops->type == JSON_ARR ?
			       (ops->nr < MAX_OPS ? ops->nr : MAX_OPS) : 0;
		for (k = 0; k < s->nr_ops[i]; k++)
			s->op_alive[i][k] = true;
	}
	return 0;
}

static int parse_shrink(int argc, char **argv, struct shrink *sh,
			const char **name)
{
	int i, r;

	vm_opts_init(&sh->o.vm);
	sh->runs = 3;
	sh->budget_s = 1200;
	for (i = 1; i < argc; i++) {
		if ((!strcmp(argv[i], "--runs") || !strcmp(argv[i], "--budget")) &&
		    i + 1 < argc) {
			char *end;
			double v;

			errno = 0;
			v = strtod(argv[i + 1], &end);
			if (errno || *end || !isfinite(v) || v < 1 ||
			    v > (argv[i][2] == 'r' ? 20 : 7 * 24 * 3600) ||
			    (argv[i][2] == 'r' && v != floor(v))) {
				fprintf(stderr, "ktstr shrink: %s '%s': %s\n", argv[i],
					argv[i + 1], argv[i][2] == 'r' ?
					"a whole number of runs from 1 to 20" :
					"seconds, at least 1");
				return -1;
			}
			if (argv[i][2] == 'r')
				sh->runs = v;
			else
				sh->budget_s = v;
			i++;
		} else if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
			printf("usage: ktstr shrink NAME [--runs N] [--budget SECS] [VM options]\n"
			       "  make the failing case NAME as small as it gets while it still fails the\n"
			       "  same check as often (k of N fresh VMs, N = --runs, default 3), within\n"
			       "  --budget seconds (default 1200); prints the smallest declaration\n");
			return 1;
		} else if (argv[i][0] != '-' && !*name) {
			*name = argv[i];
		} else {
			r = vm_opts_parse(&sh->o.vm, argc, argv, &i);
			if (r <= 0) {
				if (!r)
					fprintf(stderr, "ktstr shrink: unknown argument '%s'\n",
						argv[i]);
				return -1;
			}
		}
	}
	if (!*name) {
		fprintf(stderr, "ktstr shrink: name the failing case (ktstr run --list)\n");
		return -1;
	}
	return 0;
}

int cmd_shrink(int argc, char **argv)
{
	static struct test_case cases[MAX_CASES];
	static struct shrink sh;
	struct shape orig, cur;
	const char *name = NULL;
	char err[256], failed[64];
	unsigned int r, hits = 0;
	int n, i;

	r = parse_shrink(argc, argv, &sh, &name);
	if (r)
		return (int)r < 0 ? VM_EXIT_USAGE : 0;
	n = run_find_cases(cases);
	for (i = 0; i < n && strcmp(cases[i].name, name); i++)
		;
	if (n < 0 || i == n) {
		fprintf(stderr, "ktstr shrink: no case '%s' (ktstr run --list)\n", name);
		return VM_EXIT_USAGE;
	}
	sh.c = cases[i];
	sh.decl = json_parse(sh.c.json, err, sizeof(err));
	if (!sh.decl || shape_of(&sh, &orig, err, sizeof(err))) {
		fprintf(stderr, "ktstr shrink: %s: %s\n", name, err);
		return 1;
	}
	sh.kvm = sh.o.vm.accel == ACCEL_KVM ||
		 (sh.o.vm.accel == ACCEL_AUTO && vm_kvm_usable(err, sizeof(err)));
	sh.start_ms = now_ms();
	vm_catch_signals();
	/* how often, and which check: the first failing one of the first failure */
	for (r = 0; r < sh.runs && !vm_interrupted(); r++) {
		bool f = one_run(&sh, &orig, "", failed, sizeof(failed));

		if (f && !sh.check[0])
			snprintf(sh.check, sizeof(sh.check), "%s", failed);
		hits += f;
	}
	if (!hits) {
		fprintf(stderr, "ktstr shrink: %s did not fail in %u runs here: nothing to shrink\n",
			name, sh.runs);
		return 1;
	}
	/* the first run set the check: count it again against that check */
	sh.need = hits;
	fprintf(stderr, "ktstr shrink: %s fails %s in %u of %u runs; shrinking while it still does (budget %.0f s)\n",
		name, sh.check, sh.need, sh.runs, sh.budget_s);
	cur = orig;
	while (!over_budget(&sh) && !vm_interrupted() &&
	       shrink_step(&sh, &cur, &orig))
		;
	if (vm_interrupted())
		return 128 + vm_interrupted();
	printf("# %s: %d reductions kept of %d VMs run in %.0f s%s\n", name,
	       sh.kept, sh.tried, (now_ms() - sh.start_ms) / 1000.0,
	       over_budget(&sh) ? " (the budget ran out: it may shrink further)" : "");
	print_decl(&sh, &cur);
	json_free(sh.decl);
	return 0;
}
