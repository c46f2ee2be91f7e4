// SPDX-License-Identifier: GPL-2.0
/*
 * The attached scheduler's sched_ext_ops, from its struct_ops map and the
 * kernel's BTF: what it claims to support, so a check can be gated on a
 * claim rather than on a list of scheduler names.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include "sched_ops.h"
#include "util.h"

void *sched_ops_value(const struct map_hold *maps, __u32 *type_id)
{
	int i;

	for (i = 0; i < maps->nr; i++) {
		struct bpf_map_info info = {};
		__u32 len = sizeof(info), zero = 0;
		void *value;

		if (bpf_map_get_info_by_fd(maps->fds[i], &info, &len) ||
		    info.type != BPF_MAP_TYPE_STRUCT_OPS)
			continue;
		value = xcalloc(1, info.value_size);
		if (bpf_map_lookup_elem(maps->fds[i], &zero, value)) {
			free(value);
			continue;
		}
		*type_id = info.btf_vmlinux_value_type_id;
		return value;
	}
	return NULL;
}

const struct btf_member *btf_member_named(const struct btf *btf,
					  const struct btf_type *t,
					  const char *name)
{
	const struct btf_member *m = btf_members(t);
	int i;

	for (i = 0; i < btf_vlen(t); i++, m++)
		if (!strcmp(btf__name_by_offset(btf, m->name_off), name))
			return m;
	return NULL;
}

/* the value of enumerator @name in any enum of @btf; false if absent */
static bool enum_value(const struct btf *btf, const char *name, __u64 *val)
{
	__u32 id, n = btf__type_cnt(btf);
	int i;

	for (id = 1; id < n; id++) {
		const struct btf_type *t = btf__type_by_id(btf, id);

		if (btf_is_enum(t)) {
			const struct btf_enum *e = btf_enum(t);

			for (i = 0; i < btf_vlen(t); i++, e++)
				if (!strcmp(btf__name_by_offset(btf, e->name_off), name)) {
					*val = (__u32)e->val;
					return true;
				}
		} else if (btf_is_enum64(t)) {
			const struct btf_enum64 *e = btf_enum64(t);

			for (i = 0; i < btf_vlen(t); i++, e++)
				if (!strcmp(btf__name_by_offset(btf, e->name_off), name)) {
					*val = btf_enum64_value(e);
					return true;
				}
		}
	}
	return false;
}

/* the u64 member "flags" of the sched_ext_ops inside @value */
static int ops_flags(const struct btf *btf, const void *value, __u32 type_id,
		     __u64 *flags)
{
	const struct btf_type *vt = btf__type_by_id(btf, type_id), *ops;
	const struct btf_member *data, *f;

	data = vt && btf_is_struct(vt) ? btf_member_named(btf, vt, "data") : NULL;
	ops = data ? btf__type_by_id(btf, data->type) : NULL;
	f = ops && btf_is_struct(ops) ? btf_member_named(btf, ops, "flags") : NULL;
	if (!f)
		return -1;
	memcpy(flags, (const char *)value + data->offset / 8 +
	       btf_member_bit_offset(ops, f - btf_members(ops)) / 8,
	       sizeof(*flags));
	return 0;
}

int sched_ops_flag(const struct map_hold *maps, const char *flag,
		   char *why, size_t len)
{
	__u32 type_id = 0;
	__u64 flags, bit;
	struct btf *btf;
	void *value;
	int ret = -1;

	value = sched_ops_value(maps, &type_id);
	if (!value) {
		snprintf(why, len, "no struct_ops map among the scheduler's maps");
		return -1;
	}
	btf = btf__load_vmlinux_btf();
	if (!btf)
		snprintf(why, len, "no vmlinux BTF (/sys/kernel/btf/vmlinux)");
	else if (!enum_value(btf, flag, &bit))
		snprintf(why, len, "this kernel has no %s", flag);
	else if (ops_flags(btf, value, type_id, &flags))
		snprintf(why, len, "no flags in this kernel's sched_ext_ops");
	else
		ret = !!(flags & bit);
	btf__free(btf);
	free(value);
	return ret;
}
