// SPDX-License-Identifier: GPL-2.0
/*
 * Monitor judgement: sustained runs only, the exact violation lines; the
 * event counters, schedstat parsing and the printed block's shapes.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kselftest_harness.h"
#include "checks.h"
#include "monitor.h"

static void setup(struct monitor *m, const char *cpus)
{
	struct ktstr_checks c = { .max_local_dsq_depth = 3 }, eff;
	struct cpus set;

	memset(m, 0, sizeof(*m));
	cpus_parse(cpus, &set);
	checks_effective(NULL, &c, 1, &eff);
	monitor_cfg_init(&m->cfg, &eff, &set);
	m->nr_cpus = 4;
	monitor_phase(m, "steady");
}

TEST(imbalance_needs_sustained_samples)
{
	uint32_t nr[4] = { 9, 1, 1, 0 }, dsq[4] = { 0 };
	uint64_t clock[4] = { 1, 1, 1, 1 };
	struct monitor m;
	int i;

	setup(&m, "0-2");
	for (i = 0; i < 4; i++) {
		clock[0] += 10, clock[1] += 10, clock[2] += 10;
		monitor_judge(&m, nr, nr, dsq, clock);
	}
	EXPECT_EQ(0, m.nr_violations);	/* 4 < 5 samples */
	nr[1] = 1;
	clock[0] += 10, clock[1] += 10, clock[2] += 10;
	monitor_judge(&m, nr, nr, dsq, clock);
	ASSERT_EQ(1, m.nr_violations);
	EXPECT_STREQ("imbalance ratio 9.0 exceeded threshold 4.0 for 5 consecutive samples (ending at sample 5)\n",
		     m.violations);
	EXPECT_EQ(9.0, m.max_imbalance);
}

TEST(dsq_depth_and_rq_clock_stall)
{
	uint32_t nr[4] = { 1, 1, 1, 1 }, dsq[4] = { 0, 7, 0, 0 };
	uint64_t clock[4] = { 100, 200, 300, 400 };
	struct monitor m;
	int i;

	setup(&m, "0-2");
	for (i = 0; i < 6; i++) {
		clock[0] += 10;		/* cpu1 and cpu2 never move */
		monitor_judge(&m, nr, nr, dsq, clock);
	}
	EXPECT_NE(NULL, strstr(m.violations,
			       "local DSQ depth 7 on cpu1 exceeded threshold 3 for 5 consecutive samples (ending at sample 5)\n"));
	EXPECT_NE(NULL, strstr(m.violations,
			       "rq_clock stall on cpu2 for 5 consecutive samples (ending at sample 6, clock=300)\n"));
	/* cpu3 is not judged: it belongs to the root cgroup */
	EXPECT_EQ(NULL, strstr(m.violations, "cpu3"));
	EXPECT_EQ(2, m.stuck);
}

TEST(an_idle_cpu_is_not_stalled)
{
	uint32_t nr[4] = { 0, 0, 0, 0 }, dsq[4] = { 0 };
	uint64_t clock[4] = { 5, 5, 5, 5 };
	struct monitor m;
	int i;

	setup(&m, "0-2");
	for (i = 0; i < 10; i++)
		monitor_judge(&m, nr, nr, dsq, clock);
	EXPECT_EQ(0, m.nr_violations);
	EXPECT_EQ(10, m.phases[0].samples);
}

static void events_at(struct scx_events *ev, long long ms, uint64_t fallback,
		      uint64_t keep_last)
{
	char text[256];

	snprintf(text, sizeof(text),
		 "SCX_EV_SELECT_CPU_FALLBACK %llu\nSCX_EV_DISPATCH_LOCAL_DSQ_OFFLINE 0\nSCX_EV_DISPATCH_KEEP_LAST %llu\nSCX_EV_REFILL_SLICE_DFL %llu\n",
		 (unsigned long long)fallback, (unsigned long long)keep_last,
		 (unsigned long long)ms);
	scx_events_parse(text, ev);
	ev->at_ms = ms;
}

TEST(event_counters_parse)
{
	struct scx_events ev;
	uint64_t v = 0;

	ASSERT_TRUE(scx_events_parse("SCX_EV_SELECT_CPU_FALLBACK 7\nSCX_EV_BYPASS_DURATION 12\n", &ev));
	EXPECT_EQ(2, ev.nr);
	EXPECT_TRUE(scx_events_get(&ev, "select_cpu_fallback", &v));
	EXPECT_EQ(7, v);
	EXPECT_TRUE(scx_events_get(&ev, "bypass_duration", &v));
	EXPECT_EQ(12, v);
	EXPECT_FALSE(scx_events_get(&ev, "dispatch_keep_last", &v));
	EXPECT_FALSE(scx_events_parse("", &ev));
}

TEST(keep_last_rate_needs_sustained_intervals)
{
	struct scx_events ev;
	struct monitor m;
	uint64_t fb, kl, off;
	double fbr, klr, pf, pk;
	int i;

	setup(&m, "0-2");
	/* 100 ms apart: 5 keep-lasts are 50/s, 20 are 200/s (over 100/s) */
	for (i = 0; i <= 5; i++) {
		events_at(&ev, 1000 + 100 * i, 0, 5 * i);
		monitor_judge_events(&m, &ev);
	}
	EXPECT_EQ(0, m.nr_violations);
	for (i = 1; i <= 5; i++) {
		events_at(&ev, 1500 + 100 * i, 0, 25 + 20 * i);
		monitor_judge_events(&m, &ev);
	}
	ASSERT_EQ(1, m.nr_violations);
	EXPECT_STREQ("keep_last rate 200.0/s exceeded threshold 100.0/s for 5 consecutive intervals (ending at sample 0)\n",
		     m.violations);
	ASSERT_TRUE(monitor_event_totals(&m, &fb, &fbr, &kl, &klr, &off));
	EXPECT_EQ(125, kl);
	EXPECT_EQ(125.0, klr);
	EXPECT_EQ(0, fb);
	ASSERT_TRUE(monitor_phase_rates(&m.phases[0], &pf, &pk));
	EXPECT_EQ(125.0, pk);
}

TEST(schedstat_cpus_and_domains)
{
	static const char text[] =
		"version 16\ntimestamp 4294\n"
		"cpu0 0 0 100 10 50 5 999 2000 7\n"
		"domain0 03 1 0 0 0 2 0 0 0 3 0 1 0 4 0 0 0 5 0 0 0 6 0 0 0 0 0 9 0 0 0 0 0 0 11 12 0\n"
		"cpu1 0 0 200 20 60 6 999 3000 7\n"
		"domain0 03 1 0 0 0 2 0 0 0 3 0 1 0 4 0 0 0 5 0 0 0 6 0 0 0 0 0 9 0 0 0 0 0 0 11 12 0\n"
		"cpu2 0 0 400 40 70 7 999 4000 7\n"
		"domain0 03 1 0 0 0 2 0 0 0 3 0 1 0 4 0 0 0 5 0 0 0 6 0 0 0 0 0 9 0 0 0 0 0 0 11 12 0\n";
	struct schedstat ss;
	struct cpus set;

	cpus_parse("0-1", &set);
	schedstat_parse(text, &set, &ss);
	EXPECT_EQ(16, ss.version);
	EXPECT_EQ(300, ss.sched_count);
	EXPECT_EQ(30, ss.goidle);
	EXPECT_EQ(110, ss.ttwu);
	EXPECT_EQ(5000, ss.run_delay_ns);
	ASSERT_EQ(1, ss.nr_domains);
	EXPECT_EQ(18, ss.dom[0].lb_count);	/* (1 + 3 + 5) per cpu */
	EXPECT_EQ(2, ss.dom[0].lb_failed);
	EXPECT_EQ(24, ss.dom[0].lb_gained);	/* (2 + 4 + 6) per cpu */
	EXPECT_EQ(18, ss.dom[0].alb_pushed);
	EXPECT_EQ(22, ss.dom[0].ttwu_wake_remote);
	EXPECT_EQ(24, ss.dom[0].ttwu_move_affine);
}

TEST(phase_line_shape)
{
	struct monitor_phase p = { .samples = 2, .sum_imbalance = 3,
				   .max_imbalance = 2, .sum_nr = 2.4 };
	char buf[512];

	monitor_phase_line(&p, 1234.4, buf, sizeof(buf));
	EXPECT_STREQ("imbalance: avg=1.5 max=2.0 | dsq: avg=0 max=0 | nr_run: avg=1.2 | fallback: n/a | keep_last: n/a | throughput: 1234 iter/s",
		     buf);
	p.ev_samples = 2;
	p.ev_ms[0] = 1000;
	p.ev_ms[1] = 3000;
	p.keep_last[1] = 76;
	monitor_phase_line(&p, 0, buf, sizeof(buf));
	EXPECT_NE(NULL, strstr(buf, "| fallback: 0/s | keep_last: 38/s | throughput: 0 iter/s"));
	monitor_phase_line(NULL, 0, buf, sizeof(buf));
	EXPECT_STREQ("imbalance: avg=n/a max=n/a | dsq: avg=n/a max=n/a | nr_run: avg=n/a | fallback: n/a | keep_last: n/a | throughput: 0 iter/s",
		     buf);
}

/* each line of the block in the manual's field order; the verdict last */
TEST(monitor_block_shape)
{
	struct scx_events ev;
	struct monitor m;
	char *out = NULL, *last;
	size_t len = 0;
	FILE *f;

	setup(&m, "0-2");
	m.samples = 4;
	m.sum_imbalance = 5.28;
	m.max_imbalance = 2;
	m.sum_nr = 4.8;
	m.start_ms = 0;
	m.end_ms = 4000;
	m.ss1.sched_count = 586;
	m.ss1.run_delay_ns = 4000;
	m.ss1.ttwu = 204;
	m.ss1.goidle = 1;
	m.nr_progs1 = 1;
	m.progs1[0] = (struct prog_stat){ .id = 3, .name = "ktstr_select_cp",
					  .run_cnt = 189, .run_time_ns = 27405,
					  .verified_insns = 75 };
	events_at(&ev, 0, 0, 0);
	monitor_judge_events(&m, &ev);
	events_at(&ev, 4000, 0, 210);
	monitor_judge_events(&m, &ev);
	f = open_memstream(&out, &len);
	ASSERT_NE(NULL, f);
	monitor_fprint(&m, f);
	fclose(f);
	EXPECT_NE(NULL, strstr(out, "# samples=4 max_imbalance=2.00 max_dsq_depth=0 stuck=0"));
	EXPECT_NE(NULL, strstr(out, "\n# avg: imbalance=1.32 nr_running/cpu=1.2 dsq/cpu=0.0 "));
	EXPECT_NE(NULL, strstr(out, "\n# events: fallback=0 (0.0/s) keep_last=210 (52.5/s) offline=0 |"));
	EXPECT_NE(NULL, strstr(out, "\n# events+: refill_slice_dfl=4000\n"));
	EXPECT_NE(NULL, strstr(out, "\n# schedstat: csw=586 (146/s) run_delay=1000ns/s ttwu=204 goidle=1"));
	EXPECT_NE(NULL, strstr(out, "\n# bpf: ktstr_select_cp cnt=189 145ns/call verified_insns=75\n"));
	out[len - 1] = '\0';
	last = strrchr(out, '\n');
	ASSERT_NE(NULL, last);
	EXPECT_STREQ("\n# verdict: monitor OK", last);
	free(out);
}

TEST(failing_verdict_names_the_violations)
{
	uint32_t nr[4] = { 9, 1, 1, 0 }, dsq[4] = { 0 };
	uint64_t clock[4] = { 1, 1, 1, 1 };
	struct monitor m;
	char *out = NULL, *last;
	size_t len = 0;
	FILE *f;
	int i;

	setup(&m, "0-2");
	for (i = 0; i < 5; i++) {
		clock[0] += 10, clock[1] += 10, clock[2] += 10;
		monitor_judge(&m, nr, nr, dsq, clock);
	}
	f = open_memstream(&out, &len);
	ASSERT_NE(NULL, f);
	monitor_fprint(&m, f);
	fclose(f);
	out[len - 1] = '\0';
	last = strrchr(out, '\n');
	ASSERT_NE(NULL, last);
	EXPECT_STREQ("\n# verdict: monitor FAILED: 1 violation(s): imbalance ratio 9.0 exceeded threshold 4.0 for 5 consecutive samples (ending at sample 5)",
		     last);
	EXPECT_NE(NULL, strstr(out, "sustained_violation=yes"));
	free(out);
}

TEST_HARNESS_MAIN
