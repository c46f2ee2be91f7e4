/* SPDX-License-Identifier: GPL-2.0 */
/*
 * CPU topology a test declares: NUMA nodes, LLCs (in total), cores per LLC
 * and threads per core, written "NnLlCcTt" (e.g. 2n4l2c2t).
 */
#ifndef __KTSTR_TOPO_H
#define __KTSTR_TOPO_H

#include <stddef.h>

/* qemu's pc machine and the guest's x2APIC setup top out here */
#define TOPO_MAX_CPUS	252

struct topo {
	unsigned int nodes;
	unsigned int llcs;		/* in total, not per node */
	unsigned int cores;		/* per LLC */
	unsigned int threads;		/* per core */
};

#define TOPO_DEFAULT ((struct topo){ 1, 1, 2, 1 })

/*
 * Parse "NnLlCcTt". On error returns -1 and writes a sentence saying what
 * is wrong (and how to write it right) into @err.
 */
int topo_parse(const char *s, struct topo *t, char *err, size_t errlen);
int topo_format(const struct topo *t, char *buf, size_t len);

static inline unsigned int topo_cpus(const struct topo *t)
{
	return t->llcs * t->cores * t->threads;
}

static inline unsigned int topo_llcs_per_node(const struct topo *t)
{
	return t->llcs / t->nodes;
}

static inline unsigned int topo_cpus_per_llc(const struct topo *t)
{
	return t->cores * t->threads;
}

/*
 * Where qemu puts CPU @cpu: it numbers CPUs thread-fastest, then core,
 * then die (our LLC), then socket (our NUMA node).
 */
static inline unsigned int topo_cpu_llc(const struct topo *t, unsigned int cpu)
{
	return cpu / topo_cpus_per_llc(t);
}

static inline unsigned int topo_cpu_node(const struct topo *t, unsigned int cpu)
{
	return topo_cpu_llc(t, cpu) / topo_llcs_per_node(t);
}

static inline unsigned int topo_cpu_core(const struct topo *t, unsigned int cpu)
{
	return cpu / t->threads;
}

#endif /* __KTSTR_TOPO_H */
