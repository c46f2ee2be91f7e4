// SPDX-License-Identifier: GPL-2.0
/*
 * ktstr run [VM options] [--sched BIN [ARGS...] --] [-t FILTER]... [--list]
 *	     [--native]
 *
 * Runs every selected test case in its own VM with the case's declared
 * topology and memory, and prints one KTAP stream for the whole run. A
 * case's own '#' lines (the failure bundle) come before its result line.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <libgen.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>

#include "env.h"
#include "defaults.h"
#include "cases.h"
#include "budget.h"
#include "shard.h"
#include "channel.h"
#include "checks.h"
#include "ktap.h"
#include "json.h"
#include "known_issues.h"
#include "stats.h"
#include "svg.h"
#include "protocol.h"
#include "rundir.h"
#include "qmp.h"
#include "util.h"

static bool selected(const struct run_opts *o, const char *name)
{
	int i;

	if (!o->nr_filters)
		return true;
	/* "=name" matches exactly, anything else as a substring */
	for (i = 0; i < o->nr_filters; i++)
		if (o->filters[i][0] == '=' ? !strcmp(name, o->filters[i] + 1) :
		    !!strstr(name, o->filters[i]))
			return true;
	return false;
}

/*
 * A whole number from a declaration's JSON, in [@min, @max]: a negative
 * or absurd value is refused, not wrapped (atoi("-1") as a size is 4 TiB).
 */
static int json_uint(const char *bin, const struct json_val *d,
		     const char *key, unsigned long min, unsigned long max,
		     unsigned int *out)
{
	double v = -1;
	char num[32] = "missing";

	if (json_get_num(d, key, &v) && v == floor(v) && v >= min && v <= max) {
		*out = v;
		return 0;
	}
	if (json_get(d, key) && json_get(d, key)->type == JSON_NUM)
		snprintf(num, sizeof(num), "%.17g", v);
	else if (json_get(d, key))
		snprintf(num, sizeof(num), "not a number");
	fprintf(stderr, "ktstr run: %s --list: case '%s': %s '%s' is not a whole number from %lu to %lu\n",
		bin, json_get_str(d, "name") ?: "?", key, num, min, max);
	return -1;
}

static int gauntlet_limits(const char *bin, const struct json_val *d,
			   struct ktstr_gauntlet *g)
{
	static const unsigned int lim = 1 << 16;
	const struct json_val *gl = json_get(d, "gauntlet");

	if (!gl || gl->type != JSON_OBJ) {
		fprintf(stderr, "ktstr run: %s --list: case '%s': no gauntlet limits\n",
			bin, json_get_str(d, "name") ?: "?");
		return -1;
	}
	if (json_uint(bin, gl, "min_llcs", 0, lim, &g->min_llcs) ||
	    json_uint(bin, gl, "max_llcs", 0, lim, &g->max_llcs) ||
	    json_uint(bin, gl, "min_cpus", 0, lim, &g->min_cpus) ||
	    json_uint(bin, gl, "max_cpus", 0, lim, &g->max_cpus) ||
	    json_uint(bin, gl, "min_nodes", 0, lim, &g->min_nodes) ||
	    json_uint(bin, gl, "max_nodes", 0, lim, &g->max_nodes))
		return -1;
	g->requires_smt = json_get_bool(gl, "requires_smt", false);
	g->skip = json_get_bool(gl, "skip", false);
	return 0;
}

/* the longest a case may declare: a day, and the VM's memory cap */
#define MAX_DURATION_MS	(24 * 3600 * 1000UL)
#define MAX_MEMORY_MB	(1UL << 20)

/* a string member into @out; false when absent or too long */
static bool json_copy(const struct json_val *d, const char *key, char *out,
		      size_t len)
{
	const char *v = json_get_str(d, key);

	out[0] = '\0';
	if (!v || strlen(v) >= len)
		return false;
	snprintf(out, len, "%s", v);
	return true;
}

/* the programs its payloads run, which the host carries into the guest */
static int case_payloads(const char *bin, const struct json_val *d,
			 struct test_case *c)
{
	const struct json_val *pl = json_get(d, "payloads");
	int i;

	for (i = 0; pl && pl->type == JSON_ARR && i < pl->nr; i++) {
		if (c->nr_payloads == MAX_CASE_PAYLOADS ||
		    !json_copy(&pl->kids[i], "program",
			       c->payload_progs[c->nr_payloads],
			       sizeof(c->payload_progs[0]))) {
			fprintf(stderr, "ktstr run: %s --list: case '%s': payload %d has no program, or there are more than %d\n",
				bin, c->name, i + 1, MAX_CASE_PAYLOADS);
			return -1;
		}
		json_copy(&pl->kids[i], "package",
			  c->payload_pkgs[c->nr_payloads],
			  sizeof(c->payload_pkgs[0]));
		c->nr_payloads++;
	}
	return 0;
}

/* one line of --list: a case's declaration, read as JSON */
static int parse_case(const char *bin, const char *line, struct test_case *c)
{
	char err[160];
	struct json_val *d = json_parse(line, err, sizeof(err));
	int ret = -1;

	memset(c, 0, sizeof(*c));
	if (!d || d->type != JSON_OBJ) {
		fprintf(stderr, "ktstr run: %s --list: a declaration is not a JSON object: %s\n",
			bin, d ? "another value" : err);
		goto out;
	}
	/* name required; topo and sched as list.c writes them when absent */
	if (!json_copy(d, "name", c->name, sizeof(c->name)) || !c->name[0] ||
	    (!json_copy(d, "topo", c->topo, sizeof(c->topo)) &&
	     json_get_str(d, "topo")) ||
	    (!json_copy(d, "sched", c->sched, sizeof(c->sched)) &&
	     json_get_str(d, "sched"))) {
		fprintf(stderr, "ktstr run: %s --list: case '%s': its name, topo or sched is missing or too long\n",
			bin, json_get_str(d, "name") ?: "?");
		goto out;
	}
	snprintf(c->test, sizeof(c->test), "%s", c->name);
	if (!c->topo[0])
		snprintf(c->topo, sizeof(c->topo), KTSTR_DEFAULT_TOPO);
	if (!c->sched[0])
		snprintf(c->sched, sizeof(c->sched), "eevdf");
	if (gauntlet_limits(bin, d, &c->limits) ||
	    json_uint(bin, d, "duration_ms", 1, MAX_DURATION_MS,
		      &c->duration_ms) ||
	    json_uint(bin, d, "memory_mb", 1, MAX_MEMORY_MB, &c->memory_mb) ||
	    case_payloads(bin, d, c))
		goto out;
	c->auto_repro = json_get_bool(d, "auto_repro", true);
	c->json = xstrdup(line);
	snprintf(c->bin, sizeof(c->bin), "%s", bin);
	ret = 0;
out:
	json_free(d);
	return ret;
}

/*
 * Every case @bin declares (its --list, run without a shell), appended to
 * @cases from @n. Returns the new count, or -1 after a message.
 */
static int collect(const char *bin, struct test_case *cases, int n)
{
	char *argv[] = { (char *)bin, "--list", NULL }, *out, *line, *save;
	int rc;

	rc = run_argv_capture(argv, true, &out, NULL);
	if (rc) {
		fprintf(stderr, "ktstr run: '%s --list' %s %d\n", bin,
			rc < 0 ? "could not run:" : "exited with",
			rc < 0 ? errno : rc);
		free(out);
		return -1;
	}
	for (line = strtok_r(out, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		if (line[0] != '{' && line[0] != ',')
			continue;
		if (n == MAX_CASES) {
			fprintf(stderr, "ktstr run: more than %d cases declared\n",
				MAX_CASES);
			free(out);
			return -1;
		}
		if (parse_case(bin, line[0] == ',' ? line + 1 : line, &cases[n])) {
			free(out);
			return -1;
		}
		n++;
	}
	free(out);
	return n;
}

/* every declared case of every test binary, unfiltered */
int run_find_cases(struct test_case *cases)
{
	char dir[PATH_MAX], path[PATH_MAX * 2];
	struct dirent **ents;
	int i, k, n = 0;

	snprintf(dir, sizeof(dir), "%s/tests", ktstr_bin_dir);
	k = scandir(dir, &ents, NULL, alphasort);
	if (k < 0) {
		fprintf(stderr, "ktstr run: no test binaries in %s: build them with 'make'\n",
			dir);
		return -1;
	}
	for (i = 0; i < k; i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, ents[i]->d_name);
		if (n >= 0 && ents[i]->d_name[0] != '.' && !access(path, X_OK))
			n = collect(path, cases, n);
		free(ents[i]);
	}
	free(ents);
	return n;
}

int case_shell(const char *name, struct vm_opts *vo)
{
	static char *const sh[] = { "/bin/sh", "-l", NULL };
	static struct test_case cases[MAX_CASES];
	char fixture[PATH_MAX], bpftool[PATH_MAX], topo_env[64], err[256];
	const char *extra[4] = { NULL };
	char *env[2] = { topo_env, NULL };
	struct test_case *c = NULL;
	struct vm_result res;
	int i, n = run_find_cases(cases);

	for (i = 0; i < n && !c; i++)
		if (!strcmp(cases[i].test, name))
			c = &cases[i];
	if (!c) {
		fprintf(stderr, "ktstr shell --test: no case '%s' ('ktstr run --list | jq -r .[].name' names them)\n",
			name);
		return VM_EXIT_USAGE;
	}
	/* the case's shape, whatever --topo said */
	if (topo_parse(c->topo, &vo->topo, err, sizeof(err))) {
		fprintf(stderr, "ktstr shell --test %s: %s\n", name, err);
		return VM_EXIT_USAGE;
	}
	if (!vo->memory_mb)
		vo->memory_mb = c->memory_mb;
	snprintf(topo_env, sizeof(topo_env), "KTSTR_TOPO=%s", c->topo);
	snprintf(fixture, sizeof(fixture), "%s/scx_ktstr", ktstr_bin_dir);
	snprintf(bpftool, sizeof(bpftool), "%s/bpftool", ktstr_bin_dir);
	extra[0] = c->bin;
	extra[1] = fixture;
	if (!access(bpftool, X_OK))
		extra[2] = bpftool;
	fprintf(stderr, "ktstr: %s on %s with %u MiB, the engine and the fixture on PATH; run it with: %s -t %s\n",
		name, c->topo, vo->memory_mb, basename(c->bin), name);
	return boot_and_run(vo, sh, env, extra, true, 0, 0, &res);
}

/* the cases -t selects, moved to the front; returns their count */
static int select_cases(const struct run_opts *o, struct test_case *cases,
			int n)
{
	int i, out = 0;

	for (i = 0; i < n; i++) {
		if (!selected(o, cases[i].name)) {
			free(cases[i].json);
			continue;
		}
		if (i != out)
			cases[out] = cases[i];
		out++;
	}
	return out;
}

/* Levenshtein distance, case-sensitive, for "did you mean" */
static unsigned int edit_distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b), i, j;
	unsigned int *row, prev, cur, d;

	if (la > 256 || lb > 256)
		return 1000;
	row = xcalloc(lb + 1, sizeof(*row));
	for (j = 0; j <= lb; j++)
		row[j] = j;
	for (i = 1; i <= la; i++) {
		prev = row[0];
		row[0] = i;
		for (j = 1; j <= lb; j++) {
			cur = row[j];
			d = prev + (a[i - 1] != b[j - 1]);
			if (row[j] + 1 < d)
				d = row[j] + 1;
			if (row[j - 1] + 1 < d)
				d = row[j - 1] + 1;
			row[j] = d;
			prev = cur;
		}
	}
	d = row[lb];
	free(row);
	return d;
}

static bool filter_matches(const char *f, const char *name)
{
	return f[0] == '=' ? !strcmp(name, f + 1) : !!strstr(name, f);
}

/* @cand into the three closest so far, by distance to @want */
static void rank(const char *want, const char *cand, unsigned int *best,
		 char (*names)[256])
{
	unsigned int d = edit_distance(want, cand);
	int k;

	/* a name that holds the filter's start is close */
	if (strlen(want) >= 3 && d > 1 && !strncmp(cand, want, 3))
		d--;
	for (k = 0; k < 3 && d >= best[k]; k++)
		;
	if (k == 3)
		return;
	memmove(best + k + 1, best + k, (2 - k) * sizeof(best[0]));
	memmove(names + k + 1, names + k, (2 - k) * sizeof(names[0]));
	best[k] = d;
	snprintf(names[k], sizeof(names[k]), "%s", cand);
}

/*
 * A -t that selects nothing is a mistake, not an empty success: name it
 * and the closest declared names (gauntlet variants' too). Returns -1
 * when some filter is empty.
 */
static int check_filters(const struct run_opts *o,
			 const struct test_case *cases, int n)
{
	char name[256], close[3][256];
	int f, i, p, k, ret = 0;

	for (f = 0; f < o->nr_filters; f++) {
		const char *flt = o->filters[f], *want;
		unsigned int best[3] = { ~0u, ~0u, ~0u };
		bool hit = false;

		want = flt[0] == '=' ? flt + 1 : flt;
		for (i = 0; i < n && !hit; i++) {
			hit = filter_matches(flt, cases[i].name);
			for (p = 0; p < o->nr_presets && !hit; p++) {
				snprintf(name, sizeof(name), "gauntlet/%s/%s",
					 cases[i].name, o->presets[p]->name);
				hit = filter_matches(flt, name);
			}
		}
		if (hit)
			continue;
		ret = -1;
		for (i = 0; i < n; i++) {
			rank(want, cases[i].name, best, close);
			for (p = 0; p < o->nr_presets; p++) {
				snprintf(name, sizeof(name), "gauntlet/%s/%s",
					 cases[i].name, o->presets[p]->name);
				rank(want, name, best, close);
			}
		}
		fprintf(stderr, "ktstr run: -t '%s' matches no case", flt);
		for (k = 0; k < 3 && best[k] != ~0u; k++)
			fprintf(stderr, "%s%s", k ? ", " : "; closest: ",
				close[k]);
		fprintf(stderr, "\n");
	}
	if (ret)
		fprintf(stderr, "ktstr run: 'ktstr run --list | jq -r \".[].name\"' lists every case; '=NAME' matches a whole name, anything else a part\n");
	return ret;
}

/*
 * --gauntlet: each case once per preset its limits allow, named
 * gauntlet/<test>/<preset>; -t selects a variant by either name. The
 * presets a case refuses are said once, so a missing variant is explained.
 */
static int expand_gauntlet(const struct run_opts *o, struct test_case *cases,
			   int n)
{
	static struct test_case base[MAX_CASES];
	struct topo t;
	char why[128], err[128];
	int i, p, out = 0;

	memcpy(base, cases, n * sizeof(*base));
	for (i = 0; i < n; i++) {
		if (base[i].limits.skip) {
			if (selected(o, base[i].test) && o->nr_filters)
				fprintf(stderr, "ktstr: gauntlet: %s opts out of the gauntlet\n",
					base[i].test);
			continue;
		}
		for (p = 0; p < o->nr_presets; p++) {
			const struct gauntlet_preset *g = o->presets[p];
			struct test_case *v = &cases[out];
			char name[sizeof(v->name)];

			snprintf(name, sizeof(name), "gauntlet/%s/%s",
				 base[i].test, g->name);
			if (!selected(o, name) && !selected(o, base[i].test))
				continue;
			if (topo_parse(g->topo, &t, err, sizeof(err)))
				continue;
			if (!gauntlet_fits(&base[i].limits, &t, why, sizeof(why))) {
				fprintf(stderr, "ktstr: gauntlet: %s not on %s: %s\n",
					base[i].test, g->name, why);
				continue;
			}
			if (out == MAX_CASES) {
				fprintf(stderr, "ktstr: gauntlet: more than %d variants, the rest left out\n",
					MAX_CASES);
				return out;
			}
			*v = base[i];
			snprintf(v->name, sizeof(v->name), "%s", name);
			snprintf(v->preset, sizeof(v->preset), "%s", g->name);
			snprintf(v->topo, sizeof(v->topo), "%s", g->topo);
			out++;
		}
	}
	return out;
}

/*
 * The harness prints "#  RUN  global.name ...", the test's own lines,
 * "#  OK/FAIL  global.name" and "ok 1 global.name [# SKIP reason]". Keep
 * the test's lines and the result; drop the framing.
 */
/* What the case printed, kept for the bundle file in the run directory. */
static void append_report(struct test_case *c, const char *line)
{
	size_t n = strlen(line);
	char *p = realloc(c->report, c->report_len + n + 1);

	if (!p)
		return;
	memcpy(p + c->report_len, line, n + 1);
	c->report = p;
	c->report_len += n;
}

/* print a '#' line and keep it, without the "# ", for the bundle file */
static void keep_line(struct test_case *c, const char *line)
{
	fputs(line, c->out);
	append_report(c, line[1] == ' ' ? line + 2 : line + 1);
}

/* the guest's structured result: kept parsed for the verdict */
static void keep_result(struct test_case *c, const char *json)
{
	char err[128];

	json_free(c->result);
	c->result = json_parse(json, err, sizeof(err));
	if (!c->result)
		fprintf(c->out, "# %s: unreadable structured result (%s)\n",
			c->name, err);
}

/* a failed case's run-queue timeline as SVG, from its failure dump */
static void save_timeline(const struct rundir *rd, struct test_case *c,
			  const char *json)
{
	char err[128], title[256], path[4200];
	struct json_val *dump = json_parse(json, err, sizeof(err));
	char *text = NULL;
	size_t len = 0;
	FILE *f;
	int r;

	if (!dump)
		return;
	f = open_memstream(&text, &len);
	if (f) {
		snprintf(title, sizeof(title), "%s [%s %s]: run queues",
			 c->name, c->sched, c->topo);
		r = svg_timeline(f, title, dump);
		fclose(f);
		if (!r && !rundir_write_text(rd, c->name, c->hash,
					     "timeline.svg", text, path,
					     sizeof(path)))
			snprintf(c->timeline_path, sizeof(c->timeline_path),
				 "%s", path);
	}
	free(text);
	json_free(dump);
}

static void drop_registers(struct test_case *c)
{
	free(c->vcpu_regs);
	c->vcpu_regs = NULL;
	c->regs_when = c->regs_err = NULL;
}

/* the vCPUs' registers qemu gave, or why there are none, as dump fields */
static void registers_json(struct json *j, const struct test_case *c)
{
	if (c->vcpu_regs) {
		json_str(j, "vcpus_taken", c->regs_when);
		qmp_registers_json(j, "vcpus", c->vcpu_regs);
	} else if (c->regs_err && c->regs_err[0]) {
		json_str(j, "vcpus_unavailable", c->regs_err);
	}
}

/*
 * The guest's failure dump (one JSON object) with the registers added
 * at its end; NULL when there is nothing to add or it is not an object.
 */
static char *dump_with_registers(const char *dump, const struct test_case *c)
{
	size_t len = strlen(dump), blen;
	char *out = NULL, *add;
	struct json j;
	FILE *f;

	while (len && (dump[len - 1] == ' ' || dump[len - 1] == '\n'))
		len--;
	if ((!c->vcpu_regs && !(c->regs_err && c->regs_err[0])) || len < 2 ||
	    dump[0] != '{' || dump[len - 1] != '}')
		return NULL;
	f = json_object_mem(&j, &add, &blen);
	if (!f)
		return NULL;
	registers_json(&j, c);
	json_close(&j, '}');
	json_mem_end(f, &add, &blen);
	/* "{...}" + "{"vcpus":...}": the first's "}" and the second's "{" go */
	if (blen > 2 && asprintf(&out, "%.*s%s%s", (int)(len - 1), dump,
				 len > 2 ? "," : "", add + 1) < 0)
		out = NULL;
	free(add);
	return out;
}

/*
 * An "@@ktstr.<kind> <json>" line: into the run directory, for the kinds
 * protocol.h names only (the kind becomes part of a file name).
 */
static void save_artifact(const struct rundir *rd, struct test_case *c,
			  char *line)
{
	char *kind = line + strlen(KTSTR_ARTIFACT_PREFIX), *json;
	char path[4200], *with_regs = NULL;

	json = strchr(kind, ' ');
	if (!json)
		return;
	*json++ = '\0';
	json[strcspn(json, "\n")] = '\0';
	if (!strcmp(kind, KTSTR_ARTIFACT_RESULT))
		keep_result(c, json);
	else if (strcmp(kind, KTSTR_ARTIFACT_STATS) &&
		 strcmp(kind, KTSTR_ARTIFACT_FAILURE_DUMP))
		return;
	if (!rd)
		return;
	/* the rerun's own dump sits beside the first one's */
	if (c->repro) {
		if (strcmp(kind, KTSTR_ARTIFACT_FAILURE_DUMP))
			return;
		kind = "repro.failure-dump";
	}
	/* the failure dumps (the first VM's and the rerun's) only */
	if (strstr(kind, KTSTR_ARTIFACT_FAILURE_DUMP))
		with_regs = dump_with_registers(json, c);
	if (rundir_write(rd, c->name, c->hash, kind, with_regs ?: json, path,
			 sizeof(path))) {
		printf("# cannot write %s: %s\n", path, strerror(errno));
		free(with_regs);
		return;
	}
	free(with_regs);
	if (!strcmp(kind, KTSTR_ARTIFACT_STATS)) {
		snprintf(c->stats_path, sizeof(c->stats_path), "%s", path);
	} else if (strcmp(kind, KTSTR_ARTIFACT_RESULT)) {
		snprintf(c->dump_path, sizeof(c->dump_path), "%s", path);
		if (!c->repro)
			save_timeline(rd, c, json);
	}
}

/*
 * "case.check" of a check record, for the known-issues file. A check
 * measured while the scheduler died of a known issue listed with its
 * evidence (a stall, a runtime error: the kernel's own exit) measured
 * that death too (a 30 s stall starves someone): it is that known issue,
 * not a finding of its own (*@across, when not NULL, says so). An entry
 * without evidence excuses its own check only.
 */
static const struct known_issue *known_for(const struct test_case *c,
					   const struct json_val *check,
					   bool *across)
{
	const struct json_val *sched = json_get(c->result, "scheduler");
	const char *reason = json_get_str(sched, "exit_reason");
	const char *id = json_get_str(check, "id") ?: "?";
	const struct known_issue *ki;
	char exit[512];

	if (reason)
		snprintf(exit, sizeof(exit), "%s: %s", reason,
			 json_get_str(sched, "exit_msg") ?: "");
	if (across)
		*across = false;
	ki = known_issue_find(c->test, id, reason ? exit : NULL);
	if (ki || !reason || !strcmp(id, "scheduler") ||
	    !json_get_bool(sched, "died", false))
		return ki;
	ki = known_issue_find(c->test, "scheduler", exit);
	if (!ki || !strchr(ki->id, '@'))
		return NULL;
	if (across)
		*across = true;
	return ki;
}

/*
 * A failed case whose failing checks are all known issues counts as
 * passed (its other checks passed); the known ones print as expected
 * failures (check_subtests()).
 */
static bool only_known_failures(struct test_case *c)
{
	const struct json_val *checks = json_get(c->result, "checks");
	int i, known = 0;

	if (!checks || checks->type != JSON_ARR)
		return false;
	for (i = 0; i < checks->nr; i++) {
		const char *v = json_get_str(&checks->kids[i], "verdict");

		if (!v || strcmp(v, "fail"))
			continue;
		if (!known_for(c, &checks->kids[i], NULL))
			return false;
		known++;
	}
	if (known)
		fprintf(c->out, "# %s: every failing check is a known issue (%d): the case counts as passed\n",
			c->name, known);
	return known > 0;
}

/*
 * The case's outcome from its structured result alone (protocol.h): 0
 * pass, 1 fail, KSFT_SKIP with @skip filled, -1 when there is no result to
 * read. The test binary's own "ok"/"not ok" (@harness) can only make a
 * pass a failure, never the other way round.
 */
/*
 * -t case.check: the case's status is that check's. A check the case
 * did not evaluate is a failure: a missing result is never a pass.
 */
static int one_check_outcome(struct test_case *c, char *skip, size_t len)
{
	const struct json_val *checks = json_get(c->result, "checks");
	int i;

	for (i = 0; checks && checks->type == JSON_ARR && i < checks->nr; i++) {
		const struct json_val *k = &checks->kids[i];
		const char *v = json_get_str(k, "verdict") ?: "fail";

		if (strcmp(json_get_str(k, "id") ?: "", c->only_check))
			continue;
		if (!strcmp(v, "pass"))
			return 0;
		if (!strcmp(v, "fail"))
			return known_for(c, k, NULL) ? 0 : 1;
		snprintf(skip, len, "%s.%s %s: %s", c->test, c->only_check, v,
			 json_get_str(k, "summary") ?: "");
		return KSFT_SKIP;
	}
	fprintf(c->out, "# %s: no check '%s' in its result\n", c->name,
		c->only_check);
	return 1;
}

static int case_outcome(struct test_case *c, int harness, char *skip,
			size_t len)
{
	const char *result = json_get_str(c->result, "result");
	const char *test = json_get_str(c->result, "test");
	double schema = 0;

	if (!c->result)
		return -1;
	json_get_num(c->result, "schema", &schema);
	if (schema != KTSTR_RESULT_SCHEMA || !result || !test ||
	    strcmp(test, c->test)) {
		fprintf(c->out, "# %s: the structured result is not one for this case (schema %g, test '%s')\n",
			c->name, schema, test ? test : "?");
		return -1;
	}
	if (!strcmp(result, "skip")) {
		snprintf(skip, len, "%s",
			 json_get_str(c->result, "skip_reason") ?: "skipped");
		return KSFT_SKIP;
	}
	if (!strcmp(result, "pass")) {
		if (harness == 0)
			return c->only_check[0] ? one_check_outcome(c, skip, len) : 0;
		fprintf(c->out, "# %s: the result says pass, but the test binary reported %s\n",
			c->name, harness < 0 ? "no result" : "a failure");
		return 1;
	}
	if (c->only_check[0])
		return one_check_outcome(c, skip, len);
	return only_known_failures(c) ? 0 : 1;
}

/*
 * The harness prints "#  RUN  global.name ...", the test's own lines,
 * "#  OK/FAIL  global.name" and "ok 1 global.name [# SKIP reason]". Keep
 * the test's lines and the result; drop the framing; artifacts go to
 * the run directory.
 */
static int relay_case_output(const char *path, const struct rundir *rd,
			     struct test_case *c, char *skip, size_t len)
{
	static char line[1 << 20];
	int result = -1;
	bool in = false;
	FILE *f = fopen(path, "r");

	skip[0] = '\0';
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		if (str_starts_with(line, KTSTR_ARTIFACT_PREFIX)) {
			save_artifact(rd, c, line);
			continue;
		}
		if (strstr(line, "#  RUN ")) {
			in = true;
			continue;
		}
		if (str_starts_with(line, "ok ") || str_starts_with(line, "not ok ")) {
			result = line[0] == 'o' ? 0 : 1;
			if (strstr(line, "# SKIP"))
				result = KSFT_SKIP;
			in = false;
			continue;
		}
		if (!in || strstr(line, "#            OK ") ||
		    strstr(line, "#          FAIL ") ||
		    strstr(line, "#          SKIP "))
			continue;
		if (line[0] == '#') {
			keep_line(c, line);
		} else {
			fprintf(c->out, "# %s", line);
			append_report(c, line);
		}
	}
	fclose(f);
	return case_outcome(c, result, skip, len);
}

/* the test's stderr (harness assertions, library warnings) as '#' lines */
static void relay_stderr(const char *path, struct test_case *c)
{
	char line[4096];
	FILE *f = fopen(path, "r");

	while (f && fgets(line, sizeof(line), f)) {
		if (line[0] == '#') {
			keep_line(c, line);
		} else if (line[0] != '\n') {
			fprintf(c->out, "# %s", line);
			append_report(c, line);
		}
	}
	if (f)
		fclose(f);
}

/* how far the guest got, in the ktstr manual's words */
static const char *vm_stage(const struct vm_result *res)
{
	if (res->exit_code == VM_EXIT_QEMU || res->exit_code == VM_EXIT_BAD_KERNEL ||
	    res->exit_code == VM_EXIT_USAGE)
		return "the VM never started (see the reason above)";
	if (!res->init_started)
		return "init script never started (kernel or mount failure)";
	if (!res->command_ran)
		return "init started but payload never ran (cgroup/scheduler setup failed)";
	return "payload started but produced no test result";
}

/*
 * The last @n lines of the guest's console, as '#' lines: what a person
 * needs first when a VM died. Bounded, and bytes that are not printable
 * are shown as '?'.
 */
static void console_tail(struct test_case *c, const char *path, int n)
{
	size_t len = 0, i, start;
	char *text = read_file(path, &len);
	int lines = 0;

	if (!text)
		return;
	fprintf(c->out, "# last %d console lines:\n", n);
	for (start = len; start > 0; start--)
		if (text[start - 1] == '\n' && ++lines > n)
			break;
	fputs("# ", c->out);
	for (i = start; i < len; i++) {
		unsigned char ch = text[i];

		if (ch == '\n') {
			fputs(i + 1 < len ? "\n# " : "\n", c->out);
			continue;
		}
		if (ch == '\r')
			continue;
		fputc(ch == '\t' || (ch >= 0x20 && ch < 0x7f) ? ch : '?',
		      c->out);
	}
	if (len && text[len - 1] != '\n')
		fputc('\n', c->out);
	free(text);
}

/*
 * A VM that died, hung or gave no result leaves no dump of its own: the
 * manual's placeholder says at which stage it stopped.
 */
static void placeholder_dump(const struct rundir *rd, struct test_case *c,
			     const struct vm_result *res)
{
	const char *stage = vm_stage(res);
	char *json, path[4200], why[512];
	struct json j;
	size_t len;
	FILE *f;

	if (!rd || c->repro || c->dump_path[0])
		return;
	f = json_object_mem(&j, &json, &len);
	if (!f)
		return;
	json_str(&j, "test", c->name);
	json_str(&j, "schema", "single");
	json_open(&j, "maps", '[');
	json_close(&j, ']');
	snprintf(why, sizeof(why),
		 "test failed at stage `%s`; no BPF state captured (the guest gave no result)",
		 stage);
	json_str(&j, "sdt_alloc_unavailable", why);
	json_str(&j, "stage", stage);
	json_bool(&j, "is_placeholder", true);
	/* ours, after the manual's fields: how the launcher ended the VM */
	json_open(&j, "launcher", '{');
	json_int(&j, "exit_code", res->exit_code);
	json_str(&j, "kind", vm_exit_kind(res->exit_code));
	json_str(&j, "reason", res->reason);
	json_close(&j, '}');
	registers_json(&j, c);
	json_close(&j, '}');
	json_mem_end(f, &json, &len);
	if (!rundir_write(rd, c->name, c->hash, KTSTR_ARTIFACT_FAILURE_DUMP,
			  json, path, sizeof(path)))
		snprintf(c->dump_path, sizeof(c->dump_path), "%s", path);
	free(json);
}

/*
 * A case's stdout and stderr, apart (a long artifact line stays whole),
 * in $TMPDIR: both made, or neither (errno set).
 */
static int case_tmpfiles(char out[PATH_MAX], char errf[PATH_MAX], int *fd,
			 int *efd)
{
	int err;

	tmp_template(out, PATH_MAX, PATH_MAX, "ktstr-case");
	tmp_template(errf, PATH_MAX, PATH_MAX, "ktstr-case");
	*fd = mkostemp(out, O_CLOEXEC);
	*efd = *fd < 0 ? -1 : mkostemp(errf, O_CLOEXEC);
	if (*efd >= 0)
		return 0;
	err = errno;
	if (*fd >= 0) {
		close(*fd);
		unlink(out);
	}
	errno = err;
	return -1;
}

/* the host's variables the guest's test sees too */
static const char *const forwarded[] = {
	"KTSTR_ATTACH_RETRIES", "KTSTR_TIME_SCALE", "KTSTR_VERBOSE",
	"KTSTR_SCHED_CHECKS", "KTSTR_REPRO_FUNCS", "KTSTR_REPRO_CALLBACKS",
	"KTSTR_PIN_SCX_HELPER", "KTSTR_SCHED_NEEDS", "KTSTR_LOG",
};

/* @name's value unset, empty (when @empty_ok) or a number in range */
static int check_env_number(const char *name, bool integer, double min,
			    double max, bool empty_ok)
{
	const char *v = getenv(name);
	char *end;
	double d;

	if (!v || (empty_ok && !*v))
		return 0;
	errno = 0;
	d = integer ? (double)strtol(v, &end, 10) : strtod(v, &end);
	if (!errno && end != v && !*end && isfinite(d) && d >= min && d <= max)
		return 0;
	fprintf(stderr, "ktstr run: %s='%s' is not a %s from %g to %g\n", name, v,
		integer ? "whole number" : "number", min, max);
	return -1;
}

/*
 * Before any boot: a forwarded variable the guest would get cut in two,
 * or a number the guest would read with atoi/atof (junk as 0, nan).
 */
static int check_forwarded(void)
{
	size_t i, n;

	for (i = 0; i < ARRAY_SIZE(forwarded); i++) {
		if (!getenv(forwarded[i]))
			continue;
		n = strlen(forwarded[i]) + 1 + strlen(getenv(forwarded[i]));
		if (n > CHANNEL_MAX_PAYLOAD) {
			fprintf(stderr, "ktstr run: %s is %zu bytes; the guest takes at most %d per variable\n",
				forwarded[i], n, CHANNEL_MAX_PAYLOAD);
			return -1;
		}
	}
	return check_env_number("KTSTR_ATTACH_RETRIES", true, 0, 100, false) ||
	       check_env_number("KTSTR_TIME_SCALE", false, 0, 1000, false) ||
	       check_env_number("KTSTR_PIN_SCX_HELPER", true, 0, 4095, true) ?
	       -1 : 0;
}

/* @prog as execvp would find it here: with a '/', as is; else on PATH */
static bool find_on_path(const char *prog, char *out, size_t len)
{
	const char *path = getenv("PATH") ?: "/usr/bin:/bin";
	char *copy, *dir, *save;
	struct stat st;
	bool found = false;

	if (strchr(prog, '/')) {
		snprintf(out, len, "%s", prog);
		return !stat(out, &st) && S_ISREG(st.st_mode) && !access(out, X_OK);
	}
	copy = xstrdup(path);
	for (dir = strtok_r(copy, ":", &save); dir && !found;
	     dir = strtok_r(NULL, ":", &save)) {
		snprintf(out, len, "%s/%s", dir, prog);
		found = !stat(out, &st) && S_ISREG(st.st_mode) &&
			!access(out, X_OK);
	}
	free(copy);
	return found;
}

/* what a case's guest gets: its environment and the files carried in */
struct case_guest {
	char *env[ARRAY_SIZE(forwarded) + 9];
	const char *extra[5 + MAX_CASE_PAYLOADS];
	char accel[32], sched[300], topo[48], variant[192];
	char fixture[PATH_MAX], bpftool[PATH_MAX];
	char progs[MAX_CASE_PAYLOADS][PATH_MAX];
};

/* the binaries: the case's, the fixture, bpftool, --sched's, payloads */
static int case_files(const struct run_opts *o, const struct test_case *c,
		      struct case_guest *g, char *skip, size_t len)
{
	int n, i;

	g->extra[0] = c->bin;
	snprintf(g->fixture, sizeof(g->fixture), "%s/scx_ktstr", ktstr_bin_dir);
	g->extra[1] = g->fixture;
	if (o->sched)
		g->extra[2] = o->sched;
	/* bpftool dumps a failing scheduler's maps in the guest */
	snprintf(g->bpftool, sizeof(g->bpftool), "%s/bpftool", ktstr_bin_dir);
	if (!access(g->bpftool, X_OK))
		g->extra[o->sched ? 3 : 2] = g->bpftool;
	/* payload programs (and their libraries) go into /bin of the guest */
	for (n = 0; g->extra[n]; n++)
		;
	for (i = 0; i < c->nr_payloads; i++) {
		if (!find_on_path(c->payload_progs[i], g->progs[i],
				  sizeof(g->progs[i]))) {
			snprintf(skip, len, "payload program '%s' is not on this host's PATH%s%s%s",
				 c->payload_progs[i],
				 c->payload_pkgs[i][0] ? " (apt-get install " : "",
				 c->payload_pkgs[i], c->payload_pkgs[i][0] ? ")" : "");
			return KSFT_SKIP;
		}
		g->extra[n++] = g->progs[i];
	}
	return 0;
}

/* the guest's environment: the case's shape, --sched, forwarded, extra */
static int case_env(const struct run_opts *o, struct test_case *c, bool kvm,
		    char *const *env_extra, struct case_guest *g)
{
	/* whole: boot_and_run refuses what the guest would not take */
	static char *fwd[ARRAY_SIZE(forwarded)];
	int n = 0;
	size_t i;

	snprintf(g->accel, sizeof(g->accel), "KTSTR_ACCEL=%s",
		 kvm ? "kvm" : "tcg");
	g->env[n++] = g->accel;
	/* the guest runs the declaration on the VM's shape, a preset's too */
	snprintf(g->topo, sizeof(g->topo), "KTSTR_TOPO=%s", c->topo);
	g->env[n++] = g->topo;
	if (c->variant[0] || c->preset[0]) {
		snprintf(g->variant, sizeof(g->variant), "KTSTR_VARIANT=%s",
			 c->variant[0] ? c->variant : c->name);
		g->env[n++] = g->variant;
	}
	if (o->sched) {
		snprintf(g->sched, sizeof(g->sched), "KTSTR_SCHED=%s",
			 strrchr(o->sched, '/') ? strrchr(o->sched, '/') + 1 : o->sched);
		g->env[n++] = g->sched;
		g->env[n++] = o->sched_args_env;
	}
	for (i = 0; i < ARRAY_SIZE(forwarded); i++) {
		if (!getenv(forwarded[i]))
			continue;
		free(fwd[i]);
		fwd[i] = xmalloc(strlen(forwarded[i]) +
				 strlen(getenv(forwarded[i])) + 2);
		sprintf(fwd[i], "%s=%s", forwarded[i], getenv(forwarded[i]));
		g->env[n++] = fwd[i];
	}
	for (i = 0; env_extra && env_extra[i]; i++) {
		if (n == ARRAY_SIZE(g->env) - 1) {
			fprintf(c->out, "# %s: more than %zu environment variables for the guest\n",
				c->name, ARRAY_SIZE(g->env) - 1);
			return 1;
		}
		g->env[n++] = env_extra[i];
	}
	return 0;
}

/* the VM for @c: its shape, memory and deadline */
static int case_vm(const struct run_opts *o, struct test_case *c, bool kvm,
		   struct vm_opts *vo, char *skip, size_t len)
{
	char err[256];

	*vo = o->vm;
	if (c->kernel)
		vo->kernel = c->kernel;
	if (topo_parse(c->topo, &vo->topo, err, sizeof(err))) {
		fprintf(c->out, "# %s: %s\n", c->name, err);
		return 1;
	}
	/* a shape this machine cannot boot is a skip, not a failure */
	if (!vm_topo_bootable(&vo->topo, kvm, err, sizeof(err))) {
		snprintf(skip, len, "topology %s needs KVM: it %s", c->topo, err);
		return KSFT_SKIP;
	}
	if (!vo->memory_mb)
		vo->memory_mb = c->memory_mb;
	/* KTSTR_VERBOSE=1: loglevel=7, and the guest adds diagnostics */
	if (ktstr_env()->verbose)
		vo->verbose = true;
	if (!vo->timeout_s)
		vo->timeout_s = c->duration_ms / 1000 * 3 + 60;
	return 0;
}

/*
 * After the VM: an interrupted run ends here; a VM that died, hung or
 * gave no result gets the manual's diagnostics and a placeholder dump.
 */
static int case_end(struct test_case *c, const struct rundir *rd,
		    const struct vm_result *res, int rc)
{
	if (vm_interrupted()) {
		fprintf(c->out, "# ktstr_test '%s' [topo=%s]: interrupted by %s: the VM was stopped, the run ends here\n",
			c->name, c->topo, run_signame(vm_interrupted()));
		return RUN_INTERRUPTED;
	}
	if (res->exit_code < VM_EXIT_USAGE && rc >= 0)
		return rc;
	fprintf(c->out, "# ktstr_test '%s' [topo=%s]: %s\n", c->name, c->topo,
		res->reason[0] ? res->reason : "the guest gave no test result");
	fprintf(c->out, "# --- diagnostics ---\n# stage: %s\n# exit_code=%d\n# console log: %s\n",
		vm_stage(res), res->exit_code, res->console_log);
	console_tail(c, res->console_log, ktstr_env()->verbose ? 100000 : 20);
	placeholder_dump(rd, c, res);
	return 1;
}

int run_case(const struct run_opts *o, struct test_case *c,
	     const struct rundir *rd, bool kvm, char *skip, size_t len,
	     char *const *env_extra, struct vm_result *res_out)
{
	char out[PATH_MAX], errf[PATH_MAX], name_arg[160];
	char *argv[4] = { basename((char *)c->bin), "-t", name_arg, NULL };
	struct case_guest *g = xcalloc(1, sizeof(*g));
	struct vm_result res;
	struct vm_opts vo;
	int fd, efd, rc;

	snprintf(name_arg, sizeof(name_arg), "%s", c->test);
	rc = case_files(o, c, g, skip, len);
	if (!rc)
		rc = case_env(o, c, kvm, env_extra, g);
	if (!rc)
		rc = case_vm(o, c, kvm, &vo, skip, len);
	if (!rc && case_tmpfiles(out, errf, &fd, &efd)) {
		fprintf(c->out, "# %s: cannot make a temporary file: %s\n",
			c->name, strerror(errno));
		rc = 1;
	}
	if (rc) {
		free(g);
		return rc;
	}
	fflush(stdout);
	boot_and_run(&vo, argv, g->env, g->extra, false, fd, efd, &res);
	free(g);
	/* the registers are the case's until its dump is written */
	c->vcpu_regs = res.vcpu_regs;
	c->regs_when = res.regs_when;
	c->regs_err = res.regs_err;
	res.vcpu_regs = NULL;
	if (res_out)
		*res_out = res;
	close(fd);
	close(efd);
	rc = relay_case_output(out, rd, c, skip, len);
	relay_stderr(errf, c);
	unlink(out);
	unlink(errf);
	rc = case_end(c, rd, &res, rc);
	drop_registers(c);
	return rc;
}

/* kill every child of ours (their groups too); true if there was one */
static bool kill_children(void)
{
	char path[64], *stat, *p;
	struct dirent *de;
	bool any = false;
	DIR *d = opendir("/proc");
	long pid, ppid;

	while (d && (de = readdir(d))) {
		pid = strtol(de->d_name, &p, 10);
		if (*p || pid <= 0)
			continue;
		snprintf(path, sizeof(path), "/proc/%ld/stat", pid);
		stat = read_file(path, NULL);
		/* "pid (comm) state ppid ...": comm may hold anything */
		p = stat ? strrchr(stat, ')') : NULL;
		if (p && sscanf(p + 1, " %*c %ld", &ppid) == 1 &&
		    ppid == getpid()) {
			kill(-pid, SIGKILL);
			kill(pid, SIGKILL);
			any = true;
		}
		free(stat);
	}
	if (d)
		closedir(d);
	return any;
}

/*
 * After a native case: whatever it left running (workers fork into their
 * own process groups, a scheduler into its own) was reparented to us, the
 * subreaper: kill each such child's group and the child, and reap them.
 */
static void kill_leftovers(void)
{
	int round;

	for (round = 0; round < 10; round++) {
		bool any = kill_children();

		while (waitpid(-1, NULL, WNOHANG) > 0)
			;
		if (!any)
			break;
		usleep(20000);
	}
}

/*
 * A case in this kernel: the test binary with an argv (no shell), in its
 * own process group, killed if we die (PR_SET_PDEATHSIG); its group and
 * anything it orphaned are killed when it ends or the run is stopped.
 */
static int run_native(struct test_case *c, const struct rundir *rd,
		      char *skip, size_t len)
{
	char out[PATH_MAX], errf[PATH_MAX];
	char *argv[] = { c->bin, "-t", c->test, NULL };
	int fd, rc, status = 0;
	int efd;
	long long stop_at = 0;
	pid_t pid, parent = getpid();

	if (case_tmpfiles(out, errf, &fd, &efd))
		return 1;
	prctl(PR_SET_CHILD_SUBREAPER, 1);
	fflush(stdout);
	fflush(stderr);
	pid = fork();
	if (pid < 0)
		return 1;
	if (pid == 0) {
		int null = open("/dev/null", O_RDONLY);

		setpgid(0, 0);
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (getppid() != parent)
			_exit(128 + SIGKILL);
		/* the run's own handlers are not the test's */
		signal(SIGINT, SIG_DFL);
		signal(SIGTERM, SIG_DFL);
		signal(SIGHUP, SIG_DFL);
		dup2(null, 0);
		dup2(fd, 1);
		dup2(efd, 2);
		execv(c->bin, argv);
		fprintf(stderr, "cannot run %s: %s\n", c->bin, strerror(errno));
		_exit(127);
	}
	setpgid(pid, pid);
	close(fd);
	close(efd);
	/*
	 * A signal interrupts waitpid: ask the test to stop (SIGTERM to its
	 * group), then kill it after a few seconds.
	 */
	for (;;) {
		pid_t w = waitpid(pid, &status, stop_at ? WNOHANG : 0);

		if (w == pid)
			break;
		if (w < 0 && errno != EINTR)
			break;
		if (vm_interrupted() && !stop_at) {
			kill(-pid, SIGTERM);
			stop_at = now_ms() + 3000;
		}
		if (stop_at && now_ms() > stop_at) {
			kill(-pid, SIGKILL);
			waitpid(pid, &status, 0);
			break;
		}
		if (stop_at)
			usleep(50000);
	}
	kill(-pid, SIGKILL);
	kill_leftovers();
	rc = relay_case_output(out, rd, c, skip, len);
	relay_stderr(errf, c);
	unlink(out);
	unlink(errf);
	if (vm_interrupted()) {
		fprintf(c->out, "# ktstr_test '%s': interrupted by %s: the case was stopped, the run ends here\n",
			c->name, run_signame(vm_interrupted()));
		return RUN_INTERRUPTED;
	}
	return rc < 0 ? 1 : rc;
}

/* "all" or "tiny-1llc,smt-2llc": a typo fails before any boot */
static int parse_presets(const char *list, struct run_opts *o)
{
	char *copy = xstrdup(list), *name, *save;
	unsigned int i;

	o->nr_presets = 0;
	if (!strcmp(list, "all")) {
		for (i = 0; i < gauntlet_nr_presets && i < ARRAY_SIZE(o->presets); i++)
			o->presets[o->nr_presets++] = &gauntlet_presets[i];
		free(copy);
		return 0;
	}
	for (name = strtok_r(copy, ",", &save); name;
	     name = strtok_r(NULL, ",", &save)) {
		const struct gauntlet_preset *g = gauntlet_preset(name);

		if (!g) {
			fprintf(stderr, "ktstr run: --gauntlet: no preset '%s'; the presets are:",
				name);
			for (i = 0; i < gauntlet_nr_presets; i++)
				fprintf(stderr, " %s", gauntlet_presets[i].name);
			fprintf(stderr, " (or 'all')\n");
			free(copy);
			return -1;
		}
		if (o->nr_presets < (int)ARRAY_SIZE(o->presets))
			o->presets[o->nr_presets++] = g;
	}
	free(copy);
	if (!o->nr_presets) {
		fprintf(stderr, "ktstr run: --gauntlet: no preset named in '%s'\n",
			list);
		return -1;
	}
	return 0;
}

/* the words `ktstr run` takes as its own options */
/* @w is one of the @n words of @list */
static bool in_list(const char *w, const char *const *list, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!strcmp(w, list[i]))
			return true;
	return false;
}

static bool own_option(const char *w)
{
	static const char *const opts[] = {
		"-t", "--list", "--native", "--no-auto-repro", "--sched-checks",
		"--gauntlet", "--sched", "-h", "--help", "--kernel", "-k",
		"--topo", "--memory", "-m", "--timeout", "--accel", "-i",
		"--include", "--append", "--verbose", "-v", "--dmesg",
		"-j", "--jobs", "--shard", "--shard-total", "--budget",
		"--dry-run", "--out",
	};

	return in_list(w, opts, ARRAY_SIZE(opts));
}

/*
 * --sched BIN ARGS... [--]: ARGS as a list for the guest. Without a "--"
 * every following word would be the scheduler's, so one of our own
 * options there is refused with the command that says what was meant.
 */
static int parse_sched(int argc, char **argv, int *i, struct run_opts *o)
{
	size_t env_len = strlen("KTSTR_SCHED_ARGS=") + 8, join_len = 1;
	int at = *i + 1, end, j, k;
	char *e, *s;

	o->sched = argv[*i];
	for (end = at; end < argc && strcmp(argv[end], "--"); end++)
		;
	for (j = at; end == argc && j < argc; j++) {
		if (!own_option(argv[j]))
			continue;
		fprintf(stderr, "ktstr run: --sched %s: '%s' would be taken as the scheduler's argument: end the scheduler's arguments with '--'. Did you mean:\n ",
			o->sched, argv[j]);
		for (k = 0; k < argc; k++)
			fprintf(stderr, " %s%s", k == j ? "-- " : "",
				k ? argv[k] : "ktstr run");
		fprintf(stderr, "\nor, if '%s' is the scheduler's:\n ", argv[j]);
		for (k = 0; k < argc; k++)
			fprintf(stderr, " %s", k ? argv[k] : "ktstr run");
		fprintf(stderr, " --\n");
		return -1;
	}
	o->sched_argv = argv + at;
	o->nr_sched_args = end - at;
	*i = end < argc ? end : argc - 1;
	if (o->nr_sched_args > SCHED_MAX_ARGS) {
		fprintf(stderr, "ktstr run: --sched %s: %d arguments; the guest starts a scheduler with at most %d\n",
			o->sched, o->nr_sched_args, SCHED_MAX_ARGS);
		return -1;
	}
	for (j = 0; j < o->nr_sched_args; j++) {
		if (strchr(o->sched_argv[j], SCHED_ARGS_SEP)) {
			fprintf(stderr, "ktstr run: --sched %s: argument %d holds the byte 0x1f, which separates the arguments on their way to the guest\n",
				o->sched, j + 1);
			return -1;
		}
		env_len += strlen(o->sched_argv[j]) + 1;
		join_len += strlen(o->sched_argv[j]) + 1;
	}
	/* one variable, one channel frame: guest_cmd_fits() refuses more */
	if (env_len > CHANNEL_MAX_PAYLOAD) {
		fprintf(stderr, "ktstr run: --sched %s: the arguments take %zu bytes; they reach the guest in one environment variable of at most %d bytes\n",
			o->sched, env_len, CHANNEL_MAX_PAYLOAD);
		return -1;
	}
	e = o->sched_args_env = xmalloc(env_len);
	s = o->sched_args = xmalloc(join_len);
	e += sprintf(e, "KTSTR_SCHED_ARGS=%c%d", SCHED_ARGS_SEP,
		     o->nr_sched_args);
	*s = '\0';
	for (j = 0; j < o->nr_sched_args; j++) {
		e += sprintf(e, "%c%s", SCHED_ARGS_SEP, o->sched_argv[j]);
		s += sprintf(s, "%s%s", j ? " " : "", o->sched_argv[j]);
	}
	return 0;
}

/* a whole number from @min to @max for option @opt */
static int parse_count(const char *opt, const char *v, unsigned long min,
		       unsigned long max, unsigned int *out)
{
	unsigned long n;
	char *end;

	errno = 0;
	n = strtoul(v, &end, 10);
	if (errno || end == v || *end || v[0] == '-' || n < min || n > max) {
		fprintf(stderr, "ktstr run: %s '%s': a whole number from %lu to %lu\n",
			opt, v, min, max);
		return -1;
	}
	*out = n;
	return 0;
}

/*
 * -t case.check (no case name has a dot): the case exactly, and of its
 * checks that one; the filter becomes "=case".
 */
static int only_check(struct run_opts *o, const char *flt)
{
	const char *name = flt[0] == '=' ? flt + 1 : flt;
	const char *dot = strrchr(name, '.');
	char *exact;
	int i;

	if (dot == name || !dot[1] || (size_t)(dot - name) >= sizeof(o->only[0].test) ||
	    strlen(dot + 1) >= sizeof(o->only[0].check)) {
		fprintf(stderr, "ktstr run: -t '%s': CASE.CHECK, as the per-check subtests name them\n",
			flt);
		return -1;
	}
	for (i = 0; i < o->nr_only; i++) {
		if (strlen(o->only[i].test) != (size_t)(dot - name) ||
		    strncmp(o->only[i].test, name, dot - name))
			continue;
		fprintf(stderr, "ktstr run: -t '%s': %s.%s is selected already; one check per case (or -t =%s for all of them)\n",
			flt, o->only[i].test, o->only[i].check, o->only[i].test);
		return -1;
	}
	snprintf(o->only[o->nr_only].test, sizeof(o->only[0].test), "%.*s",
		 (int)(dot - name), name);
	snprintf(o->only[o->nr_only].check, sizeof(o->only[0].check), "%s",
		 dot + 1);
	exact = xmalloc(strlen(o->only[o->nr_only].test) + 2);
	sprintf(exact, "=%s", o->only[o->nr_only].test);
	o->filters[o->nr_filters - 1] = exact;
	o->nr_only++;
	return 0;
}

/* each selected case's one check, when -t named it */
static void apply_only_checks(const struct run_opts *o,
			      struct test_case *cases, int n)
{
	int i, k;

	for (i = 0; i < n; i++)
		for (k = 0; k < o->nr_only; k++)
			if (!strcmp(cases[i].test, o->only[k].test))
				snprintf(cases[i].only_check,
					 sizeof(cases[i].only_check), "%s",
					 o->only[k].check);
}

/* --kernel again: the image vm_opts_parse just resolved, with its label */
static int add_kernel(struct run_opts *o)
{
	int k;

	if (o->nr_kernels == MAX_KERNELS) {
		fprintf(stderr, "ktstr run: --kernel more than %d times\n",
			MAX_KERNELS);
		return -1;
	}
	k = o->nr_kernels++;
	o->kernels[k] = xstrdup(o->vm.kernel);
	kernel_label(o->kernels[k], o->kernel_labels[k],
		     sizeof(o->kernel_labels[k]));
	for (int j = 0; j < k; j++) {
		if (strcmp(o->kernel_labels[j], o->kernel_labels[k]))
			continue;
		/* the same label twice: tell them apart by their place */
		snprintf(o->kernel_labels[k] + strlen(o->kernel_labels[k]),
			 sizeof(o->kernel_labels[k]) - strlen(o->kernel_labels[k]),
			 "-k%d", k + 1);
	}
	return 0;
}

static void run_usage(void)
{
	printf("usage: ktstr run [VM options] [--sched BIN [ARGS...] --] [-t FILTER]... [--list] [--native]\n"
	       "                 [--gauntlet PRESETS]\n"
	       "  -t FILTER       run cases whose name contains FILTER, or is NAME for =NAME\n"
	       "  --sched BIN ... the scheduler under test instead of each case's own;\n"
	       "                  its arguments run up to '--'\n"
	       "  --list          print the selected declarations as JSON\n"
	       "  --native        run in this kernel instead of VMs\n"
	       "  --no-auto-repro no second VM with probes after a scheduler crash\n"
	       "  --sched-checks NAME=VALUE,...  the scheduler's threshold overrides\n"
	       "  --gauntlet PRESETS  run each case on these topology presets (comma list, or 'all')\n"
	       "                  as gauntlet/<test>/<preset>; see Documentation/running.md\n"
	       "  -j, --jobs N    N VMs at once (default: one per host CPU under TCG; under\n"
	       "                  KVM as many as the cases' vCPUs fit the host's CPUs)\n"
	       "  --shard I/N     only the cases of shard I of N (by a hash of the name);\n"
	       "                  also from CI_NODE_INDEX/CI_NODE_TOTAL (GitLab) or\n"
	       "                  JOB_COMPLETION_INDEX with --shard-total N or KTSTR_SHARD_TOTAL\n"
	       "  --budget SECS   the cases (and gauntlet variants) that cover the most in SECS\n"
	       "  --dry-run       print what would run (the --budget plan) without booting\n"
	       "  --out DIR       the KTAP stream also into DIR/ktap, the run directory under\n"
	       "                  DIR/runs, the shard's cases in DIR/cases: for 'ktstr merge'\n"
	       "  --repeat N      each case N times (NAME, NAME~2, ...): samples for\n"
	       "                  'ktstr stats compare'\n"
	       "  --repeat-from K number the repetitions from K (NAME~K first)\n"
	       "  --kernel K      more than once: each case on each kernel, as NAME/LABEL\n"
	       "  --matrix K1 K2 ... which selected cases run on which kernel (one boot each)\n"
	       "  --run-dir DIR   this run directory (created, or added to) instead of\n"
	       "                  a new <release>-<commit>-<seq> under the runs directory\n"
	       "VM options as for 'ktstr exec' (--kernel, --accel, --timeout, ...)\n");
}

static int parse_budget(const char *v, struct run_opts *o)
{
	char *end;

	errno = 0;
	o->budget_s = strtod(v, &end);
	if (errno || end == v || *end || !isfinite(o->budget_s) ||
	    o->budget_s <= 0 || o->budget_s > 7 * 24 * 3600) {
		fprintf(stderr, "ktstr run: --budget '%s': seconds of wall time, more than 0 and at most a week\n",
			v);
		return -1;
	}
	return 0;
}

/* --matrix K1 K2 ...: the kernels up to the next option */
static int parse_matrix(int argc, char **argv, int *i, struct run_opts *o)
{
	o->matrix = true;
	while (*i + 1 < argc && argv[*i + 1][0] != '-') {
		char *kv[] = { "--kernel", argv[++*i] };
		int at = 0;

		if (vm_opts_parse(&o->vm, 2, kv, &at) <= 0 || add_kernel(o))
			return -1;
	}
	if (!o->nr_kernels) {
		fprintf(stderr, "ktstr run: --matrix needs kernels: --matrix K1 K2 ... (any --kernel form)\n");
		return -1;
	}
	return 0;
}

static int parse_filter(const char *v, struct run_opts *o)
{
	if (!v[0]) {
		fprintf(stderr, "ktstr run: -t '': an empty filter would select every case; leave -t out to run them all\n");
		return -1;
	}
	if (o->nr_filters == MAX_FILTERS) {
		fprintf(stderr, "ktstr run: more than %d -t filters\n",
			MAX_FILTERS);
		return -1;
	}
	o->filters[o->nr_filters++] = v;
	return strchr(v, '.') ? only_check(o, v) : 0;
}

static int parse_shard_opt(const char *v, struct run_opts *o)
{
	char why[160];

	if (shard_parse(v, &o->shard_index, &o->shard_total, why,
			sizeof(why))) {
		fprintf(stderr, "ktstr run: --shard %s\n", why);
		return -1;
	}
	snprintf(o->shard_src, sizeof(o->shard_src), "--shard %s", v);
	return 0;
}

/* a directory option's value, not empty */
static int parse_dir(const char *opt, const char *v, const char **out)
{
	if (!v[0]) {
		fprintf(stderr, "ktstr run: %s '': name a directory\n", opt);
		return -1;
	}
	*out = v;
	return 0;
}

static bool takes_value(const char *a)
{
	static const char *const valued[] = {
		"-t", "--sched-checks", "--gauntlet", "--sched", "-j", "--jobs",
		"--shard", "--shard-total", "--budget", "--out", "--run-dir",
		"--repeat", "--repeat-from",
	};

	return in_list(a, valued, ARRAY_SIZE(valued));
}

/*
 * What chooses the cases and how often they run: 0 taken, -1 refused,
 * -2 not one of these
 */
static int parse_selection(int argc, char **argv, int *i, struct run_opts *o)
{
	const char *a = argv[*i];

	if (!strcmp(a, "-t"))
		return parse_filter(argv[++*i], o);
	if (!strcmp(a, "--gauntlet"))
		return parse_presets(argv[++*i], o);
	if (!strcmp(a, "--shard"))
		return parse_shard_opt(argv[++*i], o);
	if (!strcmp(a, "--shard-total"))
		return parse_count(a, argv[++*i], 1, SHARD_MAX,
				   &o->shard_total_opt);
	if (!strcmp(a, "--budget"))
		return parse_budget(argv[++*i], o);
	if (!strcmp(a, "--matrix"))
		return parse_matrix(argc, argv, i, o);
	if (!strcmp(a, "--repeat"))
		return parse_count(a, argv[++*i], 1, 100, &o->repeat);
	if (!strcmp(a, "--repeat-from"))
		return parse_count(a, argv[++*i], 1, 10000, &o->repeat_from);
	return -2;
}

/* one option at argv[*i]: 0 taken, -1 refused, 1 --help */
static int parse_run_opt(int argc, char **argv, int *i, struct run_opts *o)
{
	const char *a = argv[*i];
	bool kernel;
	int r;

	if (takes_value(a) && *i + 1 >= argc) {
		fprintf(stderr, "ktstr run: %s needs a value\n", a);
		return -1;
	}
	r = parse_selection(argc, argv, i, o);
	if (r != -2)
		return r ? -1 : 0;
	if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
		run_usage();
		return 1;
	} else if (!strcmp(a, "--list")) {
		o->list = true;
	} else if (!strcmp(a, "--native")) {
		o->native = true;
	} else if (!strcmp(a, "--no-auto-repro")) {
		o->no_auto_repro = true;
	} else if (!strcmp(a, "--sched-checks")) {
		struct ktstr_checks c;
		char err[256];

		/* checked here so a typo fails before any boot */
		if (checks_parse(argv[++*i], &c, err, sizeof(err))) {
			fprintf(stderr, "ktstr run: --sched-checks: %s\n", err);
			return -1;
		}
		setenv("KTSTR_SCHED_CHECKS", argv[*i], 1);
	} else if (!strcmp(a, "--sched")) {
		if (o->sched) {
			fprintf(stderr, "ktstr run: --sched given twice\n");
			return -1;
		}
		++*i;
		return parse_sched(argc, argv, i, o) ? -1 : 0;
	} else if (!strcmp(a, "-j") || !strcmp(a, "--jobs")) {
		return parse_count(a, argv[++*i], 1, 1024, &o->jobs) ? -1 : 0;
	} else if (!strncmp(a, "-j", 2) && a[2]) {
		return parse_count("-j", a + 2, 1, 1024, &o->jobs) ? -1 : 0;
	} else if (!strcmp(a, "--out")) {
		return parse_dir(a, argv[++*i], &o->out_dir);
	} else if (!strcmp(a, "--run-dir")) {
		return parse_dir(a, argv[++*i], &o->run_dir);
	} else if (!strcmp(a, "--dry-run")) {
		o->dry_run = true;
	} else {
		kernel = !strcmp(a, "--kernel") || !strcmp(a, "-k") ||
			 !strncmp(a, "--kernel=", 9);
		r = vm_opts_parse(&o->vm, argc, argv, i);
		if (r < 0)
			return -1;
		if (r && kernel && add_kernel(o))
			return -1;
		if (!r) {
			fprintf(stderr, "ktstr run: unknown argument '%s'\n",
				argv[*i]);
			return -1;
		}
	}
	return 0;
}

/* what the options mean together: 0, -1, or the launcher's exit code */
static int check_run_opts(struct run_opts *o)
{
	int i, r;

	if (!o->shard_total) {
		char why[256];

		r = shard_from_env(o->shard_total_opt, &o->shard_index,
				   &o->shard_total, o->shard_src,
				   sizeof(o->shard_src), why, sizeof(why));
		if (r < 0) {
			fprintf(stderr, "ktstr run: %s\n", why);
			return -1;
		}
	} else if (o->shard_total_opt && o->shard_total_opt != o->shard_total) {
		fprintf(stderr, "ktstr run: --shard-total %u and --shard %u/%u disagree\n",
			o->shard_total_opt, o->shard_index + 1, o->shard_total);
		return -1;
	}
	if (o->native && o->nr_kernels) {
		fprintf(stderr, "ktstr run: --native runs in this kernel: leave --kernel out\n");
		return -1;
	}
	/* one kernel: the run's; several: each case's own, checked now */
	for (i = 0; o->nr_kernels > 1 && i < o->nr_kernels; i++) {
		char why[512];

		if (!vm_is_bzimage(o->kernels[i], why, sizeof(why))) {
			fprintf(stderr, "ktstr run: --kernel: %s\n", why);
			return VM_EXIT_BAD_KERNEL;
		}
	}
	if (o->nr_kernels > 1)
		o->vm.kernel = NULL;
	if (o->native && o->jobs > 1) {
		fprintf(stderr, "ktstr run: --native runs one case at a time: the cases share this kernel's one sched_ext scheduler slot; leave -j out\n");
		return -1;
	}
	if (o->native && o->nr_presets) {
		fprintf(stderr, "ktstr run: --gauntlet boots each preset's topology in a VM: it cannot run --native\n");
		return -1;
	}
	if (o->sched && access(o->sched, X_OK)) {
		fprintf(stderr, "ktstr run: --sched '%s': %s\n", o->sched,
			strerror(errno));
		return -1;
	}
	return 0;
}

static int parse_run(int argc, char **argv, struct run_opts *o)
{
	int i, r;

	memset(o, 0, sizeof(*o));
	vm_opts_init(&o->vm);
	for (i = 1; i < argc; i++) {
		r = parse_run_opt(argc, argv, &i, o);
		if (r)
			return r;
	}
	return check_run_opts(o);
}

/* an argument on one line of last-run: "\" and a newline escaped */
static void put_arg(FILE *f, const char *a)
{
	fputs("arg ", f);
	for (; *a; a++) {
		if (*a == '\\')
			fputs("\\\\", f);
		else if (*a == '\n')
			fputs("\\n", f);
		else
			fputc(*a, f);
	}
	fputc('\n', f);
}

/* last-run: the run's own arguments (not -t), for `ktstr replay` */
static void last_run_args(FILE *f, int argc, char **argv)
{
	int a;

	for (a = 1; a < argc; a++) {
		/* a scheduler's own "-t" is an argument, kept */
		if (!strcmp(argv[a], "--sched")) {
			for (; a < argc && strcmp(argv[a], "--"); a++)
				put_arg(f, argv[a]);
			if (a < argc)
				put_arg(f, "--");
			continue;
		}
		if (!strcmp(argv[a], "-t") && a + 1 < argc) {
			a++;
			continue;
		}
		put_arg(f, argv[a]);
	}
}

/*
 * After the run, the manual's outputs block: the run directory on its own
 * line, then each failure with its files and the command that replays it
 * (our report file after the manual's fields); the same list in last-run
 * for `ktstr replay`, written whole or not at all.
 */
static void report_failures(const struct rundir *rd,
			    const struct test_case *cases, int n,
			    int argc, char **argv)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	int i, nr = 0;

	if (f)
		last_run_args(f, argc, argv);
	printf("# ktstr: test outputs\n# %s\n", rd->path);
	for (i = 0; i < n; i++) {
		if (!cases[i].failed)
			continue;
		nr++;
		printf("# FAILED %s [%s %s]\n", cases[i].name, cases[i].sched,
		       cases[i].topo);
		if (cases[i].dump_path[0])
			printf("# failure dump %s\n", cases[i].dump_path);
		if (cases[i].stats_path[0])
			printf("# stats %s\n", cases[i].stats_path);
		printf("# replay ./ktstr replay --filter %s --exec\n",
		       cases[i].name);
		if (cases[i].bundle_path[0])
			printf("# report %s\n", cases[i].bundle_path);
		if (cases[i].timeline_path[0])
			printf("# timeline plot %s\n", cases[i].timeline_path);
		if (f)
			fprintf(f, "fail %s\n", cases[i].name);
	}
	if (nr)
		printf("# rerun all failures: ./ktstr replay --exec\n");
	if (!f)
		return;
	fclose(f);
	if (rundir_write_last_run(rd, text))
		printf("# cannot write %s: %s\n", rd->last_run, strerror(errno));
	free(text);
}

/* a case's exit status as kselftest says it */
static enum ktap_result ktap_of(int rc)
{
	if (rc == 0)
		return KTAP_PASS;
	return rc == KSFT_SKIP ? KTAP_SKIP : KTAP_FAIL;
}

/* "not ok N name # interrupted": counted as a failure */
static void ktap_interrupted(struct ktap *k, const char *name)
{
	k->n++;
	k->fail++;
	fprintf(k->f, "not ok %d %s # interrupted\n", k->n, name);
	fflush(k->f);
}

/*
 * One subtest per check the case evaluated, as its structured result
 * lists them, nested before the case's own line (KTAP v1). In a negative
 * case that caught its failure, the failing checks are what it expected.
 */
static void check_subtests(FILE *f, const struct test_case *c, int rc)
{
	const struct json_val *checks = json_get(c->result, "checks");
	bool caught = json_get_bool(c->result, "expected_caught", false);
	int i, n, nr;

	if (!checks || checks->type != JSON_ARR || !checks->nr)
		return;
	/* -t case.check: that check alone */
	for (i = 0, n = 0; i < checks->nr; i++)
		n += !c->only_check[0] ||
		     !strcmp(json_get_str(&checks->kids[i], "id") ?: "",
			     c->only_check);
	if (!n)
		return;
	fprintf(f, "    KTAP version 1\n    # Subtest: %s\n    1..%d\n",
		c->name, n);
	for (i = 0, nr = 0; i < checks->nr; i++) {
		const struct json_val *k = &checks->kids[i];
		const char *id = json_get_str(k, "id") ?: "?";
		const char *v = json_get_str(k, "verdict") ?: "fail";
		const char *sum = json_get_str(k, "summary") ?: "";
		bool fail = !strcmp(v, "fail"), across;
		const struct known_issue *ki = known_for(c, k, &across);

		if (c->only_check[0] && strcmp(id, c->only_check))
			continue;
		nr++;

		if (fail && ki)
			fprintf(f, "    not ok %d %s.%s # TODO known issue: %s (%s)%s: %s\n",
				nr, c->test, id, ki->reason, ki->link,
				across ? ", measured across the scheduler's death" : "",
				sum);
		else if (fail && caught && rc == 0)
			fprintf(f, "    ok %d %s.%s # expected failure: %s\n",
				nr, c->test, id, sum);
		else if (!strcmp(v, "inconclusive") || !strcmp(v, "skip"))
			fprintf(f, "    ok %d %s.%s # SKIP %s: %s\n", nr,
				c->test, id, v, sum);
		else
			fprintf(f, "    %s %d %s.%s # %s\n", fail ? "not ok" : "ok",
				nr, c->test, id, sum);
	}
}

/* one case's KTAP result line(s), once it is over; its result is freed */
static void case_ktap(struct ktap *k, struct test_case *c, int rc,
		      const char *reason)
{
	if (rc == RUN_INTERRUPTED)
		ktap_interrupted(k, c->name);
	else
		check_subtests(k->f, c, rc);
	if (rc != RUN_INTERRUPTED)
		ktap_result(k, c->name, ktap_of(rc), reason);
	json_free(c->result);
	c->result = NULL;
}

/* what the case took, for --budget's estimates in later runs */
static void write_timing(const struct rundir *rd, const struct test_case *c,
			 bool kvm, double wall_s, int rc)
{
	char json[512], path[4200], err[128];
	struct topo t;

	/* nothing boots in under a second: a case refused before its boot */
	if (wall_s < 1 || topo_parse(c->topo, &t, err, sizeof(err)))
		return;
	snprintf(json, sizeof(json),
		 "{\"name\":\"%s\",\"topo\":\"%s\",\"vcpus\":%u,\"duration_ms\":%u,\"accel\":\"%s\",\"status\":%d,\"wall_s\":%.3f}\n",
		 c->name, c->topo, topo_cpus(&t), c->duration_ms,
		 kvm ? "kvm" : "tcg", rc, wall_s);
	rundir_write_text(rd, c->name, c->hash, "timing", json, path,
			  sizeof(path));
}

/*
 * "# metric NAME=VALUE UNIT" for what `ktstr stats` reads of the case's
 * sidecar: the numbers a bot can pick out of the stream without the
 * run directory.
 */
static void print_metrics(struct test_case *c)
{
	struct json_val *v;
	char err[128], *text;
	const struct json_val *pl;
	double x;
	int m, i, k;

	text = c->stats_path[0] ? read_file(c->stats_path, NULL) : NULL;
	v = text ? json_parse(text, err, sizeof(err)) : NULL;
	free(text);
	if (!v)
		return;
	for (m = 0; m < NR_METRICS; m++)
		if (stats_metric_of(v, m, &x))
			fprintf(c->out, "# metric %s=%g %s\n", stats_metrics[m].name,
				x, stats_metrics[m].unit);
	pl = json_get(v, "payloads");
	for (i = 0; pl && pl->type == JSON_ARR && i < pl->nr; i++) {
		const struct json_val *ms = json_get(&pl->kids[i], "metrics");

		for (k = 0; ms && ms->type == JSON_ARR && k < ms->nr; k++) {
			const char *p = json_get_str(&pl->kids[i], "name");
			const char *n = json_get_str(&ms->kids[k], "name");

			/* names from the guest: one word, or not printed */
			if (json_get_num(&ms->kids[k], "value", &x) &&
			    stats_name_ok(p) && stats_name_ok(n))
				fprintf(c->out, "# metric %s.%s=%g\n", p, n, x);
		}
	}
	json_free(v);
}

void run_ktap(struct ktap *k, struct test_case *c, int rc,
	      const char *reason)
{
	case_ktap(k, c, rc, reason);
}

int run_one(const struct run_opts *o, struct test_case *c,
	    const struct rundir *rd, bool kvm, struct ktap *k)
{
	const char *sched = o->sched ? o->sched : c->sched;
	char reason[256];
	long long t0 = now_ms();
	int rc;

	c->hash = variant_hash(c->name, c->topo, sched, o->sched_args);
	rundir_clear(rd, c->name, c->hash);
	reason[0] = '\0';
	if (o->native)
		rc = run_native(c, rd, reason, sizeof(reason));
	else
		rc = run_case(o, c, rd, kvm, reason, sizeof(reason), NULL, NULL);
	c->failed = rc != 0 && rc != KSFT_SKIP;
	if (rc != RUN_INTERRUPTED)
		write_timing(rd, c, kvm, (now_ms() - t0) / 1000.0, rc);
	if (c->failed && rc != RUN_INTERRUPTED && !o->native &&
	    !o->no_auto_repro)
		auto_repro(o, c, rd, kvm);
	/* a failure's report also as plain text beside its JSON */
	if (c->failed && c->report)
		rundir_write_text(rd, c->name, c->hash, "bundle", c->report,
				  c->bundle_path, sizeof(c->bundle_path));
	free(c->report);
	c->report = NULL;
	if (rc != RUN_INTERRUPTED)
		print_metrics(c);
	case_ktap(k, c, rc, reason);
	return rc;
}

/* --list: the declarations (or the gauntlet's variants) as JSON */
static void list_cases(const struct run_opts *o, const struct test_case *cases,
		       int n)
{
	int i;

	fputs("[", stdout);
	for (i = 0; i < n; i++) {
		if (!o->nr_presets)
			printf("%s%s\n", i ? "," : "", cases[i].json);
		else
			printf("%s{\"name\":\"%s\",\"test\":\"%s\",\"preset\":\"%s\",\"topo\":\"%s\"}\n",
			       i ? "," : "", cases[i].name, cases[i].test,
			       cases[i].preset, cases[i].topo);
	}
	puts("]");
}

/* the kernel release the run id names: uname's, every kernel's, or one */
static void run_release(const struct run_opts *o, char *release, size_t len)
{
	struct utsname u;
	int i;

	if (o->native) {
		uname(&u);
		snprintf(release, len, "%s", u.release);
	} else if (o->nr_kernels > 1) {
		release[0] = '\0';
		for (i = 0; i < o->nr_kernels; i++)
			snprintf(release + strlen(release), len - strlen(release),
				 "%s%s", i ? "+" : "", o->kernel_labels[i]);
	} else {
		kernel_release(o->vm.kernel ? o->vm.kernel : find_kernel(),
			       release, len);
	}
}

/* --out DIR: the run directory under it, the cases file, the KTAP tee */
static int out_dir_setup(const struct run_opts *o,
			 const struct test_case *cases, int n,
			 struct run_tee *tee)
{
	char path[PATH_MAX + 16];

	snprintf(path, sizeof(path), "%s/runs", o->out_dir);
	if (mkdir_p(path)) {
		fprintf(stderr, "ktstr run: --out: cannot create %s: %s\n",
			path, strerror(errno));
		return 1;
	}
	/* the run directory goes under --out (runs_base()) */
	ktstr_env_mut()->runs = xstrdup(path);
	if (write_cases_file(o, cases, n))
		return 1;
	snprintf(path, sizeof(path), "%s/ktap", o->out_dir);
	return tee_stdout(tee, path) ? 1 : 0;
}

/*
 * The options checked, the cases found, selected and expanded (gauntlet,
 * kernels, shard, budget): their number, or -(exit code + 1) when the
 * run ends here (--list, --matrix, a bad filter).
 */
static int plan_cases(struct run_opts *o, struct test_case *cases,
		      bool *kvm, unsigned int *jobs)
{
	char why[512] = "";
	int n;

	if (!o->native && (check_forwarded() ||
			   check_tcg_scale(why, sizeof(why)))) {
		if (why[0])
			fprintf(stderr, "ktstr run: %s\n", why);
		return -(VM_EXIT_USAGE + 1);
	}
	if (known_issues_load(ktstr_env()->dir ?: ".", why, sizeof(why))) {
		fprintf(stderr, "ktstr run: known issues: %s\n", why);
		return -(VM_EXIT_USAGE + 1);
	}
	n = run_find_cases(cases);
	if (n < 0)
		return -2;
	if (check_filters(o, cases, n))
		return -(VM_EXIT_USAGE + 1);
	if (!o->nr_presets)
		n = select_cases(o, cases, n);
	apply_only_checks(o, cases, n);
	if (o->matrix && !o->list)
		return -(run_matrix(o, cases, n) + 1);
	if (o->nr_presets) {
		n = expand_gauntlet(o, cases, n);
		if (!n && !o->list) {
			fprintf(stderr, "ktstr run: --gauntlet: no case fits the presets (see above)\n");
			return -(VM_EXIT_USAGE + 1);
		}
	}
	if (o->nr_kernels > 1) {
		n = kernel_cases(o, cases, n, MAX_CASES);
		if (n < 0)
			return -(VM_EXIT_USAGE + 1);
	}
	n = shard_cases(o, cases, n);
	if (!o->native)
		*kvm = o->vm.accel == ACCEL_KVM ||
		       (o->vm.accel == ACCEL_AUTO && vm_kvm_usable(why, sizeof(why)));
	*jobs = o->native ? 1 : o->jobs ? o->jobs : run_default_jobs(*kvm);
	if (o->budget_s) {
		/* the plan is what --dry-run is asked for; --list is JSON */
		FILE *plan = stderr;

		if (o->dry_run && !o->list)
			plan = stdout;
		n = budget_cases(o, cases, n, o->native || *kvm, *jobs, plan);
	}
	if (o->list) {
		list_cases(o, cases, n);
		return -1;
	}
	if (o->repeat > 1 || o->repeat_from > 1) {
		n = repeat_cases(o, cases, n, MAX_CASES);
		if (n < 0)
			return -(VM_EXIT_USAGE + 1);
	}
	return n;
}

/* every case, in order or -j at once; the index reached */
static int run_all(const struct run_opts *o, struct test_case *cases, int n,
		   const struct rundir *rd, bool kvm, struct ktap *k,
		   unsigned int jobs)
{
	int i;

	if (n > 1 && jobs > 1)
		return run_parallel(o, cases, n, rd, kvm, k, jobs, o->jobs);
	for (i = 0; i < n && !vm_interrupted(); i++) {
		fprintf(stderr, "ktstr: [%d/%d] %s (%s)\n", i + 1, n,
			cases[i].name, cases[i].topo);
		cases[i].out = stdout;
		run_one(o, &cases[i], rd, kvm, k);
	}
	return i;
}

int cmd_run(int argc, char **argv)
{
	static struct test_case cases[MAX_CASES];
	char release[128];
	struct run_opts o;
	struct ktap ktap;
	struct rundir rd;
	struct run_tee tee;
	bool teeing = false, kvm = false;
	unsigned int jobs = 1;
	int i, n, r;

	r = parse_run(argc, argv, &o);
	/* -1: a bad option; 1: --help; else the launcher's own exit code */
	if (r)
		return r < 0 ? VM_EXIT_USAGE : r == 1 ? 0 : r;
	n = plan_cases(&o, cases, &kvm, &jobs);
	if (n < 0)
		return -n - 1;
	if (o.dry_run) {
		printf("# would run %d case%s, %u VM%s at once:\n", n,
		       n == 1 ? "" : "s", n < (int)jobs ? (n ? n : 1) : jobs,
		       jobs == 1 ? "" : "s");
		for (i = 0; i < n; i++)
			printf("%s [%s]\n", cases[i].name, cases[i].topo);
		return 0;
	}
	run_release(&o, release, sizeof(release));
	if (o.out_dir) {
		if (out_dir_setup(&o, cases, n, &tee))
			return 1;
		teeing = true;
	}
	if (rundir_open(&rd, release, o.run_dir))
		return 1;
	if (!o.native) {
		if (!kvm)
			fprintf(stderr, "ktstr: no usable KVM: every case boots under TCG, slower; timing thresholds are scaled by a slow-down measured in the guest\n");
		ktstr_env_mut()->quiet_tcg = true;
	}
	/* Ctrl-C or SIGTERM ends the whole run, not only the current VM */
	vm_catch_signals();
	ktap_begin(&ktap, stdout, n);
	i = run_all(&o, cases, n, &rd, kvm, &ktap, jobs);
	if (i < 0)
		return 1;
	report_failures(&rd, cases, i, argc, argv);
	if (vm_interrupted())
		printf("# interrupted by %s after %d of %d cases: the run stopped, no VM is left\n",
		       run_signame(vm_interrupted()), i, n);
	ktap_end(&ktap);
	if (teeing)
		tee_end(&tee);
	if (vm_interrupted())
		return 128 + vm_interrupted();
	return ktap.fail ? 1 : 0;
}
