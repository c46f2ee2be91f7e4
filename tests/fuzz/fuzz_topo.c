// SPDX-License-Identifier: GPL-2.0
/* topo_parse: the --topo argument and every declaration's topology */
#include <stdio.h>

#include "fuzz.h"
#include "topo.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fuzz_str(data, size), err[256], buf[64];
	struct topo t;

	if (!topo_parse(s, &t, err, sizeof(err))) {
		/* what parses is bootable-sized and prints back the same */
		if (!t.nodes || !t.llcs || !t.cores || !t.threads ||
		    topo_cpus(&t) > TOPO_MAX_CPUS || t.llcs % t.nodes)
			abort();
		topo_format(&t, buf, sizeof(buf));
		(void)topo_max_apic_id(&t);
	} else if (!memchr(err, '\0', sizeof(err)) || !err[0]) {
		abort();
	}
	free(s);
	return 0;
}
