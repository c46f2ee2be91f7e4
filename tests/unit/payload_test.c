// SPDX-License-Identifier: GPL-2.0
/*
 * A payload's metrics from its output: stress-ng's YAML report as
 * stress-ng 0.15 writes it, hackbench's Time: line, a fio-like JSON.
 */
#include <math.h>
#include <string.h>

#include "kselftest_harness.h"
#include "payload.h"

static const struct ktstr_payload p = { .name = "test" };

static const struct payload_metric *find(const struct payload_run *pr,
					 const char *name)
{
	int i;

	for (i = 0; i < pr->nr; i++)
		if (!strcmp(pr->m[i].name, name))
			return &pr->m[i];
	return NULL;
}

TEST(stress_ng_yaml)
{
	static const char yaml[] =
		"---\nsystem-info:\n      stress-ng-version: 0.15.06\n"
		"metrics:\n    - stressor: cpu\n      bogo-ops: 3602\n"
		"      bogo-ops-per-second-real-time: 1801.255739\n"
		"      wall-clock-time: 1.999716\n      max-rss: 6544\n"
		"...\n";
	struct payload_run pr = { .p = &p };
	const struct payload_metric *m;

	payload_parse_stress_ng(&pr, yaml);
	ASSERT_EQ(4, pr.nr);
	m = find(&pr, "cpu.bogo-ops-per-second-real-time");
	ASSERT_NE(NULL, m);
	ASSERT_LT(fabs(m->value - 1801.255739), 1e-9);
	ASSERT_TRUE(m->higher_better);
	m = find(&pr, "cpu.wall-clock-time");
	ASSERT_NE(NULL, m);
	ASSERT_FALSE(m->higher_better);
	/* system-info's numbers are no metrics */
	ASSERT_EQ(NULL, find(&pr, "stress-ng-version"));
}

TEST(hackbench_time)
{
	struct payload_run pr = { .p = &p };

	payload_parse_hackbench(&pr, "Running in process mode\nTime: 1.236\n");
	ASSERT_EQ(1, pr.nr);
	ASSERT_STREQ("time_s", pr.m[0].name);
	ASSERT_FALSE(pr.m[0].higher_better);
	/* "Time:" inside a line is not hackbench's */
	memset(&pr, 0, sizeof(pr));
	pr.p = &p;
	payload_parse_hackbench(&pr, "Run Time: 5\n");
	ASSERT_EQ(0, pr.nr);
}

TEST(json_nested_and_bounded)
{
	struct payload_run pr = { .p = &p };
	char big[8192];
	int i, n = 0;

	payload_parse_json(&pr, "note\n{\"jobs\":{\"read\":{\"iops\":12.5,\"lat_ns\":{\"mean\":3.2}}},\"n\":1,\"\":7}");
	ASSERT_NE(NULL, find(&pr, "jobs.read.iops"));
	ASSERT_NE(NULL, find(&pr, "jobs.read.lat_ns.mean"));
	ASSERT_FALSE(find(&pr, "jobs.read.lat_ns.mean")->higher_better);
	ASSERT_EQ(3, pr.nr);
	/* a flood of numbers: at most PAYLOAD_MAX_METRICS are kept */
	memset(&pr, 0, sizeof(pr));
	pr.p = &p;
	n += snprintf(big + n, sizeof(big) - n, "{");
	for (i = 0; i < 100; i++)
		n += snprintf(big + n, sizeof(big) - n, "%s\"k%d\":%d", i ? "," : "", i, i);
	snprintf(big + n, sizeof(big) - n, "}");
	payload_parse_json(&pr, big);
	ASSERT_EQ(PAYLOAD_MAX_METRICS, pr.nr);
	/* not JSON: said, no metric */
	memset(&pr, 0, sizeof(pr));
	pr.p = &p;
	payload_parse_json(&pr, "no json here");
	ASSERT_EQ(0, pr.nr);
	ASSERT_NE(0, pr.why[0]);
}

TEST_HARNESS_MAIN
