// SPDX-License-Identifier: GPL-2.0
/*
 * The monitor's sampling thread: BPF_PROG_TEST_RUN of the rq sampler
 * every interval, /proc/schedstat and BPF program statistics at the
 * edges. The thread inherits the harness's CPU (the one kept for the
 * root cgroup), so it does not compete with the workload it watches.
 */
#include <errno.h>
#include <fcntl.h>
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

/* libbpf says nothing here, unless KTSTR_LOG=debug asks */
static int quiet_libbpf(enum libbpf_print_level level, const char *fmt,
			va_list ap)
{
	return log_debug_enabled() ? vfprintf(stderr, fmt, ap) : 0;
}

static void read_schedstat(const struct cpus *cpus, struct schedstat *ss)
{
	char *text = read_file("/proc/schedstat", NULL);

	schedstat_parse(text ? text : "", cpus, ss);
	free(text);
}

/*
 * The kernel's sched_ext event counters exist while a scheduler is
 * attached, on kernels that count them (6.15 and later). Say which of
 * the two is missing when there are none.
 */
static bool events_present(struct monitor *m)
{
	char *state;

	if (!access(SCX_EVENTS_PATH, R_OK))
		return true;
	state = read_file("/sys/kernel/sched_ext/state", NULL);
	if (state && str_starts_with(state, "enabled"))
		snprintf(m->ev_why, sizeof(m->ev_why),
			 "this kernel has no sched_ext event counters (%s: Linux 6.15 and later)",
			 SCX_EVENTS_PATH);
	else
		snprintf(m->ev_why, sizeof(m->ev_why),
			 "no sched_ext scheduler attached: no event counters");
	free(state);
	return false;
}

static void read_events(struct scx_events *ev)
{
	char *text = read_file(SCX_EVENTS_PATH, NULL);

	scx_events_parse(text ? text : "", ev);
	ev->at_ms = now_ms();
	free(text);
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
			out[n].verified_insns = info.verified_insns;
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
	enum { HOST_LATE_MS = 50 };
	uint32_t nr[CPUS_MAX], scx_nr[CPUS_MAX], dsq[CPUS_MAX];
	uint64_t clock[CPUS_MAX];
	double cpu0 = thread_cpu_ms();
	long long next = now_ms(), left;
	bool events = m->ev_available;
	struct scx_events ev;
	unsigned int cpu;
	double waited;
	/* this thread's run-queue wait: the scheduler under test's doing */
	int self = open("/proc/thread-self/schedstat", O_RDONLY | O_CLOEXEC);

	while (!__atomic_load_n(&m->stop, __ATOMIC_RELAXED)) {
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
			monitor_record(m, nr, now_ms() - m->start_ms);
			/* gone once the scheduler detached: the last stays */
			if (events) {
				read_events(&ev);
				monitor_judge_events(m, &ev);
			}
		}
		/* one sleep per sample: every wake-up costs, more so under TCG */
		left = next - now_ms();
		waited = schedstat_wait_ms(self);
		if (!__atomic_load_n(&m->stop, __ATOMIC_RELAXED) && left > 0)
			usleep(left * 1000);
		/*
		 * Woken far past the sample's time, and not because it
		 * waited on a run queue (which is the scheduler under
		 * test's doing, and must not excuse it): the host (or the
		 * emulator) did not run this vCPU. Counted, so that checks
		 * on shares of time can say how much of the run was lost.
		 */
		waited = schedstat_wait_ms(self) - waited;
		left = now_ms() - next - (long long)waited;
		if (left > HOST_LATE_MS)
			m->host_late_ms += left;
		if (now_ms() - next > HOST_LATE_MS)
			next = now_ms();
	}
	m->cpu_ms = thread_cpu_ms() - cpu0;
	if (self >= 0)
		close(self);
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
	if (events_present(m)) {
		struct scx_events ev;

		read_events(&ev);
		monitor_judge_events(m, &ev);
	}

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
	__atomic_store_n(&m->stop, true, __ATOMIC_RELAXED);
	if (m->running)
		pthread_join(m->thread, NULL);
	m->running = false;
	m->end_ms = now_ms();
	if (m->nr_phases)	/* the sampler has ended: plain reads */
		m->phases[m->nr_phases - 1].end_ms = m->end_ms;
	/* the scheduler is still attached here unless it died */
	if (m->ev_available) {
		struct scx_events ev;

		read_events(&ev);
		monitor_judge_events(m, &ev);
	}
	read_schedstat(&m->cfg.cpus, &m->ss1);
	m->nr_progs1 = read_prog_stats(m->progs1, MONITOR_MAX_PROGS);
	if (m->skel)
		rq_sampler__destroy(m->skel);
	m->skel = NULL;
}
