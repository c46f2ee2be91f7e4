/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Auto-repro probe events, shared by repro_probes.bpf.c and lib/repro*.c.
 */
#ifndef __KTSTR_REPRO_PROBES_H
#define __KTSTR_REPRO_PROBES_H

#define REPRO_MAX_ARGS		4
#define REPRO_MAX_CALLBACKS	4	/* fentry/fexit pairs in the object */
#define REPRO_MAX_FUNCS		64	/* kernel functions probed */
/* the exit trigger's attach cookie: past every function's index */
#define REPRO_TRIGGER_COOKIE	REPRO_MAX_FUNCS
#define REPRO_COMM_LEN		16
#define REPRO_SLOTS		4096
#define REPRO_MSG_LEN		160
#define REPRO_REASON_LEN	48
/*
 * Callback exits recorded after the trigger: the callback that raised the
 * error returns after the exit was claimed, and its fexit is the "after"
 * of the values it changed.
 */
#define REPRO_LATE_EXITS	64

/* what an argument points at, from the function's BTF prototype */
enum repro_arg_kind {
	REPRO_ARG_SCALAR,
	REPRO_ARG_TASK,		/* struct task_struct * */
	REPRO_ARG_RQ,			/* struct rq * */
	REPRO_ARG_DSQ,		/* struct scx_dispatch_q * */
	REPRO_ARG_EXIT_INFO,		/* struct scx_exit_info * */
	REPRO_ARG_NONE = 255,		/* the function has fewer arguments */
};

/* which probe recorded an event */
enum repro_event_src {
	REPRO_EV_KPROBE,	/* a kernel function, entry */
	REPRO_EV_ENTRY,		/* a BPF callback, fentry */
	REPRO_EV_EXIT,		/* a BPF callback, fexit */
	REPRO_EV_TRIGGER,	/* the scheduler's exit */
	REPRO_EV_KRETPROBE,	/* a kernel function, return */
};

/* a kernel function's call in flight: its arguments, for the return */
struct repro_call_key {
	__u64 pid_tgid;
	__u64 func;
};

struct repro_call {
	__u64 args[REPRO_MAX_ARGS];
	__u8 kinds[REPRO_MAX_ARGS];
};

struct repro_arg_kinds {
	__u8 kind[REPRO_MAX_ARGS];
};

struct repro_task {
	__s32 pid;
	__u32 nr_cpus_allowed;
	__u64 dsq_id;
	__u64 slice;
	__u64 dsq_vtime;
	__u32 weight;
	__u32 flags;		/* p->scx.flags: SCX_TASK_* */
	__u64 enq_flags;	/* p->scx.ddsp_enq_flags */
	char comm[REPRO_COMM_LEN];
};

struct repro_event {
	__u64 ts;
	__u64 ret;		/* the return value, at a function's exit */
	__u32 cpu;
	__s32 pid;		/* current */
	char comm[REPRO_COMM_LEN];
	__u8 src;		/* enum repro_event_src */
	__u8 func;		/* index of the kernel function or callback */
	__u8 kinds[REPRO_MAX_ARGS];
	__u64 args[REPRO_MAX_ARGS];
	/* decoded arguments, by kind */
	struct repro_task task[REPRO_MAX_ARGS];
	__s64 exit_kind;
};

/* shared by every probe program, whichever object instance loaded it */
struct repro_state {
	__u64 nr_events;
	__u32 triggered;
	__u32 late_exits;
	__u32 exit_read;	/* the exit info below is filled */
	/* the exit info, read when the exit function returns */
	__s64 exit_kind;
	__s64 exit_code;
	char reason[REPRO_REASON_LEN];
	char msg[REPRO_MSG_LEN];
};

#endif /* __KTSTR_REPRO_PROBES_H */
