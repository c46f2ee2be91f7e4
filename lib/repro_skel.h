/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Shared by the repro files that drive the probe object: its skeleton and
 * the BTF typing of a function's arguments.
 */
#ifndef __KTSTR_REPRO_SKEL_H
#define __KTSTR_REPRO_SKEL_H

#include <stdbool.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include "repro_probes.h"
#include "repro_probes.bpf.skel.h"

/* slot @n's fentry, or its fexit with @exit */
static inline struct bpf_program *
repro_callback_prog(struct repro_probes *s, int n, bool exit)
{
	struct bpf_program *entry[REPRO_MAX_CALLBACKS] = {
		s->progs.callback_entry0, s->progs.callback_entry1,
		s->progs.callback_entry2, s->progs.callback_entry3,
	};
	struct bpf_program *ret[REPRO_MAX_CALLBACKS] = {
		s->progs.callback_exit0, s->progs.callback_exit1,
		s->progs.callback_exit2, s->progs.callback_exit3,
	};

	return exit ? ret[n] : entry[n];
}

/*
 * What each of the first arguments of @proto points at, and their names
 * into @params when not NULL; returns the number of arguments.
 */
int repro_proto_kinds(const struct btf *btf, const struct btf_type *proto,
		      struct repro_arg_kinds *k, char params[][32]);

#endif /* __KTSTR_REPRO_SKEL_H */
