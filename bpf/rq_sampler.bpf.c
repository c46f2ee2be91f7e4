// SPDX-License-Identifier: GPL-2.0
/*
 * The run-queue monitor's sampler: one pass over every CPU's struct rq,
 * copying what the monitor judges (nr_running, the sched_ext share of
 * it, the local DSQ depth, the rq clock) into .bss for userspace.
 *
 * A syscall program run with BPF_PROG_TEST_RUN: the monitor decides when
 * to sample, nothing is attached to a hot path, and the same program
 * works in a ktstr guest and on bare metal.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>

char _license[] SEC("license") = "GPL";

#include "rq_sampler.h"

extern const struct rq runqueues __ksym;

const volatile __u32 nr_cpus = 1;
struct cpu_sample samples[RQ_SAMPLER_MAX_CPUS];

SEC("syscall")
int sample_rqs(void *ctx)
{
	u32 i;

	bpf_for(i, 0, nr_cpus) {
		struct rq *rq;

		if (i >= RQ_SAMPLER_MAX_CPUS)
			break;
		rq = bpf_per_cpu_ptr(&runqueues, i);
		if (!rq)
			continue;
		samples[i].nr_running = BPF_CORE_READ(rq, nr_running);
		samples[i].scx_nr_running = BPF_CORE_READ(rq, scx.nr_running);
		samples[i].local_dsq_nr = BPF_CORE_READ(rq, scx.local_dsq.nr);
		samples[i].clock = BPF_CORE_READ(rq, clock);
	}
	return 0;
}
