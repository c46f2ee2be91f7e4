// SPDX-License-Identifier: GPL-2.0
/*
 * Auto-repro probes in the guest: kprobes on the crash path's kernel
 * functions, with arguments typed from BTF, and a trigger on the
 * scheduler's exit. The kernel has no sched_ext_exit tracepoint (6.12
 * and mainline trace sched_ext_dump and sched_ext_event only), so the
 * trigger is a kprobe on the function every exit goes through,
 * scx_ops_exit_kind(), and a kretprobe on it reads the exit info it
 * filled in: kind, reason and message.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/types.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include "env.h"
#include "repro.h"
#include "repro_skel.h"
#include "util.h"

#define FILTER_FUNCS	"/sys/kernel/tracing/available_filter_functions"

static int print_warnings(enum libbpf_print_level level, const char *fmt,
			  va_list ap)
{
	/*
	 * KTSTR_VERBOSE or KTSTR_LOG=debug: libbpf's debug lines too, to
	 * see why a probe failed
	 */
	char line[1024];

	if (level == LIBBPF_DEBUG && !ktstr_env()->verbose &&
	    !log_debug_enabled())
		return 0;
	if (!log_debug_enabled())
		return vfprintf(stderr, fmt, ap);
	/* as tracing lines, which the host shows for the repro VM too */
	vsnprintf(line, sizeof(line), fmt, ap);
	line[strcspn(line, "\n")] = '\0';
	log_debug("libbpf: %s", line);
	return 0;
}

static int repro_err(struct repro *r, const char *fmt, const char *a)
{
	snprintf(r->err, sizeof(r->err), fmt, a);
	return -1;
}

/* where the kernel keeps its struct scx_exit_info pointer */
static unsigned long long exit_info_addr(void)
{
	char line[512], sym[256], type;
	unsigned long long addr, found = 0;
	FILE *f = fopen("/proc/kallsyms", "r");

	while (f && !found && fgets(line, sizeof(line), f))
		if (sscanf(line, "%llx %c %255s", &addr, &type, sym) == 3 &&
		    !strcmp(sym, "scx_exit_info"))
			found = addr;
	if (f)
		fclose(f);
	return found;
}

/* @funcs: available_filter_functions, read once */
static bool traceable(const char *funcs, const char *name)
{
	size_t n = strlen(name);
	const char *p = funcs;

	while (p && (p = strstr(p, name))) {
		if ((p == funcs || p[-1] == '\n') &&
		    (p[n] == '\n' || p[n] == ' '))
			return true;
		p += n;
	}
	return false;
}

static const struct btf_type *skip_mods(const struct btf *btf,
				       const struct btf_type *t)
{
	while (t && (btf_is_mod(t) || btf_is_typedef(t)))
		t = btf__type_by_id(btf, t->type);
	return t;
}

int repro_proto_kinds(const struct btf *btf, const struct btf_type *proto,
		      struct repro_arg_kinds *k, char params[][32])
{
	const struct btf_param *p;
	int i, n;

	memset(k, REPRO_ARG_NONE, sizeof(*k));
	if (!proto || !btf_is_func_proto(proto))
		return 0;
	n = btf_vlen(proto);
	p = btf_params(proto);
	for (i = 0; i < n && i < REPRO_MAX_ARGS; i++) {
		const struct btf_type *a = skip_mods(btf, btf__type_by_id(btf, p[i].type));
		const char *sname;

		k->kind[i] = REPRO_ARG_SCALAR;
		if (params)
			snprintf(params[i], 32, "%s",
				 btf__name_by_offset(btf, p[i].name_off) ?: "");
		if (!a || !btf_is_ptr(a))
			continue;
		a = skip_mods(btf, btf__type_by_id(btf, a->type));
		if (!a || !btf_is_struct(a))
			continue;
		sname = btf__name_by_offset(btf, a->name_off);
		if (!strcmp(sname, "task_struct"))
			k->kind[i] = REPRO_ARG_TASK;
		else if (!strcmp(sname, "rq"))
			k->kind[i] = REPRO_ARG_RQ;
		else if (!strcmp(sname, "scx_dispatch_q"))
			k->kind[i] = REPRO_ARG_DSQ;
		else if (!strcmp(sname, "scx_exit_info"))
			k->kind[i] = REPRO_ARG_EXIT_INFO;
	}
	return n;
}

/* what each of a kernel function's first arguments points at */
static void func_kinds(const struct btf *btf, struct repro_func *f,
		       struct repro_arg_kinds *k)
{
	int id = btf__find_by_name_kind(btf, f->name, BTF_KIND_FUNC);
	const struct btf_type *proto;

	memset(k, REPRO_ARG_SCALAR, sizeof(*k));
	if (id < 0)
		return;
	proto = btf__type_by_id(btf, btf__type_by_id(btf, id)->type);
	repro_proto_kinds(btf, proto, k, f->params);
	f->returns = proto && btf_is_func_proto(proto) && proto->type;
}

static int by_time(const void *a, const void *b)
{
	const struct repro_event *x = a, *y = b;

	return x->ts < y->ts ? -1 : x->ts > y->ts;
}

/* @f's argument kinds, for the probe attached with @cookie */
static void add_kinds(struct repro *r, struct repro_func *f, __u64 cookie)
{
	struct repro_probes *skel = r->skel;
	struct repro_arg_kinds k;

	memset(&k, REPRO_ARG_SCALAR, sizeof(k));
	if (r->btf)
		func_kinds(r->btf, f, &k);
	bpf_map__update_elem(skel->maps.arg_kinds, &cookie, sizeof(cookie),
			     &k, sizeof(k), BPF_ANY);
}

/*
 * A kprobe and a kretprobe on @name, both with the function's index as
 * their cookie: the return is matched to its call by task and index.
 */
static int attach_pair(struct repro_probes *skel, const char *name, int idx)
{
	LIBBPF_OPTS(bpf_kprobe_opts, entry, .bpf_cookie = idx);
	LIBBPF_OPTS(bpf_kprobe_opts, ret, .bpf_cookie = idx, .retprobe = true);

	if (!bpf_program__attach_kprobe_opts(skel->progs.probe, name, &entry))
		return -1;
	/* without the return the call still shows, with its entry values */
	bpf_program__attach_kprobe_opts(skel->progs.probe_return, name, &ret);
	return 0;
}

/* "a,b,c" into r->funcs */
static void parse_funcs(struct repro *r, const char *list)
{
	char *copy = xstrdup(list), *name, *save;

	for (name = strtok_r(copy, ",", &save);
	     name && r->nr_funcs < REPRO_MAX_FUNCS;
	     name = strtok_r(NULL, ",", &save))
		snprintf(r->funcs[r->nr_funcs++].name, sizeof(r->funcs[0].name),
			 "%s", name);
	free(copy);
}

/* "name+0xoff,name" into r->cbs */
static void parse_callbacks(struct repro *r, const char *list)
{
	char *copy = xstrdup(list), *item, *save, *plus;

	for (item = strtok_r(copy, ",", &save);
	     item && r->nr_cbs < REPRO_MAX_CALLBACKS;
	     item = strtok_r(NULL, ",", &save)) {
		struct repro_callback *cb = &r->cbs[r->nr_cbs++];

		plus = strchr(item, '+');
		if (plus) {
			*plus = '\0';
			cb->frame_off = strtoul(plus + 1, NULL, 16);
		}
		snprintf(cb->name, sizeof(cb->name), "%s", item);
		snprintf(cb->why, sizeof(cb->why), "the scheduler never attached");
	}
	free(copy);
}

static int arm(struct repro *r)
{
	LIBBPF_OPTS(bpf_kprobe_opts, trigger, .bpf_cookie = REPRO_TRIGGER_COOKIE);
	LIBBPF_OPTS(bpf_kprobe_opts, trigger_ret, .retprobe = true);
	struct repro_probes *skel;
	char *funcs = read_file(FILTER_FUNCS, NULL);
	int i;

	r->btf = btf__load_vmlinux_btf();
	snprintf(r->trigger.name, sizeof(r->trigger.name), "%s", REPRO_TRIGGER);
	/* a refused program's verifier log goes to stderr, into the report */
	libbpf_set_print(print_warnings);
	skel = repro_probes__open();
	if (skel) {
		skel->rodata->exit_info_addr = exit_info_addr();
		/* the callback probes load later, bound to their targets */
		for (i = 0; i < REPRO_MAX_CALLBACKS; i++) {
			bpf_program__set_autoload(repro_callback_prog(skel, i, false), false);
			bpf_program__set_autoload(repro_callback_prog(skel, i, true), false);
		}
	}
	if (!skel || repro_probes__load(skel)) {
		repro_probes__destroy(skel);
		btf__free(r->btf);
		r->btf = NULL;
		free(funcs);
		return repro_err(r, "the probe program did not load: %s",
				 strerror(errno));
	}
	r->skel = skel;
	for (i = 0; i < r->nr_funcs; i++) {
		struct repro_func *f = &r->funcs[i];

		if (!traceable(funcs, f->name)) {
			f->why = "not in available_filter_functions";
			log_debug("repro: %s: not attached: %s", f->name, f->why);
			continue;
		}
		if (attach_pair(skel, f->name, i)) {
			f->why = "kprobe attach failed";
			log_debug("repro: %s: not attached: %s: %s", f->name,
				  f->why, strerror(errno));
			continue;
		}
		f->attached = true;
		log_debug("repro: %s: kprobe and kretprobe attached", f->name);
		add_kinds(r, f, i);
	}
	r->trigger_attached =
		bpf_program__attach_kprobe_opts(skel->progs.exit_trigger,
						REPRO_TRIGGER, &trigger) &&
		bpf_program__attach_kprobe_opts(skel->progs.exit_return,
						REPRO_TRIGGER, &trigger_ret);
	log_debug("repro: trigger %s: %s", REPRO_TRIGGER,
		  r->trigger_attached ? "attached" : strerror(errno));
	add_kinds(r, &r->trigger, REPRO_TRIGGER_COOKIE);
	free(funcs);
	return 0;
}

void repro_start(struct repro *r)
{
	const char *funcs = ktstr_env()->repro_funcs;
	const char *cbs = ktstr_env()->repro_callbacks;

	memset(r, 0, sizeof(*r));
	if (!funcs && !cbs)
		return;
	r->active = true;
	if (funcs)
		parse_funcs(r, funcs);
	if (cbs)
		parse_callbacks(r, cbs);
	arm(r);
}

/* Read the circle of events, oldest first, and detach the probes. */
void repro_stop(struct repro *r)
{
	struct repro_probes *skel = r->skel;
	__u32 key = 0;

	if (!r->active || !skel)
		return;
	bpf_map__lookup_elem(skel->maps.state, &key, sizeof(key), &r->state,
			     sizeof(r->state), 0);
	r->events = xcalloc(REPRO_SLOTS, sizeof(*r->events));
	for (key = 0; key < REPRO_SLOTS; key++) {
		struct repro_event *e = &r->events[r->nr_events];

		if (!bpf_map__lookup_elem(skel->maps.slots, &key, sizeof(key),
					  e, sizeof(*e), 0) && e->ts)
			r->nr_events++;
	}
	qsort(r->events, r->nr_events, sizeof(*r->events), by_time);
	r->total_events = r->state.nr_events;
	repro_probes__destroy(r->cb_skel);
	r->cb_skel = NULL;
	repro_probes__destroy(skel);
	r->skel = NULL;
	btf__free(r->btf);
	r->btf = NULL;
}
