// SPDX-License-Identifier: GPL-2.0
/*
 * Auto-repro probes: a kprobe and a kretprobe program attached to every
 * kernel function on a crash path (the attach cookie says which),
 * fentry/fexit programs on the scheduler's BPF callbacks on that path,
 * and a trigger on the scheduler's exit.
 *
 * Each hit records the function (its attach cookie: an index userspace
 * chose), the current task and its first arguments; arguments the function's BTF prototype says are tasks, run
 * queues or DSQs are decoded here, while the objects still exist.
 *
 * A fentry/fexit program is bound to its target when it loads, and the
 * callbacks exist only once the scheduler is up, while the kprobes must
 * be armed before it starts: userspace opens this object twice, once for
 * the kprobes and once, after the attach, for up to REPRO_MAX_CALLBACKS
 * callback pairs loaded together. The second instance reuses the maps of
 * the first (bpf_map__reuse_fd), which is why the counters live in the
 * state map rather than in .bss.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>

#include "repro_probes.h"

char _license[] SEC("license") = "GPL";

/* what each callback's arguments point at, set before load */
const volatile __u8 cb_kinds[REPRO_MAX_CALLBACKS][REPRO_MAX_ARGS];
/* where the kernel keeps its struct scx_exit_info pointer */
const volatile __u64 exit_info_addr;

/* what each kernel function's arguments point at, by attach cookie */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 256);
	__type(key, __u64);
	__type(value, struct repro_arg_kinds);
} arg_kinds SEC(".maps");

/*
 * The last REPRO_SLOTS events, overwritten in a circle: a hot function
 * (schedule) cannot crowd out the moment of the exit, and nothing has to
 * drain it while the scheduler dies.
 */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, REPRO_SLOTS);
	__type(key, __u32);
	__type(value, struct repro_event);
} slots SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct repro_state);
} state SEC(".maps");

/* kernel function calls in flight, by task and function */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 4096);
	__type(key, struct repro_call_key);
	__type(value, struct repro_call);
} calls SEC(".maps");

static __always_inline void decode_task(struct repro_task *t, struct task_struct *p)
{
	struct scx_dispatch_q *dsq;

	t->pid = BPF_CORE_READ(p, pid);
	t->nr_cpus_allowed = BPF_CORE_READ(p, nr_cpus_allowed);
	t->slice = BPF_CORE_READ(p, scx.slice);
	t->dsq_vtime = BPF_CORE_READ(p, scx.dsq_vtime);
	t->weight = BPF_CORE_READ(p, scx.weight);
	t->flags = BPF_CORE_READ(p, scx.flags);
	t->enq_flags = BPF_CORE_READ(p, scx.ddsp_enq_flags);
	dsq = BPF_CORE_READ(p, scx.dsq);
	t->dsq_id = dsq ? BPF_CORE_READ(dsq, id) : (__u64)-1;
	bpf_probe_read_kernel_str(t->comm, sizeof(t->comm), p->comm);
}

static __always_inline void decode_args(struct repro_event *e)
{
	int i;

	for (i = 0; i < REPRO_MAX_ARGS; i++) {
		/* plain pointers: CO-RE relocates the object, not e->args */
		struct task_struct *p = (void *)e->args[i];
		struct scx_dispatch_q *dsq = (void *)e->args[i];
		struct rq *rq = (void *)e->args[i];

		if (!e->args[i])
			continue;
		if (e->kinds[i] == REPRO_ARG_TASK)
			decode_task(&e->task[i], p);
		else if (e->kinds[i] == REPRO_ARG_RQ)
			e->task[i].pid = BPF_CORE_READ(rq, cpu);
		else if (e->kinds[i] == REPRO_ARG_DSQ)
			e->task[i].dsq_id = BPF_CORE_READ(dsq, id);
	}
}

/*
 * A slot for a new event, or NULL once the exit happened: the way to the
 * exit is what matters. @late lets a callback's fexit through after it.
 */
static __always_inline struct repro_event *new_event(struct repro_state *st, __u8 src,
				     bool late, __u32 *slotp)
{
	struct repro_event *e;
	__u32 slot;

	if (st->triggered) {
		if (!late || __sync_fetch_and_add(&st->late_exits, 1) >=
			     REPRO_LATE_EXITS)
			return NULL;
	}
	slot = __sync_fetch_and_add(&st->nr_events, 1) % REPRO_SLOTS;
	e = bpf_map_lookup_elem(&slots, &slot);
	if (!e)
		return NULL;
	__builtin_memset(e, 0, sizeof(*e));
	e->ts = bpf_ktime_get_ns();
	e->cpu = bpf_get_smp_processor_id();
	e->pid = bpf_get_current_pid_tgid();
	e->src = src;
	bpf_get_current_comm(e->comm, sizeof(e->comm));
	*slotp = slot;
	return e;
}

static struct repro_state *get_state(void)
{
	__u32 zero = 0;

	return bpf_map_lookup_elem(&state, &zero);
}

static int record_kprobe(struct pt_regs *ctx, bool trigger)
{
	struct repro_state *st = get_state();
	/* the function's index, or REPRO_TRIGGER_COOKIE */
	__u64 cookie = bpf_get_attach_cookie(ctx);
	struct repro_arg_kinds *k;
	struct repro_event *e;
	__u32 slot;
	int i;

	if (!st)
		return 0;
	e = new_event(st, trigger ? REPRO_EV_TRIGGER : REPRO_EV_KPROBE, false,
		      &slot);
	if (!e)
		return 0;
	e->func = cookie;
	e->args[0] = PT_REGS_PARM1(ctx);
	e->args[1] = PT_REGS_PARM2(ctx);
	e->args[2] = PT_REGS_PARM3(ctx);
	e->args[3] = PT_REGS_PARM4(ctx);
	k = bpf_map_lookup_elem(&arg_kinds, &cookie);
	for (i = 0; k && i < REPRO_MAX_ARGS; i++)
		e->kinds[i] = k->kind[i];
	decode_args(e);
	if (!trigger) {
		/* the kretprobe reads the same objects again */
		struct repro_call_key key = {
			.pid_tgid = bpf_get_current_pid_tgid(),
			.func = cookie,
		};
		struct repro_call call;

		__builtin_memcpy(call.args, e->args, sizeof(call.args));
		__builtin_memcpy(call.kinds, e->kinds, sizeof(call.kinds));
		bpf_map_update_elem(&calls, &key, &call, BPF_ANY);
	}
	if (trigger) {
		/* scx_ops_exit_kind(kind, exit_code, fmt, ...) */
		e->exit_kind = e->args[0];
		st->triggered = 1;
	}
	return 0;
}

SEC("kprobe")
int probe(struct pt_regs *ctx)
{
	return record_kprobe(ctx, false);
}

SEC("kprobe")
int exit_trigger(struct pt_regs *ctx)
{
	return record_kprobe(ctx, true);
}

/*
 * A kernel function returns: its task, run queue and DSQ arguments read
 * again, so what the call changed shows as before -> after.
 */
SEC("kretprobe")
int probe_return(struct pt_regs *ctx)
{
	struct repro_call_key key = {
		.pid_tgid = bpf_get_current_pid_tgid(),
		.func = bpf_get_attach_cookie(ctx),
	};
	struct repro_state *st = get_state();
	struct repro_call *call = bpf_map_lookup_elem(&calls, &key);
	struct repro_event *e;
	__u32 slot;

	if (!st || !call)
		return 0;
	e = new_event(st, REPRO_EV_KRETPROBE, true, &slot);
	if (e) {
		e->func = key.func;
		e->ret = PT_REGS_RC(ctx);
		__builtin_memcpy(e->args, call->args, sizeof(e->args));
		__builtin_memcpy(e->kinds, call->kinds, sizeof(e->kinds));
		decode_args(e);
	}
	bpf_map_delete_elem(&calls, &key);
	return 0;
}

/*
 * The exit function has formatted the message into the exit info by the
 * time it returns: kind, reason and message, read once, for the first
 * (claiming) exit.
 */
SEC("kretprobe")
int exit_return(struct pt_regs *ctx)
{
	struct repro_state *st = get_state();
	struct scx_exit_info *ei = NULL;
	const char *reason, *msg;

	if (!st || !st->triggered || st->exit_read || !exit_info_addr)
		return 0;
	bpf_probe_read_kernel(&ei, sizeof(ei), (void *)exit_info_addr);
	if (!ei)
		return 0;
	st->exit_kind = BPF_CORE_READ(ei, kind);
	st->exit_code = BPF_CORE_READ(ei, exit_code);
	reason = BPF_CORE_READ(ei, reason);
	if (reason)
		bpf_probe_read_kernel_str(st->reason, sizeof(st->reason), reason);
	msg = BPF_CORE_READ(ei, msg);
	if (msg)
		bpf_probe_read_kernel_str(st->msg, sizeof(st->msg), msg);
	st->exit_read = 1;
	return 0;
}

/*
 * A struct_ops program's own prototype is (u64 *ctx): its arguments are
 * in the array ctx[0] points at, read here at entry and again at exit so
 * userspace can show what the callback changed.
 */
static __always_inline int record_callback(__u64 *ctx, __u8 src, int n)
{
	struct repro_state *st = get_state();
	struct repro_event *e;
	__u32 slot;
	int i;

	if (!st)
		return 0;
	e = new_event(st, src, src == REPRO_EV_EXIT, &slot);
	if (!e)
		return 0;
	e->func = n;
	bpf_probe_read_kernel(e->args, sizeof(e->args), (void *)ctx[0]);
	for (i = 0; i < REPRO_MAX_ARGS; i++)
		e->kinds[i] = cb_kinds[n][i];
	decode_args(e);
	if (src == REPRO_EV_EXIT)
		bpf_get_func_ret(ctx, &e->ret);
	return 0;
}

/* one pair per callback slot: n selects the slot's argument kinds */
#define CALLBACK_PROBES(n)						\
SEC("fentry")								\
int callback_entry##n(__u64 *ctx)					\
{									\
	return record_callback(ctx, REPRO_EV_ENTRY, n);			\
}									\
SEC("fexit")								\
int callback_exit##n(__u64 *ctx)					\
{									\
	return record_callback(ctx, REPRO_EV_EXIT, n);			\
}

CALLBACK_PROBES(0)
CALLBACK_PROBES(1)
CALLBACK_PROBES(2)
CALLBACK_PROBES(3)
