// SPDX-License-Identifier: GPL-2.0
/*
 * Auto-repro report: what was probed, what was dropped and why, and the
 * events before the scheduler's exit in time order. A callback's entry and
 * exit are printed as one line, each value it changed as "before -> after";
 * events touching the task the exit is about are marked with '*'.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compiler.h"
#include "repro.h"
#include "util.h"

#define SHOWN_EVENTS	40

/*
 * Argument names of the sched_ext_ops members: their BTF prototypes are
 * function pointer types, which carry no parameter names.
 */
static const struct {
	const char *member;
	const char *names[REPRO_MAX_ARGS];
} op_params[] = {
	{ "select_cpu", { "p", "prev_cpu", "wake_flags" } },
	{ "enqueue", { "p", "enq_flags" } },
	{ "dequeue", { "p", "deq_flags" } },
	{ "dispatch", { "cpu", "prev" } },
	{ "tick", { "p" } },
	{ "runnable", { "p", "enq_flags" } },
	{ "running", { "p" } },
	{ "stopping", { "p", "runnable" } },
	{ "quiescent", { "p", "deq_flags" } },
	{ "yield", { "from", "to" } },
	{ "core_sched_before", { "a", "b" } },
	{ "set_weight", { "p", "weight" } },
	{ "set_cpumask", { "p", "cpumask" } },
	{ "update_idle", { "cpu", "idle" } },
	{ "cpu_acquire", { "cpu", "args" } },
	{ "cpu_release", { "cpu", "args" } },
	{ "init_task", { "p", "args" } },
	{ "exit_task", { "p", "args" } },
	{ "enable", { "p" } },
	{ "disable", { "p" } },
	{ "cpu_online", { "cpu" } },
	{ "cpu_offline", { "cpu" } },
};

struct line {
	char buf[1536];
	size_t off;
};

static void put(struct line *l, const char *fmt, ...)
	__printf(2, 3);

static void put(struct line *l, const char *fmt, ...)
{
	va_list ap;

	if (l->off >= sizeof(l->buf))
		return;
	va_start(ap, fmt);
	l->off += vsnprintf(l->buf + l->off, sizeof(l->buf) - l->off, fmt, ap);
	va_end(ap);
}

static bool is_kernel(const struct repro_event *e)
{
	return e->src == REPRO_EV_KPROBE || e->src == REPRO_EV_KRETPROBE;
}

/* the second half of a call, folded into the line of its first */
static bool is_return(const struct repro_event *e)
{
	return e->src == REPRO_EV_EXIT || e->src == REPRO_EV_KRETPROBE;
}

static const char *param_name(const struct repro *r,
			      const struct repro_event *e, int i, char *buf)
{
	const char *name = NULL;
	size_t k;

	if (is_kernel(e)) {
		if (e->func < r->nr_funcs)
			name = r->funcs[e->func].params[i];
	} else if (e->src == REPRO_EV_TRIGGER) {
		name = r->trigger.params[i];
	} else if (e->func < r->nr_cbs) {
		for (k = 0; k < ARRAY_SIZE(op_params); k++)
			if (!strcmp(op_params[k].member, r->cbs[e->func].member))
				name = op_params[k].names[i];
	}
	if (name && *name)
		return name;
	sprintf(buf, "arg%d", i);
	return buf;
}

/* flags and addresses in hex, counts and CPUs in decimal */
static void scalar(struct line *l, const char *name, unsigned long long v)
{
	size_t n = strlen(name);

	if ((n >= 5 && !strcmp(name + n - 5, "flags")) || v > 0xffffffffULL)
		put(l, " %s=0x%llx", name, v);
	else
		put(l, " %s=%lld", name, (long long)(int)v);
}

/* "name=v" or "name=before -> after" */
static void value(struct line *l, const char *name, unsigned long long before,
		  unsigned long long after, bool have_after, bool hex)
{
	put(l, hex ? " %s=0x%llx" : " %s=%llu", name, before);
	if (have_after && after != before)
		put(l, hex ? " -> 0x%llx" : " -> %llu", after);
}

static void task(struct line *l, const char *name, const struct repro_task *t,
		 const struct repro_task *x)
{
	put(l, " %s={pid=%d comm=%s", name, t->pid, t->comm);
	value(l, "cpus", t->nr_cpus_allowed, x ? x->nr_cpus_allowed : 0, x, false);
	value(l, "dsq", t->dsq_id, x ? x->dsq_id : 0, x, true);
	value(l, "enq_flags", t->enq_flags, x ? x->enq_flags : 0, x, true);
	value(l, "flags", t->flags, x ? x->flags : 0, x, true);
	value(l, "slice", t->slice, x ? x->slice : 0, x, false);
	value(l, "vtime", t->dsq_vtime, x ? x->dsq_vtime : 0, x, false);
	value(l, "weight", t->weight, x ? x->weight : 0, x, false);
	put(l, "}");
}

/* the arguments of @e, and of its exit @x when it has one */
static void args(struct line *l, const struct repro *r,
		 const struct repro_event *e, const struct repro_event *x)
{
	char buf[16];
	int i;

	for (i = 0; i < REPRO_MAX_ARGS; i++) {
		const char *name = param_name(r, e, i, buf);

		switch (e->kinds[i]) {
		case REPRO_ARG_NONE:
			break;
		case REPRO_ARG_TASK:
			if (e->args[i])
				task(l, name, &e->task[i], x ? &x->task[i] : NULL);
			else
				put(l, " %s=NULL", name);
			break;
		case REPRO_ARG_RQ:
			put(l, " %s={cpu=%d}", name, e->task[i].pid);
			break;
		case REPRO_ARG_DSQ:
			put(l, " %s={id=0x%llx}", name,
			    (unsigned long long)e->task[i].dsq_id);
			break;
		default:
			scalar(l, name, e->args[i]);
		}
	}
}

static const char *event_name(const struct repro *r, const struct repro_event *e)
{
	if (e->src == REPRO_EV_TRIGGER)
		return REPRO_TRIGGER;
	if (is_kernel(e))
		return e->func < r->nr_funcs ? r->funcs[e->func].name : "?";
	return e->func < r->nr_cbs ? r->cbs[e->func].name : "?";
}

/*
 * The return of the call entered at @i: the same function on the same
 * task (a kernel function may sleep and come back on another CPU; pid 0
 * is each CPU's own idle task). Another entry first means it never
 * returned while recorded.
 */
static const struct repro_event *exit_of(const struct repro *r, int i)
{
	const struct repro_event *e = &r->events[i];
	__u8 ret = e->src == REPRO_EV_KPROBE ? REPRO_EV_KRETPROBE :
		   REPRO_EV_EXIT;
	int j;

	for (j = i + 1; j < r->nr_events; j++) {
		const struct repro_event *x = &r->events[j];

		if (x->func != e->func || x->pid != e->pid ||
		    (!e->pid && x->cpu != e->cpu))
			continue;
		if (x->src == ret)
			return x;
		if (x->src == e->src)
			return NULL;
	}
	return NULL;
}

static bool returns_value(const struct repro *r, const struct repro_event *e)
{
	if (is_kernel(e))
		return e->func < r->nr_funcs && r->funcs[e->func].returns;
	return e->func < r->nr_cbs && r->cbs[e->func].returns;
}

static bool touches(const struct repro_event *e, int pid)
{
	int i;

	/* pid 0 is every CPU's idle task: marking it would mark them all */
	if (pid <= 0)
		return false;
	if (e->pid == pid)
		return true;
	for (i = 0; i < REPRO_MAX_ARGS; i++)
		if (e->kinds[i] == REPRO_ARG_TASK && e->args[i] &&
		    e->task[i].pid == pid)
			return true;
	return false;
}

static void print_event(FILE *out, const struct repro *r, int i,
			unsigned long long t0, const struct repro_event *trig,
			int key_pid)
{
	const struct repro_event *e = &r->events[i], *x = NULL;
	struct line l = { .off = 0 };

	put(&l, "# %c +%.3fms cpu%u %s [%s/%d]", touches(e, key_pid) ? '*' : ' ',
	    (e->ts - t0) / 1e6, e->cpu, event_name(r, e), e->comm, e->pid);
	if (e->src != REPRO_EV_TRIGGER)
		x = exit_of(r, i);
	args(&l, r, e, x);
	/* a kernel function that sleeps returns long after: say nothing */
	if (!x && e->src == REPRO_EV_ENTRY)
		put(&l, " (no exit recorded)");
	if (x && trig && x->ts > trig->ts)
		put(&l, " (still running when the exit was raised)");
	if (x && returns_value(r, e))
		put(&l, " = %lld", (long long)x->ret);
	fprintf(out, "%s\n", l.buf);
}

/* "comm[pid] failed to run for ..." names the stalled task */
static int stalled_pid(const char *msg, char *comm, size_t len)
{
	const char *end = strstr(msg, "] failed to run");
	const char *open = end;
	char *num_end;
	long pid;

	if (!end)
		return -1;
	while (open > msg && open[-1] != '[')
		open--;
	pid = strtol(open, &num_end, 10);
	if (open == msg || num_end != end || pid < 0)
		return -1;
	snprintf(comm, len, "%.*s", (int)(open - 1 - msg), msg);
	return pid;
}

static void print_setup(FILE *out, const struct repro *r)
{
	int i, attached = 0;

	for (i = 0; i < r->nr_funcs; i++)
		attached += r->funcs[i].attached;
	/* "traceable:" is the pipeline's line on the host: this is the guest's */
	fprintf(out, "# repro: kprobes on %d of %d kernel functions:", attached,
		r->nr_funcs);
	for (i = 0; i < r->nr_funcs; i++)
		if (r->funcs[i].attached)
			fprintf(out, " %s", r->funcs[i].name);
	fputc('\n', out);
	for (i = 0; i < r->nr_funcs; i++)
		if (!r->funcs[i].attached)
			fprintf(out, "# repro: dropped %s (%s)\n", r->funcs[i].name,
			       r->funcs[i].why ? r->funcs[i].why : "?");
	for (i = 0; i < r->nr_cbs; i++) {
		const struct repro_callback *cb = &r->cbs[i];

		if (!cb->attached) {
			fprintf(out, "# repro: no fentry/fexit on %s: %s\n", cb->name,
			       cb->why);
			continue;
		}
		fprintf(out, "# repro: fentry/fexit on %s (ops.%s, prog %u, %s) attached in %.2fs\n",
		       cb->name, cb->member, cb->prog_id,
		       cb->src[0] ? cb->src : "no line info",
		       r->cb_attach_ms / 1000.0);
		if (cb->frame_src[0])
			fprintf(out, "# repro:   crash frame %s+0x%lx: %s\n", cb->name,
			       cb->frame_off, cb->frame_src);
	}
}

void repro_print(const struct repro *r, FILE *out)
{
	const struct repro_state *st = &r->state;
	const struct repro_event *trig = NULL;
	int i, first, attached = 0, fentry = 0, key_pid = -1, stalled;
	char comm[64];

	if (!r->active)
		return;
	for (i = 0; i < r->nr_funcs; i++)
		attached += r->funcs[i].attached;
	for (i = 0; i < r->nr_cbs; i++)
		fentry += r->cbs[i].attached;
	fprintf(out, "# --- probe data ---\n");
	if (r->err[0])
		fprintf(out, "# repro: %s\n", r->err);
	print_setup(out, r);
	for (i = 0; i < r->nr_events; i++)
		if (r->events[i].src == REPRO_EV_TRIGGER) {
			trig = &r->events[i];
			break;
		}
	fprintf(out, "# repro: kprobes=%d fentry=%d trigger=%s (%s) fired=%s events=%llu\n",
	       attached, fentry, REPRO_TRIGGER,
	       r->trigger_attached ? "attached" : "not attached",
	       trig || st->triggered ? "yes" : "no", r->total_events);
	/* a stall is about the task that did not run, an error about current */
	stalled = st->exit_read ? stalled_pid(st->msg, comm, sizeof(comm)) : -1;
	if (stalled >= 0)
		key_pid = stalled;
	else if (trig)
		key_pid = trig->pid;
	if (!r->nr_events)
		return;
	/* the last events up to and including the exit */
	for (i = 0; i < r->nr_events && &r->events[i] != trig; i++)
		;
	if (i == r->nr_events)
		i--;
	first = i;
	for (attached = 1; first > 0 && attached < SHOWN_EVENTS; first--)
		if (!is_return(&r->events[first - 1]))
			attached++;
	fprintf(out, "# repro: the %d events before the exit (* = the task the exit is about):\n",
	       attached);
	for (; first <= i; first++)
		if (!is_return(&r->events[first]))
			print_event(out, r, first, r->events[0].ts, trig, key_pid);
	if (trig)
		fprintf(out, "# repro: exit kind %lld triggered by %s/%d on cpu%u\n",
		       (long long)trig->exit_kind, trig->comm, trig->pid,
		       trig->cpu);
	if (st->exit_read) {
		fprintf(out, "# repro: exit info: kind=%lld (%s) code=%lld msg=%s\n",
		       (long long)st->exit_kind, st->reason,
		       (long long)st->exit_code, st->msg);
		if (stalled >= 0)
			fprintf(out, "# repro: stalled task: %s pid %d\n", comm,
				stalled);
	}
}
