/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The scheduler's BPF maps for the failure dump. References are taken
 * as soon as it attaches, so the maps outlive a scheduler that crashes
 * and exits: its state at the time of death can still be read.
 */
#ifndef __KTSTR_MAPDUMP_H
#define __KTSTR_MAPDUMP_H

#include <stddef.h>
#include <sys/types.h>

#define MAPDUMP_MAX_MAPS	64

struct map_hold {
	int nr;
	unsigned int ids[MAPDUMP_MAX_MAPS];
	int fds[MAPDUMP_MAX_MAPS];
	unsigned long long bytes[MAPDUMP_MAX_MAPS];
};

/* Take a reference on every map @pid holds. */
void mapdump_hold(struct map_hold *h, pid_t pid);

/*
 * bpftool's JSON for the held maps ("map show" for each, "map dump" with
 * BTF field names for maps small enough), then one entry
 * {"map":{"id","name","type"},"dumped":false,"reason"} for each map that
 * was not dumped. NULL with @why set when no map could be read.
 */
char *mapdump_capture(const struct map_hold *h, char *why, size_t len);

void mapdump_release(struct map_hold *h);

#endif /* __KTSTR_MAPDUMP_H */
