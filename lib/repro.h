/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The guest half of auto-repro: when the host reruns a crashed case with
 * KTSTR_REPRO_FUNCS (kernel functions) and KTSTR_REPRO_CALLBACKS (the
 * scheduler's BPF callbacks) set, probes go on them and on the
 * scheduler's exit, and what they saw is printed as "--- probe data ---".
 *
 * repro.c arms the kprobes and the trigger and collects the events,
 * repro_callbacks.c puts fentry/fexit on the callbacks once the scheduler
 * is up, repro_print.c writes the report.
 */
#ifndef __KTSTR_REPRO_H_LIB
#define __KTSTR_REPRO_H_LIB

#include <stdbool.h>
#include <stdio.h>
#include <linux/types.h>

#include "mapdump.h"
#include "repro_probes.h"

#define REPRO_TRIGGER		"scx_ops_exit_kind"

struct repro_func {
	char name[64];
	bool attached;
	const char *why;	/* not attached: why */
	char params[REPRO_MAX_ARGS][32];	/* from BTF, "" if unnamed */
	bool returns;		/* not void: the return shows the value */
};

struct repro_callback {
	char name[64];		/* the BPF function, e.g. ktstr_dispatch */
	unsigned long frame_off;	/* +0x.. in the crash frame, 0: none */
	char member[32];	/* the sched_ext_ops member it implements */
	unsigned int prog_id;
	int nr_args;
	bool returns;		/* not void: the exit shows the value */
	struct repro_arg_kinds kinds;
	char src[192];		/* file:line where the callback starts */
	char frame_src[256];	/* file:line and text at the crash frame */
	bool attached;
	char why[128];		/* not attached: why */
};

struct repro {
	bool active;
	void *btf;		/* vmlinux BTF, read once for both halves */
	void *skel;		/* kprobes and trigger */
	void *cb_skel;		/* fentry/fexit, loaded after the attach */
	struct repro_func funcs[REPRO_MAX_FUNCS];
	int nr_funcs;
	struct repro_func trigger;	/* the exit function */
	struct repro_callback cbs[REPRO_MAX_CALLBACKS];
	int nr_cbs;
	bool trigger_attached;
	struct repro_event *events;	/* oldest first */
	int nr_events;
	unsigned long long total_events;
	struct repro_state state;	/* counters and exit info, at stop */
	long long cb_attach_ms;		/* how long the fentry/fexit took */
	char err[256];
};

/* Arm the probes when KTSTR_REPRO_FUNCS is set; a no-op otherwise. */
void repro_start(struct repro *r);
/*
 * fentry/fexit on the callbacks KTSTR_REPRO_CALLBACKS names, found among
 * the scheduler's programs through its struct_ops map in @maps.
 */
void repro_attach_callbacks(struct repro *r, const struct map_hold *maps);
void repro_stop(struct repro *r);
/* The probe counts and data as '#' lines. */
void repro_print(const struct repro *r, FILE *out);

#endif /* __KTSTR_REPRO_H_LIB */
