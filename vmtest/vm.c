// SPDX-License-Identifier: GPL-2.0
/*
 * The VM runner: qemu argv from the topology, the channel, the deadline,
 * and the classification of how a boot ended.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "channel.h"
#include "console.h"
#include "util.h"
#include "vm.h"

#define MAX_QEMU_ARGS	128

static volatile sig_atomic_t vm_signal;
/* the first signal of the process: it stays, so a run stops for good */
static volatile sig_atomic_t vm_stop_signal;

static void on_signal(int sig)
{
	vm_signal = sig;
	if (!vm_stop_signal)
		vm_stop_signal = sig;
}

int vm_interrupted(void)
{
	return vm_stop_signal;
}

void vm_catch_signals(void)
{
	struct sigaction sa = { .sa_handler = on_signal };

	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
}

unsigned int vm_memory_mb(const struct topo *t, unsigned int requested)
{
	unsigned int floor = topo_cpus(t) * 64;

	if (!requested)
		requested = 2048;
	if (floor < 256)
		floor = 256;
	return requested > floor ? requested : floor;
}

bool vm_topo_bootable(const struct topo *t, bool kvm, char *why, size_t len)
{
	if (kvm || topo_max_apic_id(t) <= TOPO_TCG_MAX_APIC_ID)
		return true;
	snprintf(why, len,
		 "needs APIC IDs up to %u, and qemu without KVM's irqchip (TCG) stops at %u: no x2APIC there",
		 topo_max_apic_id(t), TOPO_TCG_MAX_APIC_ID);
	return false;
}

bool vm_kvm_usable(char *why, size_t len)
{
	char *cpuinfo;
	bool hw;
	int fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);

	if (fd < 0) {
		snprintf(why, len, "/dev/kvm: %s", strerror(errno));
		return false;
	}
	close(fd);
	/*
	 * A paravirtual KVM (kvm_pvm) opens fine but cannot boot a normal
	 * kernel: it hangs in "Decompressing Linux...". Only hardware
	 * virtualization is trusted.
	 */
	cpuinfo = read_file("/proc/cpuinfo", NULL);
	hw = cpuinfo && (strstr(cpuinfo, " vmx") || strstr(cpuinfo, " svm"));
	free(cpuinfo);
	if (!hw)
		snprintf(why, len,
			 "/dev/kvm exists but the CPU shows no vmx/svm (a paravirtual KVM cannot boot a normal kernel)");
	return hw;
}

bool vm_is_bzimage(const char *path, char *why, size_t len)
{
	unsigned char hdr[0x210];
	struct stat st;
	int fd;
	ssize_t n;

	if (!path || !*path) {
		snprintf(why, len,
			 "no kernel image: pass --kernel PATH or build one with './ktstr kernel build'");
		return false;
	}
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st)) {
		snprintf(why, len, "kernel image '%s': %s", path,
			 strerror(errno));
		if (fd >= 0)
			close(fd);
		return false;
	}
	n = read(fd, hdr, sizeof(hdr));
	close(fd);
	/* boot sector signature 0x55aa at 0x1fe, "HdrS" at 0x202 */
	if (n < (ssize_t)sizeof(hdr) || hdr[0x1fe] != 0x55 ||
	    hdr[0x1ff] != 0xaa || memcmp(hdr + 0x202, "HdrS", 4)) {
		snprintf(why, len,
			 "kernel image '%s' is not an x86 bzImage (no boot header); pass arch/x86/boot/bzImage, not vmlinux",
			 path);
		return false;
	}
	return true;
}

struct argv_buf {
	char *v[MAX_QEMU_ARGS + 1];
	int n;
};

static void arg(struct argv_buf *a, const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) < 0)
		s = NULL;
	va_end(ap);
	if (!s || a->n == MAX_QEMU_ARGS) {
		fputs("ktstr: qemu command line too long\n", stderr);
		exit(VM_EXIT_USAGE);
	}
	a->v[a->n++] = s;
	a->v[a->n] = NULL;
}

static const char *qemu_binary(void)
{
	const char *q = getenv("KTSTR_QEMU");

	return q && *q ? q : "qemu-system-x86_64";
}

/*
 * Topology: one socket per NUMA node, one die per LLC. With an Intel
 * vendor string qemu describes the L3 as shared by the CPUs of a die, so
 * the guest sees one LLC per die; with its default AMD model under TCG
 * the L3 would span the whole socket.
 */
static void topology_args(struct argv_buf *a, const struct topo *t,
			  unsigned int mem_mb)
{
	unsigned int i, per_node = mem_mb / t->nodes;

	arg(a, "-smp");
	arg(a, "cpus=%u,sockets=%u,dies=%u,cores=%u,threads=%u",
	    topo_cpus(t), t->nodes, topo_llcs_per_node(t), t->cores,
	    t->threads);
	arg(a, "-m");
	arg(a, "%uM", per_node * t->nodes);
	if (t->nodes < 2)
		return;
	for (i = 0; i < t->nodes; i++) {
		arg(a, "-object");
		arg(a, "memory-backend-ram,id=mem%u,size=%uM", i, per_node);
		arg(a, "-numa");
		arg(a, "node,nodeid=%u,memdev=mem%u", i, i);
	}
	for (i = 0; i < t->nodes; i++) {
		arg(a, "-numa");
		arg(a, "cpu,node-id=%u,socket-id=%u", i, i);
	}
}

static void accel_args(struct argv_buf *a, bool kvm)
{
	const char *threads = getenv("KTSTR_TCG_THREAD");

	if (kvm) {
		arg(a, "-accel");
		arg(a, "kvm");
		arg(a, "-cpu");
		arg(a, "host");
		return;
	}
	/*
	 * Single-threaded TCG by default: multi-threaded TCG oopsed guests
	 * with a spurious int3 while sched_ext patched static keys on
	 * scheduler enable/disable (3 of 3 runs on qemu 7.2), single-threaded
	 * ran clean. KTSTR_TCG_THREAD=multi overrides.
	 */
	if (!threads || strcmp(threads, "multi"))
		threads = "single";
	arg(a, "-accel");
	arg(a, "tcg,thread=%s", threads);
	arg(a, "-cpu");
	arg(a, "max,vendor=GenuineIntel");
}

static void build_argv(struct argv_buf *a, const struct vm_config *cfg,
		       bool kvm, const char *sock, const char *conlog)
{
	unsigned int mem = vm_memory_mb(&cfg->topo, cfg->memory_mb);

	arg(a, "%s", qemu_binary());
	arg(a, "-nodefaults");
	arg(a, "-no-user-config");
	arg(a, "-display");
	arg(a, "none");
	arg(a, "-M");
	arg(a, "pc");
	accel_args(a, kvm);
	topology_args(a, &cfg->topo, mem);
	arg(a, "-kernel");
	arg(a, "%s", cfg->kernel);
	arg(a, "-initrd");
	arg(a, "%s", cfg->initramfs);
	/*
	 * panic=-1 and -no-reboot: a panic ends qemu at once instead of
	 * rebooting into a loop; oops=panic makes an oops end it too, so a
	 * broken guest is never mistaken for a slow one.
	 */
	arg(a, "-append");
	arg(a, "console=ttyS0,115200 rdinit=/init panic=-1 oops=panic loglevel=%d mitigations=off nokaslr i8042.noaux i8042.nomux i8042.nopnp i8042.dumbkbd tsc=reliable%s%s",
	    cfg->verbose || cfg->dmesg ? 7 : 4, cfg->append ? " " : "",
	    cfg->append ? cfg->append : "");
	arg(a, "-no-reboot");
	if (cfg->tty) {
		/* console and monitor on the terminal; a copy in the log */
		arg(a, "-chardev");
		arg(a, "stdio,id=con,mux=on,signal=off,logfile=%s", conlog);
		arg(a, "-serial");
		arg(a, "chardev:con");
		arg(a, "-mon");
		arg(a, "chardev=con,mode=readline");
	} else {
		arg(a, "-chardev");
		arg(a, "file,id=con,path=%s", conlog);
		arg(a, "-serial");
		arg(a, "chardev:con");
	}
	arg(a, "-device");
	arg(a, "virtio-serial-pci,id=vs");
	arg(a, "-chardev");
	arg(a, "socket,id=io,path=%s", sock);
	arg(a, "-device");
	arg(a, "virtserialport,bus=vs.0,chardev=io,name=%s",
	    CHANNEL_PORT_NAME);
}

static int listen_unix(const char *path)
{
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

	if (fd < 0)
		return -1;
	snprintf(addr.sun_path, sizeof(addr.sun_path), "%s", path);
	if (bind(fd, (struct sockaddr *)&addr, sizeof(addr)) ||
	    listen(fd, 1)) {
		close(fd);
		return -1;
	}
	return fd;
}

struct qemu_proc {
	pid_t pid;
	int pidfd;
	int status;
	bool exited;
};

/*
 * Start qemu in its own process group, killed with us even if we are
 * SIGKILLed (PR_SET_PDEATHSIG). An exec failure comes back through a
 * close-on-exec pipe so "qemu not installed" is told apart from "qemu
 * refused the arguments".
 */
static int spawn_qemu(struct argv_buf *a, bool tty, const char *qemu_log,
		      struct qemu_proc *q, char *why, size_t len)
{
	int p[2], err = 0;
	ssize_t n;

	if (pipe2(p, O_CLOEXEC))
		return -1;
	q->pid = fork();
	if (q->pid < 0)
		return -1;
	if (q->pid == 0) {
		int fd;

		close(p[0]);
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (!tty) {
			setpgid(0, 0);
			fd = open("/dev/null", O_RDONLY);
			dup2(fd, 0);
			fd = open(qemu_log, O_WRONLY | O_CREAT | O_TRUNC, 0644);
			dup2(fd, 1);
			dup2(fd, 2);
		}
		execvp(a->v[0], a->v);
		err = errno;
		n = write(p[1], &err, sizeof(err));
		_exit(127 + 0 * n);
	}
	close(p[1]);
	n = read(p[0], &err, sizeof(err));
	close(p[0]);
	if (n == sizeof(err)) {
		waitpid(q->pid, NULL, 0);
		q->pid = 0;
		snprintf(why, len,
			 "cannot run qemu '%s': %s (install qemu-system-x86 with vmtest/install-deps.sh, or set KTSTR_QEMU)",
			 a->v[0], strerror(err));
		return -1;
	}
	q->pidfd = syscall(SYS_pidfd_open, q->pid, 0);
	return 0;
}

static void reap(struct qemu_proc *q, bool block)
{
	if (q->exited || q->pid <= 0)
		return;
	if (waitpid(q->pid, &q->status, block ? 0 : WNOHANG) == q->pid)
		q->exited = true;
}

static void kill_qemu(struct qemu_proc *q)
{
	if (q->pid <= 0 || q->exited)
		return;
	kill(q->pid, SIGKILL);
	reap(q, true);
}

static int send_command(int fd, const struct vm_config *cfg)
{
	char buf[CHANNEL_MAX_PAYLOAD * 4];
	size_t len = 0;
	int i;

	for (i = 0; cfg->argv[i]; i++) {
		size_t n = strlen(cfg->argv[i]) + 1;

		if (len + n > sizeof(buf))
			return -E2BIG;
		memcpy(buf + len, cfg->argv[i], n);
		len += n;
	}
	if (channel_send(fd, CH_ARGV, buf, len))
		return -EIO;
	for (i = 0; cfg->env && cfg->env[i]; i++)
		channel_send(fd, CH_ENV, cfg->env[i], strlen(cfg->env[i]));
	if (cfg->tty)
		channel_send(fd, CH_TTY, NULL, 0);
	return channel_send(fd, CH_GO, NULL, 0);
}

/* Host stdin goes to the command only when it is not a terminal. */
static void forward_stdin(int chan, int *in)
{
	char buf[CHANNEL_MAX_PAYLOAD];
	ssize_t n = read(*in, buf, sizeof(buf));

	if (n > 0) {
		channel_send(chan, CH_STDIN, buf, n);
		return;
	}
	channel_send(chan, CH_STDIN_EOF, NULL, 0);
	*in = -1;
}

static void write_out(int fd, const char *buf, int len)
{
	while (len > 0) {
		ssize_t n = write(fd, buf, len);

		if (n <= 0) {
			if (n < 0 && errno == EINTR)
				continue;
			return;
		}
		buf += n;
		len -= n;
	}
}

static const char *signame(int sig)
{
	return sig == SIGINT ? "SIGINT" : sig == SIGTERM ? "SIGTERM" :
	       sig == SIGHUP ? "SIGHUP" : "a signal";
}

struct vm_state {
	const struct vm_config *cfg;
	struct vm_result *res;
	struct qemu_proc q;
	int chan;
	int stdin_fd;
	bool init_up;
	long long start_ms, started_ms, exit_frame_ms;
	struct console_tail tail;
	char guest_error[512];
};

static void handle_frame(struct vm_state *s)
{
	char buf[CHANNEL_MAX_PAYLOAD + 1];
	int type, len = channel_recv(s->chan, &type, buf);

	if (len < 0) {
		close(s->chan);
		s->chan = -1;
		return;
	}
	buf[len] = '\0';
	switch (type) {
	case CH_INIT_UP:
		s->init_up = true;
		break;
	case CH_STARTED:
		s->res->command_ran = true;
		s->started_ms = now_ms();
		s->res->boot_s = (s->started_ms - s->start_ms) / 1000.0;
		break;
	case CH_STDOUT:
		write_out(s->cfg->out_fd > 0 ? s->cfg->out_fd : 1, buf, len);
		break;
	case CH_STDERR:
		write_out(s->cfg->err_fd > 0 ? s->cfg->err_fd : 2, buf, len);
		break;
	case CH_EXIT:
		s->res->command_exited = true;
		s->res->command_status = atoi(buf);
		s->exit_frame_ms = now_ms();
		break;
	case CH_ERROR:
		snprintf(s->guest_error, sizeof(s->guest_error), "%s", buf);
		break;
	}
}

static void set_reason(struct vm_result *res, int code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(res->reason, sizeof(res->reason), fmt, ap);
	va_end(ap);
	res->exit_code = code;
}

static const char *stage(const struct vm_state *s)
{
	if (s->res->command_ran)
		return "the command was running";
	if (s->init_up)
		return "init started but the command never ran";
	return "init never started (kernel boot or initramfs failure)";
}

/* Deadline for the current stage, in ms since the epoch of now_ms(). */
static long long deadline_ms(const struct vm_state *s, bool kvm)
{
	unsigned int cpus = topo_cpus(&s->cfg->topo);
	long long boot = kvm ? 20000 + 250LL * cpus : 60000 + 1000LL * cpus;
	double scale = 1.0;
	const char *env = getenv("KTSTR_TCG_SCALE");

	if (s->exit_frame_ms)
		return s->exit_frame_ms + 15000;	/* power-off */
	if (!s->res->command_ran)
		return s->cfg->tty ? 0 : s->start_ms + boot;
	if (!s->cfg->timeout_s)
		return 0;
	if (!kvm)
		scale = env && atof(env) > 0 ? atof(env) : 2.0;
	return s->started_ms + (long long)(s->cfg->timeout_s * 1000 * scale);
}

static void classify(struct vm_state *s, bool timed_out)
{
	struct vm_result *res = s->res;
	char oops[4096];

	if (console_find_oops(res->console_log, oops, sizeof(oops))) {
		set_reason(res, VM_EXIT_PANIC, "guest kernel %s (%s)",
			   strstr(oops, "Kernel panic") ? "panic" : "oops",
			   stage(s));
		fprintf(stderr, "ktstr: %s\n%s", res->reason, oops);
		return;
	}
	if (timed_out) {
		set_reason(res, VM_EXIT_HANG,
			   "guest hang: no result %s (%s); the VM was killed",
			   s->res->command_ran ? "within --timeout" :
			   "within the boot budget", stage(s));
		fprintf(stderr, "ktstr: %s\nktstr: last console lines:\n",
			res->reason);
		console_print_tail(res->console_log, 20, stderr);
		return;
	}
	if (res->command_exited) {
		res->exit_code = res->command_status;
		return;
	}
	if (!s->init_up && s->q.exited && WIFEXITED(s->q.status) &&
	    WEXITSTATUS(s->q.status) && !console_has_output(res->console_log)) {
		set_reason(res, VM_EXIT_QEMU, "qemu refused to start (exit %d)",
			   WEXITSTATUS(s->q.status));
		return;
	}
	set_reason(res, VM_EXIT_NO_RESULT,
		   "guest stopped without a result (%s)%s%s", stage(s),
		   s->guest_error[0] ? ": " : "", s->guest_error);
	fprintf(stderr, "ktstr: %s\nktstr: last console lines:\n", res->reason);
	console_print_tail(res->console_log, 20, stderr);
}

static void loop(struct vm_state *s, int lfd, bool kvm)
{
	bool timed_out = false;

	for (;;) {
		struct pollfd pfd[4] = {
			{ .fd = lfd, .events = POLLIN },
			{ .fd = s->chan, .events = POLLIN },
			{ .fd = s->q.pidfd, .events = POLLIN },
			{ .fd = s->chan >= 0 ? s->stdin_fd : -1,
			  .events = POLLIN },
		};
		long long dl = deadline_ms(s, kvm);

		if (vm_signal)
			break;
		if (dl && now_ms() > dl) {
			timed_out = true;
			break;
		}
		poll(pfd, 4, 100);
		if (s->cfg->dmesg)
			console_follow(&s->tail, stderr);
		if (pfd[0].revents & POLLIN) {
			s->chan = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
			lfd = -1;
			if (s->chan >= 0 && send_command(s->chan, s->cfg))
				fputs("ktstr: could not send the command to the guest\n",
				      stderr);
		}
		if (s->chan >= 0 && (pfd[1].revents & (POLLIN | POLLHUP)))
			handle_frame(s);
		if (pfd[3].revents)
			forward_stdin(s->chan, &s->stdin_fd);
		if (pfd[2].revents || s->q.pidfd < 0)
			reap(&s->q, false);
		if (s->q.exited) {
			/* drain what the guest sent before it went away */
			while (s->chan >= 0) {
				struct pollfd c = { s->chan, POLLIN, 0 };

				if (poll(&c, 1, 0) <= 0)
					break;
				handle_frame(s);
			}
			break;
		}
	}
	kill_qemu(&s->q);
	if (s->cfg->dmesg)
		console_follow(&s->tail, stderr);
	if (vm_signal) {
		set_reason(s->res, 128 + vm_signal,
			   "interrupted by %s: the VM was stopped",
			   signame(vm_signal));
		fprintf(stderr, "ktstr: %s\n", s->res->reason);
		return;
	}
	classify(s, timed_out);
}

static void make_log_paths(const struct vm_config *cfg, char *dir, size_t len,
			   char *conlog, size_t clen)
{
	char base[PATH_MAX];
	struct tm tm;
	time_t t = time(NULL);

	if (cfg->log_dir)
		snprintf(base, sizeof(base), "%s", cfg->log_dir);
	else
		cache_path(base, sizeof(base), "logs");
	mkdir_p(base);
	localtime_r(&t, &tm);
	snprintf(dir, len, "%s/%04d%02d%02d-%02d%02d%02d-%d", base,
		 tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
		 tm.tm_min, tm.tm_sec, getpid());
	mkdir_p(dir);
	snprintf(conlog, clen, "%s/console.log", dir);
}

int vm_run(const struct vm_config *cfg, struct vm_result *res)
{
	struct sigaction sa = { .sa_handler = on_signal }, old[3];
	static const int sigs[] = { SIGINT, SIGTERM, SIGHUP };
	char dir[PATH_MAX], sock[PATH_MAX], qlog[PATH_MAX], why[512];
	struct vm_state s = { .cfg = cfg, .res = res, .chan = -1,
			      .q = { .pidfd = -1 } };
	struct argv_buf a = { 0 };
	bool kvm = false;
	int lfd, i;

	memset(res, 0, sizeof(*res));
	if (!vm_is_bzimage(cfg->kernel, why, sizeof(why))) {
		set_reason(res, VM_EXIT_BAD_KERNEL, "%s", why);
		fprintf(stderr, "ktstr: %s\n", why);
		return res->exit_code;
	}
	if (cfg->accel == ACCEL_KVM) {
		kvm = true;
	} else if (cfg->accel == ACCEL_AUTO) {
		kvm = vm_kvm_usable(why, sizeof(why));
		if (!kvm && !getenv("KTSTR_QUIET_TCG"))
			fprintf(stderr,
				"ktstr: warning: no usable KVM (%s): using TCG, slower, timeouts scaled\n",
				why);
	}
	if (!vm_topo_bootable(&cfg->topo, kvm, why, sizeof(why))) {
		char name[32];

		topo_format(&cfg->topo, name, sizeof(name));
		set_reason(res, VM_EXIT_USAGE,
			   "topology %s %s. Run it with KVM, or use fewer cores per LLC, LLCs per node or nodes",
			   name, why);
		fprintf(stderr, "ktstr: %s\n", res->reason);
		return res->exit_code;
	}
	make_log_paths(cfg, dir, sizeof(dir), res->console_log,
		       sizeof(res->console_log));
	snprintf(qlog, sizeof(qlog), "%s/qemu.log", dir);
	/* sun_path is short: keep the socket in a short private dir */
	snprintf(sock, sizeof(sock), "/tmp/ktstr-%d-%lld.sock", getpid(),
		 now_ms());
	unlink(sock);
	lfd = listen_unix(sock);
	if (lfd < 0) {
		set_reason(res, VM_EXIT_QEMU, "cannot create socket %s: %s",
			   sock, strerror(errno));
		fprintf(stderr, "ktstr: %s\n", res->reason);
		return res->exit_code;
	}
	build_argv(&a, cfg, kvm, sock, res->console_log);
	if (getenv("KTSTR_SHOW_QEMU")) {
		for (i = 0; i < a.n; i++)
			fprintf(stderr, "%s%s", i ? " " : "ktstr: ", a.v[i]);
		fputc('\n', stderr);
	}

	/* a signal before this VM (vm_catch_signals) stops it at once */
	vm_signal = vm_stop_signal;
	for (i = 0; i < 3; i++)
		sigaction(sigs[i], &sa, &old[i]);
	s.start_ms = now_ms();
	s.stdin_fd = (cfg->tty || isatty(0)) ? -1 : 0;
	console_tail_init(&s.tail, res->console_log);
	if (spawn_qemu(&a, cfg->tty, qlog, &s.q, why, sizeof(why))) {
		set_reason(res, VM_EXIT_QEMU, "%s", why);
		fprintf(stderr, "ktstr: %s\n", why);
	} else {
		loop(&s, lfd, kvm);
		if (res->exit_code == VM_EXIT_QEMU) {
			fprintf(stderr, "ktstr: %s; qemu said:\n", res->reason);
			console_print_tail(qlog, 20, stderr);
		}
	}
	res->wall_s = (now_ms() - s.start_ms) / 1000.0;
	res->init_started = s.init_up;
	for (i = 0; i < 3; i++)
		sigaction(sigs[i], &old[i], NULL);
	if (s.chan >= 0)
		close(s.chan);
	if (s.q.pidfd >= 0)
		close(s.q.pidfd);
	close(lfd);
	unlink(sock);
	for (i = 0; i < a.n; i++)
		free(a.v[i]);
	if (res->exit_code >= VM_EXIT_USAGE || vm_signal)
		fprintf(stderr, "ktstr: console log: %s\n", res->console_log);
	return res->exit_code;
}
