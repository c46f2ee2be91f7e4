// SPDX-License-Identifier: GPL-2.0
/*
 * The auto-repro report from probe events: a callback's entry and exit on
 * one line with what it changed as "before -> after", events touching the
 * task the exit is about marked, the stalled task named.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kselftest_harness.h"
#include "repro.h"

static struct repro_event *event(struct repro *r, __u8 src, __u64 ts, int cpu,
				 int pid)
{
	struct repro_event *e = &r->events[r->nr_events++];

	memset(e, 0, sizeof(*e));
	e->src = src;
	e->ts = ts;
	e->cpu = cpu;
	e->pid = pid;
	snprintf(e->comm, sizeof(e->comm), "steady");
	memset(e->kinds, REPRO_ARG_NONE, sizeof(e->kinds));
	return e;
}

/* ops.enqueue(p, enq_flags) seen at entry and at exit */
static void enqueue(struct repro *r, __u64 ts, int cpu, int pid,
		    __u64 slice_before, __u64 slice_after)
{
	struct repro_event *e;
	int i;

	for (i = 0; i < 2; i++) {
		e = event(r, i ? REPRO_EV_EXIT : REPRO_EV_ENTRY, ts + i * 1000,
			  cpu, pid);
		e->kinds[0] = REPRO_ARG_TASK;
		e->kinds[1] = REPRO_ARG_SCALAR;
		e->args[0] = 0xffff888000001000ULL;
		e->args[1] = 0x9;
		e->task[0].pid = pid;
		snprintf(e->task[0].comm, sizeof(e->task[0].comm), "steady");
		e->task[0].weight = 100;
		e->task[0].dsq_id = 0;
		e->task[0].slice = i ? slice_after : slice_before;
	}
}

/* the scheduler's exit, as the kprobe on the exit function records it */
static void trigger(struct repro *r, __u64 ts, int cpu, int pid, __s64 kind)
{
	event(r, REPRO_EV_TRIGGER, ts, cpu, pid)->exit_kind = kind;
	r->state.triggered = 1;
}

static bool has(const char *out, const char *what)
{
	return strstr(out, what) != NULL;
}

static char *report(struct repro *r)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	repro_print(r, f);
	fclose(f);
	return buf;
}

static void setup(struct repro *r, struct repro_event *events)
{
	memset(r, 0, sizeof(*r));
	r->active = true;
	r->events = events;
	r->nr_cbs = 1;
	snprintf(r->cbs[0].name, sizeof(r->cbs[0].name), "ktstr_enqueue");
	snprintf(r->cbs[0].member, sizeof(r->cbs[0].member), "enqueue");
	snprintf(r->cbs[0].src, sizeof(r->cbs[0].src), "bpf/scx_ktstr.bpf.c:155");
	r->cbs[0].attached = true;
	r->trigger_attached = true;
}

TEST(entry_and_exit_fold_into_before_after)
{
	struct repro_event events[8];
	struct repro r;
	char *out;

	setup(&r, events);
	enqueue(&r, 1000000, 1, 91, 0, 20000000);
	trigger(&r, 5000000, 1, 91, 1025);
	out = report(&r);
	ASSERT_NE(NULL, out);
	EXPECT_TRUE(has(out, "# repro: fentry/fexit on ktstr_enqueue (ops.enqueue, prog 0, bpf/scx_ktstr.bpf.c:155)"));
	EXPECT_TRUE(has(out, "ktstr_enqueue [steady/91] p={pid=91 comm=steady"));
	/* the slice the callback gave, and the flags by their real name */
	EXPECT_TRUE(has(out, " slice=0 -> 20000000 "));
	EXPECT_TRUE(has(out, " enq_flags=0x9"));
	/* unchanged values stay single */
	EXPECT_FALSE(has(out, "weight=100 ->"));
	/* one line for the pair: the exit is not printed on its own */
	EXPECT_TRUE(has(out, "the 2 events before the exit"));
	EXPECT_TRUE(has(out, "# * +0.000ms cpu1 ktstr_enqueue"));
	free(out);
}

TEST(a_stall_marks_the_stalled_task)
{
	struct repro_event events[8];
	struct repro r;
	char *out;

	setup(&r, events);
	enqueue(&r, 1000000, 0, 91, 5, 5);
	enqueue(&r, 2000000, 1, 77, 5, 5);
	trigger(&r, 9000000, 2, 39, 1026);
	r.state.exit_read = 1;
	r.state.exit_kind = 1026;
	snprintf(r.state.reason, sizeof(r.state.reason), "runnable task stall");
	snprintf(r.state.msg, sizeof(r.state.msg),
		 "steady[91] failed to run for 2.247s");
	out = report(&r);
	ASSERT_NE(NULL, out);
	EXPECT_TRUE(has(out, "# repro: stalled task: steady pid 91\n"));
	EXPECT_TRUE(has(out, "# * +0.000ms cpu0 ktstr_enqueue [steady/91]"));
	EXPECT_TRUE(has(out, "#   +1.000ms cpu1 ktstr_enqueue [steady/77]"));
	/* values that did not change are not shown as a change */
	EXPECT_FALSE(has(out, "->"));
	EXPECT_TRUE(has(out, "exit info: kind=1026 (runnable task stall)"));
	free(out);
}

TEST(a_callback_that_never_returned_is_told)
{
	struct repro_event events[8];
	struct repro r;
	char *out;

	setup(&r, events);
	enqueue(&r, 1000000, 0, 91, 0, 20000000);
	/* the exit is raised while the callback runs, its fexit comes after */
	events[1].ts = 6000000;
	trigger(&r, 5000000, 0, 91, 1025);
	/* the events are sorted by time, as repro_stop() leaves them */
	{
		struct repro_event tmp = events[1];

		events[1] = events[2];
		events[2] = tmp;
	}
	out = report(&r);
	ASSERT_NE(NULL, out);
	EXPECT_TRUE(has(out, "(still running when the exit was raised)"));
	free(out);
}

/* a kernel function's kprobe and kretprobe, matched by task, not CPU */
TEST(a_kernel_call_and_its_return)
{
	struct repro_event events[8], *e;
	struct repro r;
	char *out;
	int i;

	setup(&r, events);
	r.nr_funcs = 1;
	snprintf(r.funcs[0].name, sizeof(r.funcs[0].name), "balance_scx");
	snprintf(r.funcs[0].params[0], 32, "rq");
	snprintf(r.funcs[0].params[1], 32, "prev");
	snprintf(r.funcs[0].params[2], 32, "rf");
	r.funcs[0].attached = true;
	r.funcs[0].returns = true;
	for (i = 0; i < 2; i++) {
		e = event(&r, i ? REPRO_EV_KRETPROBE : REPRO_EV_KPROBE,
			  1000000 + i * 5000, i ? 2 : 3, 87);
		e->kinds[0] = REPRO_ARG_RQ;
		e->kinds[1] = REPRO_ARG_TASK;
		e->kinds[2] = REPRO_ARG_SCALAR;
		e->args[0] = 0xff11000007a2c400ULL;
		e->args[1] = 0xff11000003a1b000ULL;
		e->args[2] = 0xffa00000002c7dc8ULL;
		e->task[0].pid = 3;
		e->task[1].pid = 87;
		e->task[1].weight = 100;
		e->task[1].slice = i ? 20000000 : 0;
		e->ret = 1;
	}
	trigger(&r, 9000000, 3, 87, 1025);
	out = report(&r);
	ASSERT_NE(NULL, out);
	EXPECT_TRUE(has(out, "balance_scx [steady/87] rq={cpu=3} prev={pid=87"));
	EXPECT_TRUE(has(out, " slice=0 -> 20000000 "));
	EXPECT_TRUE(has(out, "} rf=0xffa00000002c7dc8 = 1\n"));
	EXPECT_TRUE(has(out, "the 2 events before the exit"));
	free(out);
}

TEST_HARNESS_MAIN
