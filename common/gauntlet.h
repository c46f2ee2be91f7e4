/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The gauntlet: every case run again on a set of named topology presets,
 * as variants "gauntlet/<test>/<preset>". A declaration limits the presets
 * it makes sense on (an LLC isolation test needs two LLCs).
 */
#ifndef __KTSTR_GAUNTLET_H
#define __KTSTR_GAUNTLET_H

#include <stdbool.h>
#include <stddef.h>

#include "topo.h"

/* 0 means no limit */
struct ktstr_gauntlet {
	unsigned int min_llcs, max_llcs;
	unsigned int min_cpus, max_cpus;
	unsigned int min_nodes, max_nodes;
	bool requires_smt;
	bool skip;		/* never run on the gauntlet */
};

struct gauntlet_preset {
	const char *name;
	const char *topo;
};

extern const struct gauntlet_preset gauntlet_presets[];
extern const unsigned int gauntlet_nr_presets;

const struct gauntlet_preset *gauntlet_preset(const char *name);

/*
 * Whether a case limited by @g runs on @t: true, or false with the first
 * limit it breaks in @why ("needs at least 2 LLCs").
 */
bool gauntlet_fits(const struct ktstr_gauntlet *g, const struct topo *t,
		   char *why, size_t len);

#endif /* __KTSTR_GAUNTLET_H */
