/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Payloads in the guest: a declared external program (stress-ng,
 * hackbench, ...) started in its cgroup beside the workers, waited for,
 * its exit status judged and its metrics read from its own output.
 */
#ifndef __KTSTR_PAYLOAD_H
#define __KTSTR_PAYLOAD_H

#include <stdbool.h>
#include <sys/types.h>

#include "ktstr.h"

#define PAYLOAD_MAX_METRICS	32
/* what is read of a payload's output or report file */
#define PAYLOAD_MAX_OUTPUT	(256 << 10)

struct payload_metric {
	char name[64];
	double value;
	bool higher_better;
};

struct payload_run {
	const struct ktstr_payload *p;
	pid_t pid;			/* 0: not started */
	int out_fd;			/* its stdout and stderr (a memfd) */
	char report[64];		/* the {out} file, or "" */
	int exit_code;			/* -1: killed or not reaped */
	bool timed_out;
	char why[256];			/* what went wrong, "" when nothing */
	char last_line[160];		/* its output's last line */
	struct payload_metric m[PAYLOAD_MAX_METRICS];
	int nr;
};

/*
 * Fork and exec @pr->p's command in cgroup @cgroup. Returns 0, or -1
 * with the reason in pr->why.
 */
int payload_start(struct payload_run *pr, const struct ktstr_payload *p,
		  const char *cgroup);

/*
 * Wait for it until @deadline_ms (now_ms() time), then kill its process
 * group; read its metrics. Sets pr->why on a failure (not started, killed
 * at the deadline, a non-zero exit, no metrics where its format has
 * them).
 */
void payload_finish(struct payload_run *pr, long long deadline_ms);

struct check_result;

/* its "payload" check: passed, or failed with pr->why */
void payload_judge(const struct payload_run *pr, struct check_result *res);

/* parsers, public for the unit tests: metrics appended to @pr */
void payload_parse_stress_ng(struct payload_run *pr, const char *yaml);
void payload_parse_hackbench(struct payload_run *pr, const char *out);
void payload_parse_json(struct payload_run *pr, const char *text);

#endif /* __KTSTR_PAYLOAD_H */
