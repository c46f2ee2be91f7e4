/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ktstr run: the cases, the options, and running one case in a VM.
 */
#ifndef __KTSTR_CLI_RUN_H
#define __KTSTR_CLI_RUN_H

#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "cli.h"
#include "gauntlet.h"
#include "json_read.h"
#include "rundir.h"

/* the gauntlet multiplies the cases by up to 24 presets */
#define MAX_CASES	1024
#define MAX_KERNELS	8
#define MAX_CASE_PAYLOADS	4
#define MAX_FILTERS	32

/* a case stopped by SIGINT/SIGTERM: the run ends after it */
/* kselftest's status for a skipped test (kselftest.h) */
#ifndef KSFT_SKIP
#define KSFT_SKIP	4
#endif

#define RUN_INTERRUPTED	-2

static inline const char *run_signame(int sig)
{
	return sig == SIGINT ? "SIGINT" : sig == SIGTERM ? "SIGTERM" :
	       sig == SIGHUP ? "SIGHUP" : "a signal";
}

struct test_case {
	char bin[PATH_MAX];
	char name[160];			/* the case, or gauntlet/<test>/<preset> */
	char test[128];			/* the declaration's name, for -t */
	char preset[32];		/* the gauntlet preset, or "" */
	struct ktstr_gauntlet limits;	/* the presets it may run on */
	char topo[32];
	char sched[128];
	char *json;			/* its --list line */
	unsigned int duration_ms;
	unsigned int memory_mb;
	bool auto_repro;		/* the declaration allows it */
	/* several --kernel: this case's image, else the run's (vm.kernel) */
	const char *kernel;
	/* the name stats group by, when it is not the test's: a variant */
	char variant[160];
	/* its payloads' programs (found on the host's PATH) and packages */
	char payload_progs[MAX_CASE_PAYLOADS][128];
	char payload_pkgs[MAX_CASE_PAYLOADS][64];
	int nr_payloads;
	/* filled by the run */
	uint64_t hash;
	bool failed;
	char stats_path[4200];
	char dump_path[4200];
	/* the VM's vCPU registers for the dump (vm_result), while relayed */
	char *vcpu_regs;
	const char *regs_when, *regs_err;
	char bundle_path[4200];
	char timeline_path[4200];	/* its run-queue plot, SVG */
	char only_check[64];		/* -t case.check: that check alone */
	char *report;			/* the case's '#' lines, as printed */
	size_t report_len;
	/* where its lines go: stdout, or a buffer for the auto-repro rerun */
	FILE *out;
	bool repro;			/* this is the auto-repro rerun */
	/* the guest's structured result (common/protocol.h), NULL: none */
	struct json_val *result;
	int seq;			/* its place in the unsharded run */
};

struct run_opts {
	struct vm_opts vm;
	const char *filters[MAX_FILTERS];
	int nr_filters;
	/* -t case.check: the case, and the one check of it to report */
	struct {
		char test[128];
		char check[64];
	} only[MAX_FILTERS];
	int nr_only;
	bool list;
	bool native;
	bool no_auto_repro;
	/* --gauntlet: the presets every case is expanded over, or NULL */
	const struct gauntlet_preset *presets[32];
	int nr_presets;
	const char *sched;		/* --sched BIN */
	/* its arguments as given, each one word, up to "--" */
	char *const *sched_argv;
	int nr_sched_args;
	char *sched_args_env;		/* KTSTR_SCHED_ARGS=<encoded list> */
	char *sched_args;		/* the list joined on spaces: hashes */
	/* -j N: VMs at once, 0 for what the host carries */
	unsigned int jobs;
	/* --shard I/N (or the CI's variables): index 0-based, total 0: none */
	unsigned int shard_index, shard_total;
	unsigned int shard_total_opt;	/* --shard-total N */
	char shard_src[96];		/* where I/N came from */
	double budget_s;		/* --budget SECONDS, 0: none */
	bool dry_run;			/* --dry-run: the plan, no boot */
	const char *out_dir;		/* --out DIR: DIR/ktap, DIR/runs */
	const char *run_dir;		/* --run-dir DIR: the run directory */
	/* --kernel more than once: each case on each, as NAME/LABEL */
	const char *kernels[MAX_KERNELS];
	char kernel_labels[MAX_KERNELS][96];
	int nr_kernels;
	bool matrix;			/* --matrix: the needs, not the cases */
	/* --repeat N: each case N times, the k-th (k > 1) as NAME~k */
	unsigned int repeat, repeat_from;
};

/*
 * KTSTR_SCHED_ARGS from the host: SCHED_ARGS_SEP, the count, then
 * SCHED_ARGS_SEP before each argument, so an argument keeps its spaces
 * and an empty one survives (lib/scheduler.c decodes it). A declared
 * test's sched_args (no leading separator) is still split on spaces.
 */
#define SCHED_ARGS_SEP		0x1f
/* lib/scheduler.c MAX_SCHED_ARGS, less the scheduler's own name */
#define SCHED_MAX_ARGS		31

/*
 * Boot the case's VM and relay its report. Returns 0 pass, 4 skip,
 * anything else fail; @env_extra adds NAME=value pairs for the guest.
 */
int run_case(const struct run_opts *o, struct test_case *c,
	     const struct rundir *rd, bool kvm, char *skip, size_t len,
	     char *const *env_extra, struct vm_result *res);

struct ktap;

/*
 * Every case each test binary declares (their --list), unfiltered, into
 * @cases (MAX_CASES). Returns the count, or -1 after a message.
 */
int run_find_cases(struct test_case *cases);

/*
 * One case from start to its KTAP result through @k: the run directory
 * cleared, the VM (or --native), auto-repro after a crash, the bundle
 * and the case's timing written. Returns the case's status.
 */
int run_one(const struct run_opts *o, struct test_case *c,
	    const struct rundir *rd, bool kvm, struct ktap *k);

/* @c's KTAP result through @k (case_ktap), for a case run elsewhere */
void run_ktap(struct ktap *k, struct test_case *c, int rc,
	      const char *reason);

/* -j when not given: one VM per host CPU this process may use */
unsigned int run_default_jobs(bool kvm);

/*
 * Up to @jobs cases at once (cli/parallel.c), each in a forked worker
 * pinned to host CPUs of its own, their output printed in declaration
 * order. @explicit: -j was given, so the CPUs are split evenly. Returns
 * the number of cases started (all of them unless interrupted).
 */
int run_parallel(const struct run_opts *o, struct test_case *cases, int n,
		 const struct rundir *rd, bool kvm, struct ktap *k,
		 unsigned int jobs, bool explicit);

/*
 * cli/matrix.c. --matrix: boot each kernel once, print which of the
 * cases run on it and why the others skip. Returns the exit code.
 */
int run_matrix(const struct run_opts *o, const struct test_case *cases, int n);

/*
 * cli/run_plan.c. Several --kernel: each case once per kernel, named
 * NAME/LABEL (the label names the kernel: its cache entry, source tree
 * or release). Returns the new count, or -1 with a message.
 */
int kernel_cases(const struct run_opts *o, struct test_case *cases, int n,
		 int max);

/* a short name for the kernel image @bzimage into @buf */
void kernel_label(const char *bzimage, char *buf, size_t len);

/*
 * cli/run_plan.c. --repeat: each case o->repeat times in a row, numbered
 * from o->repeat_from, NAME~k after the first. Returns the new count, or
 * -1 with a message when they do not fit @max.
 */
int repeat_cases(const struct run_opts *o, struct test_case *cases, int n,
		 int max);

/*
 * cli/run_plan.c. --shard: the cases of this shard, each with its place
 * in the unsharded run in seq. Returns the new count.
 */
int shard_cases(const struct run_opts *o, struct test_case *cases, int n);

/*
 * --budget: the cases that cover the most in the time given, the plan
 * printed on @f. Returns the new count (the chosen, in their order).
 */
int budget_cases(const struct run_opts *o, struct test_case *cases, int n,
		 bool kvm, unsigned int jobs, FILE *f);

/*
 * --out DIR: the stream to stdout and DIR/ktap. A thread copies a pipe
 * to both (a process would be among the children --native kills after
 * each case); it takes no signal, so they still interrupt the main
 * thread's waits.
 */
struct run_tee {
	pthread_t thread;
	int in, out, file;
};

int tee_stdout(struct run_tee *t, const char *path);
/* the pipe closed, the thread drained, stdout back */
void tee_end(struct run_tee *t);

/* DIR/cases: "ktstr-shard I N", then "case SEQ NAME" per case */
int write_cases_file(const struct run_opts *o, const struct test_case *cases,
		     int n);

/*
 * After a scheduler crash: rerun the case with probes on the crash path
 * and print the --- auto-repro --- block into the case's report.
 */
void auto_repro(const struct run_opts *o, struct test_case *c,
		const struct rundir *rd, bool kvm);

#endif /* __KTSTR_CLI_RUN_H */
