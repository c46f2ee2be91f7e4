// SPDX-License-Identifier: GPL-2.0
/*
 * Gauntlet presets: the x86_64 shapes a scheduler meets in the field, from
 * a 4-CPU laptop to a 4-node server, odd LLC counts included because
 * schedulers that assume powers of two break there.
 */
#include <stdio.h>
#include <string.h>

#include "gauntlet.h"
#include "util.h"

const struct gauntlet_preset gauntlet_presets[] = {
	{ "tiny-1llc", "1n1l4c1t" },
	{ "tiny-2llc", "1n2l2c1t" },
	{ "odd-3llc", "1n3l3c1t" },
	{ "odd-5llc", "1n5l3c1t" },
	{ "odd-7llc", "1n7l2c1t" },
	{ "smt-2llc", "1n2l2c2t" },
	{ "smt-3llc", "1n3l2c2t" },
	{ "medium-4llc", "1n4l4c2t" },
	{ "medium-8llc", "1n8l4c2t" },
	{ "large-4llc", "1n4l16c2t" },
	{ "large-8llc", "1n8l8c2t" },
	{ "near-max-llc", "1n15l8c2t" },
	{ "max-cpu", "1n14l9c2t" },
	{ "medium-4llc-nosmt", "1n4l8c1t" },
	{ "medium-8llc-nosmt", "1n8l8c1t" },
	{ "large-4llc-nosmt", "1n4l32c1t" },
	{ "large-8llc-nosmt", "1n8l16c1t" },
	{ "near-max-llc-nosmt", "1n15l16c1t" },
	{ "max-cpu-nosmt", "1n14l18c1t" },
	{ "numa2-4llc", "2n4l4c1t" },
	{ "numa2-8llc", "2n8l8c2t" },
	{ "numa2-8llc-nosmt", "2n8l16c1t" },
	{ "numa4-8llc", "4n8l4c1t" },
	{ "numa4-12llc", "4n12l8c2t" },
};

const unsigned int gauntlet_nr_presets = ARRAY_SIZE(gauntlet_presets);

const struct gauntlet_preset *gauntlet_preset(const char *name)
{
	unsigned int i;

	for (i = 0; i < gauntlet_nr_presets; i++)
		if (!strcmp(gauntlet_presets[i].name, name))
			return &gauntlet_presets[i];
	return NULL;
}

static bool within(unsigned int v, unsigned int min, unsigned int max,
		   const char *what, char *why, size_t len)
{
	if (min && v < min) {
		snprintf(why, len, "needs at least %u %s, the preset has %u",
			 min, what, v);
		return false;
	}
	if (max && v > max) {
		snprintf(why, len, "takes at most %u %s, the preset has %u",
			 max, what, v);
		return false;
	}
	return true;
}

bool gauntlet_fits(const struct ktstr_gauntlet *g, const struct topo *t,
		   char *why, size_t len)
{
	if (g->skip) {
		snprintf(why, len, "it opts out of the gauntlet");
		return false;
	}
	if (g->requires_smt && t->threads < 2) {
		snprintf(why, len, "needs SMT, the preset has 1 thread per core");
		return false;
	}
	return within(t->llcs, g->min_llcs, g->max_llcs, "LLCs", why, len) &&
	       within(topo_cpus(t), g->min_cpus, g->max_cpus, "CPUs", why, len) &&
	       within(t->nodes, g->min_nodes, g->max_nodes, "NUMA nodes", why,
		      len);
}
