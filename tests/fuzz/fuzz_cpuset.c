// SPDX-License-Identifier: GPL-2.0
/*
 * cpus_parse (the kernel's list format, read back from cgroupfs) and
 * cpuset_resolve (a declaration's cpuset spec). The input's first line
 * is a topology, the rest the spec, so both vary.
 */
#include <stdio.h>

#include "cpus.h"
#include "fuzz.h"
#include "topo.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fuzz_str(data, size), *spec, err[256], buf[1024];
	struct cpus c, usable, out;
	struct topo t = TOPO_DEFAULT;

	memset(&c, 0, sizeof(c));
	if (!cpus_parse(s, &c)) {
		cpus_format(&c, buf, sizeof(buf));
		(void)cpus_count(&c);
	}
	spec = strchr(s, '\n');
	if (spec) {
		*spec++ = '\0';
		if (topo_parse(s, &t, err, sizeof(err)))
			t = TOPO_DEFAULT;
	} else {
		spec = s;
	}
	memset(&usable, 0, sizeof(usable));
	cpus_usable(&t, &usable);
	memset(&out, 0, sizeof(out));
	if (!cpuset_resolve(spec, &t, &usable, &out, err, sizeof(err)) &&
	    !cpus_subset(&out, &usable))
		abort();
	free(s);
	return 0;
}
