/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The run-queue monitor: an observer independent of the workers. It
 * samples every CPU's run queue (through bpf/monitor.bpf.c), the
 * schedstat counters and the BPF programs' run statistics, keeps
 * per-phase averages for the timeline, and flags sustained imbalance,
 * deep local DSQs and stalled rq clocks.
 */
#ifndef __KTSTR_MONITOR_H
#define __KTSTR_MONITOR_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "cpus.h"
#include "ktstr.h"

#define MONITOR_MAX_PHASES	(KTSTR_MAX_STEPS + 1)
#define MONITOR_MAX_PROGS	64

struct monitor_cfg {
	unsigned int interval_ms;	/* default 100 */
	unsigned int settle_ms;		/* samples before this are not judged */
	double max_imbalance_ratio;	/* default 4.0 */
	unsigned int max_local_dsq_depth;	/* default 50 */
	unsigned int sustained;		/* consecutive samples, default 5 */
	bool check_rq_stall;
	struct cpus cpus;		/* the CPUs judged */
};

struct monitor_phase {
	char label[48];
	long long start_ms, end_ms;
	unsigned int samples;
	double sum_imbalance, sum_dsq, sum_nr;
	double max_imbalance;
	unsigned int max_dsq;
};

struct prog_stat {
	uint32_t id;
	char name[32];
	uint64_t run_cnt, run_time_ns;
};

struct schedstat {
	uint64_t sched_count, goidle, ttwu, run_delay_ns;
};

struct monitor {
	struct monitor_cfg cfg;
	pthread_t thread;
	volatile bool stop;
	bool running;
	void *skel;
	unsigned int nr_cpus;
	char unavailable[256];		/* why there are no rq samples */
	long long start_ms, end_ms;
	/* totals over judged samples */
	unsigned int samples;
	double sum_imbalance, sum_nr, sum_scx_nr, sum_dsq, max_imbalance;
	unsigned int max_dsq, stuck;
	/* streaks */
	unsigned int imb_run, dsq_run[CPUS_MAX], stall_run[CPUS_MAX];
	uint64_t last_clock[CPUS_MAX];
	/* phases */
	struct monitor_phase phases[MONITOR_MAX_PHASES];
	volatile int cur_phase;
	int nr_phases;
	/* violations, one line each */
	char violations[2048];
	size_t vlen;
	int nr_violations;
	/* counters: start and end snapshots */
	struct schedstat ss0, ss1;
	struct prog_stat progs0[MONITOR_MAX_PROGS], progs1[MONITOR_MAX_PROGS];
	int nr_progs0, nr_progs1;
	double cpu_ms;			/* the sampler thread's own CPU time */
};

/* Defaults, then the test's own values. */
void monitor_cfg_init(struct monitor_cfg *cfg, const struct ktstr_checks *c,
		      const struct cpus *cpus);

/*
 * Start sampling in a thread. Without BPF the monitor still keeps
 * schedstat, and says why the rest is missing.
 */
void monitor_start(struct monitor *m, const struct monitor_cfg *cfg);
void monitor_phase(struct monitor *m, const char *label);
void monitor_stop(struct monitor *m);

/* Pure judgement of one sample: exposed for the unit tests. */
void monitor_judge(struct monitor *m, const uint32_t *nr,
		   const uint32_t *scx_nr, const uint32_t *dsq,
		   const uint64_t *clock);

/* The --- monitor --- block, as '#' lines. */
void monitor_print(const struct monitor *m);

#endif /* __KTSTR_MONITOR_H */
