/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Known problems of particular schedulers on particular kernels, and what
 * the engine does about them: a table, kept out of the run's core path,
 * and every workaround applied is reported in the case's output.
 */
#ifndef __KTSTR_SCHED_WORKAROUNDS_H
#define __KTSTR_SCHED_WORKAROUNDS_H

struct sched_workaround {
	int attach_retries;	/* attempts after a failed attach */
	int pin_helper_cpu;	/* pin scx_ops_enable_helper here; -1: no */
};

/*
 * What applies to the scheduler at @path on the running kernel, with
 * KTSTR_ATTACH_RETRIES and KTSTR_PIN_SCX_HELPER taking precedence;
 * prints a '#' line for each workaround the table supplied.
 */
struct sched_workaround sched_workaround_for(const char *path);

/* before a retry: pin the kernel's scx_ops_enable_helper kthread */
void sched_workaround_pin(const struct sched_workaround *w);

#endif /* __KTSTR_SCHED_WORKAROUNDS_H */
