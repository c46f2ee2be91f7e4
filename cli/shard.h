/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ktstr run --shard I/N: a stable partition of the selected cases by a
 * hash of each case's name, and the CI engines' ways of saying I and N.
 */
#ifndef __KTSTR_CLI_SHARD_H
#define __KTSTR_CLI_SHARD_H

#include <stddef.h>
#include <stdint.h>

/* at most this many shards */
#define SHARD_MAX	1024

/* @name's weight for shard @k (0-based): 64-bit FNV-1a, then mixed */
uint64_t shard_weight(const char *name, unsigned int k);

/*
 * The shard (0-based, below @total) @name belongs to: the one with the
 * highest weight (rendezvous hashing). A case's shard depends on its name
 * and @total only, so adding or removing a case moves no other case, and
 * going from N to N+1 shards moves only the cases the new shard wins.
 */
unsigned int shard_of(const char *name, unsigned int total);

/*
 * "I/N", I from 1 to N, N from 1 to SHARD_MAX: 0 with *index 0-based,
 * or -1 with a sentence in @why.
 */
int shard_parse(const char *spec, unsigned int *index, unsigned int *total,
		char *why, size_t len);

/*
 * The shard from the environment when no --shard was given: GitLab's
 * parallel: (CI_NODE_INDEX 1-based, CI_NODE_TOTAL), then a Kubernetes
 * Indexed Job (JOB_COMPLETION_INDEX 0-based) with the total from
 * @total_opt (--shard-total, 0 if not given) or KTSTR_SHARD_TOTAL.
 * Returns 1 with *index (0-based), *total and where they came from in
 * @src; 0 when none is set; -1 with a sentence in @why.
 */
int shard_from_env(unsigned int total_opt, unsigned int *index,
		   unsigned int *total, char *src, size_t srclen, char *why,
		   size_t len);

#endif /* __KTSTR_CLI_SHARD_H */
