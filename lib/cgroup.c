// SPDX-License-Identifier: GPL-2.0
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cgroup.h"
#include "util.h"

static char parent[PATH_MAX];

static int write_str(const char *path, const char *s)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = write(fd, s, strlen(s));
	close(fd);
	return n == (ssize_t)strlen(s) ? 0 : -1;
}

static int cg_write(const char *name, const char *file, const char *s)
{
	char path[PATH_MAX];

	if (name)
		snprintf(path, sizeof(path), "%s/%s/%s", parent, name, file);
	else
		snprintf(path, sizeof(path), "%s/%s", parent, file);
	return write_str(path, s);
}

int cg_setup(const char *test, const struct cpus *cpus, char *err,
	     size_t errlen)
{
	char list[1024];

	snprintf(parent, sizeof(parent), "%s/ktstr-%s", CGROUP_ROOT, test);
	cg_teardown();
	if (write_str(CGROUP_ROOT "/cgroup.subtree_control", "+cpuset +cpu")) {
		snprintf(err, errlen,
			 "cannot enable the cpuset and cpu controllers in %s/cgroup.subtree_control: %s (CONFIG_CPUSETS, CONFIG_CGROUP_SCHED?)",
			 CGROUP_ROOT, strerror(errno));
		return -1;
	}
	if (mkdir(parent, 0755) && errno != EEXIST) {
		snprintf(err, errlen, "mkdir %s: %s", parent, strerror(errno));
		return -1;
	}
	cpus_format(cpus, list, sizeof(list));
	if (cg_write(NULL, "cpuset.cpus", list) ||
	    cg_write(NULL, "cgroup.subtree_control", "+cpuset +cpu")) {
		snprintf(err, errlen, "setting up %s (cpuset.cpus %s): %s",
			 parent, list, strerror(errno));
		return -1;
	}
	return 0;
}

int cg_create(const char *name)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/%s", parent, name);
	return mkdir(path, 0755) && errno != EEXIST ? -1 : 0;
}

int cg_set_cpuset(const char *name, const struct cpus *cpus)
{
	char list[1024];

	cpus_format(cpus, list, sizeof(list));
	return cg_write(name, "cpuset.cpus", list);
}

int cg_set_weight(const char *name, unsigned int weight)
{
	char s[16];

	snprintf(s, sizeof(s), "%u", weight);
	return cg_write(name, "cpu.weight", s);
}

int cg_move(const char *name, pid_t pid)
{
	char s[32];

	snprintf(s, sizeof(s), "%d", pid);
	return cg_write(name, "cgroup.procs", s);
}

int cg_move_all(const char *from, const char *to)
{
	char path[PATH_MAX], line[32];
	int ret = 0;
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s/cgroup.procs", parent, from);
	f = fopen(path, "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\n")] = '\0';
		if (cg_write(to, "cgroup.procs", line))
			ret = -1;
	}
	fclose(f);
	return ret;
}

int cg_freeze(const char *name, bool frozen)
{
	return cg_write(name, "cgroup.freeze", frozen ? "1" : "0");
}

int cg_remove(const char *name)
{
	char path[PATH_MAX];
	int tries;

	cg_write(name, "cgroup.kill", "1");
	snprintf(path, sizeof(path), "%s/%s", parent, name);
	/* cgroup.kill is asynchronous: wait for the cgroup to empty */
	for (tries = 0; tries < 100; tries++) {
		if (!rmdir(path) || errno == ENOENT)
			return 0;
		usleep(20000);
	}
	return -1;
}

void cg_teardown(void)
{
	struct dirent *de;
	DIR *d;

	if (!parent[0])
		return;
	d = opendir(parent);
	while (d && (de = readdir(d))) {
		struct stat st;
		char path[PATH_MAX];

		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", parent, de->d_name);
		if (!stat(path, &st) && S_ISDIR(st.st_mode))
			cg_remove(de->d_name);
	}
	if (d)
		closedir(d);
	rmdir(parent);
}
