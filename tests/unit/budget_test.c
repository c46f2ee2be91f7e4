// SPDX-License-Identifier: GPL-2.0
/*
 * --budget: every test once, then the most new topology features per
 * second, within the budget; measured times from earlier runs.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "budget.h"
#include "util.h"

static void item(struct budget_item *it, const char *name, const char *test,
		 const char *topo, double est)
{
	char err[128];

	memset(it, 0, sizeof(*it));
	it->name = name;
	it->test = test;
	topo_parse(topo, &it->topo, err, sizeof(err));
	it->est_s = est;
}

TEST(features_of_a_topology)
{
	struct topo t = { 2, 4, 4, 2 };
	char names[200];

	EXPECT_EQ((1u << BF_LLC4) | (1u << BF_SMT) | (1u << BF_NODE2) |
		  (1u << BF_CPU64), budget_features(&t));
	budget_feature_names(budget_features(&t), names, sizeof(names));
	EXPECT_STREQ("4 LLCs, SMT, 2 nodes, 17-64 CPUs", names);
}

TEST(every_test_once_then_new_features)
{
	struct budget_item it[6];
	double used;

	item(&it[0], "gauntlet/a/tiny-1llc", "a", "1n1l4c1t", 10);
	item(&it[1], "gauntlet/a/tiny-2llc", "a", "1n2l2c1t", 10);
	item(&it[2], "gauntlet/a/smt-2llc", "a", "1n2l2c2t", 11);
	item(&it[3], "gauntlet/a/numa2-4llc", "a", "2n4l4c1t", 20);
	item(&it[4], "gauntlet/b/tiny-1llc", "b", "1n1l4c1t", 10);
	item(&it[5], "gauntlet/b/medium-8llc", "b", "1n8l4c2t", 40);
	/* 40 s: a and b once (20 s), then the best feature per second */
	EXPECT_EQ(3, budget_choose(it, 6, 40, 1, &used));
	EXPECT_TRUE(it[0].chosen);
	EXPECT_TRUE(it[4].chosen);
	EXPECT_NE(NULL, strstr(it[0].why, "first run of a"));
	/* smt-2llc adds 2 LLCs and SMT for 11 s: more per second */
	EXPECT_TRUE(it[2].chosen);
	EXPECT_NE(NULL, strstr(it[2].why, "SMT"));
	EXPECT_FALSE(it[1].chosen);
	EXPECT_NE(NULL, strstr(it[1].why, "adds no topology feature"));
	EXPECT_FALSE(it[5].chosen);
	EXPECT_NE(NULL, strstr(it[5].why, "needs 40 s"));
	EXPECT_EQ(31, (int)used);
	/* two VMs at once: twice the capacity, everything new fits */
	EXPECT_EQ(5, budget_choose(it, 6, 50, 2, &used));
	EXPECT_TRUE(it[3].chosen);
	EXPECT_TRUE(it[5].chosen);
	EXPECT_FALSE(it[1].chosen);
}

TEST(too_small_a_budget_keeps_the_cheapest_tests)
{
	struct budget_item it[3];
	double used;

	item(&it[0], "slow", "slow", "1n1l2c1t", 30);
	item(&it[1], "fast", "fast", "1n1l2c1t", 8);
	item(&it[2], "mid", "mid", "1n1l2c1t", 12);
	EXPECT_EQ(2, budget_choose(it, 3, 25, 1, &used));
	EXPECT_TRUE(it[1].chosen);
	EXPECT_TRUE(it[2].chosen);
	EXPECT_FALSE(it[0].chosen);
	EXPECT_NE(NULL, strstr(it[0].why, "needs 30 s"));
}

TEST(model_grows_with_vcpus_and_duration)
{
	struct topo small = { 1, 1, 4, 1 }, big = { 1, 8, 4, 2 };

	EXPECT_LT(budget_model_s(&small, 2000, false),
		  budget_model_s(&big, 2000, false));
	EXPECT_LT(budget_model_s(&small, 2000, false),
		  budget_model_s(&small, 10000, false));
	EXPECT_LT(budget_model_s(&big, 2000, true),
		  budget_model_s(&big, 2000, false));
}

TEST(measured_times_from_earlier_runs)
{
	char dir[] = "/tmp/ktstr-budget-XXXXXX", path[256];
	struct budget_item it[2];
	const char *json = "{\"name\":\"steady\",\"topo\":\"1n1l2c1t\",\"wall_s\":7.5}\n";

	ASSERT_NE(NULL, mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/6.12-abc", dir);
	ASSERT_EQ(0, mkdir_p(path));
	snprintf(path, sizeof(path), "%s/6.12-abc/steady-0123456789abcdef.timing.json",
		 dir);
	ASSERT_EQ(0, write_file_atomic(path, json, strlen(json)));
	item(&it[0], "steady", "steady", "1n1l2c1t", 99);
	item(&it[1], "other", "other", "1n1l2c1t", 99);
	EXPECT_EQ(1, budget_load_measured(dir, it, 2));
	EXPECT_TRUE(it[0].measured);
	EXPECT_EQ(75, (int)(it[0].est_s * 10));
	EXPECT_FALSE(it[1].measured);
	unlink(path);
	snprintf(path, sizeof(path), "%s/6.12-abc", dir);
	rmdir(path);
	rmdir(dir);
}

TEST_HARNESS_MAIN
