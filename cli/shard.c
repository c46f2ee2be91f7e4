// SPDX-License-Identifier: GPL-2.0
/*
 * Sharding a run across CI machines: rendezvous hashing on case names.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "shard.h"

uint64_t shard_weight(const char *name, unsigned int k)
{
	uint64_t h = 0xcbf29ce484222325ULL;
	const unsigned char *p;
	int i;

	for (p = (const unsigned char *)name; *p; p++) {
		h ^= *p;
		h *= 0x100000001b3ULL;
	}
	for (i = 0; i < 4; i++) {
		h ^= (k >> (8 * i)) & 0xff;
		h *= 0x100000001b3ULL;
	}
	/* splitmix64's finalizer: FNV's low bits alone are poorly mixed */
	h ^= h >> 30;
	h *= 0xbf58476d1ce4e5b9ULL;
	h ^= h >> 27;
	h *= 0x94d049bb133111ebULL;
	h ^= h >> 31;
	return h;
}

unsigned int shard_of(const char *name, unsigned int total)
{
	unsigned int k, best = 0;
	uint64_t w, top = 0;

	for (k = 0; k < total; k++) {
		w = shard_weight(name, k);
		if (!k || w > top) {
			top = w;
			best = k;
		}
	}
	return best;
}

/* a whole number from @min to @max, all of @s */
static int whole(const char *s, unsigned long min, unsigned long max,
		 unsigned int *out)
{
	unsigned long v;
	char *end;

	if (!s || !*s || *s == '-' || *s == '+' || *s == ' ')
		return -1;
	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || *end || v < min || v > max)
		return -1;
	*out = v;
	return 0;
}

int shard_parse(const char *spec, unsigned int *index, unsigned int *total,
		char *why, size_t len)
{
	char buf[32], *slash;
	unsigned int i, n;

	snprintf(buf, sizeof(buf), "%s", spec);
	slash = strchr(buf, '/');
	if (strlen(spec) >= sizeof(buf) || !slash) {
		snprintf(why, len, "'%s' is not I/N (the I-th of N shards, from 1: --shard 2/3)",
			 spec);
		return -1;
	}
	*slash = '\0';
	if (whole(slash + 1, 1, SHARD_MAX, &n)) {
		snprintf(why, len, "'%s': N must be a whole number from 1 to %d",
			 spec, SHARD_MAX);
		return -1;
	}
	if (whole(buf, 1, n, &i)) {
		snprintf(why, len, "'%s': I must be a whole number from 1 to %u (shards count from 1)",
			 spec, n);
		return -1;
	}
	*index = i - 1;
	*total = n;
	return 0;
}

int shard_from_env(unsigned int total_opt, unsigned int *index,
		   unsigned int *total, char *src, size_t srclen, char *why,
		   size_t len)
{
	const char *gi = getenv("CI_NODE_INDEX"), *gt = getenv("CI_NODE_TOTAL");
	const char *ki = getenv("JOB_COMPLETION_INDEX");
	const char *kt = getenv("KTSTR_SHARD_TOTAL");
	unsigned int i, n;

	if (gi && *gi && gt && *gt) {
		if (whole(gt, 1, SHARD_MAX, &n) || whole(gi, 1, n, &i)) {
			snprintf(why, len, "CI_NODE_INDEX='%s' CI_NODE_TOTAL='%s': GitLab's parallel: gives an index from 1 to a total up to %d",
				 gi, gt, SHARD_MAX);
			return -1;
		}
		if (total_opt && total_opt != n) {
			snprintf(why, len, "CI_NODE_TOTAL=%s but --shard-total %u: which is the number of shards?",
				 gt, total_opt);
			return -1;
		}
		*index = i - 1;
		*total = n;
		snprintf(src, srclen, "CI_NODE_INDEX=%s CI_NODE_TOTAL=%s",
			 gi, gt);
		return 1;
	}
	if (!ki || !*ki)
		return 0;
	if (total_opt) {
		n = total_opt;
	} else if (!kt || !*kt) {
		snprintf(why, len, "JOB_COMPLETION_INDEX=%s (a Kubernetes Indexed Job) without the number of shards: pass --shard-total N (the Job's completions) or set KTSTR_SHARD_TOTAL",
			 ki);
		return -1;
	} else if (whole(kt, 1, SHARD_MAX, &n)) {
		snprintf(why, len, "KTSTR_SHARD_TOTAL='%s' is not a whole number from 1 to %d",
			 kt, SHARD_MAX);
		return -1;
	}
	if (whole(ki, 0, n - 1, &i)) {
		snprintf(why, len, "JOB_COMPLETION_INDEX='%s' is not a whole number from 0 to %u (%u shards)",
			 ki, n - 1, n);
		return -1;
	}
	*index = i;
	*total = n;
	snprintf(src, srclen, "JOB_COMPLETION_INDEX=%s of %u", ki, n);
	return 1;
}
