// SPDX-License-Identifier: GPL-2.0
/*
 * sched_log_check: run inside a guest (`ktstr exec -i`), where sched_ext
 * exists. Plants a symlink where the scheduler log used to go
 * (/tmp/sched-<ops>.log) and starts a "scheduler" that exits at once:
 * the log must land in a private directory (0700, not /tmp itself) and
 * the symlink's target must stay untouched. Prints "sched log: ok" and
 * exits 0, or says what went wrong and exits 1.
 *
 * lib/scheduler.c is compiled in: the tests/vm build links only util.c.
 */
#include "../../lib/scheduler.c"

#include <sys/stat.h>

int main(void)
{
	char err[4096], dir[256], *victim, *slash;
	struct sched s;
	struct stat st;
	FILE *f;

	f = fopen("/tmp/victim", "w");
	if (!f || fputs("keep\n", f) < 0 || fclose(f)) {
		perror("sched_log_check: /tmp/victim");
		return 1;
	}
	unlink("/tmp/sched-true.log");
	if (symlink("/tmp/victim", "/tmp/sched-true.log")) {
		perror("sched_log_check: symlink");
		return 1;
	}
	if (!sched_start(&s, "/bin/true", NULL, 2000, err, sizeof(err))) {
		fprintf(stderr, "sched_log_check: /bin/true attached?\n");
		return 1;
	}
	victim = read_file("/tmp/victim", NULL);
	if (!victim || strcmp(victim, "keep\n")) {
		printf("sched log: followed the planted symlink: /tmp/victim now '%s'\n",
		       victim ? victim : "(gone)");
		return 1;
	}
	snprintf(dir, sizeof(dir), "%s", s.log_path);
	slash = strrchr(dir, '/');
	if (slash)
		*slash = '\0';
	if (!strcmp(dir, "/tmp") || stat(dir, &st) ||
	    (st.st_mode & 0777) != 0700) {
		printf("sched log: %s is not in a private directory\n",
		       s.log_path);
		return 1;
	}
	printf("sched log: ok (%s)\n", s.log_path);
	return 0;
}
