// SPDX-License-Identifier: GPL-2.0
/*
 * ktstr replay [--exec]: the command that reruns the last run's
 * failures, printed, or run.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "rundir.h"
#include "util.h"

#define MAX_ARGS	256

int cmd_replay(int argc, char **argv)
{
	char path[4096], line[1024], *args[MAX_ARGS + 3];
	bool exec = argc > 1 && !strcmp(argv[1], "--exec");
	int n = 0, fails = 0, i;
	FILE *f;

	runs_base(path, sizeof(path) - 16);
	strcat(path, "/last-run");
	f = fopen(path, "r");
	if (!f) {
		fprintf(stderr, "ktstr replay: no earlier run recorded (%s): run 'ktstr run' first\n",
			path);
		return 1;
	}
	args[n++] = "run";
	while (fgets(line, sizeof(line), f) && n < MAX_ARGS) {
		line[strcspn(line, "\n")] = '\0';
		if (str_starts_with(line, "arg ")) {
			args[n++] = xstrdup(line + 4);
		} else if (str_starts_with(line, "fail ")) {
			char *t = xmalloc(strlen(line + 5) + 2);

			sprintf(t, "=%s", line + 5);
			args[n++] = "-t";
			args[n++] = t;
			fails++;
		}
	}
	fclose(f);
	args[n] = NULL;
	if (!fails) {
		printf("ktstr replay: the last run had no failures\n");
		return 0;
	}
	if (exec)
		return cmd_run(n, args);
	printf("./ktstr");
	for (i = 0; i < n; i++)
		printf(" %s", args[i]);
	printf("\n");
	return 0;
}
