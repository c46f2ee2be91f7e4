/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The run directory: <output>/runs/<kernel release>-<suite commit7>[-dirty]-<seq>/
 * (its name is the run id; every run gets a new one) with run.json and {test}-{variant_hash:016x}.ktstr.json for every case and
 * {test}-{hash}.failure-dump.json for every failure.
 */
#ifndef __KTSTR_RUNDIR_H
#define __KTSTR_RUNDIR_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

struct rundir {
	char path[4096];
	char id[256];		/* the directory's name: the run id */
	char last_run[4096];	/* the file `ktstr replay` reads */
};

/*
 * Kernel release from the bzImage's version string, or "unknown"; made
 * safe as a path component (release_sanitize).
 */
void kernel_release(const char *bzimage, char *buf, size_t len);

/* Bytes other than [A-Za-z0-9._+-], and a leading dot, become '_'. */
void release_sanitize(char *s);

/* $KTSTR_RUNS, else $OUTPUT/runs, else the cache's runs/ */
void runs_base(char *buf, size_t len);

/*
 * A new run directory under runs_base(), or @exact (--run-dir) when not
 * NULL, created if missing and added to. Returns 0 or -1 with a message.
 */
int rundir_open(struct rundir *rd, const char *release, const char *exact);

uint64_t variant_hash(const char *test, const char *topo, const char *sched,
		      const char *sched_args);

/* Remove what an earlier run of this case left. */
void rundir_clear(const struct rundir *rd, const char *test, uint64_t hash);

/*
 * An "@@ktstr.<kind> <json>" line from the guest: write it atomically
 * as {test}-{hash}.<kind>.json, with the host's facts spliced into the
 * stats. Returns 0 or -1.
 */
int rundir_write(const struct rundir *rd, const char *test, uint64_t hash,
		 const char *kind, const char *json, char *path, size_t len);

/*
 * The last-run file `ktstr replay` reads, written whole or not at all
 * (write_file_atomic), never truncated in place.
 */
int rundir_write_last_run(const struct rundir *rd, const char *text);

/* The failure bundle as plain text: {test}-{hash}.bundle.txt */
int rundir_write_text(const struct rundir *rd, const char *test,
		      uint64_t hash, const char *kind, const char *text,
		      char *path, size_t len);

#endif /* __KTSTR_RUNDIR_H */
