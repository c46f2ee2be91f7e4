/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ktstr test declarations: a test is data. It says which topology,
 * scheduler, cgroups and workloads it wants, the steps to run and what
 * must hold; libktstr runs it and judges it.
 */
#ifndef __KTSTR_H
#define __KTSTR_H

#include <stdbool.h>

#include "gauntlet.h"

#define KTSTR_MAX_CGROUPS	8
#define KTSTR_MAX_STEPS		8
#define KTSTR_MAX_OPS		4

enum ktstr_work {
	WORK_SPIN,		/* pure CPU */
	WORK_YIELD,		/* sched_yield() after every unit */
	WORK_MIXED,		/* spin, yield every 8 units */
	WORK_IO,		/* a tenth of a spin unit + 100us sleep */
	WORK_BURSTY,		/* spin 50 ms, sleep 20 ms */
	WORK_PIPE_PINGPONG,	/* pairs bouncing a byte over pipes */
	WORK_FUTEX_PINGPONG,	/* pairs waking each other on a futex */
	WORK_CACHE,		/* strided walk over a buffer bigger than L2 */
	WORK_FORK_EXIT,		/* fork a child that exits at once */
	WORK_FUTEX_FANOUT,	/* one waker, 3 waiters: wake latency */
	WORK_NICE_SWEEP,	/* nice 0..19 and back, every 64 units */
	WORK_AFFINITY_CHURN,	/* pinned to a random allowed CPU every 16 units */
	WORK_POLICY_CHURN,	/* OTHER/BATCH/IDLE in turn every 32 units */
	WORK_PAGE_FAULT,	/* map, touch and unmap 1 MiB */
	WORK_MUTEX,		/* 3 threads on one mutex, short hold */
	WORK_SEQUENCE,		/* spin, yield, io, bursty: 500 ms each */
	WORK_NR,
};

enum ktstr_op_kind {
	OP_NONE,
	OP_ADD_CGROUP,		/* start cgroup .cgroup (declared, not started) */
	OP_REMOVE_CGROUP,	/* stop its workers, remove it */
	OP_SET_CPUSET,		/* .cgroup gets cpuset .spec */
	OP_CLEAR_CPUSET,	/* .cgroup gets all CPUs again */
	OP_SWAP_CPUSETS,	/* .cgroup and .other swap cpusets */
	OP_MOVE_ALL,		/* every task of .cgroup into .other */
	OP_FREEZE,
	OP_UNFREEZE,
	OP_SET_AFFINITY,	/* workers of .cgroup pinned to .spec */
};

struct ktstr_op {
	enum ktstr_op_kind kind;
	const char *cgroup;
	const char *other;
	const char *spec;
};

struct ktstr_step {
	const char *label;
	struct ktstr_op ops[KTSTR_MAX_OPS];
	double hold;		/* fraction of the duration, or ... */
	unsigned int hold_ms;	/* ... a fixed time */
};

struct ktstr_cgroup {
	const char *name;
	/*
	 * cpuset spec: NULL (all test CPUs), "llc:I", "node:N",
	 * "range:A-B" (fractions of the test CPUs, e.g. 0-0.5),
	 * "slice:I/N" (disjoint), "overlap:I/N" (slices 50% wider),
	 * "cpus:LIST" (exact).
	 */
	const char *cpuset;
	unsigned int workers;	/* default 2 */
	enum ktstr_work work;
	int policy;		/* SCHED_OTHER default */
	int nice;
	int nice_alt;		/* non-zero: every second worker runs at it */
	unsigned int weight;	/* cpu.weight, 1..10000; 0: left at 100 */
	const char *affinity;	/* cpuset spec: workers pinned before they start */
	bool deferred;		/* started by an OP_ADD_CGROUP step */
};

/*
 * An external program run as (part of) a case's workload: in a declared
 * cgroup, so under its cpuset and weight, started with the cgroups'
 * workers and given the case's duration plus a grace period to end.
 * Its exit status is checked, and its metrics go into the sidecar,
 * comparable with `ktstr stats compare` like the built-in ones. The host
 * carries the program (found on its PATH) and its libraries into the
 * guest; a host without it skips the case, saying which package.
 */
enum ktstr_payload_format {
	PAYLOAD_EXIT_ONLY,	/* no metrics: exit status 0 is all */
	PAYLOAD_STRESS_NG,	/* stress-ng --metrics --yaml {out} */
	PAYLOAD_HACKBENCH,	/* a "Time: SECONDS" line on stdout */
	PAYLOAD_JSON,		/* JSON on stdout ({out} when named) */
};

#define KTSTR_MAX_PAYLOADS	4

struct ktstr_payload {
	const char *name;	/* its metrics are <name>.<metric> */
	const char *cgroup;	/* a declared cgroup's name; NULL: the first */
	/*
	 * the program and its arguments, split on spaces; "{out}" becomes
	 * a fresh file the program writes its report to
	 */
	const char *cmd;
	enum ktstr_payload_format format;
	const char *package;	/* the Debian package that has it */
};

/* a threshold set to KTSTR_OFF is not checked, not even by its default */
#define KTSTR_OFF	(-1.0)

/*
 * Thresholds; zero means "library default" (or off where noted). The
 * defaults apply to every case: library -> scheduler (--sched-checks)
 * -> the case's own values, in that order.
 */
struct ktstr_checks {
	bool not_starved;		/* on by default; kept for old cases */
	bool allow_starved;		/* turns the starvation check off */
	bool isolation;
	double max_gap_ms;		/* default 2000 */
	double max_spread_pct;		/* default 15 */
	/*
	 * cgroups that declare .weight: each one's share of their CPU time
	 * against its cpu.weight share, in percentage points (default 15)
	 */
	double max_weight_error_pct;
	/*
	 * a cgroup with .nice_alt: the lower-nice workers' share of its CPU
	 * time against what their weights ask, in points (default 25)
	 */
	double max_nice_error_pct;
	double min_iteration_rate;	/* units/s per worker, native speed */
	double max_throughput_cv;	/* off unless set */
	double max_migration_ratio;	/* off unless set */
	double max_p99_wake_latency_us;	/* off unless set */
	double max_wake_latency_cv;	/* off unless set */
	/* the monitor's thresholds */
	double max_imbalance_ratio;	/* default 4.0 */
	unsigned int max_local_dsq_depth;	/* default 50 */
	unsigned int sustained_samples;	/* default 5 */
	bool ignore_rq_stall;
	/* sched_ext event rates, where the kernel counts them (6.15+) */
	/*
	 * Set by the run, not by a declaration: percentage points of the
	 * run during which the host did not run the VM. A spread within
	 * that of its threshold cannot be told from the host's doing.
	 */
	double host_noise_pct;
	double max_fallback_rate;	/* select_cpu fallbacks/s, default 200 */
	double max_keep_last_rate;	/* dispatch keep-last/s, default 100 */
};

struct ktstr_test {
	const char *name;
	const char *description;
	const char *topo;		/* default 1n1l2c1t */
	/*
	 * NULL: no sched_ext scheduler (EEVDF). "scx_ktstr" is the fixture;
	 * any other name or path is run as is. KTSTR_SCHED overrides it.
	 */
	const char *sched;
	const char *sched_args;
	unsigned int duration_ms;	/* KTSTR_DEFAULT_DURATION_MS */
	unsigned int memory_mb;		/* KTSTR_DEFAULT_MEMORY_MB */
	unsigned int watchdog_ms;	/* fixture's ops.timeout_ms, KTSTR_DEFAULT_WATCHDOG_MS */
	struct ktstr_cgroup cgroups[KTSTR_MAX_CGROUPS];
	struct ktstr_step steps[KTSTR_MAX_STEPS];
	struct ktstr_checks checks;
	struct ktstr_payload payloads[KTSTR_MAX_PAYLOADS];
	/*
	 * A negative test: the run must fail, and its failure text must
	 * contain this.
	 */
	const char *expect_err;
	/*
	 * What the case needs from the kernel (needs.h: "kfunc:NAME,
	 * ops:NAME, tp:NAME, event:NAME, config:CONFIG_X"): a kernel that
	 * lacks one skips the case, naming it.
	 */
	const char *needs;
	bool no_auto_repro;
	/* the presets `ktstr run --gauntlet` may run it on */
	struct ktstr_gauntlet gauntlet;
};

const char *ktstr_op_name(enum ktstr_op_kind k);

/* Run one declared test in this (guest) kernel. Returns a KSFT_ code. */
int ktstr_run_test(const struct ktstr_test *t);

/* --list: the declarations as JSON on stdout. */
void ktstr_list_json(const struct ktstr_test *const *tests, int n);

#endif /* __KTSTR_H */
