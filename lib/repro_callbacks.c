// SPDX-License-Identifier: GPL-2.0
/*
 * Auto-repro, the scheduler's side: fentry/fexit on the BPF callbacks of
 * the crash path, once the scheduler is up.
 *
 * The callbacks are found through the scheduler's struct_ops map: the
 * kernel keeps, in the value it returns for key 0, the id of the program
 * behind each sched_ext_ops member. The member gives the callback's real
 * prototype (a struct_ops program's own BTF says only "u64 *ctx"), and the
 * program's line info gives its source file:line, and the line of the
 * offset the crash backtrace showed.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>

#include "repro.h"
#include "repro_skel.h"
#include "sched_ops.h"
#include "util.h"

/* the kernel's name for a program is its first BPF_OBJ_NAME_LEN - 1 bytes */
static bool same_prog(const char *prog_name, const char *callback)
{
	return !strncmp(prog_name, callback, BPF_OBJ_NAME_LEN - 1);
}

/* the last two path components: "bpf/scx_ktstr.bpf.c" */
static const char *short_path(const char *path)
{
	const char *p = path + strlen(path);
	int slashes = 0;

	while (p > path && !(p[-1] == '/' && ++slashes == 2))
		p--;
	return p;
}

static void trim(char *s)
{
	char *p = s;
	size_t n;

	while (*p == ' ' || *p == '\t')
		p++;
	memmove(s, p, strlen(p) + 1);
	n = strlen(s);
	while (n && (s[n - 1] == ' ' || s[n - 1] == '\n'))
		s[--n] = '\0';
}

/*
 * file:line of the callback's first line and, when the backtrace gave an
 * offset into it, of the instruction at that offset (the JIT maps each
 * line info record to an address).
 */
static void line_info(struct repro_callback *cb, int fd)
{
	struct bpf_prog_info info = {};
	__u32 len = sizeof(info), n, nj, rec, i, best = 0;
	struct bpf_line_info *lines;
	__u64 *jited, ksym = 0, addr;
	struct btf *btf;
	char text[128];

	if (bpf_prog_get_info_by_fd(fd, &info, &len) || !info.nr_line_info)
		return;
	n = info.nr_line_info;
	nj = info.nr_jited_line_info;
	rec = info.line_info_rec_size;
	lines = xcalloc(n, rec);
	jited = xcalloc(nj + 1, sizeof(*jited));
	memset(&info, 0, sizeof(info));
	info.nr_line_info = n;
	info.line_info_rec_size = rec;
	info.line_info = (__u64)(unsigned long)lines;
	info.nr_jited_line_info = nj;
	info.jited_line_info_rec_size = sizeof(__u64);
	info.jited_line_info = (__u64)(unsigned long)jited;
	info.nr_jited_ksyms = 1;
	info.jited_ksyms = (__u64)(unsigned long)&ksym;
	len = sizeof(info);
	btf = NULL;
	if (!bpf_prog_get_info_by_fd(fd, &info, &len))
		btf = btf__load_from_kernel_by_id(info.btf_id);
	if (btf) {
		snprintf(cb->src, sizeof(cb->src), "%s:%u",
			 short_path(btf__name_by_offset(btf, lines[0].file_name_off)),
			 BPF_LINE_INFO_LINE_NUM(lines[0].line_col));
		/* a return address: the call is the instruction before it */
		addr = ksym + cb->frame_off - 1;
		for (i = 0; cb->frame_off && ksym && i < nj; i++)
			if (jited[i] >= ksym && jited[i] <= addr &&
			    jited[i] >= jited[best])
				best = i;
		if (cb->frame_off && ksym && nj) {
			struct bpf_line_info *l = (void *)((char *)lines + best * rec);

			snprintf(text, sizeof(text), "%s",
				 btf__name_by_offset(btf, l->line_off) ?: "");
			trim(text);
			snprintf(cb->frame_src, sizeof(cb->frame_src),
				 "%s:%u: %s",
				 short_path(btf__name_by_offset(btf, l->file_name_off)),
				 BPF_LINE_INFO_LINE_NUM(l->line_col), text);
		}
		btf__free(btf);
	}
	free(lines);
	free(jited);
}

/*
 * For each requested callback, the sched_ext_ops member whose program
 * has its name: member, prototype kinds and program id.
 */
static int match_members(struct repro *r, const struct btf *btf,
			 const void *value, __u32 type_id)
{
	const struct btf_type *vt = btf__type_by_id(btf, type_id), *ops, *ft;
	const struct btf_member *data, *m;
	struct bpf_prog_info info;
	__u32 len, id;
	int i, j, fd, found = 0;

	data = vt && btf_is_struct(vt) ? btf_member_named(btf, vt, "data") : NULL;
	if (!data)
		return 0;
	ops = btf__type_by_id(btf, data->type);
	m = btf_members(ops);
	for (i = 0; i < btf_vlen(ops); i++, m++) {
		ft = btf__type_by_id(btf, m->type);
		if (!ft || !btf_is_ptr(ft))
			continue;
		ft = btf__type_by_id(btf, ft->type);
		if (!ft || !btf_is_func_proto(ft))
			continue;
		/* the kernel wrote the program id where the pointer goes */
		id = *(const __u64 *)((const char *)value + data->offset / 8 +
				      btf_member_bit_offset(ops, i) / 8);
		fd = id ? bpf_prog_get_fd_by_id(id) : -1;
		if (fd < 0)
			continue;
		memset(&info, 0, sizeof(info));
		len = sizeof(info);
		if (bpf_prog_get_info_by_fd(fd, &info, &len))
			info.name[0] = '\0';
		for (j = 0; info.name[0] && j < r->nr_cbs; j++) {
			struct repro_callback *cb = &r->cbs[j];

			if (cb->prog_id || !same_prog(info.name, cb->name))
				continue;
			cb->prog_id = id;
			snprintf(cb->member, sizeof(cb->member), "%s",
				 btf__name_by_offset(btf, m->name_off));
			cb->nr_args = repro_proto_kinds(btf, ft, &cb->kinds, NULL);
			cb->returns = ft->type != 0;
			line_info(cb, fd);
			found++;
		}
		close(fd);
	}
	return found;
}

/* load one fentry/fexit pair per matched callback, all in one object */
static void load_probes(struct repro *r)
{
	struct repro_probes *main_skel = r->skel, *s = repro_probes__open();
	int i, fds[REPRO_MAX_CALLBACKS], slot = 0, err = -ENOENT;

	if (!s) {
		for (i = 0; i < r->nr_cbs; i++)
			snprintf(r->cbs[i].why, sizeof(r->cbs[i].why),
				 "the probe object did not open");
		return;
	}
	bpf_program__set_autoload(s->progs.probe, false);
	bpf_program__set_autoload(s->progs.exit_trigger, false);
	bpf_program__set_autoload(s->progs.exit_return, false);
	bpf_map__reuse_fd(s->maps.slots, bpf_map__fd(main_skel->maps.slots));
	bpf_map__reuse_fd(s->maps.state, bpf_map__fd(main_skel->maps.state));
	bpf_map__reuse_fd(s->maps.arg_kinds,
			  bpf_map__fd(main_skel->maps.arg_kinds));
	for (i = 0; i < REPRO_MAX_CALLBACKS; i++) {
		struct repro_callback *cb = i < r->nr_cbs ? &r->cbs[i] : NULL;
		bool use = cb && cb->prog_id;

		fds[i] = use ? bpf_prog_get_fd_by_id(cb->prog_id) : -1;
		use = use && fds[i] >= 0;
		bpf_program__set_autoload(repro_callback_prog(s, i, false), use);
		bpf_program__set_autoload(repro_callback_prog(s, i, true), use);
		if (!use)
			continue;
		memcpy((void *)s->rodata->cb_kinds[i], cb->kinds.kind,
		       sizeof(cb->kinds.kind));
		bpf_program__set_attach_target(repro_callback_prog(s, i, false),
					       fds[i], cb->name);
		bpf_program__set_attach_target(repro_callback_prog(s, i, true),
					       fds[i], cb->name);
		slot++;
	}
	if (slot)
		err = repro_probes__load(s);
	/* open until the load: the kernel resolves the targets from them */
	for (i = 0; i < REPRO_MAX_CALLBACKS; i++)
		if (fds[i] >= 0)
			close(fds[i]);
	for (i = 0; i < r->nr_cbs; i++) {
		struct repro_callback *cb = &r->cbs[i];

		if (!cb->prog_id)
			continue;
		if (err) {
			snprintf(cb->why, sizeof(cb->why),
				 "fentry/fexit did not load: %s", strerror(-err));
			continue;
		}
		if (!bpf_program__attach(repro_callback_prog(s, i, false)) ||
		    !bpf_program__attach(repro_callback_prog(s, i, true))) {
			snprintf(cb->why, sizeof(cb->why),
				 "fentry/fexit attach failed: %s", strerror(errno));
			continue;
		}
		cb->attached = true;
		cb->why[0] = '\0';
	}
	r->cb_skel = s;
}

void repro_attach_callbacks(struct repro *r, const struct map_hold *maps)
{
	__u32 type_id = 0;
	long long t0 = now_ms();
	void *value;
	int i;

	if (!r->active || !r->skel || !r->nr_cbs)
		return;
	value = sched_ops_value(maps, &type_id);
	if (!value || !r->btf) {
		for (i = 0; i < r->nr_cbs; i++)
			snprintf(r->cbs[i].why, sizeof(r->cbs[i].why), "%s",
				 value ? "no vmlinux BTF" :
				 "no struct_ops map among the scheduler's maps");
		free(value);
		return;
	}
	match_members(r, r->btf, value, type_id);
	for (i = 0; i < r->nr_cbs; i++)
		if (!r->cbs[i].prog_id)
			snprintf(r->cbs[i].why, sizeof(r->cbs[i].why),
				 "not one of the scheduler's struct_ops programs");
	free(value);
	load_probes(r);
	r->cb_attach_ms = now_ms() - t0;
	for (i = 0; i < r->nr_cbs; i++)
		log_debug("repro: callback %s (prog id %u): %s%s",
			  r->cbs[i].name, r->cbs[i].prog_id,
			  r->cbs[i].attached ? "fentry/fexit attached" :
			  "not attached: ", r->cbs[i].why);
}
