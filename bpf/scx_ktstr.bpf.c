// SPDX-License-Identifier: GPL-2.0
/*
 * scx_ktstr: the fixture scheduler of the ktstr suite.
 *
 * A correct, simple scheduler first: tasks wake onto an idle CPU's local
 * DSQ when there is one, otherwise they queue on one shared DSQ ordered by
 * weighted vtime, and every CPU consumes from it in ops.dispatch. That is
 * enough to pass fairness, starvation and isolation checks.
 *
 * Then knobs that break it on purpose, so the suite can prove that it
 * catches real failures of a real scheduler rather than simulated ones:
 *
 * crash	ops.dispatch calls scx_bpf_error() with its file and line:
 *		the kernel ejects us with an error exit and a backtrace.
 *		Settable at run time.
 * stall	user tasks stop being moved: ops.enqueue parks them in a DSQ
 *		nobody consumes and select_cpu stops direct dispatching, until
 *		the watchdog (ops.timeout_ms) names a task that failed to run.
 *		Kernel threads still run, the watchdog's own work among them:
 *		stalling everything would only make it report that it could
 *		not check in, without naming the starved task. Settable at
 *		run time.
 * slow		ops.dispatch skips its calls so that at most one task starts
 *		every 8 ms across the whole machine, with 1 ms slices: most
 *		calls are skipped and throughput falls to a fraction, yet
 *		every task still runs often enough that nothing stalls. The
 *		budget is global on purpose: per-CPU skipping leaves some CPU
 *		busy most of the time, and under single-threaded TCG a busy
 *		vCPU inherits the host time its idle siblings give up, which
 *		hides the slow-down.
 * degrade	tasks are placed on random CPUs and every other dispatch is
 *		skipped: worse latency and migrations, still no stall.
 * scattershot	every enqueue goes to a CPU in another LLC: a migration
 *		storm across LLCs.
 * pile		every enqueue goes to CPU 0's local DSQ: a deep local queue
 *		and a lopsided machine that the run-queue monitor must see,
 *		while every task still gets CPU 0 in turn.
 * fail_verify	makes a program the verifier rejects (load time only: the
 *		bad branch is dead code unless the constant says otherwise).
 *
 * ops.dump prints one line with the knobs and counters, which lands in the
 * kernel's debug dump when the scheduler errors out.
 */
#include <scx/common.bpf.h>

char _license[] SEC("license") = "GPL";

#define SHARED_DSQ	0
#define PARKED_DSQ	1	/* stall: never consumed */
#define PF_KTHREAD	0x00200000	/* include/linux/sched.h */
#define MAX_CPUS	512
/* how often the kick timer wakes idle CPUs that have work waiting */
#define KICK_INTERVAL_NS	(2 * 1000 * 1000ULL)
#define SLOW_KICK_INTERVAL_NS	(1 * 1000 * 1000ULL)
/* slow: one task start per period, each with a short slice */
#define SLOW_PERIOD_NS		(8 * 1000 * 1000ULL)
#define SLOW_SLICE_NS		(1 * 1000 * 1000ULL)

/* load-time knobs, set by the loader before load */
const volatile bool fail_verify;
const volatile u32 nr_cpus = 1;
const volatile u32 cpu_llc[MAX_CPUS];	/* LLC id of each CPU */
const volatile u64 slice_ns = SCX_SLICE_DFL;

/* run-time knobs: the loader writes them through the mmaped .bss */
volatile bool knob_crash;
volatile bool knob_stall;
volatile bool knob_slow;
volatile bool knob_degrade;
volatile bool knob_scattershot;
volatile bool knob_pile;

/* counters, read by the loader and printed by ops.dump */
u64 nr_enqueued, nr_dispatched, nr_skipped, nr_direct, nr_remote;

static u64 vtime_now;
static u64 last_slow_start;	/* slow: when the last task was started */
UEI_DEFINE(uei);

/* per-CPU count of ops.dispatch calls, to skip a fixed share of them */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, u32);
	__type(value, u64);
} dispatch_calls SEC(".maps");

struct kick_timer {
	struct bpf_timer timer;
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, u32);
	__type(value, struct kick_timer);
} kick_timer SEC(".maps");

/* Used only by the fail_verify branch, to have a pointer to misuse. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1);
	__type(key, u32);
	__type(value, u64);
} verify_bait SEC(".maps");

static u64 task_slice(void)
{
	return knob_slow ? SLOW_SLICE_NS : slice_ns;
}

static bool vtime_before(u64 a, u64 b)
{
	return (s64)(a - b) < 0;
}

/* A CPU in another LLC than @cpu, or @cpu when there is none. */
static s32 remote_cpu(s32 cpu)
{
	u64 start = bpf_get_prandom_u32() % nr_cpus;
	u32 home, i;

	if (cpu < 0 || cpu >= MAX_CPUS)
		return cpu;
	home = cpu_llc[cpu];
	bpf_for(i, 0, nr_cpus) {
		/* 64-bit index: the verifier must see its bounds */
		u64 c = (start + i) % nr_cpus;

		if (c >= MAX_CPUS)
			break;
		if (cpu_llc[c] != home)
			return c;
	}
	return cpu;
}

s32 BPF_STRUCT_OPS(ktstr_select_cpu, struct task_struct *p, s32 prev_cpu,
		   u64 wake_flags)
{
	bool is_idle = false;
	s32 cpu;

	cpu = scx_bpf_select_cpu_dfl(p, prev_cpu, wake_flags, &is_idle);
	/* a stalling scheduler must not let tasks slip past the shared DSQ */
	if (is_idle && !knob_stall && !knob_slow && !knob_scattershot &&
	    !knob_degrade && !knob_pile) {
		__sync_fetch_and_add(&nr_direct, 1);
		scx_bpf_dispatch(p, SCX_DSQ_LOCAL, task_slice(), 0);
	}
	return cpu;
}

void BPF_STRUCT_OPS(ktstr_enqueue, struct task_struct *p, u64 enq_flags)
{
	u64 vtime = p->scx.dsq_vtime;
	s32 target = -1;

	__sync_fetch_and_add(&nr_enqueued, 1);
	if (knob_stall && !(p->flags & PF_KTHREAD)) {
		scx_bpf_dispatch(p, PARKED_DSQ, task_slice(), enq_flags);
		return;
	}
	if (knob_pile)
		target = 0;
	else if (knob_scattershot)
		target = remote_cpu(scx_bpf_task_cpu(p));
	else if (knob_degrade)
		target = bpf_get_prandom_u32() % nr_cpus;

	if (target >= 0 && bpf_cpumask_test_cpu(target, p->cpus_ptr)) {
		__sync_fetch_and_add(&nr_remote, 1);
		scx_bpf_dispatch(p, SCX_DSQ_LOCAL_ON | target, task_slice(),
				 enq_flags);
		scx_bpf_kick_cpu(target, SCX_KICK_IDLE);
		return;
	}

	/* an idle task may bank at most one slice of credit */
	if (vtime_before(vtime, vtime_now - slice_ns))
		vtime = vtime_now - slice_ns;
	scx_bpf_dispatch_vtime(p, SHARED_DSQ, task_slice(), vtime,
			       enq_flags);
}

/* slow: true unless this call wins the one start the period allows */
static bool slow_budget_spent(void)
{
	u64 now = bpf_ktime_get_ns(), last = last_slow_start;

	if (now - last < SLOW_PERIOD_NS)
		return true;
	return __sync_val_compare_and_swap(&last_slow_start, last, now) != last;
}

/* true on @share - 1 of every @share calls on this CPU */
static bool skip_this_dispatch(u32 share)
{
	u32 zero = 0;
	u64 *calls = bpf_map_lookup_elem(&dispatch_calls, &zero);

	if (!calls)
		return false;
	return (*calls)++ % share != 0;
}

void BPF_STRUCT_OPS(ktstr_dispatch, s32 cpu, struct task_struct *prev)
{
	if (knob_crash) {
		/* where it was raised, so the report can point at it */
		scx_bpf_error("%s:%d: host-triggered crash", __FILE_NAME__,
			      __LINE__);
		return;
	}
	if ((knob_slow && slow_budget_spent()) ||
	    (knob_degrade && skip_this_dispatch(2))) {
		__sync_fetch_and_add(&nr_skipped, 1);
		return;
	}
	if (scx_bpf_consume(SHARED_DSQ)) {
		__sync_fetch_and_add(&nr_dispatched, 1);
		return;
	}
	/*
	 * Nobody is waiting: let the task that used up its slice go on
	 * rather than bounce it through the shared DSQ. A stalling or slow
	 * scheduler must not, or its knob would not bite.
	 */
	if (prev && (prev->scx.flags & SCX_TASK_QUEUED) && !knob_stall &&
	    !knob_slow)
		prev->scx.slice = task_slice();
}

void BPF_STRUCT_OPS(ktstr_running, struct task_struct *p)
{
	if (vtime_before(vtime_now, p->scx.dsq_vtime))
		vtime_now = p->scx.dsq_vtime;
}

void BPF_STRUCT_OPS(ktstr_stopping, struct task_struct *p, bool runnable)
{
	/* charge the slice used, scaled by the inverse of the weight */
	p->scx.dsq_vtime += (slice_ns - p->scx.slice) * 100 / p->scx.weight;
}

void BPF_STRUCT_OPS(ktstr_enable, struct task_struct *p)
{
	p->scx.dsq_vtime = vtime_now;
}

/*
 * A skipped dispatch leaves the CPU idle with work queued; nothing would
 * wake it while every task spins. Kick CPUs with work waiting so "slow"
 * stays slow instead of turning into a stall.
 */
static int kick_timer_fn(void *map, int *key, struct bpf_timer *timer)
{
	u32 i;

	if (scx_bpf_dsq_nr_queued(SHARED_DSQ) > 0)
		bpf_for(i, 0, nr_cpus)
			scx_bpf_kick_cpu(i, SCX_KICK_IDLE);
	bpf_timer_start(timer, knob_slow ? SLOW_KICK_INTERVAL_NS :
			KICK_INTERVAL_NS, 0);
	return 0;
}

s32 BPF_STRUCT_OPS_SLEEPABLE(ktstr_init)
{
	struct bpf_timer *timer;
	u32 zero = 0;
	s32 ret;

	if (fail_verify) {
		/* deliberately unchecked: the verifier must refuse this */
		u64 *v = bpf_map_lookup_elem(&verify_bait, &zero);

		return *v;
	}
	ret = scx_bpf_create_dsq(SHARED_DSQ, -1);
	if (!ret)
		ret = scx_bpf_create_dsq(PARKED_DSQ, -1);
	if (ret)
		return ret;
	timer = bpf_map_lookup_elem(&kick_timer, &zero);
	if (!timer)
		return -ESRCH;
	bpf_timer_init(timer, &kick_timer, CLOCK_MONOTONIC);
	bpf_timer_set_callback(timer, kick_timer_fn);
	return bpf_timer_start(timer, KICK_INTERVAL_NS, 0);
}

void BPF_STRUCT_OPS(ktstr_dump, struct scx_dump_ctx *dctx)
{
	scx_bpf_dump("scx_ktstr: crash=%d stall=%d slow=%d degrade=%d scattershot=%d pile=%d",
		     knob_crash, knob_stall, knob_slow, knob_degrade,
		     knob_scattershot, knob_pile);
	scx_bpf_dump(" enqueued=%llu dispatched=%llu skipped=%llu direct=%llu remote=%llu queued=%d\n",
		     nr_enqueued, nr_dispatched, nr_skipped, nr_direct,
		     nr_remote, scx_bpf_dsq_nr_queued(SHARED_DSQ));
}

void BPF_STRUCT_OPS(ktstr_exit, struct scx_exit_info *ei)
{
	UEI_RECORD(uei, ei);
}

SCX_OPS_DEFINE(ktstr_ops,
	       .select_cpu		= (void *)ktstr_select_cpu,
	       .enqueue			= (void *)ktstr_enqueue,
	       .dispatch		= (void *)ktstr_dispatch,
	       .running			= (void *)ktstr_running,
	       .stopping		= (void *)ktstr_stopping,
	       .enable			= (void *)ktstr_enable,
	       .init			= (void *)ktstr_init,
	       .dump			= (void *)ktstr_dump,
	       .exit			= (void *)ktstr_exit,
	       /*
		* See the last runnable task of a CPU at slice end too;
		* otherwise the kernel keeps it running without asking us
		* and the slow and stall knobs would miss a lone task.
		*/
	       .flags			= SCX_OPS_ENQ_LAST,
	       .name			= "ktstr");
