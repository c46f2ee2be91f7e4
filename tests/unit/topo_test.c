// SPDX-License-Identifier: GPL-2.0
/*
 * Topology strings: what parses, what is refused and how it is told.
 */
#include <string.h>

#include "kselftest_harness.h"
#include "topo.h"

static int parse(const char *s, struct topo *t, char *err)
{
	return topo_parse(s, t, err, 256);
}

TEST(parses_all_fields)
{
	struct topo t;
	char err[256], buf[32];

	ASSERT_EQ(0, parse("2n4l2c2t", &t, err));
	EXPECT_EQ(2, t.nodes);
	EXPECT_EQ(4, t.llcs);
	EXPECT_EQ(2, t.cores);
	EXPECT_EQ(2, t.threads);
	EXPECT_EQ(16, topo_cpus(&t));
	topo_format(&t, buf, sizeof(buf));
	EXPECT_STREQ("2n4l2c2t", buf);
}

TEST(cpu_placement_follows_qemu_order)
{
	struct topo t;
	char err[256];

	ASSERT_EQ(0, parse("2n4l2c2t", &t, err));
	/* threads fastest, then cores, then LLCs, then nodes */
	EXPECT_EQ(0, topo_cpu_llc(&t, 3));
	EXPECT_EQ(1, topo_cpu_llc(&t, 4));
	EXPECT_EQ(0, topo_cpu_node(&t, 7));
	EXPECT_EQ(1, topo_cpu_node(&t, 8));
	EXPECT_EQ(2, topo_cpu_core(&t, 5));
}

TEST(refuses_llcs_not_divisible_by_nodes)
{
	struct topo t;
	char err[256];

	ASSERT_EQ(-1, parse("2n3l2c1t", &t, err));
	EXPECT_NE(NULL, strstr(err, "3 LLCs cannot be split evenly over 2 NUMA nodes"));
}

TEST(refuses_zero_fields)
{
	struct topo t;
	char err[256];

	ASSERT_EQ(-1, parse("1n1l0c1t", &t, err));
	EXPECT_NE(NULL, strstr(err, "zero cores per LLC"));
	ASSERT_EQ(-1, parse("0n1l1c1t", &t, err));
	EXPECT_NE(NULL, strstr(err, "zero NUMA nodes"));
}

TEST(refuses_too_many_cpus)
{
	struct topo t;
	char err[256];

	ASSERT_EQ(0, parse("1n14l9c2t", &t, err));	/* 252: the limit */
	ASSERT_EQ(-1, parse("1n1l127c2t", &t, err));
	EXPECT_NE(NULL, strstr(err, "254 CPUs, more than the 252"));
	/* no overflow into a small number */
	ASSERT_EQ(-1, parse("1n99999l99999c99999t", &t, err));
}

TEST(refuses_junk)
{
	struct topo t;
	char err[256];

	ASSERT_EQ(-1, parse("", &t, err));
	ASSERT_EQ(-1, parse("1n2l2c", &t, err));
	EXPECT_NE(NULL, strstr(err, "not of the form NnLlCcTt"));
	ASSERT_EQ(-1, parse("1n2l2c1tx", &t, err));
	EXPECT_NE(NULL, strstr(err, "trailing junk 'x'"));
	ASSERT_EQ(-1, parse("n2l2c1t", &t, err));
	ASSERT_EQ(-1, parse("1n 2l2c1t", &t, err));
}

/* qemu's APIC ID fields: what TCG can boot without x2APIC */
TEST(apic_ids_as_qemu_assigns_them)
{
	struct topo max_cpu = { 1, 14, 9, 2 }, near_max = { 1, 15, 8, 2 };
	struct topo numa4 = { 4, 12, 8, 2 }, small = { 1, 1, 2, 1 };

	EXPECT_EQ(433, topo_max_apic_id(&max_cpu));
	EXPECT_EQ(239, topo_max_apic_id(&near_max));
	EXPECT_EQ(239, topo_max_apic_id(&numa4));
	EXPECT_EQ(1, topo_max_apic_id(&small));
	EXPECT_GT(topo_max_apic_id(&max_cpu), TOPO_TCG_MAX_APIC_ID);
	EXPECT_LE(topo_max_apic_id(&numa4), TOPO_TCG_MAX_APIC_ID);
}

TEST_HARNESS_MAIN
