/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Auto-repro probe events, shared by repro.bpf.c and lib/repro.c.
 */
#ifndef __KTSTR_REPRO_PROBES_H
#define __KTSTR_REPRO_PROBES_H

#define REPRO_MAX_ARGS		4
#define REPRO_COMM_LEN		16
#define REPRO_SLOTS		4096

/* what an argument points at, from the function's BTF prototype */
enum repro_arg_kind {
	REPRO_ARG_SCALAR,
	REPRO_ARG_TASK,		/* struct task_struct * */
	REPRO_ARG_RQ,			/* struct rq * */
	REPRO_ARG_DSQ,		/* struct scx_dispatch_q * */
	REPRO_ARG_EXIT_INFO,		/* struct scx_exit_info * */
	REPRO_ARG_NONE = 255,		/* the function has fewer arguments */
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
	char comm[REPRO_COMM_LEN];
};

struct repro_event {
	__u64 ts;
	__u64 ip;		/* the probed function */
	__u32 cpu;
	__s32 pid;		/* current */
	char comm[REPRO_COMM_LEN];
	__u8 trigger;		/* the scheduler's exit */
	__u8 kinds[REPRO_MAX_ARGS];
	__u64 args[REPRO_MAX_ARGS];
	/* decoded arguments, by kind */
	struct repro_task task[REPRO_MAX_ARGS];
	__s64 exit_kind;
};

#endif /* __KTSTR_REPRO_PROBES_H */
