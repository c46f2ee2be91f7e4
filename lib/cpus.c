// SPDX-License-Identifier: GPL-2.0
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cpus.h"
#include "util.h"

unsigned int cpus_count(const struct cpus *c)
{
	unsigned int i, n = 0;

	for (i = 0; i < CPUS_MAX / 64; i++)
		n += __builtin_popcountll(c->bits[i]);
	return n;
}

bool cpus_subset(const struct cpus *a, const struct cpus *of)
{
	unsigned int i;

	for (i = 0; i < CPUS_MAX / 64; i++)
		if (a->bits[i] & ~of->bits[i])
			return false;
	return true;
}

void cpus_format(const struct cpus *c, char *buf, size_t len)
{
	unsigned int cpu, start;
	size_t off = 0;

	buf[0] = '\0';
	for (cpu = 0; cpu < CPUS_MAX; cpu++) {
		if (!cpus_test(c, cpu))
			continue;
		start = cpu;
		while (cpu + 1 < CPUS_MAX && cpus_test(c, cpu + 1))
			cpu++;
		if (off >= len)
			break;
		if (start == cpu)
			off += snprintf(buf + off, len - off, "%s%u",
					off ? "," : "", cpu);
		else
			off += snprintf(buf + off, len - off, "%s%u-%u",
					off ? "," : "", start, cpu);
	}
}

int cpus_parse(const char *list, struct cpus *c)
{
	const char *p = list;

	memset(c, 0, sizeof(*c));
	while (*p && *p != '\n') {
		char *end;
		unsigned long a, b;

		/* digits only: strtoul would take " 1", "+1" and "-1" */
		if (!isdigit((unsigned char)*p))
			return -1;
		a = b = strtoul(p, &end, 10);
		p = end;
		if (*p == '-') {
			if (!isdigit((unsigned char)p[1]))
				return -1;
			b = strtoul(p + 1, &end, 10);
			if (b < a)
				return -1;
			p = end;
		}
		if (b >= CPUS_MAX)
			return -1;
		for (; a <= b; a++)
			cpus_set(c, a);
		if (*p == ',')
			p++;
		else if (*p && *p != '\n')
			return -1;
	}
	return 0;
}

void cpus_usable(const struct topo *t, struct cpus *c)
{
	unsigned int cpu, n = topo_cpus(t);

	memset(c, 0, sizeof(*c));
	for (cpu = 0; cpu < n; cpu++)
		cpus_set(c, cpu);
	if (n > 2)
		c->bits[(n - 1) / 64] &= ~(1ULL << ((n - 1) % 64));
}

/* the @i-th usable CPU, in order */
static int nth_usable(const struct cpus *usable, unsigned int i)
{
	unsigned int cpu;

	for (cpu = 0; cpu < CPUS_MAX; cpu++)
		if (cpus_test(usable, cpu) && !i--)
			return cpu;
	return -1;
}

/* usable CPUs with index in [from, to) */
static void take_range(const struct cpus *usable, unsigned int from,
		       unsigned int to, struct cpus *out)
{
	unsigned int i;

	for (i = from; i < to; i++) {
		int cpu = nth_usable(usable, i);

		if (cpu >= 0)
			cpus_set(out, cpu);
	}
}

/* "N" in full, a whole number that fits an unsigned int, or -1 */
static int parse_index(const char *s, unsigned int *out, char stop)
{
	unsigned long v;
	char *end;

	if (!isdigit((unsigned char)*s))
		return -1;
	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || *end != stop || v > UINT_MAX)
		return -1;
	*out = v;
	return 0;
}

/* "I/N" */
static int parse_slice(const char *s, unsigned int *i, unsigned int *k)
{
	const char *slash = strchr(s, '/');

	return !slash || parse_index(s, i, '/') ||
	       parse_index(slash + 1, k, '\0') ? -1 : 0;
}

/*
 * "A-B", two finite fractions: strtod takes "nan" and "inf", which
 * compare false with everything and would pass every range check.
 */
static int parse_range(const char *s, double *a, double *b)
{
	char *end;

	if (!isdigit((unsigned char)*s) && *s != '.')
		return -1;
	*a = strtod(s, &end);
	if (end == s || *end != '-')
		return -1;
	s = end + 1;
	if (!isdigit((unsigned char)*s) && *s != '.')
		return -1;
	*b = strtod(s, &end);
	if (end == s || *end || !isfinite(*a) || !isfinite(*b))
		return -1;
	return 0;
}

int cpuset_resolve(const char *spec, const struct topo *t,
		   const struct cpus *usable, struct cpus *out,
		   char *err, size_t errlen)
{
	unsigned int n = cpus_count(usable), cpu, i, k;
	double a, b;

	memset(out, 0, sizeof(*out));
	if (!spec || !*spec) {
		*out = *usable;
		return 0;
	}
	if (str_starts_with(spec, "llc:")) {
		if (parse_index(spec + 4, &i, '\0'))
			return set_err(err, errlen,
					"cpuset '%s': llc:I takes an LLC number",
					spec);
		if (i >= t->llcs)
			return set_err(err, errlen,
					"cpuset '%s': LLC %u does not exist (topology has %u LLCs, 0-%u)",
					spec, i, t->llcs, t->llcs - 1);
		for (cpu = 0; cpu < topo_cpus(t); cpu++)
			if (topo_cpu_llc(t, cpu) == i && cpus_test(usable, cpu))
				cpus_set(out, cpu);
	} else if (str_starts_with(spec, "node:")) {
		if (parse_index(spec + 5, &i, '\0'))
			return set_err(err, errlen,
					"cpuset '%s': node:N takes a NUMA node number",
					spec);
		if (i >= t->nodes)
			return set_err(err, errlen,
					"cpuset '%s': NUMA node %u does not exist (topology has %u nodes)",
					spec, i, t->nodes);
		for (cpu = 0; cpu < topo_cpus(t); cpu++)
			if (topo_cpu_node(t, cpu) == i && cpus_test(usable, cpu))
				cpus_set(out, cpu);
	} else if (str_starts_with(spec, "range:")) {
		if (parse_range(spec + 6, &a, &b) || a < 0 || b > 1 || a >= b)
			return set_err(err, errlen,
					"cpuset '%s': a range is two fractions 0 <= A < B <= 1, e.g. range:0-0.5",
					spec);
		i = (unsigned int)(a * n);
		k = (unsigned int)(b * n + 0.999);
		take_range(usable, i, k > i ? k : i + 1, out);
	} else if (str_starts_with(spec, "slice:") ||
		   str_starts_with(spec, "overlap:")) {
		unsigned int from, to;

		if (parse_slice(strchr(spec, ':') + 1, &i, &k) || !k ||
		    i >= k || k > n)
			return set_err(err, errlen,
					"cpuset '%s': slice I/N needs I < N <= %u usable CPUs",
					spec, n);
		from = i * n / k;
		to = (i + 1) * n / k;
		if (spec[0] == 'o') {
			/* widen by half a slice on each side */
			unsigned int half = (n / k + 1) / 2;

			from = from > half ? from - half : 0;
			to = to + half < n ? to + half : n;
		}
		take_range(usable, from, to, out);
	} else if (!strncmp(spec, "cpus:", 5)) {
		if (cpus_parse(spec + 5, out))
			return set_err(err, errlen,
					"cpuset '%s': not a CPU list like cpus:0-2,4",
					spec);
		if (!cpus_subset(out, usable))
			return set_err(err, errlen,
					"cpuset '%s' names CPUs the test cannot use (usable: %u CPUs)",
					spec, n);
	} else {
		return set_err(err, errlen,
				"cpuset '%s' is not a spec: use llc:I, node:N, range:A-B, slice:I/N, overlap:I/N or cpus:LIST",
				spec);
	}
	if (!cpus_count(out))
		return set_err(err, errlen, "cpuset '%s' has no usable CPU",
				spec);
	return 0;
}
