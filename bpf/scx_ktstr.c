// SPDX-License-Identifier: GPL-2.0
/*
 * scx_ktstr: loader of the fixture scheduler (scx_ktstr.bpf.c).
 *
 * Knobs at load time are options; at run time they are the *-after
 * options (a timer flips the knob) or signals: SIGUSR1 sets crash,
 * SIGUSR2 sets stall. The exit is reported like the tree's schedulers
 * (EXIT: <reason> (<message>) plus the debug dump) and the exit code
 * tells a clean exit (0) from an error exit (1) and a failure to load or
 * attach (2).
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <scx/common.h>

#include "scx_ktstr.bpf.skel.h"

#ifndef ARRAY_SIZE
#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
#endif

static const char help[] =
"scx_ktstr: the ktstr fixture scheduler\n"
"\n"
"usage: scx_ktstr [options]\n"
"  --crash[-after MS]        dispatch calls scx_bpf_error(\"host-triggered crash\")\n"
"  --stall[-after MS]        park user tasks: the watchdog must name one\n"
"  --slow[-after MS]         throttle dispatching: slower, no stall\n"
"  --degrade                 random placement, skip every other dispatch\n"
"  --scattershot             place every task in another LLC\n"
"  --pile                    queue every task on CPU 0's local DSQ\n"
"  --fail-verify             load a program the verifier rejects\n"
"  --unfair-slices           FIFO, odd pids get 1/8 of the slice\n"
"  --ignore-weights          claim cgroup cpu.weight support, ignore it\n"
"  --ignore-nice             ignore task weights (nice)\n"
"  --tick-only               act on wakeups only on a 100 Hz tick\n"
"  --strand-pinned           queue affinity-restricted tasks for CPU 0 only\n"
"  --ignore-cpuset           dispatch tasks to CPUs their cpumask forbids\n"
"  --timeout-ms MS           watchdog timeout (ops.timeout_ms)\n"
"  --slice-us US             time slice (default 20000)\n"
"  --stats                   print counters every second\n"
"  -v                        libbpf debug output\n"
"signals: SIGUSR1 sets crash, SIGUSR2 sets stall, SIGINT/SIGTERM exit\n";

static volatile sig_atomic_t exit_req, want_crash, want_stall;
static bool verbose;

static int print_fn(enum libbpf_print_level level, const char *fmt,
		    va_list args)
{
	if (level == LIBBPF_DEBUG && !verbose)
		return 0;
	return vfprintf(stderr, fmt, args);
}

static void on_exit_signal(int sig)
{
	exit_req = 1;
}

static void on_usr(int sig)
{
	if (sig == SIGUSR1)
		want_crash = 1;
	else
		want_stall = 1;
}

/* LLC of each CPU from sysfs, so scattershot can leave the LLC. */
static void fill_cpu_llc(struct scx_ktstr *skel, int nr)
{
	char path[128];
	int cpu;

	for (cpu = 0; cpu < nr && cpu < 512; cpu++) {
		FILE *f;
		unsigned int id = 0;

		snprintf(path, sizeof(path),
			 "/sys/devices/system/cpu/cpu%d/cache/index3/id", cpu);
		f = fopen(path, "r");
		if (f) {
			if (fscanf(f, "%u", &id) != 1)
				id = 0;
			fclose(f);
		}
		skel->rodata->cpu_llc[cpu] = id;
	}
}

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

enum {
	OPT_CRASH = 256, OPT_CRASH_AFTER, OPT_STALL, OPT_STALL_AFTER,
	OPT_SLOW, OPT_DEGRADE, OPT_SCATTER, OPT_FAIL_VERIFY, OPT_TIMEOUT,
	OPT_SLICE, OPT_STATS, OPT_PILE, OPT_SLOW_AFTER, OPT_BUG_KNOB,
};

/* the bug-catalog knobs: plain switches, set before attach */
static const char *const bug_knobs[] = {
	"unfair-slices", "ignore-weights", "ignore-nice", "tick-only",
	"strand-pinned", "ignore-cpuset",
};

static bool *bug_knob(struct scx_ktstr *skel, int i)
{
	bool *const knobs[] = {
		&skel->bss->knob_unfair_slices, &skel->bss->knob_ignore_weights,
		&skel->bss->knob_ignore_nice, &skel->bss->knob_tick_only,
		&skel->bss->knob_strand_pinned, &skel->bss->knob_ignore_cpuset,
	};

	return knobs[i];
}

static const struct option longopts[] = {
	{ "crash", no_argument, NULL, OPT_CRASH },
	{ "crash-after", required_argument, NULL, OPT_CRASH_AFTER },
	{ "stall", no_argument, NULL, OPT_STALL },
	{ "stall-after", required_argument, NULL, OPT_STALL_AFTER },
	{ "slow", no_argument, NULL, OPT_SLOW },
	{ "slow-after", required_argument, NULL, OPT_SLOW_AFTER },
	{ "degrade", no_argument, NULL, OPT_DEGRADE },
	{ "scattershot", no_argument, NULL, OPT_SCATTER },
	{ "pile", no_argument, NULL, OPT_PILE },
	{ "fail-verify", no_argument, NULL, OPT_FAIL_VERIFY },
	{ "timeout-ms", required_argument, NULL, OPT_TIMEOUT },
	{ "slice-us", required_argument, NULL, OPT_SLICE },
	{ "stats", no_argument, NULL, OPT_STATS },
	{ "help", no_argument, NULL, 'h' },
	{ "unfair-slices", no_argument, NULL, OPT_BUG_KNOB },
	{ "ignore-weights", no_argument, NULL, OPT_BUG_KNOB },
	{ "ignore-nice", no_argument, NULL, OPT_BUG_KNOB },
	{ "tick-only", no_argument, NULL, OPT_BUG_KNOB },
	{ "strand-pinned", no_argument, NULL, OPT_BUG_KNOB },
	{ "ignore-cpuset", no_argument, NULL, OPT_BUG_KNOB },
	{ 0 }
};

/*
 * Set a run-time knob once its signal came (@now) or its -after time @at
 * passed, and say when in the scheduler log.
 */
static void flip_knob(bool *knob, const char *name, bool now,
		      long long at, long long t)
{
	if (*knob || !(now || (at >= 0 && t >= at)))
		return;
	printf("scx_ktstr: %s knob set at +%lldms\n", name, t);
	*knob = true;
}

/* the run-time knobs: set now, after a time, or on a signal */
struct knobs {
	long long crash_at, stall_at, slow_at;	/* ms after attach; -1: no */
	bool crash, stall, stats;
};

/* a number of @what in [0, @max], or exit 2 naming the option */
static long long bounded_number(const char *opt, const char *v, long long max)
{
	char *end;
	long long n;

	errno = 0;
	n = strtoll(v, &end, 10);
	if (errno || end == v || *end || n < 0 || n > max) {
		fprintf(stderr, "scx_ktstr: --%s '%s': not a whole number from 0 to %lld\n",
			opt, v, max);
		exit(2);
	}
	return n;
}

/* the options into the skeleton (before load) and @k; -1 to go on */
static int parse_args(int argc, char **argv, struct scx_ktstr *skel,
		      struct knobs *k)
{
	const long long day_ms = 86400000LL;
	int opt, idx = -1;
	size_t i;

	while ((opt = getopt_long(argc, argv, "vh", longopts, &idx)) != -1) {
		const char *name = idx >= 0 ? longopts[idx].name : "";

		switch (opt) {
		case OPT_BUG_KNOB:
			for (i = 0; i < ARRAY_SIZE(bug_knobs); i++)
				if (!strcmp(name, bug_knobs[i]))
					*bug_knob(skel, i) = true;
			break;
		case OPT_CRASH:
			k->crash = true;
			break;
		case OPT_CRASH_AFTER:
			k->crash_at = bounded_number(name, optarg, day_ms);
			break;
		case OPT_STALL:
			k->stall = true;
			break;
		case OPT_STALL_AFTER:
			k->stall_at = bounded_number(name, optarg, day_ms);
			break;
		case OPT_SLOW:
			skel->bss->knob_slow = true;
			break;
		case OPT_SLOW_AFTER:
			k->slow_at = bounded_number(name, optarg, day_ms);
			break;
		case OPT_DEGRADE:
			skel->bss->knob_degrade = true;
			break;
		case OPT_SCATTER:
			skel->bss->knob_scattershot = true;
			break;
		case OPT_PILE:
			skel->bss->knob_pile = true;
			break;
		case OPT_FAIL_VERIFY:
			skel->rodata->fail_verify = true;
			break;
		case OPT_TIMEOUT:
			skel->struct_ops.ktstr_ops->timeout_ms =
				bounded_number(name, optarg, 60000);
			break;
		case OPT_SLICE:
			skel->rodata->slice_ns =
				bounded_number(name, optarg, 1000000) * 1000ULL;
			break;
		case OPT_STATS:
			k->stats = true;
			break;
		case 'v':
			verbose = true;
			break;
		default:
			fputs(help, opt == 'h' ? stdout : stderr);
			return opt == 'h' ? 0 : 2;
		}
		idx = -1;
	}
	return -1;
}

/* attached: flip the knobs when due, until asked to stop or the exit */
static void run_until_exit(struct scx_ktstr *skel, const struct knobs *k)
{
	long long start = now_ms();

	skel->bss->knob_crash = k->crash;
	skel->bss->knob_stall = k->stall;
	while (!exit_req && !UEI_EXITED(skel, uei)) {
		long long t = now_ms() - start;

		flip_knob(&skel->bss->knob_crash, "crash", want_crash,
			  k->crash_at, t);
		flip_knob(&skel->bss->knob_stall, "stall", want_stall,
			  k->stall_at, t);
		flip_knob(&skel->bss->knob_slow, "slow", false, k->slow_at, t);
		if (k->stats && t / 1000 != (t + 50) / 1000)
			printf("scx_ktstr: enqueued=%llu dispatched=%llu skipped=%llu direct=%llu remote=%llu\n",
			       (unsigned long long)skel->bss->nr_enqueued,
			       (unsigned long long)skel->bss->nr_dispatched,
			       (unsigned long long)skel->bss->nr_skipped,
			       (unsigned long long)skel->bss->nr_direct,
			       (unsigned long long)skel->bss->nr_remote);
		usleep(50 * 1000);
	}
}

int main(int argc, char **argv)
{
	struct knobs k = { .crash_at = -1, .stall_at = -1, .slow_at = -1 };
	struct scx_ktstr *skel;
	struct bpf_link *link;
	int nr, ret;

	libbpf_set_print(print_fn);
	signal(SIGINT, on_exit_signal);
	signal(SIGTERM, on_exit_signal);
	signal(SIGUSR1, on_usr);
	signal(SIGUSR2, on_usr);
	setvbuf(stdout, NULL, _IOLBF, 0);

	skel = SCX_OPS_OPEN(ktstr_ops, scx_ktstr);
	nr = libbpf_num_possible_cpus();
	skel->rodata->nr_cpus = nr;
	fill_cpu_llc(skel, nr);
	ret = parse_args(argc, argv, skel, &k);
	if (ret >= 0) {
		scx_ktstr__destroy(skel);
		return ret;
	}

	/* sizes the exit info's dump buffer: a .rodata write, before load */
	UEI_SET_SIZE(skel, ktstr_ops, uei);
	if (scx_ktstr__load(skel)) {
		/* libbpf printed the verifier's log above */
		fprintf(stderr, "scx_ktstr: failed to load the BPF scheduler: %s\n",
			strerror(errno));
		scx_ktstr__destroy(skel);
		return 2;
	}
	link = bpf_map__attach_struct_ops(skel->maps.ktstr_ops);
	if (!link) {
		fprintf(stderr, "scx_ktstr: failed to attach: %s\n",
			strerror(errno));
		scx_ktstr__destroy(skel);
		return 2;
	}
	printf("scx_ktstr: attached (%d CPUs)\n", nr);
	run_until_exit(skel, &k);

	bpf_link__destroy(link);
	/* prints the exit; its exit code (restart requests) is not used */
	UEI_REPORT(skel, uei);
	/* kind >= SCX_EXIT_ERROR (1024) is an error exit */
	nr = skel->data->uei.kind >= 1024 ? 1 : 0;
	scx_ktstr__destroy(skel);
	return nr;
}
