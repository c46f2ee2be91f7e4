/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A declaration's defaults, in one place: what a case gets for what it
 * does not say. The host (reading --list) and the guest engine agree on
 * them because both include this.
 */
#ifndef __KTSTR_DEFAULTS_H
#define __KTSTR_DEFAULTS_H

#define KTSTR_DEFAULT_TOPO		"1n1l2c1t"
#define KTSTR_DEFAULT_DURATION_MS	3000
/* the fixture's ops.timeout_ms: shorter than the kernel's 30 s */
#define KTSTR_DEFAULT_WATCHDOG_MS	4000
/* guest memory, never less than 64 MiB a CPU (vm_memory_mb()) */
#define KTSTR_DEFAULT_MEMORY_MB		2048
/* workers in a cgroup that declares none */
#define KTSTR_DEFAULT_WORKERS		2

#endif /* __KTSTR_DEFAULTS_H */
