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

/* bits for @n values: qemu sizes each APIC ID field this way */
static inline unsigned int topo_bits(unsigned int n)
{
	unsigned int b = 0;

	while ((1u << b) < n)
		b++;
	return b;
}

/*
 * The APIC ID qemu gives the last CPU: thread, core, die and socket
 * fields, each as wide as its count needs. Without KVM's in-kernel
 * irqchip (so under TCG) qemu refuses IDs past TOPO_TCG_MAX_APIC_ID: no
 * x2APIC there. 1n14l9c2t has 252 CPUs but needs IDs up to 433.
 */
#define TOPO_TCG_MAX_APIC_ID	254

static inline unsigned int topo_max_apic_id(const struct topo *t)
{
	unsigned int core_off = topo_bits(t->threads);
	unsigned int die_off = core_off + topo_bits(t->cores);
	unsigned int pkg_off = die_off + topo_bits(topo_llcs_per_node(t));

	return ((t->nodes - 1) << pkg_off) |
	       ((topo_llcs_per_node(t) - 1) << die_off) |
	       ((t->cores - 1) << core_off) | (t->threads - 1);
}

#endif /* __KTSTR_TOPO_H */
