// SPDX-License-Identifier: GPL-2.0
/*
 * KTSTR_SHRINK: a smaller version of a declaration, for `ktstr shrink`.
 * The host names the reductions; the guest applies them to a copy of the
 * declaration and runs that. A reduction that does not fit the case (an
 * index past its cgroups) is an error, never ignored.
 *
 *	duration_ms=N		the run's length
 *	workers=I:N		cgroup I gets N workers
 *	drop_cgroup=I		cgroup I goes (the later ones move up)
 *	drop_step=I		step I goes
 *	drop_op=S.O		op O of step S goes
 *
 * separated by ';', applied in order (indexes as the declaration is at
 * that point).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ktstr.h"
#include "shrink.h"
#include "util.h"

static int index_of(const char *v, unsigned int max, unsigned int *out)
{
	char *end;
	unsigned long n;

	errno = 0;
	n = strtoul(v, &end, 10);
	if (errno || end == v || (*end && *end != ':' && *end != '.') ||
	    n >= max)
		return -1;
	*out = n;
	return 0;
}

static unsigned int nr_cgroups(const struct ktstr_test *t)
{
	unsigned int n = 0;

	while (n < KTSTR_MAX_CGROUPS && t->cgroups[n].name)
		n++;
	return n;
}

static unsigned int nr_steps(const struct ktstr_test *t)
{
	unsigned int n = 0;

	while (n < KTSTR_MAX_STEPS && (t->steps[n].hold || t->steps[n].hold_ms))
		n++;
	return n;
}

static unsigned int nr_ops(const struct ktstr_step *s)
{
	unsigned int n = 0;

	while (n < KTSTR_MAX_OPS && s->ops[n].kind)
		n++;
	return n;
}

static int apply_one(struct ktstr_test *t, const char *key, const char *v)
{
	unsigned int i, k, n;
	char *end;

	if (!strcmp(key, "duration_ms")) {
		n = strtoul(v, &end, 10);
		if (*end || !n || n > 3600000)
			return -1;
		t->duration_ms = n;
	} else if (!strcmp(key, "workers")) {
		if (index_of(v, nr_cgroups(t), &i) || !strchr(v, ':'))
			return -1;
		n = strtoul(strchr(v, ':') + 1, &end, 10);
		if (*end || !n || n > 256)
			return -1;
		t->cgroups[i].workers = n;
	} else if (!strcmp(key, "drop_cgroup")) {
		n = nr_cgroups(t);
		if (n < 2 || index_of(v, n, &i))
			return -1;
		memmove(&t->cgroups[i], &t->cgroups[i + 1],
			(KTSTR_MAX_CGROUPS - i - 1) * sizeof(t->cgroups[0]));
		memset(&t->cgroups[KTSTR_MAX_CGROUPS - 1], 0,
		       sizeof(t->cgroups[0]));
	} else if (!strcmp(key, "drop_step")) {
		if (index_of(v, nr_steps(t), &i))
			return -1;
		memmove(&t->steps[i], &t->steps[i + 1],
			(KTSTR_MAX_STEPS - i - 1) * sizeof(t->steps[0]));
		memset(&t->steps[KTSTR_MAX_STEPS - 1], 0, sizeof(t->steps[0]));
	} else if (!strcmp(key, "drop_op")) {
		if (index_of(v, nr_steps(t), &i) || !strchr(v, '.') ||
		    index_of(strchr(v, '.') + 1, nr_ops(&t->steps[i]), &k))
			return -1;
		memmove(&t->steps[i].ops[k], &t->steps[i].ops[k + 1],
			(KTSTR_MAX_OPS - k - 1) * sizeof(t->steps[i].ops[0]));
		memset(&t->steps[i].ops[KTSTR_MAX_OPS - 1], 0,
		       sizeof(t->steps[i].ops[0]));
	} else {
		return -1;
	}
	return 0;
}

const struct ktstr_test *shrink_apply(const struct ktstr_test *t,
				      const char *spec, char *err, size_t len)
{
	static struct ktstr_test copy;
	char *s, *item, *save;

	if (!spec || !*spec)
		return t;
	copy = *t;
	s = xstrdup(spec);
	for (item = strtok_r(s, ";", &save); item;
	     item = strtok_r(NULL, ";", &save)) {
		char *eq = strchr(item, '=');

		if (!eq) {
			set_err(err, len, "KTSTR_SHRINK: '%s' is not KEY=VALUE", item);
			free(s);
			return NULL;
		}
		*eq = '\0';
		if (apply_one(&copy, item, eq + 1)) {
			set_err(err, len, "KTSTR_SHRINK: %s=%s does not fit case %s",
				item, eq + 1, t->name);
			free(s);
			return NULL;
		}
	}
	free(s);
	return &copy;
}
