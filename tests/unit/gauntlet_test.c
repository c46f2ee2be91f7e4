// SPDX-License-Identifier: GPL-2.0
/*
 * Gauntlet presets and the limits a declaration puts on them.
 */
#include <string.h>

#include "kselftest_harness.h"
#include "gauntlet.h"

TEST(every_preset_is_a_valid_bootable_topology)
{
	char err[256];
	struct topo t;
	unsigned int i, j;

	ASSERT_EQ(24, gauntlet_nr_presets);
	for (i = 0; i < gauntlet_nr_presets; i++) {
		const struct gauntlet_preset *p = &gauntlet_presets[i];

		EXPECT_EQ(0, topo_parse(p->topo, &t, err, sizeof(err)))
			TH_LOG("%s: %s", p->name, err);
		EXPECT_LE(topo_cpus(&t), TOPO_MAX_CPUS) TH_LOG("%s", p->name);
		EXPECT_EQ(p, gauntlet_preset(p->name));
		for (j = 0; j < i; j++)
			EXPECT_NE(0, strcmp(p->name, gauntlet_presets[j].name));
	}
	EXPECT_EQ(NULL, gauntlet_preset("tiny-3llc"));
}

TEST(limits_refuse_with_the_reason)
{
	struct ktstr_gauntlet two_llcs = { .min_llcs = 2 };
	struct ktstr_gauntlet smt = { .requires_smt = true };
	struct ktstr_gauntlet small = { .max_cpus = 16, .max_nodes = 1 };
	struct ktstr_gauntlet none = { 0 };
	struct ktstr_gauntlet off = { .skip = true };
	struct topo tiny = { 1, 1, 4, 1 }, smt2 = { 1, 2, 2, 2 };
	struct topo numa = { 2, 4, 4, 1 };
	char why[128];

	EXPECT_TRUE(gauntlet_fits(&none, &numa, why, sizeof(why)));
	EXPECT_FALSE(gauntlet_fits(&two_llcs, &tiny, why, sizeof(why)));
	EXPECT_STREQ("needs at least 2 LLCs, the preset has 1", why);
	EXPECT_TRUE(gauntlet_fits(&two_llcs, &smt2, why, sizeof(why)));
	EXPECT_FALSE(gauntlet_fits(&smt, &tiny, why, sizeof(why)));
	EXPECT_STREQ("needs SMT, the preset has 1 thread per core", why);
	EXPECT_TRUE(gauntlet_fits(&smt, &smt2, why, sizeof(why)));
	EXPECT_FALSE(gauntlet_fits(&small, &numa, why, sizeof(why)));
	EXPECT_STREQ("takes at most 1 NUMA nodes, the preset has 2", why);
	EXPECT_FALSE(gauntlet_fits(&off, &tiny, why, sizeof(why)));
}

TEST_HARNESS_MAIN
