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
 * Knobs for the classic bugs of the catalog in Documentation/checks.md,
 * each a mistake real schedulers have made:
 *
 * unfair_slices	the shared DSQ becomes a plain FIFO, tasks with an odd
 *		pid get an eighth of the slice and those with an even pid
 *		four times it: under contention the odd ones get ten times
 *		less CPU (a slice ends on a tick at the earliest: 4 ms at
 *		HZ=250, so an eighth alone is only 5:1), yet every task
 *		runs every round.
 * ignore_weights	cgroup cpu.weight is claimed (SCX_OPS_HAS_CGROUP_WEIGHT)
 *		but not applied: every cgroup's tasks are charged alike.
 * ignore_nice	task weights (nice) are not applied to the vtime charge.
 * tick_only	wakeups are not acted on: select_cpu never dispatches to an
 *		idle CPU and a CPU consumes the shared DSQ at most once per
 *		TICK_ONLY_PERIOD_NS, as if it only looked on its tick.
 * strand_pinned	tasks allowed on fewer CPUs than the machine has are
 *		queued where only CPU 0 looks: one pinned elsewhere is never
 *		run.
 * ignore_cpuset	tasks are dispatched to the next CPU whether or not
 *		their cpumask allows it; the kernel ejects the scheduler.
 *
 * ops.dump prints one line with the knobs and counters, which lands in the
 * kernel's debug dump when the scheduler errors out.
 */
#include <scx/common.bpf.h>

char _license[] SEC("license") = "GPL";

#define SHARED_DSQ	0
#define PARKED_DSQ	1	/* stall: never consumed */
#define CPU0_DSQ	2	/* strand_pinned: consumed by CPU 0 only */
#define PF_KTHREAD	0x00200000	/* include/linux/sched.h */
#define MAX_CPUS	512
/* how often the kick timer wakes idle CPUs that have work waiting */
#define KICK_INTERVAL_NS	(2 * 1000 * 1000ULL)
#define SLOW_KICK_INTERVAL_NS	(1 * 1000 * 1000ULL)
/* slow: one task start per period, each with a short slice */
#define SLOW_PERIOD_NS		(8 * 1000 * 1000ULL)
#define SLOW_SLICE_NS		(1 * 1000 * 1000ULL)
/* tick_only: how often a CPU looks at the shared DSQ (a 100 Hz tick) */
#define TICK_ONLY_PERIOD_NS	(10 * 1000 * 1000ULL)

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
volatile bool knob_unfair_slices;
volatile bool knob_ignore_weights;
volatile bool knob_ignore_nice;
volatile bool knob_tick_only;
volatile bool knob_strand_pinned;
volatile bool knob_ignore_cpuset;

/* counters, read by the loader and printed by ops.dump */
u64 nr_enqueued, nr_dispatched, nr_skipped, nr_direct, nr_remote;

static u64 vtime_now;
static u64 last_slow_start;	/* slow: when the last task was started */
UEI_DEFINE(uei);

/* per-CPU dispatch state: calls (degrade), last consume (tick_only) */
struct cpu_ctx {
	u64 calls;
	u64 last_consume;
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, u32);
	__type(value, struct cpu_ctx);
} cpu_ctx SEC(".maps");

/*
 * cgroup cpu.weight support, flattened: a task's share is its own weight
 * times its cgroup's weight, split among the cgroup's tasks. Siblings
 * under one parent (what the suite's cases declare) then share by
 * cpu.weight; a deeper hierarchy is approximated, as the comment on
 * cgrp_weight() says.
 */
struct cgrp_ctx {
	u32 weight;
	s32 nr_tasks;
};

struct {
	__uint(type, BPF_MAP_TYPE_CGRP_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct cgrp_ctx);
} cgrp_ctx SEC(".maps");

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

static u64 task_slice(const struct task_struct *p)
{
	if (knob_slow)
		return SLOW_SLICE_NS;
	if (knob_unfair_slices)
		return p->pid & 1 ? slice_ns / 8 : slice_ns * 4;
	return slice_ns;
}

static struct cpu_ctx *this_cpu_ctx(void)
{
	u32 zero = 0;

	return bpf_map_lookup_elem(&cpu_ctx, &zero);
}

/*
 * The weight @p's used time is divided by: its task weight (100 at nice
 * 0), scaled by its cgroup's cpu.weight over 100 and split among the
 * cgroup's tasks. Tasks of the root cgroup (kernel threads, the harness)
 * keep their own weight: the root has no siblings to share with.
 */
static u64 charge_weight(struct task_struct *p)
{
	u64 w = knob_ignore_nice ? 100 : p->scx.weight;
	struct cgrp_ctx *c = NULL;
	struct cgroup *cgrp;

	if (knob_ignore_weights)
		return w;
	cgrp = scx_bpf_task_cgroup(p);
	if (cgrp->level > 0)
		c = bpf_cgrp_storage_get(&cgrp_ctx, cgrp, 0, 0);
	if (c && c->weight)
		w = w * c->weight / 100 / (c->nr_tasks > 1 ? c->nr_tasks : 1);
	bpf_cgroup_release(cgrp);
	return w ?: 1;
}

static void count_task(struct cgroup *cgrp, s32 delta)
{
	struct cgrp_ctx *c = bpf_cgrp_storage_get(&cgrp_ctx, cgrp, 0, 0);

	if (c)
		__sync_fetch_and_add(&c->nr_tasks, delta);
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

	/* tick_only: the wakeup is not acted on, the task waits in line */
	if (knob_tick_only)
		return prev_cpu;
	cpu = scx_bpf_select_cpu_dfl(p, prev_cpu, wake_flags, &is_idle);
	/* a stalling scheduler must not let tasks slip past the shared DSQ */
	if (is_idle && !knob_stall && !knob_slow && !knob_scattershot &&
	    !knob_degrade && !knob_pile && !knob_strand_pinned) {
		__sync_fetch_and_add(&nr_direct, 1);
		scx_bpf_dispatch(p, SCX_DSQ_LOCAL, task_slice(p), 0);
	}
	return cpu;
}

void BPF_STRUCT_OPS(ktstr_enqueue, struct task_struct *p, u64 enq_flags)
{
	u64 vtime = p->scx.dsq_vtime;
	s32 target = -1;

	__sync_fetch_and_add(&nr_enqueued, 1);
	if (knob_stall && !(p->flags & PF_KTHREAD)) {
		scx_bpf_dispatch(p, PARKED_DSQ, task_slice(p), enq_flags);
		return;
	}
	if (knob_strand_pinned && !(p->flags & PF_KTHREAD) &&
	    p->nr_cpus_allowed < nr_cpus) {
		scx_bpf_dispatch(p, CPU0_DSQ, task_slice(p), enq_flags);
		return;
	}
	if (knob_ignore_cpuset && !(p->flags & PF_KTHREAD)) {
		/* the bug: no look at p->cpus_ptr before choosing */
		scx_bpf_dispatch(p, SCX_DSQ_LOCAL_ON |
				 ((scx_bpf_task_cpu(p) + 1) % nr_cpus),
				 task_slice(p), enq_flags);
		return;
	}
	if (knob_unfair_slices) {
		scx_bpf_dispatch(p, SHARED_DSQ, task_slice(p), enq_flags);
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
		scx_bpf_dispatch(p, SCX_DSQ_LOCAL_ON | target, task_slice(p),
				 enq_flags);
		scx_bpf_kick_cpu(target, SCX_KICK_IDLE);
		return;
	}

	/* an idle task may bank at most one slice of credit */
	if (vtime_before(vtime, vtime_now - slice_ns))
		vtime = vtime_now - slice_ns;
	scx_bpf_dispatch_vtime(p, SHARED_DSQ, task_slice(p), vtime,
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
	struct cpu_ctx *c = this_cpu_ctx();

	if (!c)
		return false;
	return c->calls++ % share != 0;
}

/* tick_only: true unless this CPU's period since its last look is over */
static bool before_tick(void)
{
	struct cpu_ctx *c = this_cpu_ctx();
	u64 now = bpf_ktime_get_ns();

	if (!c || now - c->last_consume >= TICK_ONLY_PERIOD_NS) {
		if (c)
			c->last_consume = now;
		return false;
	}
	return true;
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
	    (knob_degrade && skip_this_dispatch(2)) ||
	    (knob_tick_only && before_tick())) {
		__sync_fetch_and_add(&nr_skipped, 1);
		return;
	}
	if (cpu == 0 && scx_bpf_consume(CPU0_DSQ)) {
		__sync_fetch_and_add(&nr_dispatched, 1);
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
		prev->scx.slice = task_slice(prev);
}

void BPF_STRUCT_OPS(ktstr_running, struct task_struct *p)
{
	if (vtime_before(vtime_now, p->scx.dsq_vtime))
		vtime_now = p->scx.dsq_vtime;
}

void BPF_STRUCT_OPS(ktstr_stopping, struct task_struct *p, bool runnable)
{
	u64 slice = task_slice(p), used;

	/* charge the slice used, scaled by the inverse of the weight */
	used = slice > p->scx.slice ? slice - p->scx.slice : 0;
	p->scx.dsq_vtime += used * 100 / charge_weight(p);
}

void BPF_STRUCT_OPS(ktstr_enable, struct task_struct *p)
{
	struct cgroup *cgrp = scx_bpf_task_cgroup(p);

	count_task(cgrp, 1);
	bpf_cgroup_release(cgrp);
	p->scx.dsq_vtime = vtime_now;
}

void BPF_STRUCT_OPS(ktstr_disable, struct task_struct *p)
{
	struct cgroup *cgrp = scx_bpf_task_cgroup(p);

	count_task(cgrp, -1);
	bpf_cgroup_release(cgrp);
}

s32 BPF_STRUCT_OPS(ktstr_cgroup_init, struct cgroup *cgrp,
		   struct scx_cgroup_init_args *args)
{
	struct cgrp_ctx *c;

	c = bpf_cgrp_storage_get(&cgrp_ctx, cgrp, 0,
				 BPF_LOCAL_STORAGE_GET_F_CREATE);
	if (!c)
		return -ENOMEM;
	c->weight = args->weight;
	return 0;
}

void BPF_STRUCT_OPS(ktstr_cgroup_set_weight, struct cgroup *cgrp, u32 weight)
{
	struct cgrp_ctx *c = bpf_cgrp_storage_get(&cgrp_ctx, cgrp, 0, 0);

	if (c)
		c->weight = weight;
}

void BPF_STRUCT_OPS(ktstr_cgroup_move, struct task_struct *p,
		    struct cgroup *from, struct cgroup *to)
{
	count_task(from, -1);
	count_task(to, 1);
}

/*
 * A skipped dispatch leaves the CPU idle with work queued; nothing would
 * wake it while every task spins. Kick CPUs with work waiting so "slow"
 * stays slow instead of turning into a stall.
 */
static int kick_timer_fn(void *map, int *key, struct bpf_timer *timer)
{
	u64 next = KICK_INTERVAL_NS;
	u32 i;

	if (scx_bpf_dsq_nr_queued(SHARED_DSQ) > 0)
		bpf_for(i, 0, nr_cpus)
			scx_bpf_kick_cpu(i, SCX_KICK_IDLE);
	/* tick_only: idle CPUs hear of waiting work on the tick only */
	if (knob_slow)
		next = SLOW_KICK_INTERVAL_NS;
	else if (knob_tick_only)
		next = TICK_ONLY_PERIOD_NS;
	bpf_timer_start(timer, next, 0);
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
	if (!ret)
		ret = scx_bpf_create_dsq(CPU0_DSQ, -1);
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
	scx_bpf_dump(" unfair_slices=%d ignore_weights=%d ignore_nice=%d tick_only=%d strand_pinned=%d ignore_cpuset=%d",
		     knob_unfair_slices, knob_ignore_weights, knob_ignore_nice,
		     knob_tick_only, knob_strand_pinned, knob_ignore_cpuset);
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
	       .disable			= (void *)ktstr_disable,
	       .cgroup_init		= (void *)ktstr_cgroup_init,
	       .cgroup_set_weight	= (void *)ktstr_cgroup_set_weight,
	       .cgroup_move		= (void *)ktstr_cgroup_move,
	       .init			= (void *)ktstr_init,
	       .dump			= (void *)ktstr_dump,
	       .exit			= (void *)ktstr_exit,
	       /*
		* See the last runnable task of a CPU at slice end too;
		* otherwise the kernel keeps it running without asking us
		* and the slow and stall knobs would miss a lone task.
		*/
	       .flags			= SCX_OPS_ENQ_LAST |
					  SCX_OPS_HAS_CGROUP_WEIGHT,
	       .name			= "ktstr");
