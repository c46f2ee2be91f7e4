/* SPDX-License-Identifier: GPL-2.0 */
/*
 * CPU sets as small bitmaps (a guest has at most 252 CPUs), the cpuset
 * specs tests declare, and the kernel's list format ("0-3,8").
 */
#ifndef __KTSTR_CPUS_H
#define __KTSTR_CPUS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "topo.h"

#define CPUS_MAX	256

struct cpus {
	uint64_t bits[CPUS_MAX / 64];
};

static inline void cpus_set(struct cpus *c, unsigned int cpu)
{
	if (cpu < CPUS_MAX)
		c->bits[cpu / 64] |= 1ULL << (cpu % 64);
}

static inline bool cpus_test(const struct cpus *c, unsigned int cpu)
{
	return cpu < CPUS_MAX && (c->bits[cpu / 64] >> (cpu % 64)) & 1;
}

unsigned int cpus_count(const struct cpus *c);
bool cpus_subset(const struct cpus *a, const struct cpus *of);
/* "0-3,8"; "" for an empty set */
void cpus_format(const struct cpus *c, char *buf, size_t len);
int cpus_parse(const char *list, struct cpus *c);

/*
 * The CPUs tests may use: all of them, but with more than two CPUs the
 * last one stays with the root cgroup so the harness itself never
 * competes with the workload it measures.
 */
void cpus_usable(const struct topo *t, struct cpus *c);

/*
 * Resolve a cpuset spec (see struct ktstr_cgroup) against the topology
 * and the usable CPUs. Returns 0, or -1 with a sentence in @err.
 */
int cpuset_resolve(const char *spec, const struct topo *t,
		   const struct cpus *usable, struct cpus *out,
		   char *err, size_t errlen);

#endif /* __KTSTR_CPUS_H */
