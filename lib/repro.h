/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The guest half of auto-repro: when the host reruns a crashed case with
 * KTSTR_REPRO_FUNCS set, probes go on those kernel functions and on the
 * scheduler's exit, and what they saw is printed as "--- probe data ---".
 */
#ifndef __KTSTR_REPRO_H_LIB
#define __KTSTR_REPRO_H_LIB

#include <stdbool.h>
#include <linux/types.h>

#include "repro_probes.h"

#define REPRO_MAX_FUNCS		64

struct repro_func {
	char name[64];
	unsigned long long addr;
	bool attached;
	const char *why;	/* not attached: why */
};

struct repro {
	bool active;
	void *skel;
	struct repro_func funcs[REPRO_MAX_FUNCS];
	int nr_funcs;
	bool trigger_attached;
	struct repro_event *events;	/* oldest first */
	int nr_events;
	unsigned long long total_events;
	bool triggered;
	char err[256];
};

/* Arm the probes when KTSTR_REPRO_FUNCS is set; a no-op otherwise. */
void repro_start(struct repro *r);
void repro_stop(struct repro *r);
/* The probe counts and data as '#' lines. */
void repro_print(const struct repro *r);

#endif /* __KTSTR_REPRO_H_LIB */
