// SPDX-License-Identifier: GPL-2.0
/*
 * The monitor's sampling thread: BPF_PROG_TEST_RUN of the rq sampler
 * every interval, /proc/schedstat and BPF program statistics at the
 * edges. The thread inherits the harness's CPU (the one kept for the
 * root cgroup), so it does not compete with the workload it watches.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include <linux/types.h>

#include "monitor.h"
#include "rq_sampler.h"
#include "rq_sampler.bpf.skel.h"
#include "util.h"

#define BPF_STATS_SYSCTL	"/proc/sys/kernel/bpf_stats_enabled"
#define SCHEDSTATS_SYSCTL	"/proc/sys/kernel/sched_schedstats"

static void write_sysctl(const char *path)
{
	FILE *f = fopen(path, "w");

	if (f) {
		fputs("1", f);
		fclose(f);
	}
}

static int quiet_libbpf(enum libbpf_print_level level, const char *fmt,
			va_list ap)
{
	return 0;
}

static void read_schedstat(const struct cpus *cpus, struct schedstat *ss)
{
	char line[512];
	FILE *f = fopen("/proc/schedstat", "r");

	memset(ss, 0, sizeof(*ss));
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		unsigned long long v[9] = { 0 };
		unsigned int cpu;

		if (sscanf(line, "cpu%u %llu %llu %llu %llu %llu %llu %llu %llu %llu",
			   &cpu, &v[0], &v[1], &v[2], &v[3], &v[4], &v[5],
			   &v[6], &v[7], &v[8]) < 9 || !cpus_test(cpus, cpu))
			continue;
		/* yld, legacy, sched_count, goidle, ttwu, ttwu_local, cputime, run_delay */
		ss->sched_count += v[2];
		ss->goidle += v[3];
		ss->ttwu += v[4];
		ss->run_delay_ns += v[7];
	}
	fclose(f);
}

/* struct_ops programs: the scheduler's callbacks */
static int read_prog_stats(struct prog_stat *out, int max)
{
	uint32_t id = 0;
	int n = 0;

	while (n < max && !bpf_prog_get_next_id(id, &id)) {
		struct bpf_prog_info info = { 0 };
		uint32_t len = sizeof(info);
		int fd = bpf_prog_get_fd_by_id(id);

		if (fd < 0)
			continue;
		if (!bpf_prog_get_info_by_fd(fd, &info, &len) &&
		    info.type == BPF_PROG_TYPE_STRUCT_OPS) {
			out[n].id = id;
			snprintf(out[n].name, sizeof(out[n].name), "%s", info.name);
			out[n].run_cnt = info.run_cnt;
			out[n].run_time_ns = info.run_time_ns;
			n++;
		}
		close(fd);
	}
	return n;
}

static double thread_cpu_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static void *sampler(void *arg)
{
	struct monitor *m = arg;
	struct rq_sampler *skel = m->skel;
	uint32_t nr[CPUS_MAX], scx_nr[CPUS_MAX], dsq[CPUS_MAX];
	uint64_t clock[CPUS_MAX];
	double cpu0 = thread_cpu_ms();
	long long next = now_ms(), left;
	unsigned int cpu;

	while (!m->stop) {
		LIBBPF_OPTS(bpf_test_run_opts, opts);

		next += m->cfg.interval_ms;
		if (!bpf_prog_test_run_opts(bpf_program__fd(skel->progs.sample_rqs),
					    &opts) &&
		    now_ms() - m->start_ms >= m->cfg.settle_ms) {
			for (cpu = 0; cpu < m->nr_cpus && cpu < CPUS_MAX; cpu++) {
				nr[cpu] = skel->bss->samples[cpu].nr_running;
				scx_nr[cpu] = skel->bss->samples[cpu].scx_nr_running;
				dsq[cpu] = skel->bss->samples[cpu].local_dsq_nr;
				clock[cpu] = skel->bss->samples[cpu].clock;
			}
			monitor_judge(m, nr, scx_nr, dsq, clock);
		}
		/* one sleep per sample: every wake-up costs, more so under TCG */
		left = next - now_ms();
		if (!m->stop && left > 0)
			usleep(left * 1000);
	}
	m->cpu_ms = thread_cpu_ms() - cpu0;
	return NULL;
}

void monitor_start(struct monitor *m, const struct monitor_cfg *cfg)
{
	struct rq_sampler *skel;

	memset(m, 0, sizeof(*m));
	m->cfg = *cfg;
	m->nr_cpus = sysconf(_SC_NPROCESSORS_CONF);
	m->start_ms = now_ms();
	/*
	 * Counting switches, wake-ups and per-program run times costs a
	 * little on every event: both are off until asked for.
	 */
	write_sysctl(SCHEDSTATS_SYSCTL);
	write_sysctl(BPF_STATS_SYSCTL);
	read_schedstat(&m->cfg.cpus, &m->ss0);
	m->nr_progs0 = read_prog_stats(m->progs0, MONITOR_MAX_PROGS);

	libbpf_set_print(quiet_libbpf);
	skel = rq_sampler__open();
	if (!skel) {
		snprintf(m->unavailable, sizeof(m->unavailable),
			 "cannot open the sampler: %s", strerror(errno));
		return;
	}
	skel->rodata->nr_cpus = m->nr_cpus;
	if (rq_sampler__load(skel)) {
		snprintf(m->unavailable, sizeof(m->unavailable),
			 "the rq sampler did not load: %s (needs BTF and CAP_BPF)",
			 strerror(errno));
		rq_sampler__destroy(skel);
		return;
	}
	m->skel = skel;
	if (pthread_create(&m->thread, NULL, sampler, m)) {
		snprintf(m->unavailable, sizeof(m->unavailable),
			 "cannot start the sampler thread");
		return;
	}
	m->running = true;
}

void monitor_stop(struct monitor *m)
{
	m->stop = true;
	if (m->running)
		pthread_join(m->thread, NULL);
	m->running = false;
	m->end_ms = now_ms();
	if (m->nr_phases)
		m->phases[m->cur_phase].end_ms = m->end_ms;
	read_schedstat(&m->cfg.cpus, &m->ss1);
	m->nr_progs1 = read_prog_stats(m->progs1, MONITOR_MAX_PROGS);
	if (m->skel)
		rq_sampler__destroy(m->skel);
	m->skel = NULL;
}
