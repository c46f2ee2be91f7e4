// SPDX-License-Identifier: GPL-2.0
/*
 * A worker stopped at any moment reports: the ping-pong types' partner
 * thread must answer the last ping, and the stop signal must reach the
 * thread that waits. Before the fix a futex ping-pong worker stopped
 * mid-exchange could wait for an answer for ever. A sleep or an exchange
 * the stop cuts short must not be recorded as a wake-up: a sleep's
 * negative lateness wrapped to about 4295 s in the report's unsigned
 * samples; now the worker counts such a sample as dropped, and none may
 * be.
 */
#include <signal.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "worker.h"

#define ROUNDS		200
#define BATCH		8
/* a wake-up later than this in a 2 s run is a wrapped negative */
#define WAKE_US_MAX	(10 * 1000 * 1000)

static int implausible_wakes(const struct worker_report *r)
{
	unsigned int i, n = 0;

	for (i = 0; i < r->nr_wake && i < WAKE_SAMPLES; i++)
		n += r->wake_us[i] > WAKE_US_MAX;
	return n + r->wake_dropped;
}

/*
 * Stop BATCH workers of @work at random moments, ROUNDS times in all;
 * count the workers that did not report and the bad samples of those
 * that did.
 */
static int unreported(enum ktstr_work work)
{
	struct ktstr_cgroup cg = { .work = work };
	struct worker w[BATCH];
	int i, r, missing = 0;

	srandom(getpid());
	for (r = 0; r < ROUNDS / BATCH; r++) {
		for (i = 0; i < BATCH; i++)
			if (worker_spawn(&w[i], &cg, 0, 0, NULL) ||
			    worker_release(&w[i]))
				return -1;
		for (i = 0; i < BATCH; i++) {
			struct timespec ts = { 0, (random() % 3000) * 1000L };

			nanosleep(&ts, NULL);
			worker_signal_stop(&w[i]);
		}
		/* collect kills a worker that did not report in time */
		for (i = 0; i < BATCH; i++)
			if (worker_collect(&w[i], 2000))
				missing++;
			else
				missing += implausible_wakes(&w[i].report);
		if (missing)
			break;	/* within the harness's 30 s */
	}
	return missing;
}

TEST(futex_pingpong_stops)
{
	ASSERT_EQ(0, unreported(WORK_FUTEX_PINGPONG));
}

TEST(pipe_pingpong_stops)
{
	ASSERT_EQ(0, unreported(WORK_PIPE_PINGPONG));
}

TEST(futex_fanout_stops)
{
	ASSERT_EQ(0, unreported(WORK_FUTEX_FANOUT));
}

TEST_HARNESS_MAIN
