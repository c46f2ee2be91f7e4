// SPDX-License-Identifier: GPL-2.0
/*
 * ktstr exec [VM options] [-i FILE]... -- CMD [ARGS...]
 * ktstr shell [VM options] [-i FILE]...
 */
#include <stdio.h>
#include <string.h>

#include "cli.h"

static void print_usage(FILE *f, const char *what)
{
	fprintf(f,
		"usage: ktstr %s [options]%s\n"
		"  -k, --kernel PATH   bzImage (default: the one './ktstr kernel build' made)\n"
		"  --topo NnLlCcTt     NUMA nodes, LLCs, cores per LLC, threads per core (default 1n1l2c1t)\n"
		"  -m, --memory MIB    guest memory (default max(2048, 64 per CPU))\n"
		"  --timeout S         the command's time budget; scaled under TCG\n"
		"  --accel kvm|tcg     default: KVM when usable, else TCG\n"
		"  -i, --include FILE  put FILE (and its libraries) on the guest's PATH\n"
		"  --append ARGS       extra kernel command line\n"
		"  --dmesg             stream the guest's console to stderr\n"
		"  -v, --verbose       boot with loglevel=7\n"
		"  --test NAME         (shell) the case's topology, memory and binaries\n",
		what, strcmp(what, "exec") ? "" : " -- CMD [ARGS...]");
}

static int parse(int argc, char **argv, struct vm_opts *o, int *cmd_at,
		 const char *what)
{
	int i, r;

	vm_opts_init(o);
	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--")) {
			*cmd_at = i + 1;
			return 0;
		}
		if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
			print_usage(stdout, what);
			return 1;
		}
		r = vm_opts_parse(o, argc, argv, &i);
		if (r < 0)
			return -1;
		if (!r) {
			if (argv[i][0] == '-') {
				fprintf(stderr, "ktstr %s: unknown option '%s'\n",
					what, argv[i]);
				print_usage(stderr, what);
				return -1;
			}
			/* first non-option: the command */
			*cmd_at = i;
			return 0;
		}
	}
	*cmd_at = argc;
	return 0;
}

int cmd_exec(int argc, char **argv)
{
	struct vm_result res;
	struct vm_opts o;
	int at, r = parse(argc, argv, &o, &at, "exec");

	if (r)
		return r < 0 ? VM_EXIT_USAGE : 0;
	if (at >= argc) {
		fprintf(stderr, "ktstr exec: no command: ktstr exec [options] -- CMD [ARGS...]\n");
		return VM_EXIT_USAGE;
	}
	return boot_and_run(&o, argv + at, NULL, NULL, false, 0, 0, &res);
}

int cmd_shell(int argc, char **argv)
{
	static char *const sh[] = { "/bin/sh", "-l", NULL };
	const char *test = NULL;
	struct vm_result res;
	struct vm_opts o;
	int at, r, i, k;

	/* --test NAME: taken out before the VM options are read */
	for (i = k = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--test")) {
			if (i + 1 >= argc) {
				fprintf(stderr, "ktstr shell: --test needs a case name\n");
				return VM_EXIT_USAGE;
			}
			test = argv[++i];
			continue;
		}
		argv[k++] = argv[i];
	}
	argc = k;
	r = parse(argc, argv, &o, &at, "shell");

	if (r)
		return r < 0 ? VM_EXIT_USAGE : 0;
	if (at < argc) {
		fprintf(stderr, "ktstr shell: unexpected '%s' (use 'ktstr exec' to run a command)\n",
			argv[at]);
		return VM_EXIT_USAGE;
	}
	fprintf(stderr, "ktstr: root shell in the guest; 'exit' or Ctrl-A x leaves\n");
	if (test)
		return case_shell(test, &o);
	return boot_and_run(&o, sh, NULL, NULL, true, 0, 0, &res);
}
