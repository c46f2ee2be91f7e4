// SPDX-License-Identifier: GPL-2.0
/*
 * Topology strings: parsing with errors a person can act on.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "topo.h"
#include "util.h"

/* One "<number><letter>" field; returns the rest of the string or NULL. */
static const char *parse_field(const char *p, char letter, unsigned int *val)
{
	unsigned long v = 0;
	const char *start = p;

	while (isdigit((unsigned char)*p)) {
		v = v * 10 + (*p - '0');
		if (v > 100000)
			return NULL;
		p++;
	}
	if (p == start || *p != letter)
		return NULL;
	*val = v;
	return p + 1;
}

int topo_parse(const char *s, struct topo *t, char *err, size_t errlen)
{
	static const char *const names[] = {
		"NUMA nodes", "LLCs", "cores per LLC", "threads per core"
	};
	unsigned int *fields[] = { &t->nodes, &t->llcs, &t->cores, &t->threads };
	static const char letters[] = "nlct";
	const char *p = s;
	unsigned long long cpus;
	unsigned int i;

	if (!s || !*s)
		return set_err(err, errlen,
				"empty topology: write NnLlCcTt, e.g. 1n2l2c1t");
	for (i = 0; i < 4; i++) {
		p = parse_field(p, letters[i], fields[i]);
		if (!p)
			return set_err(err, errlen,
					"topology '%s' is not of the form NnLlCcTt (e.g. 1n2l2c1t: 1 NUMA node, 2 LLCs, 2 cores per LLC, 1 thread per core)",
					s);
	}
	if (*p)
		return set_err(err, errlen,
				"topology '%s' has trailing junk '%s' (form NnLlCcTt)",
				s, p);
	for (i = 0; i < 4; i++)
		if (!*fields[i])
			return set_err(err, errlen,
					"topology '%s' has zero %s: every field must be at least 1",
					s, names[i]);
	if (t->llcs % t->nodes)
		return set_err(err, errlen,
				"topology '%s': %u LLCs cannot be split evenly over %u NUMA nodes (LLCs must be a multiple of nodes)",
				s, t->llcs, t->nodes);
	cpus = (unsigned long long)t->llcs * t->cores * t->threads;
	if (cpus > TOPO_MAX_CPUS)
		return set_err(err, errlen,
				"topology '%s' has %llu CPUs, more than the %u a guest can have",
				s, cpus, TOPO_MAX_CPUS);
	return 0;
}

int topo_format(const struct topo *t, char *buf, size_t len)
{
	return snprintf(buf, len, "%un%ul%uc%ut",
			t->nodes, t->llcs, t->cores, t->threads);
}
