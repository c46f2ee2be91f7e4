/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The KTSTR_* variables, read once, each with one meaning: set and not
 * empty is given, anything else is not. Documentation/running.md has
 * every variable in one table. The CI engines' shard variables
 * (CI_NODE_INDEX, ...) stay with the code that knows them (cli/shard.c).
 */
#ifndef __KTSTR_ENV_H
#define __KTSTR_ENV_H

#include <stdbool.h>

struct ktstr_env {
	bool verbose;		/* KTSTR_VERBOSE=1: the manual's RUST_BACKTRACE=1 */
	const char *log;	/* KTSTR_LOG: debug, info (log_debug_enabled()) */
	const char *dir;	/* KTSTR_DIR: the checkout (or install) */
	const char *cache;	/* KTSTR_CACHE: instead of ~/.cache/ktstr */
	const char *runs;	/* KTSTR_RUNS: where run directories go */
	/* the launcher */
	const char *kernel;	/* KTSTR_KERNEL: the bzImage to boot */
	const char *qemu;	/* KTSTR_QEMU: the qemu binary */
	const char *busybox;	/* KTSTR_BUSYBOX: the guest's busybox */
	bool tcg_multi;		/* KTSTR_TCG_THREAD=multi */
	const char *tcg_scale;	/* KTSTR_TCG_SCALE: --timeout factor under TCG */
	bool show_qemu;		/* KTSTR_SHOW_QEMU: print qemu's command line */
	bool quiet_tcg;		/* KTSTR_QUIET_TCG: no "no usable KVM" warning */
	const char *known_issues; /* KTSTR_KNOWN_ISSUES: a known-issues file */
	/* the guest's side, set by the host for each case */
	const char *topo;	/* KTSTR_TOPO: the VM's shape; NULL: the case's */
	bool tcg;		/* KTSTR_ACCEL=tcg: no hardware virtualization */
	bool kvm;		/* KTSTR_ACCEL=kvm */
	const char *sched;	/* KTSTR_SCHED: --sched's binary name; NULL: none */
	const char *sched_args;	/* KTSTR_SCHED_ARGS (empty is given: no args) */
	const char *sched_checks; /* KTSTR_SCHED_CHECKS: --sched-checks */
	const char *sched_needs;  /* KTSTR_SCHED_NEEDS: --sched-needs */
	const char *time_scale;	/* KTSTR_TIME_SCALE: instead of measuring */
	const char *shrink;	/* KTSTR_SHRINK: `ktstr shrink`'s cut */
	const char *variant;	/* KTSTR_VARIANT: gauntlet/<test>/<preset> */
	const char *repro_funcs;     /* KTSTR_REPRO_FUNCS: auto-repro's rerun */
	const char *repro_callbacks; /* KTSTR_REPRO_CALLBACKS */
	const char *attach_retries;  /* KTSTR_ATTACH_RETRIES */
	const char *pin_scx_helper;  /* KTSTR_PIN_SCX_HELPER */
};

/* the environment as it was at the first call */
const struct ktstr_env *ktstr_env(void);
/* the same, for the host command's own settings (--out's runs, ...) */
struct ktstr_env *ktstr_env_mut(void);

#endif /* __KTSTR_ENV_H */
