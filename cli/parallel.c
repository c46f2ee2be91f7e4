// SPDX-License-Identifier: GPL-2.0
/*
 * ktstr run -j N: up to N cases at once, each in a forked worker process
 * pinned to host CPUs no other worker of the run uses (qemu inherits the
 * worker's affinity). A worker writes everything of its case, the KTAP
 * result included, into a temporary file; the run prints those files in
 * declaration order, each when its turn comes, so the stream has the
 * shape of a -j 1 run.
 *
 * Processes, not threads: vm.c keeps its signal flags per process, and
 * run_case() and relay_case_output() keep static buffers.
 */
#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <fcntl.h>
#include <unistd.h>

#include "env.h"
#include "cases.h"
#include "ktap.h"
#include "util.h"

/* what a worker hands back, in memory shared with the run */
struct par_result {
	int done;
	int rc;
	bool failed;
	int n, pass, fail, skip;	/* its KTAP counts */
	char stats_path[4200];
	char dump_path[4200];
	char bundle_path[4200];
};

struct par_job {
	pid_t pid;
	FILE *buf;
	bool running, finished;
	int status;
	unsigned int mem_mb;
	cpu_set_t cpus;
};

/* the host CPUs this process may run on, in order */
static int host_cpus(int *list, int max)
{
	cpu_set_t set;
	int c, n = 0;

	if (sched_getaffinity(0, sizeof(set), &set)) {
		list[0] = 0;
		return 1;
	}
	for (c = 0; c < CPU_SETSIZE && n < max; c++)
		if (CPU_ISSET(c, &set))
			list[n++] = c;
	return n ? n : 1;
}

/* MemAvailable, in MiB; 0 when unknown */
static unsigned long mem_available_mb(void)
{
	char *m = read_file("/proc/meminfo", NULL), *p;
	unsigned long kb = 0;

	p = m ? strstr(m, "MemAvailable:") : NULL;
	if (p)
		kb = strtoul(p + strlen("MemAvailable:"), NULL, 10);
	free(m);
	return kb / 1024;
}

static bool tcg_single(bool kvm)
{
	return !kvm && !ktstr_env()->tcg_multi;
}

unsigned int run_default_jobs(bool kvm)
{
	int list[CPU_SETSIZE];

	/*
	 * Single-threaded TCG keeps one host CPU busy per VM; a KVM VM
	 * wants a host CPU per vCPU, which run_parallel() hands out per
	 * case: the count here is only the ceiling.
	 */
	return host_cpus(list, CPU_SETSIZE);
}

/* the host CPUs a case's VM gets */
static int cpus_needed(const struct test_case *c, bool kvm, int ncpus,
		       unsigned int jobs, bool explicit)
{
	int share = ncpus / (int)jobs > 1 ? ncpus / (int)jobs : 1;
	struct topo t;
	char err[128];

	if (tcg_single(kvm) || explicit)
		return share;
	if (topo_parse(c->topo, &t, err, sizeof(err)))
		return 1;
	return (int)topo_cpus(&t) < ncpus ? (int)topo_cpus(&t) : ncpus;
}

static unsigned int case_mem_mb(const struct run_opts *o,
				const struct test_case *c)
{
	struct topo t;
	char err[128];

	if (topo_parse(c->topo, &t, err, sizeof(err)))
		return 0;
	return vm_memory_mb(&t, o->vm.memory_mb ? o->vm.memory_mb :
			    c->memory_mb);
}

static void progress(const struct test_case *cases, const struct par_job *j,
		     int n, int done)
{
	int i, k = 0;

	fprintf(stderr, "ktstr: [%d/%d] running:", done, n);
	for (i = 0; i < n; i++)
		if (j[i].running)
			fprintf(stderr, "%s %s", k++ ? "," : "", cases[i].name);
	fprintf(stderr, "%s\n", k ? "" : " none");
}

/* the worker: one case, start to KTAP result, into @buf */
static void worker(const struct run_opts *o, struct test_case *c, int index,
		   int n, const struct rundir *rd, bool kvm,
		   struct par_result *res, FILE *buf, const cpu_set_t *cpus,
		   pid_t parent)
{
	struct ktap k = { .f = buf, .n = index };
	int null = open("/dev/null", O_RDONLY);

	prctl(PR_SET_PDEATHSIG, SIGTERM);
	if (getppid() != parent)
		_exit(128 + SIGTERM);
	/* no VM of a parallel run reads our stdin */
	if (null >= 0)
		dup2(null, 0);
	/* what deeper code prints on stdout goes with the case, in order */
	dup2(fileno(buf), 1);
	sched_setaffinity(0, sizeof(*cpus), cpus);
	vm_set_owner(parent);
	c->out = buf;
	res->rc = run_one(o, c, rd, kvm, &k);
	res->failed = c->failed;
	res->n = k.n - index;
	res->pass = k.pass;
	res->fail = k.fail;
	res->skip = k.skip;
	snprintf(res->stats_path, sizeof(res->stats_path), "%s", c->stats_path);
	snprintf(res->dump_path, sizeof(res->dump_path), "%s", c->dump_path);
	snprintf(res->bundle_path, sizeof(res->bundle_path), "%s",
		 c->bundle_path);
	fflush(buf);
	fflush(stdout);
	__atomic_store_n(&res->done, 1, __ATOMIC_RELEASE);
	_exit(0);
}

/* case @i's turn: its buffer onto stdout, its counts into @k */
static void emit(struct test_case *c, struct par_job *j,
		 struct par_result *res, struct ktap *k)
{
	char block[65536];
	size_t len;

	fflush(j->buf);
	fseek(j->buf, 0, SEEK_SET);
	while ((len = fread(block, 1, sizeof(block), j->buf)) > 0)
		fwrite(block, 1, len, stdout);
	fclose(j->buf);
	j->buf = NULL;
	fflush(stdout);
	if (!__atomic_load_n(&res->done, __ATOMIC_ACQUIRE)) {
		/* the worker died before its result: a failure, said so */
		printf("# ktstr: the worker running %s ended without a result (%s %d)\n",
		       c->name, WIFSIGNALED(j->status) ? "signal" : "exit",
		       WIFSIGNALED(j->status) ? WTERMSIG(j->status) :
		       WEXITSTATUS(j->status));
		c->out = stdout;
		c->failed = true;
		run_ktap(k, c, 1, "");
		return;
	}
	c->failed = res->failed;
	snprintf(c->stats_path, sizeof(c->stats_path), "%s", res->stats_path);
	snprintf(c->dump_path, sizeof(c->dump_path), "%s", res->dump_path);
	snprintf(c->bundle_path, sizeof(c->bundle_path), "%s",
		 res->bundle_path);
	k->n += res->n;
	k->pass += res->pass;
	k->fail += res->fail;
	k->skip += res->skip;
}

/* a -j run's state, shared by its steps */
struct par_run {
	const struct run_opts *o;
	struct test_case *cases;
	int n;
	const struct rundir *rd;
	bool kvm, explicit;
	unsigned int jobs;
	int cpu_list[CPU_SETSIZE], ncpus;
	int owner[CPU_SETSIZE];	/* the case holding each host CPU, or -1 */
	struct par_result *res;
	struct par_job *j;
	unsigned long avail, mem_used;
	int next, printed, running, done, sig;
	bool stop;
	pid_t parent;
};

/*
 * Start the next case if it fits: a free slot, free host CPUs and
 * memory (the first case always starts). False when nothing started.
 */
static bool start_next(struct par_run *r)
{
	struct par_job *j = &r->j[r->next];
	int need = cpus_needed(&r->cases[r->next], r->kvm, r->ncpus, r->jobs,
			       r->explicit), free_cpus = 0, c;
	unsigned int mem = case_mem_mb(r->o, &r->cases[r->next]);

	for (c = 0; c < r->ncpus; c++)
		free_cpus += r->owner[c] < 0;
	if (r->running && (free_cpus < need ||
			   (r->avail && r->mem_used + mem > r->avail)))
		return false;
	j->buf = tmp_file();
	if (!j->buf) {
		fprintf(stderr, "ktstr run: -j: no temporary file: %s; no further case starts\n",
			strerror(errno));
		r->stop = true;
		return false;
	}
	setvbuf(j->buf, NULL, _IOLBF, 0);
	CPU_ZERO(&j->cpus);
	for (c = 0; c < r->ncpus && need > 0; c++) {
		if (r->owner[c] >= 0)
			continue;
		r->owner[c] = r->next;
		CPU_SET(r->cpu_list[c], &j->cpus);
		need--;
	}
	j->mem_mb = mem;
	fflush(stdout);
	fflush(stderr);
	j->pid = fork();
	if (j->pid == 0)
		worker(r->o, &r->cases[r->next], r->next, r->n, r->rd, r->kvm,
		       &r->res[r->next], j->buf, &j->cpus, r->parent);
	if (j->pid < 0) {
		fprintf(stderr, "ktstr run: -j: fork: %s\n", strerror(errno));
		j->finished = true;
	} else {
		j->running = true;
		r->running++;
	}
	r->mem_used += mem;
	r->next++;
	progress(r->cases, r->j, r->n, r->done);
	return true;
}

/* collect the workers that ended, freeing their CPUs and memory */
static bool reap(struct par_run *r)
{
	bool moved = false;
	int i, c;

	for (i = 0; i < r->next; i++) {
		struct par_job *j = &r->j[i];

		if (!j->running ||
		    waitpid(j->pid, &j->status, WNOHANG) != j->pid)
			continue;
		j->running = false;
		j->finished = true;
		r->running--;
		r->done++;
		r->mem_used -= j->mem_mb;
		for (c = 0; c < r->ncpus; c++)
			if (r->owner[c] == i)
				r->owner[c] = -1;
		moved = true;
		if (!r->sig)
			progress(r->cases, r->j, r->n, r->done);
	}
	return moved;
}

int run_parallel(const struct run_opts *o, struct test_case *cases, int n,
		 const struct rundir *rd, bool kvm, struct ktap *k,
		 unsigned int jobs, bool explicit)
{
	struct par_run *r = xcalloc(1, sizeof(*r));
	int i, c, started;

	*r = (struct par_run){ .o = o, .cases = cases, .n = n, .rd = rd,
			       .kvm = kvm, .explicit = explicit, .jobs = jobs,
			       .avail = mem_available_mb(),
			       .parent = getpid() };
	r->ncpus = host_cpus(r->cpu_list, CPU_SETSIZE);
	r->j = xcalloc(n, sizeof(*r->j));
	r->res = mmap(NULL, n * sizeof(*r->res), PROT_READ | PROT_WRITE,
		      MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (r->res == MAP_FAILED) {
		fprintf(stderr, "ktstr run: -j: cannot share results: %s\n",
			strerror(errno));
		free(r->j);
		free(r);
		return -1;
	}
	for (c = 0; c < r->ncpus; c++)
		r->owner[c] = -1;
	if ((int)jobs > r->ncpus)
		fprintf(stderr, "ktstr: -j %u on %d host CPUs: at most %d VMs at once, each on host CPUs of its own\n",
			jobs, r->ncpus, r->ncpus);
	while (r->printed < n) {
		bool moved = false;

		while (!vm_interrupted() && !r->stop && r->next < n &&
		       r->running < (int)jobs && start_next(r))
			moved = true;
		/* Ctrl-C or SIGTERM: every worker stops its VM */
		if (vm_interrupted() && !r->sig) {
			r->sig = vm_interrupted();
			for (i = 0; i < r->next; i++)
				if (r->j[i].running)
					kill(r->j[i].pid, r->sig);
		}
		moved |= reap(r);
		/* finished cases in declaration order, each when its turn comes */
		for (; r->printed < r->next && r->j[r->printed].finished;
		     r->printed++, moved = true)
			if (r->j[r->printed].buf)
				emit(&cases[r->printed], &r->j[r->printed],
				     &r->res[r->printed], k);
		if ((r->sig || r->stop) && !r->running &&
		    r->printed == r->next)
			break;
		if (!moved)
			usleep(20000);
	}
	started = r->next;
	munmap(r->res, n * sizeof(*r->res));
	free(r->j);
	free(r);
	return started;
}
