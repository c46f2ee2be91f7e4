// SPDX-License-Identifier: GPL-2.0
/*
 * known_issues_load on a file of any content ($KTSTR_KNOWN_ISSUES),
 * then lookups by each line's first word.
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

		snprintf(id, sizeof(id), "%.*s", (int)n, p);
		k = known_issue_find(id);
		if (k && (strcmp(k->id, id) ||
			  !memchr(k->link, '\0', sizeof(k->link)) ||
			  !memchr(k->reason, '\0', sizeof(k->reason))))
			abort();
		p = strchr(p, '\n');
		if (!p)
			break;
		p++;
	}
	free(copy);
	return 0;
}
