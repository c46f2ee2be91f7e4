/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The run-queue monitor: an observer independent of the workers. It
 * samples every CPU's run queue (through bpf/rq_sampler.bpf.c), the
 * schedstat counters and the BPF programs' run statistics, keeps
 * per-phase averages for the timeline, and flags sustained imbalance,
 * deep local DSQs and stalled rq clocks.
 */
#ifndef __KTSTR_MONITOR_H
#define __KTSTR_MONITOR_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "cpus.h"
#include "ktstr.h"

#define MONITOR_MAX_PHASES	(KTSTR_MAX_STEPS + 1)
#define MONITOR_MAX_PROGS	64
#define MONITOR_MAX_EVENTS	16
#define MONITOR_MAX_DOMAINS	8

/* where the kernel (6.15 and later) shows its sched_ext event counters */
#define SCX_EVENTS_PATH		"/sys/kernel/sched_ext/root/events"

struct monitor_cfg {
	unsigned int interval_ms;	/* default 100 */
	unsigned int settle_ms;		/* samples before this are not judged */
	double max_imbalance_ratio;	/* default 4.0 */
	unsigned int max_local_dsq_depth;	/* default 50 */
	unsigned int sustained;		/* consecutive samples, default 5 */
	double max_fallback_rate;	/* select_cpu fallbacks/s, default 200 */
	double max_keep_last_rate;	/* dispatch keep-last/s, default 100 */
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
	/* event counters at the phase's first and last sample */
	unsigned int ev_samples;
	long long ev_ms[2];
	uint64_t fallback[2], keep_last[2];
};

/*
 * One reading of the kernel's sched_ext event counters: every
 * "SCX_EV_<NAME> <value>" line, the name kept without its prefix and in
 * lower case (select_cpu_fallback, dispatch_keep_last, ...).
 */
struct scx_events {
	bool valid;
	long long at_ms;
	int nr;
	char name[MONITOR_MAX_EVENTS][40];
	uint64_t val[MONITOR_MAX_EVENTS];
};

struct prog_stat {
	uint32_t id;
	char name[32];
	uint64_t run_cnt, run_time_ns;
	uint32_t verified_insns;
};

/* one sched_domain level, summed over the judged CPUs */
struct schedstat_domain {
	uint64_t lb_count, lb_failed, lb_balanced, lb_gained;
	uint64_t alb_pushed, ttwu_wake_remote, ttwu_move_affine;
};

struct schedstat {
	int version;
	uint64_t sched_count, goidle, ttwu, run_delay_ns;
	int nr_domains;
	struct schedstat_domain dom[MONITOR_MAX_DOMAINS];
};

#define MONITOR_SERIES_MAX	512
#define MONITOR_SERIES_CPUS	64

struct monitor {
	struct monitor_cfg cfg;
	pthread_t thread;
	bool stop;			/* atomic: the run's thread sets it */
	bool running;
	void *skel;
	unsigned int nr_cpus;
	char unavailable[256];		/* why there are no rq samples */
	long long start_ms, end_ms;
	/* totals over judged samples */
	unsigned int samples;
	double sum_imbalance, sum_nr, sum_scx_nr, sum_dsq, max_imbalance;
	unsigned int max_dsq, stuck;
	unsigned int host_pauses;	/* samples where no busy vCPU ran */
	long long host_late_ms;		/* time the sampler was not run */
	/* streaks */
	unsigned int imb_run, dsq_run[CPUS_MAX], stall_run[CPUS_MAX];
	uint64_t last_clock[CPUS_MAX];
	/* phases */
	struct monitor_phase phases[MONITOR_MAX_PHASES];
	/*
	 * Samples go to the last phase begun. monitor_phase() fills a
	 * phase in, then publishes the new count (release); the sampler
	 * reads it with acquire, see current_phase().
	 */
	int nr_phases;
	/* violations, one line each */
	char violations[2048];
	size_t vlen;
	int nr_violations;
	/*
	 * sched_ext event counters, read with every judged sample while the
	 * scheduler is attached (the kernel removes them when it detaches):
	 * the first and the last good reading, and the one before the last
	 * for the rate between two samples
	 */
	bool ev_available;
	char ev_why[128];		/* why there are none */
	struct scx_events ev0, ev1, ev_prev;
	unsigned int fallback_run, keep_last_run;
	double max_fallback_rate, max_keep_last_rate;	/* between samples */
	/* counters: start and end snapshots */
	struct schedstat ss0, ss1;
	struct prog_stat progs0[MONITOR_MAX_PROGS], progs1[MONITOR_MAX_PROGS];
	int nr_progs0, nr_progs1;
	double cpu_ms;			/* the sampler thread's own CPU time */
	/*
	 * The run-queue depth over time, for a failure's timeline plot:
	 * every stride-th sample of the first MONITOR_SERIES_CPUS CPUs;
	 * when full, every second one is dropped and the stride doubles.
	 */
	unsigned int nr_series, series_stride, series_seen;
	uint32_t series_ms[MONITOR_SERIES_MAX];
	uint8_t series_nr[MONITOR_SERIES_MAX][MONITOR_SERIES_CPUS];
};

/* From the effective thresholds (checks_effective()): 0 turns a gate off. */
void monitor_cfg_init(struct monitor_cfg *cfg, const struct ktstr_checks *c,
		      const struct cpus *cpus);

/*
 * Start sampling in a thread. Without BPF the monitor still keeps
 * schedstat, and says why the rest is missing.
 */
void monitor_start(struct monitor *m, const struct monitor_cfg *cfg);
void monitor_phase(struct monitor *m, const char *label);
void monitor_stop(struct monitor *m);

/* Keep one sample's run-queue depths (@nr per CPU) at @t_ms into the run. */
void monitor_record(struct monitor *m, const uint32_t *nr, long long t_ms);

/* Pure judgement of one sample: exposed for the unit tests. */
void monitor_judge(struct monitor *m, const uint32_t *nr,
		   const uint32_t *scx_nr, const uint32_t *dsq,
		   const uint64_t *clock);

/*
 * One reading of the event counters (@ev->valid false: none): feeds the
 * totals, the current phase and the rate checks. Exposed for the tests.
 */
void monitor_judge_events(struct monitor *m, const struct scx_events *ev);

/* Parse SCX_EVENTS_PATH's text; false when it has no counter. */
bool scx_events_parse(const char *text, struct scx_events *ev);
/* A counter by its short name (select_cpu_fallback); false if missing. */
bool scx_events_get(const struct scx_events *ev, const char *name,
		    uint64_t *val);

/* Parse /proc/schedstat's text, summing the CPUs in @cpus. */
void schedstat_parse(const char *text, const struct cpus *cpus,
		     struct schedstat *ss);

/*
 * The event counters over the run: fallback, keep_last and offline
 * totals and the two rates. False when the kernel has no counters (or
 * never showed them while the scheduler was attached).
 */
bool monitor_event_totals(const struct monitor *m, uint64_t *fallback,
			  double *fallback_rate, uint64_t *keep_last,
			  double *keep_last_rate, uint64_t *offline);

/* A phase's rates (per second); false without two readings in it. */
bool monitor_phase_rates(const struct monitor_phase *p, double *fallback,
			 double *keep_last);

/*
 * A phase's line in the timeline: "imbalance: avg=.. max=.. | dsq: avg=..
 * max=.. | nr_run: avg=.. | fallback: R/s | keep_last: R/s | throughput:
 * N iter/s" (n/a where there is no sample or no counter). @p may be NULL.
 */
size_t monitor_phase_line(const struct monitor_phase *p, double iter_rate,
			  char *buf, size_t len);

/* The --- monitor --- block, as '#' lines, into @out. */
void monitor_fprint(const struct monitor *m, FILE *out);
/* The --- monitor --- block, as '#' lines. */
void monitor_print(const struct monitor *m);

#endif /* __KTSTR_MONITOR_H */
