// SPDX-License-Identifier: GPL-2.0
/*
 * Work types and the per-worker measurements behind every check.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/futex.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "util.h"
#include "worker.h"

#define SPIN_ITERS		20000
#define CACHE_BYTES		(4 << 20)

static const char *const work_names[WORK_NR] = {
	[WORK_SPIN] = "spin",
	[WORK_YIELD] = "yield",
	[WORK_MIXED] = "mixed",
	[WORK_IO] = "io",
	[WORK_BURSTY] = "bursty",
	[WORK_PIPE_PINGPONG] = "pipe_pingpong",
	[WORK_FUTEX_PINGPONG] = "futex_pingpong",
	[WORK_CACHE] = "cache",
	[WORK_FORK_EXIT] = "fork_exit",
	[WORK_FUTEX_FANOUT] = "futex_fanout",
	[WORK_NICE_SWEEP] = "nice_sweep",
	[WORK_AFFINITY_CHURN] = "affinity_churn",
	[WORK_POLICY_CHURN] = "policy_churn",
	[WORK_PAGE_FAULT] = "page_fault",
	[WORK_MUTEX] = "mutex",
	[WORK_SEQUENCE] = "sequence",
};

#define FANOUT_WAITERS	3
#define MUTEX_THREADS	2	/* besides the worker itself */
#define HELPER_THREADS	3	/* the larger of the two */
#define FANOUT_RING	64	/* fan-out wake-up times kept */
#define PAGE_FAULT_BYTES	(1 << 20)
#define SEQUENCE_PHASE_MS	500

const char *work_name(enum ktstr_work w)
{
	return w < WORK_NR ? work_names[w] : "?";
}

static volatile sig_atomic_t stop;
unsigned int *worker_epoch;

struct worker_live *worker_live_alloc(unsigned int n)
{
	/* one page for the epoch, then the workers' slots */
	size_t len = 4096 + n * sizeof(struct worker_live);
	void *p = mmap(NULL, len, PROT_READ | PROT_WRITE,
		       MAP_SHARED | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		return NULL;
	worker_epoch = p;
	return (struct worker_live *)((char *)p + 4096);
}

static void on_stop(int sig)
{
	stop = 1;
}

static double ts_ms(clockid_t clk)
{
	struct timespec ts;

	clock_gettime(clk, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/*
 * Run delay (time runnable but waiting) from /proc/self/schedstat. The
 * file stays open: workers read it every 64 units, and an open() per read
 * would cost more than the work it measures under TCG.
 */
static double run_delay_ms(void)
{
	static int fd = -1;

	if (fd < 0)
		fd = open("/proc/self/schedstat", O_RDONLY | O_CLOEXEC);
	return schedstat_wait_ms(fd);
}

static void spin(unsigned int iters)
{
	volatile unsigned long x = 0;
	unsigned int i;

	for (i = 0; i < iters; i++)
		x += i;
	(void)x;	/* read once: clang counts a volatile set as unused */
}

static pthread_mutex_t wake_lock = PTHREAD_MUTEX_INITIALIZER;

/*
 * Reservoir of wake latencies: the first WAKE_SAMPLES, then replace. A
 * negative lateness is no wake-up the worker measured right: it is
 * counted, not stored (tests/unit/worker_stop_test asserts none).
 */
static void add_wake(struct worker_report *r, double us)
{
	pthread_mutex_lock(&wake_lock);
	if (!(us >= 0)) {
		r->wake_dropped++;
		pthread_mutex_unlock(&wake_lock);
		return;
	}
	/* the samples are uint32_t: a float out of range is UB */
	if (us > UINT32_MAX)
		us = UINT32_MAX;
	if (r->nr_wake < WAKE_SAMPLES)
		r->wake_us[r->nr_wake++] = us;
	else
		r->wake_us[random() % WAKE_SAMPLES] = us;
	pthread_mutex_unlock(&wake_lock);
}

/*
 * Sleep @us and record how late the wake-up was. A sleep cut short by
 * the stop signal (SIGUSR1 has no SA_RESTART) was not woken by its
 * timer: it says nothing about wake latency and is not recorded.
 */
static void timed_sleep(struct worker_report *r, unsigned int us)
{
	struct timespec ts = { 0, us * 1000L };
	double t0 = ts_ms(CLOCK_MONOTONIC);

	if (nanosleep(&ts, NULL))
		return;
	add_wake(r, (ts_ms(CLOCK_MONOTONIC) - t0) * 1000 - us);
}

/*
 * The partner thread of the ping-pong types. It answers every ping for
 * as long as the process lives: a partner that quit on the stop flag
 * could leave the worker's last ping unanswered and the worker waiting
 * for ever, never reporting (seen under scx_central on a slow host).
 */
struct pingpong {
	int to_partner[2], from_partner[2];
	uint32_t futex;
	enum ktstr_work work;
};

static long futex(uint32_t *uaddr, int op, uint32_t val)
{
	return syscall(SYS_futex, uaddr, op, val, NULL, NULL, 0);
}

static void *partner(void *arg)
{
	struct pingpong *pp = arg;
	char c;

	for (;;) {
		if (pp->work == WORK_PIPE_PINGPONG) {
			if (read(pp->to_partner[0], &c, 1) != 1 ||
			    write(pp->from_partner[1], &c, 1) != 1)
				break;
		} else {
			while (__atomic_load_n(&pp->futex, __ATOMIC_ACQUIRE) != 1)
				futex(&pp->futex, FUTEX_WAIT, 0);
			__atomic_store_n(&pp->futex, 0, __ATOMIC_RELEASE);
			futex(&pp->futex, FUTEX_WAKE, 1);
		}
	}
	return NULL;
}

/* one exchange with the partner; the round trip is the wake latency */
static void pingpong_once(struct pingpong *pp, struct worker_report *r)
{
	double t0 = ts_ms(CLOCK_MONOTONIC);
	char c = 1;

	if (pp->work == WORK_PIPE_PINGPONG) {
		if (write(pp->to_partner[1], &c, 1) != 1 ||
		    read(pp->from_partner[0], &c, 1) != 1)
			return;
	} else {
		__atomic_store_n(&pp->futex, 1, __ATOMIC_RELEASE);
		futex(&pp->futex, FUTEX_WAKE, 1);
		while (__atomic_load_n(&pp->futex, __ATOMIC_ACQUIRE) != 0 &&
		       !stop)
			futex(&pp->futex, FUTEX_WAIT, 1);
		/* the stop cut the exchange short: no round trip to record */
		if (__atomic_load_n(&pp->futex, __ATOMIC_ACQUIRE) != 0)
			return;
	}
	add_wake(r, (ts_ms(CLOCK_MONOTONIC) - t0) * 1000 / 2);
}

/*
 * Helper threads of the fan-out and mutex types. They live in the
 * worker's process, so they are in its cgroup and stop with it.
 */
struct helpers {
	struct worker_report *r;
	uint32_t fanout_seq;		/* futex word the waiters wait on */
	/* when wake-up number @seq was sent (ms), at [@seq % FANOUT_RING] */
	double fanout_woken_at[FANOUT_RING];
	pthread_mutex_t mutex;
	pthread_t threads[HELPER_THREADS];
};
_Static_assert(ARRAY_SIZE(((struct helpers *)0)->threads) >= FANOUT_WAITERS &&
	       ARRAY_SIZE(((struct helpers *)0)->threads) >= MUTEX_THREADS,
	       "a type starts more helper threads than struct helpers holds");

static void *fanout_waiter(void *arg)
{
	struct helpers *h = arg;
	uint32_t seen = __atomic_load_n(&h->fanout_seq, __ATOMIC_ACQUIRE);

	while (!stop) {
		uint32_t now, first;
		double sent;

		futex(&h->fanout_seq, FUTEX_WAIT, seen);
		now = __atomic_load_n(&h->fanout_seq, __ATOMIC_ACQUIRE);
		if (now == seen)
			continue;
		/*
		 * Late since the first wake-up it missed, not the last: a
		 * waiter that slept through several was late for all of
		 * them (the oldest one kept, past the ring). The send time
		 * is read before the clock, so the difference is >= 0.
		 */
		first = now - seen < FANOUT_RING ? seen + 1 :
			now - FANOUT_RING + 1;
		sent = READ_SHARED(h->fanout_woken_at[first % FANOUT_RING]);
		add_wake(h->r, (ts_ms(CLOCK_MONOTONIC) - sent) * 1000);
		seen = now;
	}
	return NULL;
}

static void *mutex_contender(void *arg)
{
	struct helpers *h = arg;

	while (!stop) {
		pthread_mutex_lock(&h->mutex);
		spin(SPIN_ITERS / 20);
		pthread_mutex_unlock(&h->mutex);
		spin(SPIN_ITERS / 20);
	}
	return NULL;
}

static int start_helpers(enum ktstr_work work, struct helpers *h)
{
	int i;

	pthread_mutex_init(&h->mutex, NULL);
	if (work == WORK_FUTEX_FANOUT)
		for (i = 0; i < FANOUT_WAITERS; i++)
			if (pthread_create(&h->threads[i], NULL, fanout_waiter, h))
				return -1;
	if (work == WORK_MUTEX)
		for (i = 0; i < MUTEX_THREADS; i++)
			if (pthread_create(&h->threads[i], NULL, mutex_contender, h))
				return -1;
	return 0;
}

/* one CPU of those allowed, then all of them again next time */
static void churn_affinity(uint64_t units)
{
	static cpu_set_t allowed;
	static bool have;
	cpu_set_t one;
	int n, pick, cpu;

	if (!have) {
		sched_getaffinity(0, sizeof(allowed), &allowed);
		have = true;
	}
	if ((units / 16) % 2) {
		sched_setaffinity(0, sizeof(allowed), &allowed);
		return;
	}
	n = CPU_COUNT(&allowed);
	pick = n ? random() % n : 0;
	CPU_ZERO(&one);
	for (cpu = 0; cpu < CPU_SETSIZE; cpu++)
		if (CPU_ISSET(cpu, &allowed) && !pick--) {
			CPU_SET(cpu, &one);
			sched_setaffinity(0, sizeof(one), &one);
			return;
		}
}

static void churn_policy(uint64_t units)
{
	static const int policies[] = { SCHED_OTHER, SCHED_BATCH, SCHED_IDLE };
	struct sched_param sp = { 0 };

	sched_setscheduler(0, policies[(units / 32) % 3], &sp);
}

static void fault_pages(void)
{
	char *p = mmap(NULL, PAGE_FAULT_BYTES, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	size_t off;

	if (p == MAP_FAILED)
		return;
	for (off = 0; off < PAGE_FAULT_BYTES; off += 4096)
		p[off] = 1;
	munmap(p, PAGE_FAULT_BYTES);
}

/* a line of @cache every 4160 bytes: misses in every cache level */
static void touch_cache(char *cache)
{
	static size_t pos;
	size_t i;

	for (i = 0; i < 4096; i++) {
		cache[pos] ^= 1;
		pos = (pos + 4160) % CACHE_BYTES;
	}
}

static void fork_exit(void)
{
	pid_t child = fork();

	if (child == 0)
		_exit(0);
	if (child > 0)
		waitpid(child, NULL, 0);
}

/* wake the fan-out waiters at once, then sleep */
static void fanout_wake(struct worker_report *r, struct helpers *h)
{
	/* only this thread advances the sequence */
	uint32_t next = __atomic_load_n(&h->fanout_seq, __ATOMIC_RELAXED) + 1;

	spin(SPIN_ITERS / 4);
	/* the time first, then the number that makes waiters read it */
	WRITE_SHARED(h->fanout_woken_at[next % FANOUT_RING],
		     ts_ms(CLOCK_MONOTONIC));
	__atomic_store_n(&h->fanout_seq, next, __ATOMIC_RELEASE);
	futex(&h->fanout_seq, FUTEX_WAKE, FANOUT_WAITERS);
	timed_sleep(r, 200);
}

static void work_unit(enum ktstr_work work, struct worker_report *r,
		      struct pingpong *pp, char *cache, double start,
		      struct helpers *h)
{
	switch (work) {
	case WORK_SPIN:
		spin(SPIN_ITERS);
		break;
	case WORK_YIELD:
		spin(SPIN_ITERS / 10);
		sched_yield();
		break;
	case WORK_MIXED:
		spin(SPIN_ITERS);
		if (!(r->units % 8))
			sched_yield();
		break;
	case WORK_IO:
		spin(SPIN_ITERS / 10);
		timed_sleep(r, 100);
		break;
	case WORK_BURSTY:
		/* 50 ms on, 20 ms off */
		spin(SPIN_ITERS);
		if (((long)(ts_ms(CLOCK_MONOTONIC) - start) % 70) >= 50)
			timed_sleep(r, 20000);
		break;
	case WORK_PIPE_PINGPONG:
	case WORK_FUTEX_PINGPONG:
		pingpong_once(pp, r);
		break;
	case WORK_CACHE:
		touch_cache(cache);
		break;
	case WORK_FORK_EXIT:
		fork_exit();
		break;
	case WORK_FUTEX_FANOUT:
		fanout_wake(r, h);
		break;
	case WORK_NICE_SWEEP:
		spin(SPIN_ITERS);
		if (!(r->units % 64))
			setpriority(PRIO_PROCESS, 0, (r->units / 64) % 20);
		break;
	case WORK_AFFINITY_CHURN:
		spin(SPIN_ITERS);
		if (!(r->units % 16))
			churn_affinity(r->units);
		break;
	case WORK_POLICY_CHURN:
		spin(SPIN_ITERS);
		if (!(r->units % 32))
			churn_policy(r->units);
		break;
	case WORK_PAGE_FAULT:
		fault_pages();
		break;
	case WORK_MUTEX:
		pthread_mutex_lock(&h->mutex);
		spin(SPIN_ITERS / 20);
		pthread_mutex_unlock(&h->mutex);
		spin(SPIN_ITERS / 20);
		break;
	case WORK_SEQUENCE: {
		static const enum ktstr_work seq[] = {
			WORK_SPIN, WORK_YIELD, WORK_IO, WORK_BURSTY,
		};
		long ph = (long)(ts_ms(CLOCK_MONOTONIC) - start) / SEQUENCE_PHASE_MS;

		work_unit(seq[ph % 4], r, pp, cache, start, h);
		break;
	}
	default:
		spin(SPIN_ITERS);
	}
}

static void setup_policy(const struct ktstr_cgroup *cg, int nice)
{
	struct sched_param sp = { 0 };

	if (cg->policy == SCHED_FIFO || cg->policy == SCHED_RR)
		sp.sched_priority = 1;
	if (cg->policy)
		sched_setscheduler(0, cg->policy, &sp);
	if (nice)
		setpriority(PRIO_PROCESS, 0, nice);
}

static void publish(struct worker_live *live, const struct worker_report *r,
		    double gap, int cpu, double wall, double cpu0)
{
	unsigned int epoch = worker_epoch ? READ_SHARED(*worker_epoch) : 0;

	/* only this worker writes @live: its own reads need no atomics */
	if (live->seen_epoch != epoch) {
		live->seen_epoch = epoch;
		WRITE_SHARED(live->phase_max_gap_ms, 0);
	}
	if (gap > live->phase_max_gap_ms) {
		WRITE_SHARED(live->phase_max_gap_ms, gap);
		WRITE_SHARED(live->phase_gap_cpu, cpu);
	}
	WRITE_SHARED(live->units, r->units);
	WRITE_SHARED(live->migrations, r->migrations);
	WRITE_SHARED(live->wall_ms, wall);
	if (!(r->units % 64)) {
		WRITE_SHARED(live->cpu_ms,
			     ts_ms(CLOCK_THREAD_CPUTIME_ID) - cpu0);
		WRITE_SHARED(live->run_delay_ms, run_delay_ms());
	}
}

/* the child side: wait for release, work until SIGUSR1, report */
static void worker_main(const struct ktstr_cgroup *cg, int cgroup, int nice,
			int release, int report, struct worker_live *live)
{
	struct worker_report *r = xcalloc(1, sizeof(*r));
	struct pingpong pp = { .work = cg->work };
	struct helpers h = { .r = r };
	double start, last, cpu0, delay0, now;
	char *cache = NULL, c;
	pthread_t thr;
	int cpu, prev_cpu = -1;
	struct sigaction sa = { .sa_handler = on_stop };
	sigset_t usr1;
	ssize_t n;

	/*
	 * No SA_RESTART: the stop signal ends a blocking wait of the main
	 * thread, which then sees the flag. It stays blocked (as
	 * worker_spawn() forked us) until the helper threads have started
	 * with it blocked, so that it is always the main thread that takes
	 * it.
	 */
	sigaction(SIGUSR1, &sa, NULL);
	sigemptyset(&usr1);
	sigaddset(&usr1, SIGUSR1);
	pthread_sigmask(SIG_BLOCK, &usr1, NULL);
	setpgid(0, 0);
	do
		n = read(release, &c, 1);
	while (n < 0 && errno == EINTR);
	if (n != 1)
		_exit(1);
	close(release);
	setup_policy(cg, nice);
	if (cg->work == WORK_CACHE)
		cache = xcalloc(1, CACHE_BYTES);
	if (cg->work == WORK_PIPE_PINGPONG || cg->work == WORK_FUTEX_PINGPONG) {
		if (pipe(pp.to_partner) || pipe(pp.from_partner) ||
		    pthread_create(&thr, NULL, partner, &pp))
			_exit(1);
	}
	if (start_helpers(cg->work, &h))
		_exit(1);
	pthread_sigmask(SIG_UNBLOCK, &usr1, NULL);

	r->tid = getpid();
	r->cgroup = cgroup;
	r->nice = nice;
	start = last = ts_ms(CLOCK_MONOTONIC);
	cpu0 = ts_ms(CLOCK_THREAD_CPUTIME_ID);
	delay0 = run_delay_ms();
	while (!stop) {
		work_unit(cg->work, r, &pp, cache, start, &h);
		r->units++;
		now = ts_ms(CLOCK_MONOTONIC);
		cpu = sched_getcpu();
		if (cpu >= 0) {
			cpus_set(&r->used, cpu);
			if (prev_cpu >= 0 && cpu != prev_cpu)
				r->migrations++;
			prev_cpu = cpu;
		}
		/* the gap between two units is time spent off the CPU */
		if (now - last > r->max_gap_ms) {
			r->max_gap_ms = now - last;
			r->gap_cpu = cpu;
			r->gap_at_ms = last - start;
		}
		if (live)
			publish(live, r, now - last, cpu, now - start, cpu0);
		last = now;
	}
	r->wall_ms = ts_ms(CLOCK_MONOTONIC) - start;
	r->cpu_ms = ts_ms(CLOCK_THREAD_CPUTIME_ID) - cpu0;
	r->run_delay_ms = run_delay_ms() - delay0;
	if (write(report, r, sizeof(*r)) != sizeof(*r))
		_exit(1);
	_exit(0);
}

int worker_spawn(struct worker *w, const struct ktstr_cgroup *cg, int cgroup,
		 int nice, struct worker_live *live)
{
	int rel[2], rep[2];

	sigset_t usr1, old;

	memset(w, 0, sizeof(*w));
	w->cgroup = cgroup;
	w->live = live;
	if (pipe2(rel, O_CLOEXEC) || pipe2(rep, O_CLOEXEC))
		return -1;
	/*
	 * The child starts with the stop signal blocked: one sent before
	 * its handler is in place waits for it instead of killing the
	 * worker (its default action) before it can report.
	 */
	sigemptyset(&usr1);
	sigaddset(&usr1, SIGUSR1);
	pthread_sigmask(SIG_BLOCK, &usr1, &old);
	w->pid = fork();
	if (w->pid != 0)
		pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (w->pid < 0)
		return -1;
	if (w->pid == 0) {
		close(rel[1]);
		close(rep[0]);
		worker_main(cg, cgroup, nice, rel[0], rep[1], live);
	}
	close(rel[0]);
	close(rep[1]);
	w->release_fd = rel[1];
	w->report_fd = rep[0];
	return 0;
}

int worker_release(struct worker *w)
{
	char c = 1;
	int ret = write(w->release_fd, &c, 1) == 1 ? 0 : -1;

	close(w->release_fd);
	w->release_fd = -1;
	return ret;
}

void worker_signal_stop(struct worker *w)
{
	if (w->pid > 0 && !w->stopped)
		kill(w->pid, SIGUSR1);
}

int worker_collect(struct worker *w, unsigned int timeout_ms)
{
	long long deadline = now_ms() + timeout_ms;
	size_t got = 0;
	int ret = -1;

	if (w->stopped)
		return 0;
	while (got < sizeof(w->report)) {
		struct pollfd p = { w->report_fd, POLLIN, 0 };
		long long left = deadline - now_ms();
		ssize_t n;

		/* past the deadline, a report already there is still read */
		if (poll(&p, 1, left > 0 ? left : 0) <= 0)
			break;
		n = read(w->report_fd, (char *)&w->report + got,
			 sizeof(w->report) - got);
		if (n <= 0)
			break;
		got += n;
	}
	if (got == sizeof(w->report))
		ret = 0;
	/* every reader indexes wake_us[] by it */
	if (w->report.nr_wake > WAKE_SAMPLES)
		w->report.nr_wake = WAKE_SAMPLES;
	worker_kill(w);
	return ret;
}

void worker_kill(struct worker *w)
{
	if (w->pid <= 0 || w->stopped)
		return;
	kill(-w->pid, SIGKILL);
	kill(w->pid, SIGKILL);
	waitpid(w->pid, NULL, 0);
	if (w->report_fd >= 0)
		close(w->report_fd);
	if (w->release_fd >= 0)
		close(w->release_fd);
	w->stopped = true;
}

/*
 * Spin units as workers do them, bookkeeping included (a clock read and
 * sched_getcpu() per unit are not free under TCG), for at least @min_ms
 * of wall time: under single-threaded TCG the vCPUs take turns in slices
 * of up to 100 ms, and a shorter probe can fit inside one turn and see a
 * CPU's speed alone rather than shared.
 */
void worker_probe_units(unsigned int min_ms, struct unit_probe *p)
{
	int i;

	p->units = 0;
	p->start_ms = ts_ms(CLOCK_MONOTONIC);
	do {
		for (i = 0; i < 50; i++) {
			spin(SPIN_ITERS);
			ts_ms(CLOCK_MONOTONIC);
			sched_getcpu();
		}
		p->units += 50;
		p->end_ms = ts_ms(CLOCK_MONOTONIC);
	} while (p->end_ms - p->start_ms < min_ms);
}
