// SPDX-License-Identifier: GPL-2.0
/*
 * Names shared by the guest engine and the host command (protocol.h).
 */
#include <string.h>

#include "protocol.h"
#include "util.h"

const char *ktstr_stage_name(enum ktstr_stage s)
{
	static const char *const names[] = {
		[KTSTR_STAGE_SETUP] = "setup",
		[KTSTR_STAGE_ATTACH] = "attach",
		[KTSTR_STAGE_WORKLOAD] = "workload",
		[KTSTR_STAGE_DONE] = "done",
	};

	return (unsigned int)s < ARRAY_SIZE(names) ? names[s] : "?";
}

int scx_exit_kind_of(const char *reason)
{
	/* kernel/sched/ext.c: scx_exit_reason() */
	static const struct {
		int kind;
		const char *reason;
	} kinds[] = {
		{ SCX_EXIT_KIND_UNREG, "unregistered from user space" },
		{ SCX_EXIT_KIND_UNREG_BPF, "unregistered from BPF" },
		{ SCX_EXIT_KIND_UNREG_KERN, "unregistered from the main kernel" },
		{ SCX_EXIT_KIND_SYSRQ, "disabled by sysrq-S" },
		{ SCX_EXIT_KIND_ERROR, "runtime error" },
		{ SCX_EXIT_KIND_ERROR_BPF, "scx_bpf_error" },
		{ SCX_EXIT_KIND_ERROR_STALL, "runnable task stall" },
	};
	size_t i;

	for (i = 0; reason && i < ARRAY_SIZE(kinds); i++)
		if (!strcmp(reason, kinds[i].reason))
			return kinds[i].kind;
	return 0;
}
