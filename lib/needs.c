// SPDX-License-Identifier: GPL-2.0
/*
 * Capability gates (needs.h), checked against the running kernel.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>
#include <bpf/btf.h>

#include "needs.h"
#include "sched_ops.h"
#include "util.h"

static bool btf_has(const struct btf *btf, const char *name, int kind)
{
	return btf__find_by_name_kind(btf, name, kind) > 0;
}

/* a member @member of struct @type in @btf */
static bool btf_has_member(const struct btf *btf, const char *type,
			   const char *member)
{
	int id = btf__find_by_name_kind(btf, type, BTF_KIND_STRUCT);
	const struct btf_type *t = id > 0 ? btf__type_by_id(btf, id) : NULL;

	return t && btf_member_named(btf, t, member);
}

/* CONFIG_X=y or =m in /proc/config.gz; -1 when there is none to read */
static int config_has(const char *opt)
{
	gzFile z = gzopen("/proc/config.gz", "rb");
	char line[512];
	size_t n = strlen(opt);
	int found = 0;

	if (!z)
		return -1;
	while (!found && gzgets(z, line, sizeof(line)))
		found = !strncmp(line, opt, n) && line[n] == '=' &&
			(line[n + 1] == 'y' || line[n + 1] == 'm');
	gzclose(z);
	return found;
}

/* one KIND:NAME; 1 met, 0 not, -1 unknown kind or unreadable kernel */
static int need_met(struct btf *btf, const char *kind, const char *name,
		    char *why, size_t len)
{
	char tp[160];

	if (!strcmp(kind, "config")) {
		int r = config_has(name);

		if (r < 0)
			snprintf(why, len, "cannot read /proc/config.gz (CONFIG_IKCONFIG_PROC) to check %s",
				 name);
		return r;
	}
	if (!btf) {
		snprintf(why, len, "cannot read the kernel's BTF (/sys/kernel/btf/vmlinux) to check %s:%s",
			 kind, name);
		return -1;
	}
	if (!strcmp(kind, "kfunc"))
		return btf_has(btf, name, BTF_KIND_FUNC);
	if (!strcmp(kind, "ops"))
		return btf_has_member(btf, "sched_ext_ops", name);
	if (!strcmp(kind, "event"))
		return btf_has_member(btf, "scx_event_stats", name);
	if (!strcmp(kind, "tp")) {
		snprintf(tp, sizeof(tp), "btf_trace_%s", name);
		return btf_has(btf, tp, BTF_KIND_TYPEDEF);
	}
	snprintf(why, len, "unknown need kind '%s' in '%s:%s' (kfunc, ops, tp, event, config)",
		 kind, kind, name);
	return -1;
}

int needs_check(const char *needs, char *why, size_t len)
{
	char *copy, *tok, *save;
	struct btf *btf = NULL;
	int ret = 0;

	if (!needs || !*needs)
		return 0;
	copy = xstrdup(needs);
	for (tok = strtok_r(copy, ",", &save); tok && !ret;
	     tok = strtok_r(NULL, ",", &save)) {
		char *name = strchr(tok, ':');
		int met;

		while (*tok == ' ')
			tok++;
		if (!name || !name[1]) {
			snprintf(why, len, "need '%s' is not KIND:NAME", tok);
			ret = -1;
			break;
		}
		*name++ = '\0';
		if (!btf && strcmp(tok, "config"))
			btf = btf__load_vmlinux_btf();
		met = need_met(btf, tok, name, why, len);
		if (met < 0)
			ret = -1;
		else if (!met) {
			snprintf(why, len, "needs %s %s, which this kernel lacks",
				 tok, name);
			ret = 1;
		}
	}
	btf__free(btf);
	free(copy);
	return ret;
}
