// SPDX-License-Identifier: GPL-2.0
/*
 * A worker stopped at any moment reports: the ping-pong types' partner
 * thread must answer the last ping, and the stop signal must reach the
 * thread that waits. Before the fix a futex ping-pong worker stopped
 * mid-exchange could wait for an answer for ever.
 */
#include <signal.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "worker.h"

#define ROUNDS		200
#define BATCH		8

/* stop BATCH workers of @work at random moments, ROUNDS times in all */
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
