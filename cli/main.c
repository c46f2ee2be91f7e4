// SPDX-License-Identifier: GPL-2.0
/*
 * ktstr: boot sched_ext test kernels with a declared topology and run
 * the suite in them. `ktstr kernel` is handled by the ./ktstr wrapper.
 */
#include <libgen.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "stats.h"
#include "util.h"

const char *ktstr_bin_dir;

static const struct {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *help;
} cmds[] = {
	{ "run", cmd_run, "run the suite (or -t FILTER), each case in its own VM" },
	{ "merge", cmd_merge, "join the KTAP and run directories of 'run --shard I/N --out DIR'" },
	{ "stats", cmd_stats, "list, show and compare runs (stats compare A B: what regressed)" },
	{ "compare", cmd_compare, "A/B: run the cases on two schedulers or kernels in turn, say what regressed" },
	{ "shrink", cmd_shrink, "make a failing case as small as it gets while it still fails" },
	{ "replay", cmd_replay, "print (or --exec) the command that reruns the last run's failures" },
	{ "exec", cmd_exec, "boot a kernel and run one command in it" },
	{ "shell", cmd_shell, "boot a kernel into an interactive root shell" },
};

static void print_usage(FILE *f)
{
	size_t i;

	fprintf(f, "usage: ktstr COMMAND [options]\n\ncommands:\n");
	fprintf(f, "  %-10s %s\n", "kernel", "build or find the test kernel (ktstr kernel build --help)");
	for (i = 0; i < ARRAY_SIZE(cmds); i++)
		fprintf(f, "  %-10s %s\n", cmds[i].name, cmds[i].help);
	fprintf(f, "\n'ktstr COMMAND --help' tells more.\n");
}

int main(int argc, char **argv)
{
	static char self[4096];
	size_t i;
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);

	self[n > 0 ? n : 0] = '\0';
	ktstr_bin_dir = dirname(self);
	setvbuf(stdout, NULL, _IOLBF, 0);
	/* an unknown KTSTR_LOG level is named at once, whatever the command */
	log_debug_enabled();
	if (argc < 2 || !strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")) {
		print_usage(argc < 2 ? stderr : stdout);
		return argc < 2 ? VM_EXIT_USAGE : 0;
	}
	for (i = 0; i < ARRAY_SIZE(cmds); i++)
		if (!strcmp(argv[1], cmds[i].name))
			return cmds[i].fn(argc - 1, argv + 1);
	fprintf(stderr, "ktstr: unknown command '%s'\n", argv[1]);
	print_usage(stderr);
	return VM_EXIT_USAGE;
}
