/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Capability gates: what a case or a scheduler needs from the kernel,
 * read from the running kernel itself (its BTF and /proc/config.gz)
 * rather than from a list of which version added what.
 *
 * A needs string is a comma-separated list of KIND:NAME:
 *	kfunc:scx_bpf_dsq_move_to_local	a kfunc (a BTF function)
 *	ops:dump_task			a struct sched_ext_ops member
 *	tp:sched_ext_dump		a tracepoint (btf_trace_<name>)
 *	event:select_cpu_fallback	a sched_ext event counter
 *					(struct scx_event_stats member)
 *	config:CONFIG_SCHED_CLASS_EXT	a kernel option set to y or m
 */
#ifndef __KTSTR_NEEDS_H
#define __KTSTR_NEEDS_H

#include <stddef.h>

/*
 * 0 when every need of @needs is met; 1 when one is not, with
 * "needs <kind> <name>, which this kernel lacks" in @why; -1 when @needs
 * is malformed or the kernel cannot be read, with the reason in @why.
 */
int needs_check(const char *needs, char *why, size_t len);

#endif /* __KTSTR_NEEDS_H */
