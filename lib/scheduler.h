/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The scheduler under test: start it, know when it is attached, notice
 * when it dies, tell a clean exit from a crash, stop it.
 */
#ifndef __KTSTR_SCHEDULER_H
#define __KTSTR_SCHEDULER_H

#include <stdbool.h>
#include <sys/types.h>

#define SCX_STATE	"/sys/kernel/sched_ext/state"
#define SCX_OPS		"/sys/kernel/sched_ext/root/ops"

struct sched {
	const char *path;
	char ops_name[64];	/* what root/ops should read */
	char log_path[256];	/* its stdout + stderr */
	pid_t pid;
	int kmsg_fd;		/* /dev/kmsg from before the start */
	bool exited;
	int status;
	long long start_ms;
	double died_at_s;	/* seconds into the test, or -1 */
	/* from the kernel's "BPF scheduler ... disabled (...)" lines */
	char exit_kind[64];	/* e.g. "scx_bpf_error", "runnable task stall" */
	char exit_msg[512];
	char kernel_lines[4096];
};

/* scx_foo -> "foo": the ops name the tree's schedulers use. */
void sched_ops_name(const char *path, char *buf, size_t len);

/*
 * Start @path with @args (space separated, may be NULL), then wait up to
 * @timeout_ms for sched_ext to be enabled with our ops. On failure
 * returns -1 with "scheduler did not attach: <reason>" in @err.
 */
int sched_start(struct sched *s, const char *path, const char *args,
		unsigned int timeout_ms, char *err, size_t errlen);

/* Still running and attached? Records the time of death once. */
bool sched_alive(struct sched *s, long long test_start_ms);

/* SIGINT, then SIGKILL after 5 s; collects the kernel's exit lines. */
void sched_stop(struct sched *s);

/* Read new sched_ext lines from the kernel log into the exit fields. */
void sched_read_kernel_exit(struct sched *s);

/* A crash, as opposed to a clean exit or no exit at all. */
bool sched_crashed(const struct sched *s);

#endif /* __KTSTR_SCHEDULER_H */
