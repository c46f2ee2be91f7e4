// SPDX-License-Identifier: GPL-2.0
/*
 * Auto-repro, host side: after a scheduler crash, take the functions of
 * the crash backtrace, rerun the same case in a second VM with probes on
 * them, and print what the probes saw under --- auto-repro ---.
 */
#include <ctype.h>
#include <libgen.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "env.h"
#include "channel.h"
#include "protocol.h"
#include "cases.h"
#include "srcline.h"
#include "util.h"

#define MAX_FRAMES	64
/* fentry/fexit pairs the guest loads: REPRO_MAX_CALLBACKS */
#define MAX_CALLBACKS	4
#define TAIL_LINES	40

/* frames that say nothing about the scheduler: entry, locks, irq, exit */
static const char *const generic_prefixes[] = {
	"entry_", "do_syscall", "__x64_sys", "x64_sys", "syscall_",
	"ret_from_fork", "asm_", "_raw_spin", "raw_spin", "__raw_spin",
	"queued_spin", "mutex_", "__mutex", "lock_", "scx_bpf_error",
	"scx_ops_exit", "scx_ops_error", "scx_exit", "stack_trace",
	"bpf__sched_ext_ops", "kthread", "worker_thread", "process_one_work",
	"common_startup", "x86_64_start", "start_kernel", "rest_init",
	"cpu_startup_entry", "do_idle", "__sysvec", "sysvec_", "irq_exit",
	"__irq_exit", "hrtimer_", "__hrtimer", "tick_", "update_process_times",
	"pv_native", "default_idle", "arch_cpu_idle",
};

struct pipeline {
	char frames[MAX_FRAMES][96];
	int nr_frames;
	char kernel[MAX_FRAMES][96];	/* to probe */
	int nr_kernel;
	char callbacks[MAX_CALLBACKS][96];	/* bpf_prog_<tag>_<name> -> name */
	unsigned long callback_off[MAX_CALLBACKS];	/* offset in the frame */
	int nr_callbacks;
	char generic[2048];
	int nr_generic;
	char dropped[4096];	/* not kprobed: generic and BPF frames */
	int nr_dropped;
};

static bool is_generic(const char *name)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(generic_prefixes); i++)
		if (str_starts_with(name, generic_prefixes[i]))
			return true;
	return false;
}

/* @name at the end of @list unless there already; true when added */
static bool add_unique(char list[][96], int *n, int max, const char *name)
{
	int i;

	for (i = 0; i < *n; i++)
		if (!strcmp(list[i], name))
			return false;
	if (*n >= max)
		return false;
	snprintf(list[(*n)++], 96, "%s", name);
	return true;
}

/* bpf_prog_<16 hex digits of tag>_<name> */
static bool is_bpf_prog(const char *f)
{
	return str_starts_with(f, "bpf_prog_") && strlen(f) > 26 && f[25] == '_';
}

static void drop(struct pipeline *p, const char *name)
{
	size_t len = strlen(p->dropped);

	snprintf(p->dropped + len, sizeof(p->dropped) - len, "%s%s",
		 p->nr_dropped ? ", " : "", name);
	p->nr_dropped++;
}

/*
 * The guest's verdict on the kernel functions: "repro: dropped NAME
 * (why)" for each one it could not probe. Returns how many.
 */
static int guest_dropped(struct pipeline *p, const char *report)
{
	const char *s = report;
	int n = 0;

	while (s && (s = strstr(s, "repro: dropped "))) {
		char name[96];

		s += strlen("repro: dropped ");
		snprintf(name, sizeof(name), "%.*s", (int)strcspn(s, "\n "), s);
		drop(p, name);
		n++;
	}
	return n;
}

/* "   balance_scx+0x177/0x3a0" lines of the first run's report */
static void extract(const char *report, struct pipeline *p)
{
	const char *line = report;
	int i;

	memset(p, 0, sizeof(*p));
	while (line && *line) {
		const char *s = line;
		char name[96];
		int n = 0;

		while (*s == ' ' || *s == '\t')
			s++;
		while (n < 95 && (isalnum((unsigned char)s[n]) || s[n] == '_' ||
				  s[n] == '.'))
			n++;
		if (s != line && n && !strncmp(s + n, "+0x", 3)) {
			snprintf(name, sizeof(name), "%.*s", n, s);
			add_unique(p->frames, &p->nr_frames, MAX_FRAMES, name);
			/* a callback keeps its offset: the guest finds its line */
			if (is_bpf_prog(name) &&
			    add_unique(p->callbacks, &p->nr_callbacks,
				       MAX_CALLBACKS, name + 26))
				p->callback_off[p->nr_callbacks - 1] =
					strtoul(s + n + 1, NULL, 16);
		}
		line = strchr(line, '\n');
		line = line ? line + 1 : NULL;
	}
	for (i = 0; i < p->nr_frames; i++) {
		const char *f = p->frames[i];

		size_t len = strlen(p->generic);

		if (!is_bpf_prog(f) && !is_generic(f)) {
			add_unique(p->kernel, &p->nr_kernel, MAX_FRAMES, f);
			continue;
		}
		/* a BPF frame is no kprobe target: fentry on its callback */
		drop(p, f);
		if (is_bpf_prog(f))
			continue;
		snprintf(p->generic + len, sizeof(p->generic) - len, "%s%s",
			 p->nr_generic ? ", " : "", f);
		p->nr_generic++;
	}
}

/* out and the case's report: the block is part of the bundle */
static void emit(struct test_case *c, const char *fmt, ...)
{
	char line[4096];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	fprintf(c->out, "# %s\n", line);
	if (c->report) {
		size_t n = strlen(line);
		char *r = realloc(c->report, c->report_len + n + 2);

		if (r) {
			memcpy(r + c->report_len, line, n);
			r[c->report_len + n] = '\n';
			r[c->report_len + n + 1] = '\0';
			c->report = r;
			c->report_len += n + 1;
		}
	}
}

/* file:line of each kernel function, from the vmlinux next to the image */
static void sources(struct test_case *c, const struct pipeline *p,
		    const char *kernel)
{
	char img[4096], dir[4200], path[4300], line[512], sym[256], t;
	static struct srcline src[MAX_FRAMES];
	unsigned long long addr, addrs[MAX_FRAMES] = { 0 };
	FILE *f;
	int i;

	if (!kernel || !p->nr_kernel)
		return;
	/* the build tree: <build>/arch/x86/boot/bzImage */
	snprintf(img, sizeof(img), "%s", kernel);
	snprintf(dir, sizeof(dir), "%s/../../..", dirname(img));
	snprintf(path, sizeof(path), "%s/System.map", dir);
	f = fopen(path, "re");
	while (f && fgets(line, sizeof(line), f))
		if (sscanf(line, "%llx %c %255s", &addr, &t, sym) == 3)
			for (i = 0; i < p->nr_kernel; i++)
				if (!strcmp(sym, p->kernel[i]))
					addrs[i] = addr;
	if (f)
		fclose(f);
	snprintf(path, sizeof(path), "%s/vmlinux", dir);
	srcline_lookup(path, addrs, p->nr_kernel, src);
	emit(c, "functions (source from DWARF):");
	for (i = 0; i < p->nr_kernel; i++) {
		/* from the tree's top: "kernel/sched/ext.c:4213" */
		const char *s = strstr(src[i].s, "/kernel/") ?
				strstr(src[i].s, "/kernel/") + 1 : src[i].s;

		emit(c, "  %-28s %s", p->kernel[i],
		     !addrs[i] ? "(not in System.map)" :
		     *s ? s : "(no line information)");
	}
}

/* the last @n lines of section @name ("--- x ---") of @report */
static void section_tail(struct test_case *c, const char *report,
			 const char *name, const char *title, int n)
{
	const char *s = report ? strstr(report, name) : NULL, *end, *p;
	int lines = 0;

	emit(c, "--- %s (last %d lines) ---", title, n);
	if (!s) {
		emit(c, "(none)");
		return;
	}
	s = strchr(s, '\n');
	s = s ? s + 1 : "";
	end = strstr(s, "--- ");
	if (!end)
		end = s + strlen(s);
	for (p = end; p > s && lines <= n; p--)
		if (p[-1] == '\n')
			lines++;
	while (p < end) {
		int len = strcspn(p, "\n");

		if (p + len > end)
			len = end - p;
		if (len)
			emit(c, "%.*s", len, p);
		p += len + 1;
	}
}

/*
 * The manual's two lines first ("extracted: N functions from crash
 * backtrace", "traceable: N passed, M dropped: a, b"), then ours.
 */
static void print_pipeline(struct test_case *c, const struct pipeline *p,
			   int passed)
{
	int i;

	emit(c, "--- probe pipeline ---");
	emit(c, "extracted: %d functions from crash backtrace", p->nr_frames);
	emit(c, "traceable: %d passed, %d dropped%s%s", passed, p->nr_dropped,
	     p->nr_dropped ? ": " : "", p->dropped);
	emit(c, "generic: %d dropped%s%s", p->nr_generic,
	     p->nr_generic ? ": " : "", p->generic);
	emit(c, "bpf callbacks: %d (fentry/fexit, source line from BPF line info in the repro VM)",
	     p->nr_callbacks);
	for (i = 0; i < p->nr_callbacks; i++)
		emit(c, "  %s", p->callbacks[i]);
	emit(c, "kernel functions to probe: %d (kprobes)", p->nr_kernel);
}

/*
 * "<reason> (<message>)" of the scheduler's error exit in a case's
 * structured result, with its SCX_EXIT_* kind; NULL when the scheduler
 * made no error exit (or there is no result).
 */
static const char *error_exit(const struct json_val *result, char *buf,
			      size_t len, double *kind)
{
	const struct json_val *s = json_get(result, "scheduler");
	const char *reason = json_get_str(s, "exit_reason");
	const char *msg = json_get_str(s, "exit_msg");

	*kind = 0;
	json_get_num(s, "exit_kind", kind);
	if (!json_get_bool(s, "error_exit", false))
		return NULL;
	snprintf(buf, len, "%s%s%s%s", reason ? reason : "error exit",
		 msg ? " (" : "", msg ? msg : "", msg ? ")" : "");
	return buf;
}

/*
 * KTSTR_VERBOSE=1 (the manual's RUST_BACKTRACE=1): the repro VM's console
 * on stderr as it comes, not only its tail afterwards.
 */
static const struct run_opts *verbose_repro(const struct run_opts *o)
{
	static struct run_opts v;

	if (!ktstr_env()->verbose)
		return o;
	v = *o;
	v.vm.dmesg = true;
	fputs("ktstr: auto-repro: KTSTR_VERBOSE=1: the repro VM's console follows\n",
	      stderr);
	return &v;
}

/* the guest's variables naming what to probe: kernel functions, callbacks */
static void probe_env(struct test_case *c, const struct pipeline *p,
		      char *funcs, size_t flen, char *cbs, size_t clen)
{
	size_t off;
	int i;

	off = snprintf(funcs, flen, "KTSTR_REPRO_FUNCS=");
	for (i = 0; i < p->nr_kernel; i++) {
		if (off + strlen(p->kernel[i]) + 1 > CHANNEL_MAX_PAYLOAD) {
			emit(c, "%d kernel functions left unprobed: their names pass the guest's %d-byte variable",
			     p->nr_kernel - i, CHANNEL_MAX_PAYLOAD);
			break;
		}
		off += snprintf(funcs + off, flen - off, "%s%s",
				i ? "," : "", p->kernel[i]);
	}
	off = snprintf(cbs, clen, "KTSTR_REPRO_CALLBACKS=");
	for (i = 0; i < p->nr_callbacks; i++)
		off += snprintf(cbs + off, clen - off, "%s%s+0x%lx",
				i ? "," : "", p->callbacks[i],
				p->callback_off[i]);
}

/*
 * KTSTR_LOG=debug: the repro guest's tracing (why each probe attached or
 * not, libbpf's messages) from its output, which is otherwise not shown
 */
static void debug_lines(struct test_case *c, const char *out)
{
	const char *p = out;

	if (!log_debug_enabled() || !out)
		return;
	while ((p = strstr(p, "ktstr debug: "))) {
		int len = strcspn(p, "\n");

		emit(c, "%.*s", len, p);
		p += len;
	}
}

/* the rerun's probe data, as its guest printed it */
static void print_probe_data(struct test_case *c, const char *report)
{
	const char *s;

	if (!report || !strstr(report, "--- probe data ---"))
		return;
	s = strchr(strstr(report, "--- probe data ---"), '\n');
	emit(c, "--- probe data ---");
	/* the report may end without a newline: stop at its NUL */
	while (s && *s && *++s && (str_starts_with(s, "repro: ") || *s == '*' ||
			     *s == ' ')) {
		int len = strcspn(s, "\n");

		emit(c, "%.*s", len, s);
		s += len;
	}
}

/* the status line: reproduced, crashed differently, or why there is none */
static void print_status(struct test_case *c, const struct vm_result *res,
			 const struct json_val *second, double first_kind)
{
	char bug[640];
	double kind;
	bool crashed = second && error_exit(second, bug, sizeof(bug), &kind);

	if (res->exit_code == VM_EXIT_HANG)
		emit(c, "no probe data: the repro VM timed out");
	else if (res->exit_code >= VM_EXIT_USAGE)
		emit(c, "no probe data: the repro VM failed (%s)", res->reason);
	else if (!second)
		emit(c, "no probe data: the repro VM gave no structured result");
	else if (!json_get_bool(json_get(second, "scheduler"), "attached", false) &&
		 !crashed)
		emit(c, "no probe data: the scheduler did not attach in the repro VM");
	else if (!crashed)
		emit(c, "crash did not reproduce: the rerun ran normally");
	else if (kind != first_kind)
		emit(c, "crashed differently: %s", bug);
	else
		emit(c, "reproduced: %s", bug);
}

void auto_repro(const struct run_opts *o, struct test_case *c,
		const struct rundir *rd, bool kvm)
{
	char first_bug[640], env[4200], cbs[512], skip[256];
	const char *stage = json_get_str(c->result, "stage");
	char *env_extra[3] = { env, cbs, NULL };
	struct test_case rc = *c;
	struct pipeline p;
	struct vm_result res;
	double first_kind;
	size_t buflen = 0;
	char *buf = NULL;
	long long t0;

	if (vm_interrupted() || !c->auto_repro || !c->report ||
	    !error_exit(c->result, first_bug, sizeof(first_bug), &first_kind))
		return;
	emit(c, "--- auto-repro ---");
	if (stage && !strcmp(stage, "attach"))
		emit(c, "the first VM never reached the workload (the scheduler died while attaching): the rerun shows the attach only");
	extract(c->report, &p);
	if (!p.nr_kernel && !p.nr_callbacks) {
		print_pipeline(c, &p, p.nr_kernel);
		emit(c, "nothing left to probe: no repro VM");
		return;
	}
	probe_env(c, &p, env, sizeof(env), cbs, sizeof(cbs));
	rc.out = open_memstream(&buf, &buflen);
	rc.repro = true;
	rc.result = NULL;	/* the rerun's own; the first one's stays c's */
	rc.report = NULL;
	rc.report_len = 0;
	if (!rc.out)
		return;
	t0 = now_ms();
	fprintf(stderr, "ktstr: auto-repro: rerunning %s with probes on %d functions and %d callbacks\n",
		c->name, p.nr_kernel, p.nr_callbacks);
	run_case(verbose_repro(o), &rc, rd, kvm, skip, sizeof(skip),
		 env_extra, &res);
	fclose(rc.out);
	debug_lines(c, buf);
	free(buf);
	/* the pipeline once the guest said which functions it could probe */
	print_pipeline(c, &p, p.nr_kernel - guest_dropped(&p, rc.report));
	sources(c, &p, c->kernel ? c->kernel :
		o->vm.kernel ? o->vm.kernel : find_kernel());
	if (vm_interrupted()) {
		emit(c, "repro VM interrupted by %s: stopped after %.1fs, no probe data",
		     run_signame(vm_interrupted()), (now_ms() - t0) / 1000.0);
	} else {
		print_probe_data(c, rc.report);
		emit(c, "repro VM duration: %.1fs", (now_ms() - t0) / 1000.0);
		print_status(c, &res, rc.result, first_kind);
		section_tail(c, rc.report, "--- scheduler log ---",
			     "repro scheduler log", TAIL_LINES);
		section_tail(c, rc.report, "--- sched_ext dump ---",
			     "repro sched_ext dump", TAIL_LINES);
		section_tail(c, rc.report, "last kernel log lines:",
			     "repro dmesg", TAIL_LINES);
	}
	free(rc.report);
	json_free(rc.result);
}
