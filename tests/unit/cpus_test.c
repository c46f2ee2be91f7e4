// SPDX-License-Identifier: GPL-2.0
/*
 * CPU lists and cpuset specs against declared topologies.
 */
#include <string.h>

#include "kselftest_harness.h"
#include "cpus.h"

static const char *resolve(const char *spec, const char *topo, char *list)
{
	static char err[256];
	struct cpus usable, out;
	struct topo t;

	if (topo_parse(topo, &t, err, sizeof(err)))
		return err;
	cpus_usable(&t, &usable);
	if (cpuset_resolve(spec, &t, &usable, &out, err, sizeof(err)))
		return err;
	cpus_format(&out, list, 256);
	return NULL;
}

TEST(list_round_trip)
{
	struct cpus c;
	char buf[64];

	ASSERT_EQ(0, cpus_parse("0-3,8,10-11\n", &c));
	EXPECT_EQ(7, cpus_count(&c));
	cpus_format(&c, buf, sizeof(buf));
	EXPECT_STREQ("0-3,8,10-11", buf);
	EXPECT_EQ(-1, cpus_parse("3-1", &c));
	EXPECT_EQ(-1, cpus_parse("1,x", &c));
	EXPECT_EQ(-1, cpus_parse("300", &c));
}

TEST(last_cpu_kept_for_root_above_two)
{
	struct cpus c;
	struct topo t;
	char err[64], buf[64];

	topo_parse("1n1l2c1t", &t, err, sizeof(err));
	cpus_usable(&t, &c);
	cpus_format(&c, buf, sizeof(buf));
	EXPECT_STREQ("0-1", buf);
	topo_parse("1n2l2c1t", &t, err, sizeof(err));
	cpus_usable(&t, &c);
	cpus_format(&c, buf, sizeof(buf));
	EXPECT_STREQ("0-2", buf);
}

TEST(llc_and_node_specs)
{
	char list[256];

	ASSERT_EQ(NULL, resolve("llc:1", "1n4l2c1t", list));
	EXPECT_STREQ("2-3", list);
	ASSERT_EQ(NULL, resolve("llc:3", "1n4l2c1t", list));
	EXPECT_STREQ("6", list);	/* 7 belongs to the root */
	ASSERT_EQ(NULL, resolve("node:1", "2n4l2c2t", list));
	EXPECT_STREQ("8-14", list);
	EXPECT_NE(NULL, strstr(resolve("llc:4", "1n4l2c1t", list),
			       "LLC 4 does not exist"));
	EXPECT_NE(NULL, strstr(resolve("node:2", "2n4l2c1t", list),
			       "NUMA node 2 does not exist"));
}

TEST(fraction_slice_overlap_exact)
{
	char list[256];

	/* 1n4l2c1t: 7 usable CPUs, 0-6 */
	ASSERT_EQ(NULL, resolve("range:0-0.5", "1n4l2c1t", list));
	EXPECT_STREQ("0-3", list);
	ASSERT_EQ(NULL, resolve("slice:0/2", "1n4l2c1t", list));
	EXPECT_STREQ("0-2", list);
	ASSERT_EQ(NULL, resolve("slice:1/2", "1n4l2c1t", list));
	EXPECT_STREQ("3-6", list);
	ASSERT_EQ(NULL, resolve("overlap:1/2", "1n4l2c1t", list));
	EXPECT_STREQ("1-6", list);
	ASSERT_EQ(NULL, resolve("cpus:1,3", "1n4l2c1t", list));
	EXPECT_STREQ("1,3", list);
	ASSERT_EQ(NULL, resolve(NULL, "1n4l2c1t", list));
	EXPECT_STREQ("0-6", list);
}

TEST(bad_specs_say_why)
{
	char list[256];

	EXPECT_NE(NULL, strstr(resolve("range:0.5-0.2", "1n4l2c1t", list),
			       "0 <= A < B <= 1"));
	EXPECT_NE(NULL, strstr(resolve("slice:3/3", "1n1l2c1t", list),
			       "slice I/N needs I < N"));
	EXPECT_NE(NULL, strstr(resolve("cpus:7", "1n4l2c1t", list),
			       "names CPUs the test cannot use"));
	EXPECT_NE(NULL, strstr(resolve("llc0", "1n4l2c1t", list),
			       "is not a spec"));
}

TEST_HARNESS_MAIN
