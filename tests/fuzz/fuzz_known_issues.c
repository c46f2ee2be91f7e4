// SPDX-License-Identifier: GPL-2.0
/*
 * known_issues_load on a file of any content ($KTSTR_KNOWN_ISSUES),
 * then lookups by each line's first word (case, check, evidence).
 */
#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>

#include "fuzz.h"
#include "known_issues.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char path[4200];
	char err[512], id[256];
	const struct known_issue *k;
	char *copy;
	const char *p;
	int fd;

	if (!path[0]) {
		snprintf(path, sizeof(path), "%s/known-issues", fuzz_tmpdir());
		setenv("KTSTR_KNOWN_ISSUES", path, 1);
	}
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0 || write(fd, data, size) != (ssize_t)size)
		abort();
	close(fd);
	err[0] = '\0';
	copy = fuzz_str(data, size);
	if (known_issues_load(fuzz_tmpdir(), err, sizeof(err))) {
		if (!err[0] || !memchr(err, '\0', sizeof(err)))
			abort();
		free(copy);
		return 0;
	}
	/* each line's first word, as the run looks a check up */
	for (p = copy; *p; ) {
		size_t n = strcspn(p, " \t\n");

		char *dot, *at, *c;

		snprintf(id, sizeof(id), "%.*s", (int)n, p);
		dot = strchr(id, '.');
		at = strchr(id, '@');
		if (dot && (!at || at > dot)) {
			*dot = '\0';
			if (at)
				*at = '\0';
			/* the evidence as the kernel's exit text */
			for (c = at ? at + 1 : dot + 1; at && *c; c++)
				if (*c == '_')
					*c = ' ';
			k = known_issue_find(id, dot + 1, at ? at + 1 : NULL);
			/* an entry without evidence names exactly this check */
			if (k && !strchr(k->id, '@') &&
			    (strncmp(k->id, id, strlen(id)) ||
			     strcmp(k->id + strlen(id) + 1, dot + 1)))
				abort();
			if (k && (!memchr(k->link, '\0', sizeof(k->link)) ||
				  !memchr(k->reason, '\0', sizeof(k->reason))))
				abort();
		}
		p = strchr(p, '\n');
		if (!p)
			break;
		p++;
	}
	free(copy);
	return 0;
}
