// SPDX-License-Identifier: GPL-2.0
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "console.h"
#include "util.h"

/* What the kernel prints when it is broken, not merely noisy. */
static const char *const oops_markers[] = {
	"Kernel panic - not syncing",
	"BUG: ",
	"Oops: ",
	"general protection fault",
	"kernel BUG at",
	"WARNING: CPU: ",
};

static char *find_marker(char *log)
{
	char *first = NULL;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(oops_markers); i++) {
		char *m = strstr(log, oops_markers[i]);

		/* a WARN alone is not fatal: it only widens an oops */
		if (!m || i == ARRAY_SIZE(oops_markers) - 1)
			continue;
		if (!first || m < first)
			first = m;
	}
	if (!first)
		return NULL;
	/* include a WARN that came before, it usually names the cause */
	{
		char *w = strstr(log, oops_markers[ARRAY_SIZE(oops_markers) - 1]);

		if (w && w < first)
			first = w;
	}
	while (first > log && first[-1] != '\n')
		first--;
	return first;
}

bool console_find_oops(const char *path, char *buf, size_t len)
{
	char *log = read_file(path, NULL);
	char *start;
	size_t n, out = 0;
	int lines = 0;

	if (!log)
		return false;
	start = find_marker(log);
	if (!start) {
		free(log);
		return false;
	}
	/* up to 40 lines, each behind a "  | " so it stands out */
	while (*start && lines < 40 && out + 8 < len) {
		char *nl = strchr(start, '\n');

		n = nl ? (size_t)(nl - start) : strlen(start);
		if (n && start[n - 1] == '\r')
			n--;
		if (out + n + 6 >= len)
			n = len - out - 6;
		out += snprintf(buf + out, len - out, "  | %.*s\n", (int)n,
				start);
		lines++;
		if (!nl)
			break;
		start = nl + 1;
	}
	free(log);
	return true;
}

void console_print_tail(const char *path, int n, FILE *out)
{
	char *log = read_file(path, NULL);
	char *p;
	int seen = 0;

	if (!log || !*log) {
		fprintf(out, "  | (nothing)\n");
		free(log);
		return;
	}
	p = log + strlen(log);
	if (p > log && p[-1] == '\n')
		p--;
	while (p > log && seen < n) {
		p--;
		if (*p == '\n')
			seen++;
	}
	if (*p == '\n')
		p++;
	while (*p) {
		char *nl = strchr(p, '\n');
		int len = nl ? (int)(nl - p) : (int)strlen(p);

		if (len && p[len - 1] == '\r')
			len--;
		fprintf(out, "  | %.*s\n", len, p);
		if (!nl)
			break;
		p = nl + 1;
	}
	free(log);
}

bool console_has_output(const char *path)
{
	char *log = read_file(path, NULL);
	bool any = log && *log;

	free(log);
	return any;
}

void console_tail_init(struct console_tail *t, const char *path)
{
	t->path = path;
	t->pos = 0;
}

void console_follow(struct console_tail *t, FILE *out)
{
	char buf[4096];
	ssize_t n;
	int fd = open(t->path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return;
	while ((n = pread(fd, buf, sizeof(buf), t->pos)) > 0) {
		fwrite(buf, 1, n, out);
		t->pos += n;
	}
	fflush(out);
	close(fd);
}
