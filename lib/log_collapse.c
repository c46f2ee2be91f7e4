// SPDX-License-Identifier: GPL-2.0
/*
 * A log where the same block of lines repeats (a scheduler printing its
 * stats every second) is shown with each repeat collapsed into a count:
 * at every line, the shortest block (up to LOG_COLLAPSE_MAX_BLOCK lines)
 * that repeats right after itself is printed once.
 *
 * The output goes to a memory stream, which grows as needed: a note is
 * longer than the block it stands for when the lines are short ("b\nb\n"
 * becomes "b\n  (the 1 line above repeated 1 more time)\n"), so no size
 * computed from the input bounds it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log_collapse.h"
#include "util.h"

char *log_collapse(const char *text)
{
	char *copy = xstrdup(text ? text : ""), *save, *line, *out = NULL;
	char **lines = xcalloc(strlen(copy) + 1, sizeof(char *));
	int n = 0, i = 0, k, j, reps;
	size_t len = 0;
	FILE *f = open_memstream(&out, &len);

	if (!f) {
		free(lines);
		free(copy);
		return xstrdup("");
	}
	for (line = strtok_r(copy, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save))
		lines[n++] = line;
	while (i < n) {
		int best_k = 0, best_reps = 0;

		for (k = 1; k <= LOG_COLLAPSE_MAX_BLOCK && i + 2 * k <= n; k++) {
			for (reps = 0;; reps++) {
				int at = i + (reps + 1) * k;

				if (at + k > n)
					break;
				for (j = 0; j < k && !strcmp(lines[i + j], lines[at + j]); j++)
					;
				if (j < k)
					break;
			}
			if (reps) {
				best_k = k;
				best_reps = reps;
				break;
			}
		}
		if (!best_k) {
			fprintf(f, "%s\n", lines[i++]);
			continue;
		}
		for (j = 0; j < best_k; j++)
			fprintf(f, "%s\n", lines[i + j]);
		fprintf(f, "  (the %d line%s above repeated %d more time%s)\n",
			best_k, best_k > 1 ? "s" : "", best_reps,
			best_reps > 1 ? "s" : "");
		i += best_k * (best_reps + 1);
	}
	free(lines);
	free(copy);
	if (fclose(f) || !out) {
		free(out);
		return xstrdup("");
	}
	return out;
}
