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

static void usage(FILE *f)
{
	fprintf(f, "usage: ktstr replay [--exec] [--filter NAME]...\n"
		"  --exec          run the command instead of printing it\n"
		"  --filter NAME   only the failures whose name contains NAME (=NAME: is NAME)\n");
}

int cmd_replay(int argc, char **argv)
{
	char path[4096], *line = NULL, *args[MAX_ARGS + 3];
	size_t cap = 0;
	const char *filters[MAX_REPLAY_FILTERS];
	int n = 0, fails = 0, all = 0, nr_filters = 0, i;
	bool exec = false;
	FILE *f;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--exec")) {
			exec = true;
		} else if (!strcmp(argv[i], "--filter") || !strcmp(argv[i], "-t")) {
			if (i + 1 >= argc || !argv[i + 1][0]) {
				fprintf(stderr, "ktstr replay: %s needs a name\n",
					argv[i]);
				return VM_EXIT_USAGE;
			}
			if (nr_filters == MAX_REPLAY_FILTERS) {
				fprintf(stderr, "ktstr replay: more than %d filters\n",
					MAX_REPLAY_FILTERS);
				return VM_EXIT_USAGE;
			}
			filters[nr_filters++] = argv[++i];
		} else if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
			usage(stdout);
			return 0;
		} else {
			fprintf(stderr, "ktstr replay: unknown argument '%s'\n",
				argv[i]);
			usage(stderr);
			return VM_EXIT_USAGE;
		}
	}
	runs_base(path, sizeof(path) - 16);
	strcat(path, "/last-run");
	f = fopen(path, "r");
	if (!f) {
		fprintf(stderr, "ktstr replay: no earlier run recorded (%s): run 'ktstr run' first\n",
			path);
		return 1;
	}
	args[n++] = "run";
	/* whole lines, however long: an argument is never cut */
	while (getline(&line, &cap, f) > 0) {
		line[strcspn(line, "\n")] = '\0';
		if (n >= MAX_ARGS) {
			fprintf(stderr, "ktstr replay: %s holds more than %d arguments\n",
				path, MAX_ARGS);
			fclose(f);
			free(line);
			return 1;
		}
		if (str_starts_with(line, "arg ")) {
			args[n++] = unescape(line + 4);
		} else if (str_starts_with(line, "fail ")) {
			char *t = xmalloc(strlen(line + 5) + 2);

			all++;
			if (!matches(line + 5, filters, nr_filters)) {
				free(t);
				continue;
			}
			sprintf(t, "=%s", line + 5);
			args[n++] = "-t";
			args[n++] = t;
			fails++;
		}
	}
	fclose(f);
	free(line);
	args[n] = NULL;
	if (!all) {
		printf("ktstr replay: the last run had no failures\n");
		return 0;
	}
	if (!fails) {
		fprintf(stderr, "ktstr replay: no failure of the last run matches");
		for (i = 0; i < nr_filters; i++)
			fprintf(stderr, " '%s'", filters[i]);
		fprintf(stderr, " (%d failures: 'ktstr replay' lists them)\n",
			all);
		return VM_EXIT_USAGE;
	}
	if (exec)
		return cmd_run(n, args);
	printf("./ktstr");
	for (i = 0; i < n; i++) {
		/* quoted when the shell would split or expand it */
		if (args[i][0] && !args[i][strcspn(args[i], " \t\n'\"\\$`*?[]{}()<>|&;~#!")])
			printf(" %s", args[i]);
		else {
			const char *p;

			printf(" '");
			for (p = args[i]; *p; p++)
				if (*p == '\'')
					printf("'\\''");
				else
					putchar(*p);
			printf("'");
		}
	}
	printf("\n");
	return 0;
}
