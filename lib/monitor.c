// SPDX-License-Identifier: GPL-2.0
/*
 * Monitor judgement and reporting: what a sample means, which runs of
 * samples are violations, and the --- monitor --- block. The sampling
 * itself (BPF, the thread) is in monitor_sampler.c.
 */
#include <ctype.h>
#include <limits.h>
#include <math.h>
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
	/* a gate turned off (0 after the merge) never trips */
	cfg->max_imbalance_ratio = c->max_imbalance_ratio ?: HUGE_VAL;
	cfg->max_local_dsq_depth = c->max_local_dsq_depth ?: UINT_MAX;
	cfg->sustained = c->sustained_samples ?: 1;
	cfg->max_fallback_rate = c->max_fallback_rate ?: HUGE_VAL;
	cfg->max_keep_last_rate = c->max_keep_last_rate ?: HUGE_VAL;
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
void monitor_record(struct monitor *m, const uint32_t *nr, long long t_ms)
{
	unsigned int i, cpu;

	if (!m->series_stride)
		m->series_stride = 1;
	if (m->series_seen++ % m->series_stride)
		return;
	if (m->nr_series == MONITOR_SERIES_MAX) {
		/* every second one goes: the plot keeps the whole run */
		for (i = 0; i < MONITOR_SERIES_MAX / 2; i++) {
			m->series_ms[i] = m->series_ms[2 * i];
			memcpy(m->series_nr[i], m->series_nr[2 * i],
			       sizeof(m->series_nr[0]));
		}
		m->nr_series = MONITOR_SERIES_MAX / 2;
		m->series_stride *= 2;
		if ((m->series_seen - 1) % m->series_stride)
			return;
	}
	m->series_ms[m->nr_series] = t_ms < 0 ? 0 : t_ms;
	for (cpu = 0; cpu < MONITOR_SERIES_CPUS; cpu++)
		m->series_nr[m->nr_series][cpu] =
			cpu < m->nr_cpus ? (nr[cpu] > 255 ? 255 : nr[cpu]) : 0;
	m->nr_series++;
}

/*
 * Every busy CPU's clock standing still at once is the emulator or the
 * host not running the vCPUs (single-threaded TCG on a loaded host does
 * that), not one run queue stuck: such a sample does not count toward a
 * stall.
 */
static bool host_paused(const struct monitor *m, const uint32_t *nr,
			const uint64_t *clock)
{
	unsigned int cpu, busy = 0, still = 0;

	for (cpu = 0; cpu < m->nr_cpus && cpu < CPUS_MAX; cpu++) {
		if (!cpus_test(&m->cfg.cpus, cpu) || !nr[cpu])
			continue;
		busy++;
		still += m->last_clock[cpu] && clock[cpu] == m->last_clock[cpu];
	}
	return busy >= 2 && still == busy;
}

/* one CPU's local DSQ depth and rq clock against the sustained limits */
static void judge_cpu(struct monitor *m, unsigned int cpu, uint32_t nr,
		      uint32_t dsq, uint64_t clock, bool host_pause)
{
	if (dsq > m->max_dsq)
		m->max_dsq = dsq;
	if (dsq > m->cfg.max_local_dsq_depth) {
		if (++m->dsq_run[cpu] == m->cfg.sustained)
			violation(m, "local DSQ depth %u on cpu%u exceeded threshold %u for %u consecutive samples (ending at sample %u)",
				  dsq, cpu, m->cfg.max_local_dsq_depth,
				  m->cfg.sustained, m->samples);
	} else {
		m->dsq_run[cpu] = 0;
	}
	/* a busy CPU whose clock does not move is stuck */
	if (m->cfg.check_rq_stall && nr && m->last_clock[cpu] &&
	    clock == m->last_clock[cpu] && !host_pause) {
		if (++m->stall_run[cpu] == m->cfg.sustained) {
			m->stuck++;
			violation(m, "rq_clock stall on cpu%u for %u consecutive samples (ending at sample %u, clock=%llu)",
				  cpu, m->cfg.sustained, m->samples,
				  (unsigned long long)clock);
		}
	} else {
		m->stall_run[cpu] = 0;
	}
	m->last_clock[cpu] = clock;
}

/* the sample's imbalance and means, into the totals and the phase's */
static void judge_sample(struct monitor *m, struct monitor_phase *ph,
			 double imb, double mean_nr, double mean_scx,
			 double mean_dsq)
{
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
	m->sum_nr += mean_nr;
	m->sum_scx_nr += mean_scx;
	m->sum_dsq += mean_dsq;
	ph->samples++;
	ph->sum_imbalance += imb;
	ph->sum_nr += mean_nr;
	ph->sum_dsq += mean_dsq;
	if (imb > ph->max_imbalance)
		ph->max_imbalance = imb;
}

/* the phase samples go to, NULL before the first (see struct monitor) */
static struct monitor_phase *current_phase(struct monitor *m)
{
	int n = __atomic_load_n(&m->nr_phases, __ATOMIC_ACQUIRE);

	return n ? &m->phases[n - 1] : NULL;
}

void monitor_judge(struct monitor *m, const uint32_t *nr,
		   const uint32_t *scx_nr, const uint32_t *dsq,
		   const uint64_t *clock)
{
	/* samples before the first phase count for the totals only */
	struct monitor_phase spare = { 0 };
	struct monitor_phase *ph = current_phase(m) ?: &spare;
	uint32_t lo = UINT32_MAX, hi = 0, sum_nr = 0, sum_scx = 0, sum_dsq = 0;
	unsigned int cpu, n = 0;
	bool host_pause;

	m->samples++;
	host_pause = host_paused(m, nr, clock);
	m->host_pauses += host_pause;
	for (cpu = 0; cpu < m->nr_cpus && cpu < CPUS_MAX; cpu++) {
		if (!cpus_test(&m->cfg.cpus, cpu))
			continue;
		n++;
		lo = nr[cpu] < lo ? nr[cpu] : lo;
		hi = nr[cpu] > hi ? nr[cpu] : hi;
		sum_nr += nr[cpu];
		sum_scx += scx_nr[cpu];
		sum_dsq += dsq[cpu];
		judge_cpu(m, cpu, nr[cpu], dsq[cpu], clock[cpu], host_pause);
	}
	if (!n)
		return;
	judge_sample(m, ph, (double)hi / (lo ? lo : 1), (double)sum_nr / n,
		     (double)sum_scx / n, (double)sum_dsq / n);
	for (cpu = 0; cpu < m->nr_cpus && cpu < CPUS_MAX; cpu++)
		if (cpus_test(&m->cfg.cpus, cpu) && dsq[cpu] > ph->max_dsq)
			ph->max_dsq = dsq[cpu];
}

void monitor_phase(struct monitor *m, const char *label)
{
	long long t = now_ms();

	/* only this thread writes nr_phases: its own read is plain */
	int n = m->nr_phases;

	if (n)
		m->phases[n - 1].end_ms = t;
	if (n == MONITOR_MAX_PHASES)
		return;
	snprintf(m->phases[n].label, sizeof(m->phases[0].label), "%s", label);
	m->phases[n].start_ms = t;
	__atomic_store_n(&m->nr_phases, n + 1, __ATOMIC_RELEASE);
}

bool scx_events_parse(const char *text, struct scx_events *ev)
{
	const char *p = text;

	memset(ev, 0, sizeof(*ev));
	while (p && *p && ev->nr < MONITOR_MAX_EVENTS) {
		char name[64];
		unsigned long long v;
		int i;

		if (sscanf(p, "%63s %llu", name, &v) == 2) {
			const char *n = str_starts_with(name, "SCX_EV_") ?
					name + strlen("SCX_EV_") : name;

			for (i = 0; n[i] && i < (int)sizeof(ev->name[0]) - 1; i++)
				ev->name[ev->nr][i] = tolower((unsigned char)n[i]);
			ev->name[ev->nr][i] = '\0';
			ev->val[ev->nr++] = v;
		}
		p = strchr(p, '\n');
		p = p ? p + 1 : NULL;
	}
	ev->valid = ev->nr > 0;
	return ev->valid;
}

bool scx_events_get(const struct scx_events *ev, const char *name,
		    uint64_t *val)
{
	int i;

	for (i = 0; ev->valid && i < ev->nr; i++)
		if (!strcmp(ev->name[i], name)) {
			*val = ev->val[i];
			return true;
		}
	return false;
}

#define EV_FALLBACK	"select_cpu_fallback"
#define EV_KEEP_LAST	"dispatch_keep_last"
#define EV_OFFLINE	"dispatch_local_dsq_offline"

static uint64_t ev_val(const struct scx_events *ev, const char *name)
{
	uint64_t v = 0;

	scx_events_get(ev, name, &v);
	return v;
}

/* a rate between two readings held for cfg.sustained intervals */
static void judge_rate(struct monitor *m, const char *what, double rate,
		       double max, unsigned int *run)
{
	if (rate <= max) {
		*run = 0;
		return;
	}
	if (++*run == m->cfg.sustained)
		violation(m, "%s rate %.1f/s exceeded threshold %.1f/s for %u consecutive intervals (ending at sample %u)",
			  what, rate, max, m->cfg.sustained, m->samples);
}

void monitor_judge_events(struct monitor *m, const struct scx_events *ev)
{
	struct monitor_phase *ph = current_phase(m);
	const struct scx_events *prev = &m->ev_prev;

	if (!ev->valid)
		return;
	m->ev_available = true;
	if (!m->ev0.valid)
		m->ev0 = *ev;
	if (prev->valid && ev->at_ms > prev->at_ms) {
		double secs = (ev->at_ms - prev->at_ms) / 1000.0;
		double fb = (ev_val(ev, EV_FALLBACK) - ev_val(prev, EV_FALLBACK)) / secs;
		double kl = (ev_val(ev, EV_KEEP_LAST) - ev_val(prev, EV_KEEP_LAST)) / secs;

		m->max_fallback_rate = fb > m->max_fallback_rate ? fb :
				       m->max_fallback_rate;
		m->max_keep_last_rate = kl > m->max_keep_last_rate ? kl :
					m->max_keep_last_rate;
		judge_rate(m, "fallback", fb, m->cfg.max_fallback_rate,
			   &m->fallback_run);
		judge_rate(m, "keep_last", kl, m->cfg.max_keep_last_rate,
			   &m->keep_last_run);
	}
	m->ev_prev = *ev;
	m->ev1 = *ev;
	if (!ph)
		return;
	if (!ph->ev_samples++) {
		ph->ev_ms[0] = ev->at_ms;
		ph->fallback[0] = ev_val(ev, EV_FALLBACK);
		ph->keep_last[0] = ev_val(ev, EV_KEEP_LAST);
	}
	ph->ev_ms[1] = ev->at_ms;
	ph->fallback[1] = ev_val(ev, EV_FALLBACK);
	ph->keep_last[1] = ev_val(ev, EV_KEEP_LAST);
}

bool monitor_event_totals(const struct monitor *m, uint64_t *fallback,
			  double *fallback_rate, uint64_t *keep_last,
			  double *keep_last_rate, uint64_t *offline)
{
	double secs = (m->ev1.at_ms - m->ev0.at_ms) / 1000.0;

	if (!m->ev0.valid || !m->ev1.valid)
		return false;
	*fallback = ev_val(&m->ev1, EV_FALLBACK) - ev_val(&m->ev0, EV_FALLBACK);
	*keep_last = ev_val(&m->ev1, EV_KEEP_LAST) - ev_val(&m->ev0, EV_KEEP_LAST);
	*offline = ev_val(&m->ev1, EV_OFFLINE) - ev_val(&m->ev0, EV_OFFLINE);
	*fallback_rate = secs > 0 ? *fallback / secs : 0;
	*keep_last_rate = secs > 0 ? *keep_last / secs : 0;
	return true;
}

bool monitor_phase_rates(const struct monitor_phase *p, double *fallback,
			 double *keep_last)
{
	double secs = (p->ev_ms[1] - p->ev_ms[0]) / 1000.0;

	if (p->ev_samples < 2 || secs <= 0)
		return false;
	*fallback = (p->fallback[1] - p->fallback[0]) / secs;
	*keep_last = (p->keep_last[1] - p->keep_last[0]) / secs;
	return true;
}

/*
 * /proc/schedstat: "cpuN" lines (yld, legacy, sched_count, goidle, ttwu,
 * ttwu_local, cputime, run_delay, pcount) and under each its "domainN"
 * lines. Version 15 and 16: the span, then 8 load-balance counters for
 * each of the 3 idle types, then alb (3), sbe (3), sbf (3) and ttwu (3).
 * Version 17 adds the domain's name after the span and splits
 * lb_imbalance in four (11 counters per idle type).
 */
void schedstat_parse(const char *text, const struct cpus *cpus,
		     struct schedstat *ss)
{
	const char *p = text;
	bool judged = false;

	memset(ss, 0, sizeof(*ss));
	while (p && *p) {
		unsigned long long v[9] = { 0 };
		unsigned int cpu, dom;
		int n;

		if (sscanf(p, "version %d", &ss->version) == 1) {
			/* nothing else on the line */
		} else if (sscanf(p, "cpu%u %llu %llu %llu %llu %llu %llu %llu %llu %llu",
				  &cpu, &v[0], &v[1], &v[2], &v[3], &v[4], &v[5],
				  &v[6], &v[7], &v[8]) >= 9) {
			judged = cpus_test(cpus, cpu);
			if (judged) {
				ss->sched_count += v[2];
				ss->goidle += v[3];
				ss->ttwu += v[4];
				ss->run_delay_ns += v[7];
			}
		} else if (judged && sscanf(p, "domain%u %n", &dom, &n) == 1 &&
			   dom < MONITOR_MAX_DOMAINS) {
			unsigned long long f[64];
			int per = ss->version >= 17 ? 11 : 8, nf = 0, k, t;
			struct schedstat_domain *d = &ss->dom[dom];
			const char *q = p + n;
			char *end;

			/* the span, and from version 17 the name */
			for (k = ss->version >= 17 ? 2 : 1; k > 0; k--) {
				q += strcspn(q, "\n ");
				q += strspn(q, " ");
			}
			while (*q && *q != '\n' && nf < 64) {
				f[nf] = strtoull(q, &end, 10);
				if (end == q)
					break;
				nf++;
				q = end;
			}
			if (nf < 3 * per + 12)
				goto next;
			for (t = 0; t < 3; t++) {
				d->lb_count += f[t * per];
				d->lb_balanced += f[t * per + 1];
				d->lb_failed += f[t * per + 2];
				d->lb_gained += f[t * per + per - 4];
			}
			d->alb_pushed += f[3 * per + 2];
			d->ttwu_wake_remote += f[3 * per + 9];
			d->ttwu_move_affine += f[3 * per + 10];
			if ((int)dom + 1 > ss->nr_domains)
				ss->nr_domains = dom + 1;
		}
next:
		p = strchr(p, '\n');
		p = p ? p + 1 : NULL;
	}
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

size_t monitor_phase_line(const struct monitor_phase *p, double iter_rate,
			  char *buf, size_t len)
{
	double fb, kl;
	char rates[64] = "fallback: n/a | keep_last: n/a";
	size_t off;

	if (p && monitor_phase_rates(p, &fb, &kl))
		snprintf(rates, sizeof(rates), "fallback: %.0f/s | keep_last: %.0f/s",
			 fb, kl);
	if (p && p->samples)
		off = snprintf(buf, len, "imbalance: avg=%.1f max=%.1f | dsq: avg=%.0f max=%u | nr_run: avg=%.1f",
			       p->sum_imbalance / p->samples, p->max_imbalance,
			       p->sum_dsq / p->samples, p->max_dsq,
			       p->sum_nr / p->samples);
	else
		off = snprintf(buf, len, "imbalance: avg=n/a max=n/a | dsq: avg=n/a max=n/a | nr_run: avg=n/a");
	if (off < len)
		off += snprintf(buf + off, len - off, " | %s | throughput: %.0f iter/s",
				rates, iter_rate);
	return off;
}

/* "fallback=N (R/s) keep_last=N (R/s) offline=N", or n/a */
static void print_events(const struct monitor *m, FILE *out)
{
	uint64_t fb, kl, off, v0, v1;
	double fbr, klr;
	char extra[512] = "";
	size_t len = 0;
	int i;

	if (!monitor_event_totals(m, &fb, &fbr, &kl, &klr, &off)) {
		fprintf(out, "# events: fallback=n/a keep_last=n/a offline=n/a | %s\n",
			m->ev_why[0] ? m->ev_why :
			"no reading while the scheduler was attached");
		return;
	}
	fprintf(out, "# events: fallback=%llu (%.1f/s) keep_last=%llu (%.1f/s) offline=%llu | max between samples: fallback %.1f/s keep_last %.1f/s\n",
		(unsigned long long)fb, fbr, (unsigned long long)kl, klr,
		(unsigned long long)off, m->max_fallback_rate,
		m->max_keep_last_rate);
	/* the other counters that moved */
	for (i = 0; i < m->ev1.nr; i++) {
		const char *n = m->ev1.name[i];

		if (!strcmp(n, EV_FALLBACK) || !strcmp(n, EV_KEEP_LAST) ||
		    !strcmp(n, EV_OFFLINE))
			continue;
		v1 = m->ev1.val[i];
		v0 = 0;
		scx_events_get(&m->ev0, n, &v0);
		if (v1 == v0 || len >= sizeof(extra))
			continue;
		len += snprintf(extra + len, sizeof(extra) - len, "%s%s=%llu%s",
				len ? " " : "", n,
				(unsigned long long)(v1 - v0),
				strstr(n, "duration") ? "ns" : "");
	}
	if (extra[0])
		fprintf(out, "# events+: %s\n", extra);
}

static void print_schedstat(const struct monitor *m, double secs, FILE *out)
{
	const struct schedstat *a = &m->ss0, *b = &m->ss1;
	int i;

	fprintf(out, "# schedstat: csw=%llu (%.0f/s) run_delay=%.0fns/s ttwu=%llu goidle=%llu",
		(unsigned long long)(b->sched_count - a->sched_count),
		(b->sched_count - a->sched_count) / secs,
		(b->run_delay_ns - a->run_delay_ns) / secs,
		(unsigned long long)(b->ttwu - a->ttwu),
		(unsigned long long)(b->goidle - a->goidle));
	/* load balancing per sched_domain level */
	for (i = 0; i < b->nr_domains && i < a->nr_domains; i++) {
		const struct schedstat_domain *x = &a->dom[i], *y = &b->dom[i];

		fprintf(out, " | domain%d: lb=%.1f/s lb_failed=%.1f/s lb_gained=%.1f/s alb_pushed=%llu wake_remote=%.1f/s move_affine=%llu",
			i, (y->lb_count - x->lb_count) / secs,
			(y->lb_failed - x->lb_failed) / secs,
			(y->lb_gained - x->lb_gained) / secs,
			(unsigned long long)(y->alb_pushed - x->alb_pushed),
			(y->ttwu_wake_remote - x->ttwu_wake_remote) / secs,
			(unsigned long long)(y->ttwu_move_affine -
					     x->ttwu_move_affine));
	}
	fputc('\n', out);
}

void monitor_fprint(const struct monitor *m, FILE *out)
{
	double secs = (m->end_ms - m->start_ms) / 1000.0;
	unsigned int n = m->samples ? m->samples : 1;
	int i;

	if (secs <= 0)
		secs = 1;
	fprintf(out, "# --- monitor ---\n");
	if (m->unavailable[0])
		fprintf(out, "# rq samples: not available (%s)\n", m->unavailable);
	else
		fprintf(out, "# samples=%u max_imbalance=%.2f max_dsq_depth=%u stuck=%u sustained_violation=%s\n# avg: imbalance=%.2f nr_running/cpu=%.1f dsq/cpu=%.1f scx_nr_running/cpu=%.1f\n",
			m->samples, m->max_imbalance, m->max_dsq, m->stuck,
			m->nr_violations ? "yes" : "no",
			m->sum_imbalance / n, m->sum_nr / n, m->sum_dsq / n,
			m->sum_scx_nr / n);
	print_events(m, out);
	print_schedstat(m, secs, out);
	for (i = 0; i < m->nr_progs1; i++) {
		const struct prog_stat *a = &m->progs1[i];
		const struct prog_stat *b = find_prog(m->progs0, m->nr_progs0, a->id);
		uint64_t cnt = a->run_cnt - (b ? b->run_cnt : 0);
		uint64_t ns = a->run_time_ns - (b ? b->run_time_ns : 0);

		if (cnt)
			fprintf(out, "# bpf: %s cnt=%llu %lluns/call verified_insns=%u\n",
				a->name, (unsigned long long)cnt,
				(unsigned long long)(ns / cnt), a->verified_insns);
	}
	fprintf(out, "# monitor cost: %.1fms CPU over %.1fs (%.2f%% of one CPU)\n",
		m->cpu_ms, secs, m->cpu_ms / (secs * 10));
	if (m->nr_violations) {
		const char *p = m->violations;

		/* the manual's form: "monitor FAILED: N violation(s): a; b" */
		fprintf(out, "# verdict: monitor FAILED: %d violation(s): ",
			m->nr_violations);
		for (i = 0; *p; i++) {
			int len = strcspn(p, "\n");

			fprintf(out, "%s%.*s", i ? "; " : "", len, p);
			p += len + (p[len] == '\n');
		}
		fputc('\n', out);
	} else {
		fprintf(out, "# verdict: monitor OK\n");
	}
}

void monitor_print(const struct monitor *m)
{
	monitor_fprint(m, stdout);
	fflush(stdout);
}
