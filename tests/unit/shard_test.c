// SPDX-License-Identifier: GPL-2.0
/*
 * --shard: the partition by name hash, I/N parsing and the CI engines'
 * variables.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kselftest_harness.h"
#include "shard.h"

static void clear_env(void)
{
	unsetenv("CI_NODE_INDEX");
	unsetenv("CI_NODE_TOTAL");
	unsetenv("JOB_COMPLETION_INDEX");
	unsetenv("KTSTR_SHARD_TOTAL");
}

TEST(every_case_in_exactly_one_shard_and_stable)
{
	char name[64];
	unsigned int count[5] = { 0 }, s, i;

	for (i = 0; i < 500; i++) {
		snprintf(name, sizeof(name), "gauntlet/case_%u/tiny-1llc", i);
		s = shard_of(name, 5);
		ASSERT_LT(s, 5);
		/* the same name, the same shard, every time */
		EXPECT_EQ(s, shard_of(name, 5));
		count[s]++;
	}
	/* roughly even: 100 each, none below 60 */
	for (s = 0; s < 5; s++) {
		unsigned int c = count[s];

		EXPECT_GT(c, 60);
	}
	EXPECT_EQ(0, shard_of("anything", 1));
}

TEST(adding_a_shard_moves_only_cases_to_the_new_one)
{
	char name[64];
	unsigned int moved = 0, i, a, b;

	for (i = 0; i < 600; i++) {
		snprintf(name, sizeof(name), "case_%u", i);
		a = shard_of(name, 3);
		b = shard_of(name, 4);
		if (a != b) {
			/* rendezvous: a case only ever moves to the new shard */
			EXPECT_EQ(3, b);
			moved++;
		}
	}
	/* about a quarter moves, not most of them as with hash mod N */
	EXPECT_GT(moved, 100);
	EXPECT_LT(moved, 200);
}

TEST(shard_spec_parsed_strictly)
{
	unsigned int i, n;
	char why[160];

	ASSERT_EQ(0, shard_parse("1/3", &i, &n, why, sizeof(why)));
	EXPECT_EQ(0, i);
	EXPECT_EQ(3, n);
	ASSERT_EQ(0, shard_parse("3/3", &i, &n, why, sizeof(why)));
	EXPECT_EQ(2, i);
	EXPECT_EQ(-1, shard_parse("0/3", &i, &n, why, sizeof(why)));
	EXPECT_NE(NULL, strstr(why, "count from 1"));
	EXPECT_EQ(-1, shard_parse("4/3", &i, &n, why, sizeof(why)));
	EXPECT_EQ(-1, shard_parse("1/0", &i, &n, why, sizeof(why)));
	EXPECT_EQ(-1, shard_parse("3", &i, &n, why, sizeof(why)));
	EXPECT_EQ(-1, shard_parse("1/3x", &i, &n, why, sizeof(why)));
	EXPECT_EQ(-1, shard_parse("-1/3", &i, &n, why, sizeof(why)));
	EXPECT_EQ(-1, shard_parse("1/2000", &i, &n, why, sizeof(why)));
}

TEST(ci_variables)
{
	unsigned int i = 99, n = 99;
	char src[96], why[256];

	clear_env();
	EXPECT_EQ(0, shard_from_env(0, &i, &n, src, sizeof(src), why,
				    sizeof(why)));
	/* GitLab parallel: 1-based */
	setenv("CI_NODE_INDEX", "2", 1);
	setenv("CI_NODE_TOTAL", "4", 1);
	ASSERT_EQ(1, shard_from_env(0, &i, &n, src, sizeof(src), why,
				    sizeof(why)));
	EXPECT_EQ(1, i);
	EXPECT_EQ(4, n);
	/* a --shard-total that disagrees with GitLab's total is an error */
	EXPECT_EQ(1, shard_from_env(4, &i, &n, src, sizeof(src), why,
				    sizeof(why)));
	EXPECT_EQ(-1, shard_from_env(3, &i, &n, src, sizeof(src), why,
				     sizeof(why)));
	EXPECT_NE(NULL, strstr(why, "CI_NODE_TOTAL=4 but --shard-total 3"));
	setenv("CI_NODE_INDEX", "5", 1);
	EXPECT_EQ(-1, shard_from_env(0, &i, &n, src, sizeof(src), why,
				     sizeof(why)));
	clear_env();
	/* Kubernetes Indexed Job: 0-based, the total from elsewhere */
	setenv("JOB_COMPLETION_INDEX", "0", 1);
	EXPECT_EQ(-1, shard_from_env(0, &i, &n, src, sizeof(src), why,
				     sizeof(why)));
	EXPECT_NE(NULL, strstr(why, "--shard-total"));
	ASSERT_EQ(1, shard_from_env(3, &i, &n, src, sizeof(src), why,
				    sizeof(why)));
	EXPECT_EQ(0, i);
	EXPECT_EQ(3, n);
	setenv("KTSTR_SHARD_TOTAL", "2", 1);
	setenv("JOB_COMPLETION_INDEX", "1", 1);
	ASSERT_EQ(1, shard_from_env(0, &i, &n, src, sizeof(src), why,
				    sizeof(why)));
	EXPECT_EQ(1, i);
	EXPECT_EQ(2, n);
	setenv("JOB_COMPLETION_INDEX", "2", 1);
	EXPECT_EQ(-1, shard_from_env(0, &i, &n, src, sizeof(src), why,
				     sizeof(why)));
	clear_env();
}

TEST_HARNESS_MAIN
