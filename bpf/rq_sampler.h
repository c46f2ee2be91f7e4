/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the rq sampler (rq_sampler.bpf.c) hands to userspace: shared by
 * the BPF program and the monitor, so both agree on the layout.
 */
#ifndef __KTSTR_RQ_SAMPLER_H
#define __KTSTR_RQ_SAMPLER_H

#define RQ_SAMPLER_MAX_CPUS	256

struct cpu_sample {
	__u32 nr_running;
	__u32 scx_nr_running;
	__u32 local_dsq_nr;
	__u64 clock;
};

#endif /* __KTSTR_RQ_SAMPLER_H */
