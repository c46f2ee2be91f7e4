/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ktstr run: the cases, the options, and running one case in a VM.
 */
#ifndef __KTSTR_CLI_RUN_H
#define __KTSTR_CLI_RUN_H

#include <limits.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "cli.h"
#include "gauntlet.h"
#include "rundir.h"

/* the gauntlet multiplies the cases by up to 24 presets */
#define MAX_CASES	1024
#define MAX_FILTERS	32

/* a case stopped by SIGINT/SIGTERM: the run ends after it */
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
	/* filled by the run */
	uint64_t hash;
	bool failed;
	char stats_path[4200];
	char dump_path[4200];
	char bundle_path[4200];
	char *report;			/* the case's '#' lines, as printed */
	size_t report_len;
	/* where its lines go: stdout, or a buffer for the auto-repro rerun */
	FILE *out;
	bool repro;			/* this is the auto-repro rerun */
};

struct run_opts {
	struct vm_opts vm;
	const char *filters[MAX_FILTERS];
	int nr_filters;
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

/*
 * After a scheduler crash: rerun the case with probes on the crash path
 * and print the --- auto-repro --- block into the case's report.
 */
void auto_repro(const struct run_opts *o, struct test_case *c,
		const struct rundir *rd, bool kvm);

#endif /* __KTSTR_CLI_RUN_H */
