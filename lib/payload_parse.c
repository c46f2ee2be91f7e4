// SPDX-License-Identifier: GPL-2.0
/*
 * A payload's metrics from its own output: stress-ng's YAML report,
 * hackbench's "Time:" line, JSON. Pure (no processes, no files): the
 * unit tests and a fuzz harness call these on any text. Every number is
 * checked finite, names are reduced to [A-Za-z0-9._-], and at most
 * PAYLOAD_MAX_METRICS are kept.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json_read.h"
#include "payload.h"
#include "util.h"

/* what a metric's name says of its direction: times and sizes shrink */
static bool higher_is_better(const char *name)
{
	static const char *const lower[] = {
		"time", "lat", "rss", "delay", "_ns", "_us", "_ms",
	};
	size_t i;

	if (strstr(name, "per-second") || strstr(name, "per_s"))
		return true;
	for (i = 0; i < ARRAY_SIZE(lower); i++)
		if (strstr(name, lower[i]))
			return false;
	return true;
}

/* one metric, its name made of [A-Za-z0-9._-] and kept short */
static void add_metric(struct payload_run *pr, const char *name, double v)
{
	struct payload_metric *m;
	char *c;

	/* a JSON key may be empty: a metric needs a name */
	if (pr->nr == PAYLOAD_MAX_METRICS || !isfinite(v) || !*name)
		return;
	m = &pr->m[pr->nr++];
	snprintf(m->name, sizeof(m->name), "%s", name);
	for (c = m->name; *c; c++)
		if (!(*c >= 'a' && *c <= 'z') && !(*c >= 'A' && *c <= 'Z') &&
		    !(*c >= '0' && *c <= '9') && !strchr("._-", *c))
			*c = '_';
	m->value = v;
	m->higher_better = higher_is_better(m->name);
}

/* a whole "number" with nothing after it but white space */
static bool parse_num(const char *s, double *out)
{
	char *end;

	errno = 0;
	*out = strtod(s, &end);
	if (errno || end == s || !isfinite(*out))
		return false;
	while (*end == ' ' || *end == '\t' || *end == '\r')
		end++;
	return !*end;
}

/*
 * stress-ng's YAML report: under "metrics:", per stressor
 *	    - stressor: cpu
 *	      bogo-ops-per-second-real-time: 6876.540006
 * becomes cpu.bogo-ops-per-second-real-time. Only that shape is read.
 */
void payload_parse_stress_ng(struct payload_run *pr, const char *yaml)
{
	char *copy = xstrdup(yaml), *save, *line, stressor[32] = "";
	bool in_metrics = false;

	for (line = strtok_r(copy, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		char *key = line + strspn(line, " "), *colon, name[96];
		double v;

		if (line[0] != ' ') {
			in_metrics = !strcmp(line, "metrics:");
			continue;
		}
		if (!in_metrics)
			continue;
		if (!strncmp(key, "- stressor: ", 12)) {
			snprintf(stressor, sizeof(stressor), "%s", key + 12);
			continue;
		}
		colon = strstr(key, ": ");
		if (!stressor[0] || !colon || colon == key)
			continue;
		*colon = '\0';
		if (!parse_num(colon + 2, &v))
			continue;
		snprintf(name, sizeof(name), "%s.%s", stressor, key);
		add_metric(pr, name, v);
	}
	free(copy);
}

/* hackbench (rt-tests): "Time: 1.236" */
void payload_parse_hackbench(struct payload_run *pr, const char *out)
{
	const char *p = out;
	double v;

	while ((p = strstr(p, "Time: "))) {
		char num[32];

		if (p == out || p[-1] == '\n') {
			snprintf(num, sizeof(num), "%.*s",
				 (int)strcspn(p + 6, "\n"), p + 6);
			if (parse_num(num, &v)) {
				add_metric(pr, "time_s", v);
				return;
			}
		}
		p += 6;
	}
}

/* numbers of objects, three levels deep, named a.b.c; arrays skipped */
static void json_numbers(struct payload_run *pr, const struct json_val *v,
			 const char *prefix, int depth)
{
	char name[192];
	int i;

	if (v->type != JSON_OBJ || depth > 3)
		return;
	for (i = 0; i < v->nr; i++) {
		snprintf(name, sizeof(name), "%s%s%s", prefix, *prefix ? "." : "",
			 v->keys[i]);
		if (v->kids[i].type == JSON_NUM)
			add_metric(pr, name, v->kids[i].n);
		else
			json_numbers(pr, &v->kids[i], name, depth + 1);
	}
}

void payload_parse_json(struct payload_run *pr, const char *text)
{
	const char *start = strchr(text, '{');
	struct json_val *v;
	char err[128];

	/* a program may print a line or two before its JSON */
	v = start ? json_parse(start, err, sizeof(err)) : NULL;
	if (!v) {
		snprintf(pr->why, sizeof(pr->why), "payload %s: its output is not JSON: %s",
			 pr->p->name, start ? err : "no '{'");
		return;
	}
	json_numbers(pr, v, "", 0);
	json_free(v);
}

