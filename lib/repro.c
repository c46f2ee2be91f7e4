// SPDX-License-Identifier: GPL-2.0
/*
 * Auto-repro probes in the guest: kprobes on the crash path's kernel
 * functions, with arguments typed from BTF, and a trigger on the
 * scheduler's exit (scx_ops_exit_kind on kernels without the
 * sched_ext_exit tracepoint).
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

#include "repro.h"
#include "repro_probes.h"
#include "repro_probes.bpf.skel.h"
#include "util.h"

#define FILTER_FUNCS	"/sys/kernel/tracing/available_filter_functions"
#define TRIGGER		"scx_ops_exit_kind"
#define SHOWN_EVENTS	40

static int print_warnings(enum libbpf_print_level level, const char *fmt,
			  va_list ap)
{
	return level == LIBBPF_DEBUG ? 0 : vfprintf(stderr, fmt, ap);
}

static int repro_err(struct repro *r, const char *fmt, const char *a)
{
	snprintf(r->err, sizeof(r->err), fmt, a);
	return -1;
}

static unsigned long long kallsyms_addr(const char *name)
{
	char line[512], sym[256], type;
	unsigned long long addr;
	FILE *f = fopen("/proc/kallsyms", "r");

	while (f && fgets(line, sizeof(line), f))
		if (sscanf(line, "%llx %c %255s", &addr, &type, sym) == 3 &&
		    !strcmp(sym, name)) {
			fclose(f);
			return addr;
		}
	if (f)
		fclose(f);
	return 0;
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

/* what each of the first arguments points at, from the BTF prototype */
static void arg_kinds(const struct btf *btf, const char *name,
		      struct repro_arg_kinds *k)
{
	const struct btf_type *t;
	const struct btf_param *p;
	int id, i;

	memset(k, 0, sizeof(*k));
	id = btf__find_by_name_kind(btf, name, BTF_KIND_FUNC);
	if (id >= 0) {
		t = btf__type_by_id(btf, btf__type_by_id(btf, id)->type);
		for (i = t && btf_is_func_proto(t) ? btf_vlen(t) : 0;
		     i < REPRO_MAX_ARGS; i++)
			k->kind[i] = REPRO_ARG_NONE;
	}
	if (id < 0)
		return;
	t = btf__type_by_id(btf, btf__type_by_id(btf, id)->type);
	if (!t || !btf_is_func_proto(t))
		return;
	p = btf_params(t);
	for (i = 0; i < btf_vlen(t) && i < REPRO_MAX_ARGS; i++) {
		const struct btf_type *a = btf__type_by_id(btf, p[i].type);
		const char *sname;

		while (a && (btf_is_mod(a) || btf_is_typedef(a)))
			a = btf__type_by_id(btf, a->type);
		if (!a || !btf_is_ptr(a))
			continue;
		a = btf__type_by_id(btf, a->type);
		while (a && (btf_is_mod(a) || btf_is_typedef(a)))
			a = btf__type_by_id(btf, a->type);
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
}

static int by_time(const void *a, const void *b)
{
	const struct repro_event *x = a, *y = b;

	return x->ts < y->ts ? -1 : x->ts > y->ts;
}

static void add_kinds(struct repro_probes *skel, unsigned long long addr,
		      struct repro_arg_kinds *k)
{
	/* with IBT the probe sits after the 4-byte endbr64 */
	unsigned long long keys[2] = { addr, addr + 4 };
	int i;

	for (i = 0; i < 2; i++)
		bpf_map__update_elem(skel->maps.arg_kinds, &keys[i],
				     sizeof(keys[i]), k, sizeof(*k), BPF_ANY);
}

static int arm(struct repro *r, const char *list)
{
	struct repro_probes *skel;
	struct btf *btf = btf__load_vmlinux_btf();
	struct repro_arg_kinds k;
	char *funcs = read_file(FILTER_FUNCS, NULL);
	char *copy = xstrdup(list), *name, *save;
	unsigned long long addr;
	int i;

	for (name = strtok_r(copy, ",", &save); name && r->nr_funcs < REPRO_MAX_FUNCS;
	     name = strtok_r(NULL, ",", &save))
		snprintf(r->funcs[r->nr_funcs++].name, sizeof(r->funcs[0].name),
			 "%s", name);
	free(copy);
	/* a refused program's verifier log goes to stderr, into the report */
	libbpf_set_print(print_warnings);
	skel = repro_probes__open_and_load();
	if (!skel) {
		free(funcs);
		return repro_err(r, "the probe program did not load: %s",
				 strerror(errno));
	}
	r->skel = skel;
	for (i = 0; i < r->nr_funcs; i++) {
		struct repro_func *f = &r->funcs[i];

		if (!traceable(funcs, f->name)) {
			f->why = "not in available_filter_functions";
			continue;
		}
		if (!bpf_program__attach_kprobe(skel->progs.probe, false, f->name)) {
			f->why = "kprobe attach failed";
			continue;
		}
		f->attached = true;
		f->addr = kallsyms_addr(f->name);
		if (btf && f->addr) {
			arg_kinds(btf, f->name, &k);
			add_kinds(skel, f->addr, &k);
		}
	}
	r->trigger_attached =
		bpf_program__attach_kprobe(skel->progs.exit_trigger, false, TRIGGER) != NULL;
	addr = kallsyms_addr(TRIGGER);
	memset(&k, 0, sizeof(k));
	if (addr)
		add_kinds(skel, addr, &k);
	btf__free(btf);
	free(funcs);
	return 0;
}

void repro_start(struct repro *r)
{
	const char *list = getenv("KTSTR_REPRO_FUNCS");

	memset(r, 0, sizeof(*r));
	if (!list)
		return;
	r->active = true;
	arm(r, list);
}

/* Read the circle of events, oldest first, and detach the probes. */
void repro_stop(struct repro *r)
{
	struct repro_probes *skel = r->skel;
	__u32 key;

	if (!r->active || !skel)
		return;
	r->triggered = skel->bss->triggered;
	r->events = xcalloc(REPRO_SLOTS, sizeof(*r->events));
	for (key = 0; key < REPRO_SLOTS; key++) {
		struct repro_event *e = &r->events[r->nr_events];

		if (!bpf_map__lookup_elem(skel->maps.slots, &key, sizeof(key),
					  e, sizeof(*e), 0) && e->ts)
			r->nr_events++;
	}
	qsort(r->events, r->nr_events, sizeof(*r->events), by_time);
	r->total_events = skel->bss->nr_events;
	repro_probes__destroy(skel);
	r->skel = NULL;
}

static const char *func_name(const struct repro *r, unsigned long long ip)
{
	int i;

	for (i = 0; i < r->nr_funcs; i++)
		if (r->funcs[i].addr && ip - r->funcs[i].addr < 16)
			return r->funcs[i].name;
	return TRIGGER;
}

static void print_event(const struct repro_event *e, unsigned long long t0,
			const char *name, int trigger_pid)
{
	char args[1024] = "";
	size_t off = 0;
	int i;

	for (i = 0; i < REPRO_MAX_ARGS; i++) {
		const struct repro_task *t = &e->task[i];

		switch (e->kinds[i]) {
		case REPRO_ARG_NONE:
			continue;
		case REPRO_ARG_TASK:
			if (!e->args[i])
				continue;
			off += snprintf(args + off, sizeof(args) - off,
					" task%d={pid=%d comm=%s cpus=%u dsq=0x%llx slice=%llu vtime=%llu weight=%u}",
					i, t->pid, t->comm, t->nr_cpus_allowed,
					(unsigned long long)t->dsq_id,
					(unsigned long long)t->slice,
					(unsigned long long)t->dsq_vtime, t->weight);
			break;
		case REPRO_ARG_RQ:
			off += snprintf(args + off, sizeof(args) - off,
					" rq%d={cpu=%d}", i, t->pid);
			break;
		case REPRO_ARG_DSQ:
			off += snprintf(args + off, sizeof(args) - off,
					" dsq%d={id=0x%llx}", i,
					(unsigned long long)t->dsq_id);
			break;
		default:
			off += snprintf(args + off, sizeof(args) - off,
					" arg%d=0x%llx", i,
					(unsigned long long)e->args[i]);
		}
		if (off >= sizeof(args))
			break;
	}
	printf("# %c +%.3fms cpu%u %s [%s/%d]%s\n",
	       e->pid == trigger_pid ? '*' : ' ',
	       (e->ts - t0) / 1e6, e->cpu, name, e->comm, e->pid, args);
}

void repro_print(const struct repro *r)
{
	const struct repro_event *trig = NULL;
	int i, first, attached = 0;

	if (!r->active)
		return;
	for (i = 0; i < r->nr_funcs; i++)
		attached += r->funcs[i].attached;
	printf("# --- probe data ---\n");
	if (r->err[0])
		printf("# repro: %s\n", r->err);
	printf("# repro: traceable %d of %d:", attached, r->nr_funcs);
	for (i = 0; i < r->nr_funcs; i++)
		if (r->funcs[i].attached)
			printf(" %s", r->funcs[i].name);
	printf("\n");
	for (i = 0; i < r->nr_funcs; i++)
		if (!r->funcs[i].attached)
			printf("# repro: dropped %s (%s)\n", r->funcs[i].name,
			       r->funcs[i].why ? r->funcs[i].why : "?");
	for (i = 0; i < r->nr_events; i++)
		if (r->events[i].trigger) {
			trig = &r->events[i];
			break;
		}
	printf("# repro: kprobes=%d trigger=%s (%s) fired=%s events=%llu\n",
	       attached, TRIGGER, r->trigger_attached ? "attached" : "not attached",
	       trig || r->triggered ? "yes" : "no", r->total_events);
	if (!r->nr_events)
		return;
	/* the last events up to and including the exit */
	for (i = 0; i < r->nr_events && &r->events[i] != trig; i++)
		;
	if (i == r->nr_events)
		i--;
	first = i - SHOWN_EVENTS + 1 > 0 ? i - SHOWN_EVENTS + 1 : 0;
	printf("# repro: the %d events before the exit (* = the task that triggered it):\n",
	       i - first + 1);
	for (; first <= i; first++)
		print_event(&r->events[first], r->events[0].ts,
			    r->events[first].trigger ? TRIGGER :
			    func_name(r, r->events[first].ip),
			    trig ? trig->pid : -1);
	if (trig)
		printf("# repro: exit kind %lld triggered by %s/%d on cpu%u\n",
		       (long long)trig->exit_kind, trig->comm, trig->pid,
		       trig->cpu);
}
