// SPDX-License-Identifier: GPL-2.0
/*
 * Monitor judgement and reporting: what a sample means, which runs of
 * samples are violations, and the --- monitor --- block. The sampling
 * itself (BPF, the thread) is in monitor_sampler.c.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "monitor.h"
#include "util.h"

void monitor_cfg_init(struct monitor_cfg *cfg, const struct ktstr_checks *c,
		      const struct cpus *cpus)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->interval_ms = 100;
	cfg->settle_ms = 500;
	cfg->max_imbalance_ratio = c->max_imbalance_ratio ?: 4.0;
	cfg->max_local_dsq_depth = c->max_local_dsq_depth ?: 50;
	cfg->sustained = c->sustained_samples ?: 5;
	cfg->check_rq_stall = !c->ignore_rq_stall;
	cfg->cpus = *cpus;
}

static void violation(struct monitor *m, const char *fmt, ...)
{
	va_list ap;

	m->nr_violations++;
	if (m->vlen + 2 >= sizeof(m->violations))
		return;
	va_start(ap, fmt);
	m->vlen += vsnprintf(m->violations + m->vlen,
			     sizeof(m->violations) - m->vlen, fmt, ap);
	va_end(ap);
	if (m->vlen + 1 < sizeof(m->violations)) {
		m->violations[m->vlen++] = '\n';
		m->violations[m->vlen] = '\0';
	}
}

/*
 * One sample over the judged CPUs. A violation is reported once per
 * streak, when it has held for cfg.sustained consecutive samples.
 */
void monitor_judge(struct monitor *m, const uint32_t *nr,
		   const uint32_t *scx_nr, const uint32_t *dsq,
		   const uint64_t *clock)
{
	/* samples before the first phase count for the totals only */
	struct monitor_phase spare = { 0 };
	struct monitor_phase *ph = m->nr_phases ? &m->phases[m->cur_phase] :
				   &spare;
	uint32_t lo = UINT32_MAX, hi = 0, sum_nr = 0, sum_scx = 0, sum_dsq = 0;
	unsigned int cpu, n = 0;
	double imb;

	m->samples++;
	for (cpu = 0; cpu < m->nr_cpus && cpu < CPUS_MAX; cpu++) {
		if (!cpus_test(&m->cfg.cpus, cpu))
			continue;
		n++;
		lo = nr[cpu] < lo ? nr[cpu] : lo;
		hi = nr[cpu] > hi ? nr[cpu] : hi;
		sum_nr += nr[cpu];
		sum_scx += scx_nr[cpu];
		sum_dsq += dsq[cpu];
		if (dsq[cpu] > m->max_dsq)
			m->max_dsq = dsq[cpu];
		if (dsq[cpu] > m->cfg.max_local_dsq_depth) {
			if (++m->dsq_run[cpu] == m->cfg.sustained)
				violation(m, "local DSQ depth %u on cpu%u exceeded threshold %u for %u consecutive samples (ending at sample %u)",
					  dsq[cpu], cpu, m->cfg.max_local_dsq_depth,
					  m->cfg.sustained, m->samples);
		} else {
			m->dsq_run[cpu] = 0;
		}
		/* a busy CPU whose clock does not move is stuck */
		if (m->cfg.check_rq_stall && nr[cpu] && m->last_clock[cpu] &&
		    clock[cpu] == m->last_clock[cpu]) {
			if (++m->stall_run[cpu] == m->cfg.sustained) {
				m->stuck++;
				violation(m, "rq_clock stall on cpu%u for %u consecutive samples (ending at sample %u, clock=%llu)",
					  cpu, m->cfg.sustained, m->samples,
					  (unsigned long long)clock[cpu]);
			}
		} else {
			m->stall_run[cpu] = 0;
		}
		m->last_clock[cpu] = clock[cpu];
	}
	if (!n)
		return;
	imb = (double)hi / (lo ? lo : 1);
	if (imb > m->max_imbalance)
		m->max_imbalance = imb;
	if (imb > m->cfg.max_imbalance_ratio) {
		if (++m->imb_run == m->cfg.sustained)
			violation(m, "imbalance ratio %.1f exceeded threshold %.1f for %u consecutive samples (ending at sample %u)",
				  imb, m->cfg.max_imbalance_ratio,
				  m->cfg.sustained, m->samples);
	} else {
		m->imb_run = 0;
	}
	m->sum_imbalance += imb;
	m->sum_nr += (double)sum_nr / n;
	m->sum_scx_nr += (double)sum_scx / n;
	m->sum_dsq += (double)sum_dsq / n;
	ph->samples++;
	ph->sum_imbalance += imb;
	ph->sum_nr += (double)sum_nr / n;
	ph->sum_dsq += (double)sum_dsq / n;
	if (imb > ph->max_imbalance)
		ph->max_imbalance = imb;
	for (cpu = 0; cpu < m->nr_cpus && cpu < CPUS_MAX; cpu++)
		if (cpus_test(&m->cfg.cpus, cpu) && dsq[cpu] > ph->max_dsq)
			ph->max_dsq = dsq[cpu];
}

void monitor_phase(struct monitor *m, const char *label)
{
	long long t = now_ms();

	if (m->nr_phases)
		m->phases[m->cur_phase].end_ms = t;
	if (m->nr_phases == MONITOR_MAX_PHASES)
		return;
	snprintf(m->phases[m->nr_phases].label,
		 sizeof(m->phases[0].label), "%s", label);
	m->phases[m->nr_phases].start_ms = t;
	m->cur_phase = m->nr_phases++;
}

static const struct prog_stat *find_prog(const struct prog_stat *p, int n,
					 uint32_t id)
{
	int i;

	for (i = 0; i < n; i++)
		if (p[i].id == id)
			return &p[i];
	return NULL;
}

void monitor_print(const struct monitor *m)
{
	double secs = (m->end_ms - m->start_ms) / 1000.0;
	unsigned int n = m->samples ? m->samples : 1;
	char events[512] = "";
	int i;

	if (secs <= 0)
		secs = 1;
	printf("# --- monitor ---\n");
	if (m->unavailable[0])
		printf("# rq samples: not available (%s)\n", m->unavailable);
	else
		printf("# samples=%u max_imbalance=%.2f max_dsq_depth=%u stuck=%u\n# avg: imbalance=%.2f nr_running/cpu=%.1f (sched_ext %.1f) dsq/cpu=%.1f\n",
		       m->samples, m->max_imbalance, m->max_dsq, m->stuck,
		       m->sum_imbalance / n, m->sum_nr / n, m->sum_scx_nr / n,
		       m->sum_dsq / n);
	{
		char *ev = read_file("/sys/kernel/sched_ext/root/events", NULL);

		if (ev) {
			for (i = 0; ev[i]; i++)
				if (ev[i] == '\n')
					ev[i] = ' ';
			snprintf(events, sizeof(events), "%s", ev);
			free(ev);
		}
	}
	if (events[0])
		printf("# events: %s\n", events);
	else
		printf("# events: not available (sched_ext event counters need Linux 6.15 or later)\n");
	printf("# schedstat: csw=%llu (%.0f/s) run_delay=%.0fns/s ttwu=%llu goidle=%llu\n",
	       (unsigned long long)(m->ss1.sched_count - m->ss0.sched_count),
	       (m->ss1.sched_count - m->ss0.sched_count) / secs,
	       (m->ss1.run_delay_ns - m->ss0.run_delay_ns) / secs,
	       (unsigned long long)(m->ss1.ttwu - m->ss0.ttwu),
	       (unsigned long long)(m->ss1.goidle - m->ss0.goidle));
	for (i = 0; i < m->nr_progs1; i++) {
		const struct prog_stat *a = &m->progs1[i];
		const struct prog_stat *b = find_prog(m->progs0, m->nr_progs0, a->id);
		uint64_t cnt = a->run_cnt - (b ? b->run_cnt : 0);
		uint64_t ns = a->run_time_ns - (b ? b->run_time_ns : 0);

		if (cnt)
			printf("# bpf: %-16s cnt=%llu %lluns/call\n", a->name,
			       (unsigned long long)cnt,
			       (unsigned long long)(ns / cnt));
	}
	printf("# monitor cost: %.1fms CPU over %.1fs (%.2f%% of one CPU)\n",
	       m->cpu_ms, secs, m->cpu_ms / (secs * 10));
	if (m->nr_violations) {
		const char *p = m->violations;

		while (*p) {
			int len = strcspn(p, "\n");

			printf("# %.*s\n", len, p);
			p += len + (p[len] == '\n');
		}
		printf("# verdict: monitor FAILED: %d violation(s)\n",
		       m->nr_violations);
	} else {
		printf("# verdict: monitor OK\n");
	}
}
