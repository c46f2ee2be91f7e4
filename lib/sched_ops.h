/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What an attached scheduler declares in its sched_ext_ops, read back from
 * its struct_ops map: the kernel returns the value it registered for key
 * 0, callbacks as program ids, flags as the scheduler set them.
 */
#ifndef __KTSTR_SCHED_OPS_H
#define __KTSTR_SCHED_OPS_H

#include <stdbool.h>
#include <linux/types.h>
#include <bpf/btf.h>

#include "mapdump.h"

/*
 * The struct_ops map's value among @maps (caller frees) and its vmlinux
 * BTF type id (struct bpf_struct_ops_sched_ext_ops); NULL if none.
 */
void *sched_ops_value(const struct map_hold *maps, __u32 *type_id);

/* the member of struct or union @t called @name, or NULL */
const struct btf_member *btf_member_named(const struct btf *btf,
					  const struct btf_type *t,
					  const char *name);

/*
 * Whether the attached scheduler sets the sched_ext_ops flag @flag (an
 * enumerator of enum scx_ops_flags, e.g. "SCX_OPS_HAS_CGROUP_WEIGHT").
 * 1 set, 0 clear, -1 with @why filled when it cannot be told (no
 * struct_ops map, no BTF, a kernel without that flag).
 */
int sched_ops_flag(const struct map_hold *maps, const char *flag,
		   char *why, size_t len);

#endif /* __KTSTR_SCHED_OPS_H */
