/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The KTSTR_* variables that several files read, read once, each with one
 * meaning. Documentation/running.md has every variable in one table.
 */
#ifndef __KTSTR_ENV_H
#define __KTSTR_ENV_H

#include <stdbool.h>

struct ktstr_env {
	bool verbose;		/* KTSTR_VERBOSE=1: the manual's RUST_BACKTRACE=1 */
	const char *dir;	/* KTSTR_DIR: the checkout (or install) */
	/* the guest's side, set by the host for each case */
	const char *topo;	/* KTSTR_TOPO: the VM's shape; NULL: the case's */
	bool tcg;		/* KTSTR_ACCEL=tcg: no hardware virtualization */
	bool kvm;		/* KTSTR_ACCEL=kvm */
	const char *sched;	/* KTSTR_SCHED: --sched's binary name; NULL: none */
	const char *sched_args;	/* KTSTR_SCHED_ARGS */
};

/* the environment as it was at the first call */
const struct ktstr_env *ktstr_env(void);

#endif /* __KTSTR_ENV_H */
