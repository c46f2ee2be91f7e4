// SPDX-License-Identifier: GPL-2.0
/*
 * Known problems of particular schedulers on particular kernels
 * (sched_workarounds.h).
 */
#include <ctype.h>
#include <dirent.h>
#include <libgen.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>

#include "env.h"
#include "sched_workarounds.h"
#include "util.h"

static const struct known {
	const char *sched;		/* the binary's name */
	const char *release;		/* kernel release prefix */
	struct sched_workaround w;
	const char *why;
} known[] = {
	{
		"scx_central", "6.12.", { .attach_retries = 2, .pin_helper_cpu = 0 },
		"its ops.init must run on the central CPU (0), but 6.12.y runs ops.init from the unbound scx_ops_enable_helper kthread: after a failed attach, that kthread is pinned to CPU 0 and the attach retried",
	},
};

/* a non-negative integer from @v (a KTSTR_* value), else @dflt */
static int env_int(const char *v, int dflt)
{
	char *end;
	long n;

	if (!v || !*v)
		return dflt;
	n = strtol(v, &end, 10);
	return *end || n < 0 || n > 1000 ? dflt : (int)n;
}

struct sched_workaround sched_workaround_for(const char *path)
{
	struct sched_workaround w = { .attach_retries = 0, .pin_helper_cpu = -1 };
	char *copy = xstrdup(path), *base = basename(copy);
	struct utsname u;
	size_t i;

	uname(&u);
	for (i = 0; i < ARRAY_SIZE(known); i++) {
		if (strcmp(base, known[i].sched) ||
		    !str_starts_with(u.release, known[i].release))
			continue;
		w = known[i].w;
		printf("# workaround: %s on %s: %s\n", known[i].sched,
		       u.release, known[i].why);
	}
	free(copy);
	w.attach_retries = env_int(ktstr_env()->attach_retries,
				   w.attach_retries);
	if (ktstr_env()->pin_scx_helper)
		w.pin_helper_cpu = env_int(ktstr_env()->pin_scx_helper, -1);
	return w;
}

void sched_workaround_pin(const struct sched_workaround *w)
{
	char path[64], comm[64], *s;
	struct dirent *de;
	cpu_set_t set;
	DIR *d;

	if (w->pin_helper_cpu < 0 || w->pin_helper_cpu >= CPU_SETSIZE)
		return;
	CPU_ZERO(&set);
	CPU_SET(w->pin_helper_cpu, &set);
	d = opendir("/proc");
	while (d && (de = readdir(d))) {
		if (!isdigit((unsigned char)de->d_name[0]))
			continue;
		snprintf(path, sizeof(path), "/proc/%s/comm", de->d_name);
		s = read_file(path, NULL);
		if (!s)
			continue;
		snprintf(comm, sizeof(comm), "%s", s);
		free(s);
		comm[strcspn(comm, "\n")] = '\0';
		if (strcmp(comm, "scx_ops_enable_helper"))
			continue;
		if (!sched_setaffinity(atoi(de->d_name), sizeof(set), &set))
			printf("# pinned the kernel's scx_ops_enable_helper (pid %s) to cpu%d\n",
			       de->d_name, w->pin_helper_cpu);
	}
	if (d)
		closedir(d);
}
