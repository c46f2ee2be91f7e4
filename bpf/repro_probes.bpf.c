/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Auto-repro probes: one kprobe program attached to every kernel
 * function on a crash path, and a trigger on the scheduler's exit.
 *
 * Each hit records the function (bpf_get_func_ip), the current task, and
 * its first arguments; arguments the function's BTF prototype says are
 * tasks, run queues, DSQs or exit info are decoded here, while the
 * objects still exist. Userspace fills arg_kinds per function address.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>

#include "repro_probes.h"

char _license[] SEC("license") = "GPL";

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

__u64 nr_events, triggered;
__u32 trigger_slot;

static void decode_task(struct repro_task *t, struct task_struct *p)
{
	struct scx_dispatch_q *dsq;

	t->pid = BPF_CORE_READ(p, pid);
	t->nr_cpus_allowed = BPF_CORE_READ(p, nr_cpus_allowed);
	t->slice = BPF_CORE_READ(p, scx.slice);
	t->dsq_vtime = BPF_CORE_READ(p, scx.dsq_vtime);
	t->weight = BPF_CORE_READ(p, scx.weight);
	dsq = BPF_CORE_READ(p, scx.dsq);
	t->dsq_id = dsq ? BPF_CORE_READ(dsq, id) : (__u64)-1;
	bpf_probe_read_kernel_str(t->comm, sizeof(t->comm), p->comm);
}

static int record(struct pt_regs *ctx, bool trigger)
{
	struct repro_arg_kinds *k;
	struct repro_event *e;
	__u64 ip = bpf_get_func_ip(ctx);
	__u32 slot;
	int i;

	/* the way to the exit is what matters: stop once it happened */
	if (triggered)
		return 0;
	slot = __sync_fetch_and_add(&nr_events, 1) % REPRO_SLOTS;
	e = bpf_map_lookup_elem(&slots, &slot);
	if (!e)
		return 0;
	__builtin_memset(e, 0, sizeof(*e));
	e->ts = bpf_ktime_get_ns();
	e->ip = ip;
	e->cpu = bpf_get_smp_processor_id();
	e->pid = bpf_get_current_pid_tgid();
	e->trigger = trigger;
	bpf_get_current_comm(e->comm, sizeof(e->comm));
	e->args[0] = PT_REGS_PARM1(ctx);
	e->args[1] = PT_REGS_PARM2(ctx);
	e->args[2] = PT_REGS_PARM3(ctx);
	e->args[3] = PT_REGS_PARM4(ctx);
	k = bpf_map_lookup_elem(&arg_kinds, &ip);
	for (i = 0; k && i < REPRO_MAX_ARGS; i++) {
		/* plain pointers: CO-RE relocates the object, not e->args */
		struct task_struct *p = (void *)e->args[i];
		struct scx_dispatch_q *dsq = (void *)e->args[i];
		struct rq *rq = (void *)e->args[i];

		e->kinds[i] = k->kind[i];
		if (!e->args[i])
			continue;
		if (k->kind[i] == REPRO_ARG_TASK)
			decode_task(&e->task[i], p);
		else if (k->kind[i] == REPRO_ARG_RQ)
			e->task[i].pid = BPF_CORE_READ(rq, cpu);
		else if (k->kind[i] == REPRO_ARG_DSQ)
			e->task[i].dsq_id = BPF_CORE_READ(dsq, id);
	}
	if (trigger) {
		/* scx_ops_exit_kind(kind, exit_code, fmt, ...) */
		e->exit_kind = e->args[0];
		trigger_slot = slot;
		triggered = 1;
	}
	return 0;
}

SEC("kprobe")
int probe(struct pt_regs *ctx)
{
	return record(ctx, false);
}

SEC("kprobe")
int exit_trigger(struct pt_regs *ctx)
{
	return record(ctx, true);
}
