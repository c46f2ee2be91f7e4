// SPDX-License-Identifier: GPL-2.0
/*
 * topo_check NnLlCcTt: run inside a guest, compare what the kernel shows
 * with the declared topology: CPU count, NUMA nodes and their cpulists,
 * LLC groups (cache/index3) and SMT siblings. Prints KTAP and exits 0
 * only when every part matches.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "topo.h"
#include "util.h"

static int failures, checks;

static void check(int ok, const char *what, const char *got,
		  const char *want)
{
	checks++;
	if (ok)
		return;
	failures++;
	printf("# MISMATCH %s: kernel shows '%s', declared '%s'\n", what, got,
	       want);
}

/* "a-b" or "a" for a contiguous range, as the kernel prints it */
static void range(char *buf, size_t len, unsigned int a, unsigned int b)
{
	if (a == b)
		snprintf(buf, len, "%u", a);
	else
		snprintf(buf, len, "%u-%u", a, b);
}

static void read_line(const char *path, char *buf, size_t len)
{
	char *s = read_file(path, NULL);

	snprintf(buf, len, "%s", s ? s : "(missing)");
	buf[strcspn(buf, "\n")] = '\0';
	free(s);
}

static unsigned int count_nodes(void)
{
	DIR *d = opendir("/sys/devices/system/node");
	struct dirent *de;
	unsigned int n = 0;
	char *end;

	while (d && (de = readdir(d)))
		if (!strncmp(de->d_name, "node", 4) &&
		    (strtoul(de->d_name + 4, &end, 10), !*end) &&
		    de->d_name[4])
			n++;
	if (d)
		closedir(d);
	return n;
}

int main(int argc, char **argv)
{
	char err[256], got[256], want[256], path[256], name[64];
	unsigned int cpu, node, cpus, first;
	struct topo t;

	if (argc != 2 || topo_parse(argv[1], &t, err, sizeof(err))) {
		fprintf(stderr, "usage: topo_check NnLlCcTt%s%s\n",
			argc == 2 ? ": " : "", argc == 2 ? err : "");
		return 2;
	}
	cpus = topo_cpus(&t);
	printf("KTAP version 1\n1..4\n");

	read_line("/sys/devices/system/cpu/online", got, sizeof(got));
	range(want, sizeof(want), 0, cpus - 1);
	check(!strcmp(got, want), "online CPUs", got, want);
	printf("%s 1 cpus %u\n", failures ? "not ok" : "ok", cpus);

	first = failures;
	snprintf(got, sizeof(got), "%u", count_nodes());
	snprintf(want, sizeof(want), "%u", t.nodes);
	check(!strcmp(got, want), "NUMA node count", got, want);
	for (node = 0; node < t.nodes; node++) {
		unsigned int per = cpus / t.nodes;

		snprintf(path, sizeof(path),
			 "/sys/devices/system/node/node%u/cpulist", node);
		read_line(path, got, sizeof(got));
		range(want, sizeof(want), node * per, node * per + per - 1);
		snprintf(name, sizeof(name), "node%u cpulist", node);
		check(!strcmp(got, want), name, got, want);
	}
	printf("%s 2 numa nodes %u\n", failures > first ? "not ok" : "ok",
	       t.nodes);

	first = failures;
	for (cpu = 0; cpu < cpus; cpu++) {
		unsigned int llc = topo_cpu_llc(&t, cpu);
		unsigned int per = topo_cpus_per_llc(&t);

		snprintf(path, sizeof(path),
			 "/sys/devices/system/cpu/cpu%u/cache/index3/shared_cpu_list",
			 cpu);
		read_line(path, got, sizeof(got));
		range(want, sizeof(want), llc * per, llc * per + per - 1);
		snprintf(name, sizeof(name), "cpu%u LLC", cpu);
		check(!strcmp(got, want), name, got, want);
	}
	printf("%s 3 llcs %u\n", failures > first ? "not ok" : "ok", t.llcs);

	first = failures;
	for (cpu = 0; cpu < cpus; cpu++) {
		unsigned int core = topo_cpu_core(&t, cpu);

		snprintf(path, sizeof(path),
			 "/sys/devices/system/cpu/cpu%u/topology/thread_siblings_list",
			 cpu);
		read_line(path, got, sizeof(got));
		/* the kernel writes siblings as "a-b" (or "a,b" for 2) */
		range(want, sizeof(want), core * t.threads,
		      core * t.threads + t.threads - 1);
		if (t.threads == 2 && strcmp(got, want))
			snprintf(want, sizeof(want), "%u,%u", core * 2,
				 core * 2 + 1);
		snprintf(name, sizeof(name), "cpu%u SMT siblings", cpu);
		check(!strcmp(got, want), name, got, want);
	}
	printf("%s 4 smt %u\n", failures > first ? "not ok" : "ok", t.threads);
	printf("# %d of %d topology checks failed\n", failures, checks);
	return failures ? 1 : 0;
}
