// SPDX-License-Identifier: GPL-2.0
/*
 * ktstr replay [--exec] [--filter NAME]...: the command that reruns the
 * last run's failures (those matching NAME: a part of the name, or
 * =NAME for the whole), printed, or run.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "rundir.h"
#include "util.h"

#define MAX_ARGS	256
#define MAX_REPLAY_FILTERS	32

/* last-run's "arg" lines escape "\" and newlines */
static char *unescape(const char *s)
{
	char *out = xmalloc(strlen(s) + 1), *o = out;

	for (; *s; s++) {
		if (*s == '\\' && (s[1] == '\\' || s[1] == 'n')) {
			*o++ = s[1] == 'n' ? '\n' : '\\';
			s++;
			continue;
		}
		*o++ = *s;
	}
	*o = '\0';
	return out;
}

static bool matches(const char *name, const char *const *filters, int n)
{
	int i;

	if (!n)
		return true;
	for (i = 0; i < n; i++)
		if (filters[i][0] == '=' ? !strcmp(name, filters[i] + 1) :
		    !!strstr(name, filters[i]))
			return true;
	return false;
}

static void print_usage(FILE *f)
{
	fprintf(f, "usage: ktstr replay [--exec] [--filter NAME]...\n"
		"  --exec          run the command instead of printing it\n"
		"  --filter NAME   only the failures whose name contains NAME (=NAME: is NAME)\n");
}

struct replay {
	const char *filters[MAX_REPLAY_FILTERS];
	int nr_filters;
	bool exec;
	/* "run", the recorded arguments, "-t =NAME" per failure */
	char *args[MAX_ARGS + 3];
	bool owned[MAX_ARGS + 3];	/* allocated here, freed at the end */
	int n;
	int all, fails;			/* failures recorded, and selected */
};

static int parse_replay(int argc, char **argv, struct replay *r)
{
	int i;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
			print_usage(stdout);
			return 0;
		} else if (!strcmp(argv[i], "--exec")) {
			r->exec = true;
		} else if (!strcmp(argv[i], "--filter") || !strcmp(argv[i], "-t")) {
			if (i + 1 >= argc || !argv[i + 1][0]) {
				fprintf(stderr, "ktstr replay: %s needs a name\n",
					argv[i]);
				return VM_EXIT_USAGE;
			}
			if (r->nr_filters == MAX_REPLAY_FILTERS) {
				fprintf(stderr, "ktstr replay: more than %d filters\n",
					MAX_REPLAY_FILTERS);
				return VM_EXIT_USAGE;
			}
			r->filters[r->nr_filters++] = argv[++i];
		} else {
			fprintf(stderr, "ktstr replay: unknown argument '%s'\n",
				argv[i]);
			print_usage(stderr);
			return VM_EXIT_USAGE;
		}
	}
	return -1;
}

static void add_arg(struct replay *r, char *a, bool owned)
{
	r->owned[r->n] = owned;
	r->args[r->n++] = a;
}

/* last-run's lines: "arg A" (escaped) and "fail NAME" */
static int read_last_run(FILE *f, const char *path, struct replay *r)
{
	char *line = NULL;
	size_t cap = 0;

	add_arg(r, "run", false);
	/* whole lines, however long: an argument is never cut */
	while (getline(&line, &cap, f) > 0) {
		line[strcspn(line, "\n")] = '\0';
		if (r->n >= MAX_ARGS) {
			fprintf(stderr, "ktstr replay: %s holds more than %d arguments\n",
				path, MAX_ARGS);
			free(line);
			return 1;
		}
		if (str_starts_with(line, "arg ")) {
			add_arg(r, unescape(line + 4), true);
		} else if (str_starts_with(line, "fail ")) {
			char *t;

			r->all++;
			if (!matches(line + 5, r->filters, r->nr_filters))
				continue;
			t = xmalloc(strlen(line + 5) + 2);
			sprintf(t, "=%s", line + 5);
			add_arg(r, "-t", false);
			add_arg(r, t, true);
			r->fails++;
		}
	}
	free(line);
	r->args[r->n] = NULL;
	return 0;
}

/* the command as a shell takes it: quoted where it would split or expand */
static void print_command(char *const *args, int n)
{
	const char *p;
	int i;

	printf("./ktstr");
	for (i = 0; i < n; i++) {
		if (args[i][0] && !args[i][strcspn(args[i], " \t\n'\"\\$`*?[]{}()<>|&;~#!")]) {
			printf(" %s", args[i]);
			continue;
		}
		printf(" '");
		for (p = args[i]; *p; p++)
			if (*p == '\'')
				printf("'\\''");
			else
				putchar(*p);
		printf("'");
	}
	printf("\n");
}

static int run_replay(struct replay *r)
{
	int i;

	if (!r->all) {
		printf("ktstr replay: the last run had no failures\n");
		return 0;
	}
	if (!r->fails) {
		fprintf(stderr, "ktstr replay: no failure of the last run matches");
		for (i = 0; i < r->nr_filters; i++)
			fprintf(stderr, " '%s'", r->filters[i]);
		fprintf(stderr, " (%d failures: 'ktstr replay' lists them)\n",
			r->all);
		return VM_EXIT_USAGE;
	}
	if (r->exec)
		return cmd_run(r->n, r->args);
	print_command(r->args, r->n);
	return 0;
}

int cmd_replay(int argc, char **argv)
{
	struct replay r = { 0 };
	char path[4096];
	int ret, i;
	FILE *f;

	ret = parse_replay(argc, argv, &r);
	if (ret >= 0)
		return ret;
	runs_base(path, sizeof(path) - 16);
	strcat(path, "/last-run");
	f = fopen(path, "re");
	if (!f) {
		fprintf(stderr, "ktstr replay: no earlier run recorded (%s): run 'ktstr run' first\n",
			path);
		return 1;
	}
	ret = read_last_run(f, path, &r);
	fclose(f);
	if (!ret)
		ret = run_replay(&r);
	for (i = 0; i < r.n; i++)
		if (r.owned[i])
			free(r.args[i]);
	return ret;
}
