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

/*
 * Non-finite and malformed numbers: "range:0-nan" converted nan to an
 * index (undefined), "range:nan--8" passed every comparison and walked
 * billions of CPU indices; "llc:-1" wrapped to 4294967295.
 */
TEST(non_finite_and_malformed_numbers_refused)
{
	static const char *const bad[] = {
		"range:0-nan", "range:nan--8", "range:nan-0.5", "range:0-inf",
		"range:-inf-0.5", "range:0-1e400",
		"range: 0-0.5", "range:0-0.5x", "range:0", "range:-0.1-0.5",
		"llc:-1", "llc:", "llc:1x", "llc:99999999999999999999",
		"node:+1", "slice:-1/2", "slice:1/", "slice:1/2x",
		"overlap:0/0", "slice:4294967297/2",
	};
	char list[256];
	const char *err;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		err = resolve(bad[i], "1n4l2c1t", list);
		EXPECT_NE(NULL, err) {
			TH_LOG("'%s' accepted as %s", bad[i], list);
		}
		EXPECT_NE(NULL, err ? strstr(err, bad[i]) : "") {
			TH_LOG("'%s': %s", bad[i], err);
		}
	}
	/* the valid forms still resolve */
	ASSERT_EQ(NULL, resolve("range:.5-1", "1n4l2c1t", list));
	EXPECT_STREQ("3-6", list);
	ASSERT_EQ(NULL, resolve("range:0-1", "1n4l2c1t", list));
	EXPECT_STREQ("0-6", list);
}

TEST(cpu_list_digits_only)
{
	struct cpus c;

	EXPECT_EQ(-1, cpus_parse(" 1", &c));
	EXPECT_EQ(-1, cpus_parse("+1", &c));
	EXPECT_EQ(-1, cpus_parse("-1", &c));
	EXPECT_EQ(-1, cpus_parse("1--3", &c));
	EXPECT_EQ(-1, cpus_parse("1- 3", &c));
	EXPECT_EQ(-1, cpus_parse("1,,2", &c));
	EXPECT_EQ(-1, cpus_parse("18446744073709551617", &c));
	EXPECT_EQ(0, cpus_parse("0,2-3", &c));
	EXPECT_EQ(3, cpus_count(&c));
}

TEST_HARNESS_MAIN
