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

#include "run.h"
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
	const char *t = getenv("KTSTR_TCG_THREAD");

	return !kvm && !(t && !strcmp(t, "multi"));
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

int run_parallel(const struct run_opts *o, struct test_case *cases, int n,
		 const struct rundir *rd, bool kvm, struct ktap *k,
		 unsigned int jobs, bool explicit)
{
	static int cpu_list[CPU_SETSIZE];
	int ncpus = host_cpus(cpu_list, CPU_SETSIZE);
	int owner[CPU_SETSIZE];
	struct par_result *res;
	struct par_job *j = xcalloc(n, sizeof(*j));
	unsigned long avail = mem_available_mb(), mem_used = 0;
	int i, c, next = 0, printed = 0, running = 0, done = 0, sig = 0;
	pid_t parent = getpid();
	bool stop = false;

	res = mmap(NULL, n * sizeof(*res), PROT_READ | PROT_WRITE,
		   MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (res == MAP_FAILED) {
		fprintf(stderr, "ktstr run: -j: cannot share results: %s\n",
			strerror(errno));
		free(j);
		return -1;
	}
	for (c = 0; c < ncpus; c++)
		owner[c] = -1;
	if ((int)jobs > ncpus)
		fprintf(stderr, "ktstr: -j %u on %d host CPUs: at most %d VMs at once, each on host CPUs of its own\n",
			jobs, ncpus, ncpus);
	while (printed < n) {
		bool moved = false;

		/* start what fits: a free slot, free CPUs and memory */
		while (!vm_interrupted() && !stop && next < n &&
		       running < (int)jobs) {
			int need = cpus_needed(&cases[next], kvm, ncpus, jobs,
					       explicit), free_cpus = 0;
			unsigned int mem = case_mem_mb(o, &cases[next]);

			for (c = 0; c < ncpus; c++)
				free_cpus += owner[c] < 0;
			if (running && (free_cpus < need ||
					(avail && mem_used + mem > avail)))
				break;
			j[next].buf = tmp_file();
			if (!j[next].buf) {
				fprintf(stderr, "ktstr run: -j: no temporary file: %s; no further case starts\n",
					strerror(errno));
				stop = true;
				break;
			}
			setvbuf(j[next].buf, NULL, _IOLBF, 0);
			CPU_ZERO(&j[next].cpus);
			for (c = 0; c < ncpus && need > 0; c++) {
				if (owner[c] >= 0)
					continue;
				owner[c] = next;
				CPU_SET(cpu_list[c], &j[next].cpus);
				need--;
			}
			j[next].mem_mb = mem;
			fflush(stdout);
			fflush(stderr);
			j[next].pid = fork();
			if (j[next].pid == 0)
				worker(o, &cases[next], next, n, rd, kvm,
				       &res[next], j[next].buf, &j[next].cpus,
				       parent);
			if (j[next].pid < 0) {
				fprintf(stderr, "ktstr run: -j: fork: %s\n",
					strerror(errno));
				j[next].finished = true;
			} else {
				j[next].running = true;
				running++;
			}
			mem_used += mem;
			next++;
			moved = true;
			progress(cases, j, n, done);
		}
		/* Ctrl-C or SIGTERM: every worker stops its VM */
		if (vm_interrupted() && !sig) {
			sig = vm_interrupted();
			for (i = 0; i < next; i++)
				if (j[i].running)
					kill(j[i].pid, sig);
		}
		for (i = 0; i < next; i++) {
			if (!j[i].running ||
			    waitpid(j[i].pid, &j[i].status, WNOHANG) != j[i].pid)
				continue;
			j[i].running = false;
			j[i].finished = true;
			running--;
			done++;
			mem_used -= j[i].mem_mb;
			for (c = 0; c < ncpus; c++)
				if (owner[c] == i)
					owner[c] = -1;
			moved = true;
			if (!sig)
				progress(cases, j, n, done);
		}
		while (printed < next && j[printed].finished) {
			if (j[printed].buf)
				emit(&cases[printed], &j[printed],
				     &res[printed], k);
			printed++;
			moved = true;
		}
		if ((sig || stop) && !running && printed == next)
			break;
		if (!moved)
			usleep(20000);
	}
	munmap(res, n * sizeof(*res));
	free(j);
	return next;
}
