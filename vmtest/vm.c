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

#include "env.h"
#include "channel.h"
#include "defaults.h"
#include "console.h"
#include "protocol.h"
#include "qmp.h"
#include "util.h"
#include "vm.h"

#define MAX_QEMU_ARGS	256

static volatile sig_atomic_t vm_signal;
/* the first signal of the process: it stays, so a run stops for good */
static volatile sig_atomic_t vm_stop_signal;

static void on_signal(int sig)
{
	vm_signal = sig;
	if (!vm_stop_signal)
		vm_stop_signal = sig;
}

/* whose qemu this is, in the socket's name: a run's workers name the run */
static pid_t vm_owner;

void vm_set_owner(pid_t pid)
{
	vm_owner = pid;
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
		requested = KTSTR_DEFAULT_MEMORY_MB;
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
	const char *q = ktstr_env()->qemu;

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
	arg(a, "-accel");
	arg(a, "tcg,thread=%s", ktstr_env()->tcg_multi ? "multi" : "single");
	arg(a, "-cpu");
	arg(a, "max,vendor=GenuineIntel");
}

static char *kernel_cmdline(const struct vm_config *cfg);

static void build_argv(struct argv_buf *a, const struct vm_config *cfg,
		       bool kvm, const char *sock, const char *qmp,
		       const char *conlog)
{
	unsigned int mem = vm_memory_mb(&cfg->topo, cfg->memory_mb);
	char *cmdline;

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
	cmdline = kernel_cmdline(cfg);
	arg(a, "%s", cmdline);
	free(cmdline);
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
	/* QMP, for the vCPUs' registers: qemu connects, as for io */
	arg(a, "-chardev");
	arg(a, "socket,id=qmp,path=%s", qmp);
	arg(a, "-mon");
	arg(a, "chardev=qmp,mode=control");
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

/* Make @to a copy of @fd (opened O_CLOEXEC) that exec keeps. */
static void give_fd(int fd, int to)
{
	if (fd == to)
		fcntl(fd, F_SETFD, 0);
	else
		dup2(fd, to);
}

/*
 * qemu gets stdin, stdout and stderr and nothing else of ours: not the
 * listening socket, not a caller's output files, not whatever our own
 * parent let us inherit.
 */
static void cloexec_from(unsigned int first)
{
	unsigned int fd;
	long max;

	if (!close_range(first, ~0U, CLOSE_RANGE_CLOEXEC))
		return;
	max = sysconf(_SC_OPEN_MAX);
	if (max < 0 || max > 65536)
		max = 65536;
	for (fd = first; fd < (unsigned int)max; fd++)
		fcntl(fd, F_SETFD, FD_CLOEXEC);
}

/*
 * Start qemu in its own process group, killed with us even if we are
 * SIGKILLed (PR_SET_PDEATHSIG). An exec failure comes back through a
 * close-on-exec pipe so "qemu not installed" is told apart from "qemu
 * refused the arguments".
 */
static int spawn_qemu(struct argv_buf *a, bool tty, const char *qemu_log,
		      struct qemu_proc *q, char *why, size_t len)
{
	pid_t parent = getpid();
	int p[2], err = 0;
	ssize_t n;

	if (pipe2(p, O_CLOEXEC))
		return -1;
	q->pid = fork();
	if (q->pid < 0) {
		close(p[0]);
		close(p[1]);
		return -1;
	}
	if (q->pid == 0) {
		int fd;

		close(p[0]);
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		/* we may have died before the line above */
		if (getppid() != parent)
			_exit(127);
		if (!tty) {
			setpgid(0, 0);
			/* the originals are O_CLOEXEC: only 0, 1, 2 go on */
			fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
			if (fd >= 0)
				give_fd(fd, 0);
			fd = open(qemu_log, O_WRONLY | O_CREAT | O_TRUNC |
				  O_CLOEXEC | O_NOFOLLOW, 0644);
			if (fd >= 0) {
				give_fd(fd, 1);
				give_fd(fd, 2);
			}
		}
		cloexec_from(3);
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

/*
 * The command goes into the send queue: the loop writes it as the guest
 * takes it, so a guest that never reads cannot block us.
 */
static int send_command(struct channel_tx *tx, const struct vm_config *cfg)
{
	char buf[CHANNEL_MAX_PAYLOAD * 4];
	size_t len = 0;
	int i, ret = 0;

	for (i = 0; cfg->argv[i]; i++) {
		size_t n = strlen(cfg->argv[i]) + 1;

		if (len + n > sizeof(buf))
			return -E2BIG;
		memcpy(buf + len, cfg->argv[i], n);
		len += n;
	}
	ret |= channel_tx_queue(tx, CH_ARGV, buf, len);
	for (i = 0; cfg->env && cfg->env[i]; i++)
		ret |= channel_tx_queue(tx, CH_ENV, cfg->env[i],
					strlen(cfg->env[i]));
	/*
	 * A script piped into `ktstr shell` (no terminal to answer it) must
	 * not meet ash's line editor: its cursor query takes typed bytes as
	 * the answer. The guest turns the console's echo off, and ash then
	 * reads plain lines.
	 */
	if (cfg->tty && isatty(0))
		ret |= channel_tx_queue(tx, CH_TTY, NULL, 0);
	else if (cfg->tty)
		ret |= channel_tx_queue(tx, CH_TTY, "s", 1);
	ret |= channel_tx_queue(tx, CH_GO, NULL, 0);
	return ret ? -ENOMEM : 0;
}

/*
 * Host stdin goes to the command only when it is not a terminal. It is
 * read only while the send queue is short (the loop's STDIN_QUEUE_MAX),
 * so a command that does not read its stdin holds the host's stdin back
 * instead of growing the queue, and never holds back its output.
 */
#define STDIN_QUEUE_MAX	(4 * CHANNEL_MAX_FRAME)

static void forward_stdin(struct channel_tx *tx, int *in)
{
	char buf[CHANNEL_MAX_PAYLOAD];
	ssize_t n = read(*in, buf, sizeof(buf));

	if (n < 0 && (errno == EINTR || errno == EAGAIN))
		return;
	if (n > 0) {
		channel_tx_queue(tx, CH_STDIN, buf, n);
		return;
	}
	channel_tx_queue(tx, CH_STDIN_EOF, NULL, 0);
	*in = -1;
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
	bool kvm;
	int chan;
	struct channel_rx rx;
	struct channel_tx tx;
	int stdin_fd;
	bool init_up;
	bool out_stuck;		/* our stdout or stderr stopped taking output */
	long long start_ms, started_ms, exit_frame_ms;
	struct console_tail tail;
	char guest_error[512];
	char bad_exit[160];	/* an exit frame that was not an exit status */
	const char *sock, *sockdir;	/* gone once qemu is connected */
	const char *qmp_sock;
	int qmp_lfd, qmp;		/* listening, then qemu's connection */
	/* the guest's "@@ktstr.snapshot" line: registers wanted now */
	bool want_regs;
	size_t line_at;			/* bytes of the current stdout line */
	bool line_other;		/* and it is not that line */
};

static long long deadline_ms(const struct vm_state *s, bool kvm);

static bool stop_now(const struct vm_state *s)
{
	long long dl = deadline_ms(s, s->kvm);

	return vm_signal || (dl && now_ms() > dl);
}

/*
 * The command's output to our stdout or stderr, which may be a pipe that
 * nobody reads: wait for room with poll() and give up at the deadline
 * or on Ctrl-C rather than block in write().
 */
static void write_out(struct vm_state *s, int fd, const char *buf, int len)
{
	while (len > 0 && !s->out_stuck) {
		struct pollfd p = { .fd = fd, .events = POLLOUT };
		ssize_t n;

		if (poll(&p, 1, 100) == 0) {
			if (stop_now(s))
				s->out_stuck = true;
			continue;
		}
		if (p.revents & (POLLERR | POLLNVAL))
			return;
		/* at most PIPE_BUF once poll says there is room: no block */
		n = write(fd, buf, len > PIPE_BUF ? PIPE_BUF : len);
		if (n <= 0) {
			if (n < 0 && (errno == EINTR || errno == EAGAIN))
				continue;
			return;
		}
		buf += n;
		len -= n;
	}
}

static void close_chan(struct vm_state *s)
{
	if (s->chan >= 0)
		close(s->chan);
	s->chan = -1;
	s->rx.have = 0;
	channel_tx_free(&s->tx);
	s->stdin_fd = -1;
}

/*
 * The guest engine prints KTSTR_SNAPSHOT_LINE when it sees the scheduler
 * fail: the vCPUs' registers are taken then, while the guest still runs.
 * Lines may be split over frames: only a line's first bytes are kept.
 */
static void scan_snapshot(struct vm_state *s, const char *buf, size_t len)
{
	static const char want[] = KTSTR_SNAPSHOT_LINE;
	size_t i;

	for (i = 0; i < len; i++) {
		if (buf[i] == '\n') {
			if (!s->line_other && s->line_at == sizeof(want) - 1)
				s->want_regs = true;
			s->line_at = 0;
			s->line_other = false;
			continue;
		}
		if (s->line_other)
			continue;
		if (s->line_at < sizeof(want) - 1 && buf[i] == want[s->line_at])
			s->line_at++;
		else
			s->line_other = true;
	}
}

/* the registers, once: @when says at which moment */
static void take_registers(struct vm_state *s, const char *when)
{
	struct vm_result *res = s->res;

	if (res->vcpu_regs || res->regs_err[0])
		return;
	if (s->qmp < 0) {
		snprintf(res->regs_err, sizeof(res->regs_err),
			 "qemu never connected its QMP socket");
		return;
	}
	res->vcpu_regs = qmp_registers(s->qmp, 3000, res->regs_err,
				       sizeof(res->regs_err));
	snprintf(res->regs_when, sizeof(res->regs_when), "%s", when);
	log_debug("vm: vCPU registers %s: %s", when,
		  res->vcpu_regs ? "taken" : res->regs_err);
}

/* qemu's QMP connection, when it comes: the socket file goes at once */
static void accept_qmp(struct vm_state *s)
{
	if (s->qmp_lfd < 0)
		return;
	s->qmp = accept4(s->qmp_lfd, NULL, NULL, SOCK_CLOEXEC);
	if (s->qmp < 0)
		return;
	close(s->qmp_lfd);
	s->qmp_lfd = -1;
	unlink(s->qmp_sock);
	rmdir(s->sockdir);
}

static void on_frame(struct vm_state *s, int type, char *buf, size_t len)
{
	int code;

	buf[len] = '\0';
	switch (type) {
	case CH_INIT_UP:
		s->init_up = true;
		break;
	case CH_STARTED:
		s->res->command_ran = true;
		s->started_ms = now_ms();
		break;
	case CH_STDOUT:
		scan_snapshot(s, buf, len);
		write_out(s, s->cfg->out_fd > 0 ? s->cfg->out_fd : 1, buf, len);
		break;
	case CH_STDERR:
		write_out(s, s->cfg->err_fd > 0 ? s->cfg->err_fd : 2, buf, len);
		break;
	case CH_EXIT:
		/*
		 * The first exit frame decides, and it must be a command's
		 * status: "256" would become a pass (256 & 0xff) and "253"
		 * would pose as a kernel panic.
		 */
		if (s->exit_frame_ms)
			break;
		s->exit_frame_ms = now_ms();
		code = channel_parse_exit(buf, len);
		if (code < 0) {
			snprintf(s->bad_exit, sizeof(s->bad_exit),
				 "its exit frame '%.*s' is not an exit status from 0 to %d (%d and up are ktstr's own outcomes)",
				 (int)(len > 32 ? 32 : len), buf,
				 CHANNEL_MAX_EXIT, VM_EXIT_USAGE);
			break;
		}
		s->res->command_exited = true;
		s->res->command_status = code;
		break;
	case CH_ERROR:
		snprintf(s->guest_error, sizeof(s->guest_error), "%s", buf);
		break;
	}
}

/*
 * Take the frames that have arrived, at most @max of them so the loop
 * keeps its deadline, never waiting for the rest of one: a guest that
 * froze in the middle of a frame leaves it here until the deadline.
 */
static void read_frames(struct vm_state *s, int max)
{
	char buf[CHANNEL_MAX_PAYLOAD + 1];
	size_t len;
	int type, ret;

	while (s->chan >= 0 && max-- > 0 && !s->out_stuck) {
		ret = channel_rx_read(s->chan, &s->rx, &type, buf, &len);
		if (ret == 0)
			return;
		if (ret < 0) {
			if (ret == -EPROTO && !s->guest_error[0])
				snprintf(s->guest_error, sizeof(s->guest_error),
					 "the channel carried a frame longer than %d bytes",
					 CHANNEL_MAX_PAYLOAD);
			close_chan(s);
			return;
		}
		on_frame(s, type, buf, len);
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
	const char *env = ktstr_env()->tcg_scale;

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

	log_debug("vm: ended after %.1f s: init %s, command %s, %s%s%s",
		  (now_ms() - s->start_ms) / 1000.0,
		  s->init_up ? "up" : "never up",
		  res->command_exited ? "exited" :
		  res->command_ran ? "ran, no exit status" : "never ran",
		  timed_out ? "deadline passed" : "before the deadline",
		  s->bad_exit[0] ? ", bad exit frame: " : "", s->bad_exit);

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
	if (s->bad_exit[0]) {
		set_reason(res, VM_EXIT_NO_RESULT,
			   "guest stopped without a result: %s", s->bad_exit);
		fprintf(stderr, "ktstr: %s\n", res->reason);
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

/*
 * Everything here is non-blocking: the channel in both directions, our
 * stdin, our stdout; each turn of the loop checks the deadline and
 * Ctrl-C, whatever the guest does or stops doing.
 */
static void loop(struct vm_state *s, int lfd, bool kvm)
{
	bool timed_out = false;

	for (;;) {
		bool sending = s->chan >= 0 && channel_tx_pending(&s->tx);
		struct pollfd pfd[4] = {
			{ .fd = lfd, .events = POLLIN },
			{ .fd = s->chan,
			  .events = POLLIN | (sending ? POLLOUT : 0) },
			{ .fd = s->q.pidfd, .events = POLLIN },
			{ .fd = s->chan >= 0 &&
				channel_tx_pending(&s->tx) < STDIN_QUEUE_MAX ?
				s->stdin_fd : -1,
			  .events = POLLIN },
		};
		long long dl = deadline_ms(s, kvm);

		if (vm_signal)
			break;
		if (s->out_stuck || (dl && now_ms() > dl)) {
			timed_out = true;
			break;
		}
		poll(pfd, 4, 100);
		if (s->cfg->dmesg)
			console_follow(&s->tail, stderr);
		accept_qmp(s);
		if (s->want_regs)
			take_registers(s, "when the guest reported the failure");
		if (pfd[0].revents & POLLIN) {
			s->chan = accept4(lfd, NULL, NULL,
					  SOCK_CLOEXEC | SOCK_NONBLOCK);
			lfd = -1;
			/* nothing left behind, even if we are SIGKILLed */
			unlink(s->sock);
			rmdir(s->sockdir);
			if (s->chan >= 0 && send_command(&s->tx, s->cfg))
				fputs("ktstr: could not send the command to the guest\n",
				      stderr);
		}
		if (s->chan >= 0 && (pfd[1].revents & (POLLIN | POLLHUP | POLLERR)))
			read_frames(s, 64);
		if (pfd[3].revents && s->chan >= 0)
			forward_stdin(&s->tx, &s->stdin_fd);
		/* a guest gone (EPIPE) only stops the sending */
		if (s->chan >= 0 && channel_tx_pending(&s->tx) &&
		    channel_tx_flush(s->chan, &s->tx)) {
			channel_tx_free(&s->tx);
			s->stdin_fd = -1;
		}
		if (pfd[2].revents || s->q.pidfd < 0)
			reap(&s->q, false);
		if (s->q.exited) {
			/* what the guest sent before it went away */
			read_frames(s, 4096);
			break;
		}
	}
	if (timed_out && !vm_signal)
		take_registers(s, "before the hung VM was killed");
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

	cache_path(base, sizeof(base), "logs");
	mkdir_p(base);
	localtime_r(&t, &tm);
	snprintf(dir, len, "%s/%04d%02d%02d-%02d%02d%02d-%d", base,
		 tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
		 tm.tm_min, tm.tm_sec, getpid());
	mkdir_p(dir);
	snprintf(conlog, clen, "%s/console.log", dir);
}

/* The kernel command line: ktstr's part, then --append. */
static char *kernel_cmdline(const struct vm_config *cfg)
{
	char *s;

	if (asprintf(&s, "console=ttyS0,115200 rdinit=/init panic=-1 oops=panic loglevel=%d mitigations=off nokaslr i8042.noaux i8042.nomux i8042.nopnp i8042.dumbkbd tsc=reliable%s%s",
		     cfg->verbose || cfg->dmesg ? 7 : 4, cfg->append ? " " : "",
		     cfg->append ? cfg->append : "") < 0) {
		fputs("ktstr: out of memory\n", stderr);
		exit(VM_EXIT_USAGE);
	}
	return s;
}

/* The setup header's cmdline_size (boot protocol 2.06+), else 256. */
static unsigned int cmdline_max(const char *kernel)
{
	unsigned char hdr[0x23c];
	unsigned int v = 2048;
	int fd = open(kernel, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return v;
	if (pread(fd, hdr, sizeof(hdr), 0) == sizeof(hdr)) {
		unsigned int proto = hdr[0x206] | hdr[0x207] << 8;

		if (proto >= 0x206)
			v = hdr[0x238] | hdr[0x239] << 8 | hdr[0x23a] << 16 |
			    (unsigned int)hdr[0x23b] << 24;
		else
			v = 256;
	}
	close(fd);
	return v;
}

static unsigned long long host_ram_mb(void)
{
	long pages = sysconf(_SC_PHYS_PAGES), size = sysconf(_SC_PAGESIZE);

	if (pages <= 0 || size <= 0)
		return 0;
	return (unsigned long long)pages * size >> 20;
}

int vm_check_limits(const struct vm_config *cfg, char *why, size_t len)
{
	unsigned int mem = vm_memory_mb(&cfg->topo, cfg->memory_mb);
	unsigned long long ram = host_ram_mb();
	unsigned int max = cmdline_max(cfg->kernel);
	char name[32], *cmdline;
	size_t clen, own;

	topo_format(&cfg->topo, name, sizeof(name));
	if (cfg->topo.nodes > VM_MAX_NODES)
		return set_err(why, len,
			       "topology %s has %u NUMA nodes; a guest takes at most %u: use fewer nodes",
			       name, cfg->topo.nodes, VM_MAX_NODES);
	if (ram && mem > ram) {
		if (cfg->memory_mb >= mem)
			return set_err(why, len,
				       "--memory %u (MiB) is more than this host's %llu MiB of RAM: pass --memory %llu or less",
				       cfg->memory_mb, ram, ram);
		if (!cfg->memory_mb && mem == vm_memory_mb(&TOPO_DEFAULT, 0))
			return set_err(why, len,
				       "the default guest memory, %u MiB, is more than this host's %llu MiB of RAM: pass --memory %llu or less",
				       mem, ram, ram);
		return set_err(why, len,
			       "topology %s gets %u MiB (at least 64 MiB a CPU), more than this host's %llu MiB of RAM: use fewer CPUs",
			       name, mem, ram);
	}
	cmdline = kernel_cmdline(cfg);
	clen = strlen(cmdline);
	own = clen - (cfg->append ? strlen(cfg->append) + 1 : 0);
	free(cmdline);
	/* cmdline_size does not count the terminating NUL */
	if (clen > max)
		return set_err(why, len,
			       "the kernel command line would be %zu bytes, and this kernel takes at most %u: ktstr's own part is %zu bytes, so keep --append to %zu bytes or less",
			       clen, max, own,
			       max > own + 1 ? max - own - 1 : 0);
	return 0;
}

const char *vm_exit_kind(int code)
{
	switch (code) {
	case VM_EXIT_USAGE:
		return "usage";
	case VM_EXIT_BAD_KERNEL:
		return "bad-kernel";
	case VM_EXIT_QEMU:
		return "qemu";
	case VM_EXIT_PANIC:
		return "panic";
	case VM_EXIT_HANG:
		return "hang";
	case VM_EXIT_NO_RESULT:
		return "no-result";
	default:
		return "command";
	}
}

/* What is refused before anything is created: 0, or the exit code */
static int vm_preflight(const struct vm_config *cfg, struct vm_result *res,
			bool *kvm)
{
	char why[512], name[32];

	if (!vm_is_bzimage(cfg->kernel, why, sizeof(why))) {
		set_reason(res, VM_EXIT_BAD_KERNEL, "%s", why);
		fprintf(stderr, "ktstr: %s\n", why);
		return res->exit_code;
	}
	*kvm = cfg->accel == ACCEL_KVM;
	if (cfg->accel == ACCEL_AUTO) {
		*kvm = vm_kvm_usable(why, sizeof(why));
		if (!*kvm && !ktstr_env()->quiet_tcg)
			fprintf(stderr,
				"ktstr: warning: no usable KVM (%s): using TCG, slower, timeouts scaled\n",
				why);
	}
	if (!vm_topo_bootable(&cfg->topo, *kvm, why, sizeof(why))) {
		topo_format(&cfg->topo, name, sizeof(name));
		set_reason(res, VM_EXIT_USAGE,
			   "topology %s %s. Run it with KVM, or use fewer cores per LLC, LLCs per node or nodes",
			   name, why);
		fprintf(stderr, "ktstr: %s\n", res->reason);
		return res->exit_code;
	}
	if (vm_check_limits(cfg, why, sizeof(why))) {
		set_reason(res, VM_EXIT_USAGE, "%s", why);
		fprintf(stderr, "ktstr: %s\n", why);
		return res->exit_code;
	}
	return 0;
}

/* the result channel's and QMP's listening sockets, and their directory */
struct vm_sockets {
	char dir[sizeof(((struct sockaddr_un *)0)->sun_path)];
	char io[sizeof(((struct sockaddr_un *)0)->sun_path)];
	char qmp[sizeof(((struct sockaddr_un *)0)->sun_path)];
	int io_lfd, qmp_lfd;
};

static void close_sockets(struct vm_sockets *v)
{
	if (v->io_lfd >= 0)
		close(v->io_lfd);
	if (v->qmp_lfd >= 0)
		close(v->qmp_lfd);
	v->io_lfd = v->qmp_lfd = -1;
	unlink(v->io);
	unlink(v->qmp);
	rmdir(v->dir);
}

/*
 * Both sockets in a directory of our own (0700, random name): nobody
 * else can connect first and speak for the guest. sun_path is short:
 * $TMPDIR when the socket's path fits, else /tmp. The pid in the name is
 * how the tests find this ktstr's qemu. 0, or the exit code.
 */
static int open_sockets(struct vm_sockets *v, struct vm_result *res)
{
	char owner[32];

	v->io_lfd = v->qmp_lfd = -1;
	snprintf(owner, sizeof(owner), "ktstr-%d",
		 vm_owner ? vm_owner : getpid());
	tmp_template(v->dir, sizeof(v->dir),
		     sizeof(v->dir) - sizeof("/qmp.sock"), owner);
	if (!mkdtemp(v->dir)) {
		set_reason(res, VM_EXIT_QEMU, "cannot create a directory %s: %s",
			   v->dir, strerror(errno));
		fprintf(stderr, "ktstr: %s\n", res->reason);
		return res->exit_code;
	}
	snprintf(v->io, sizeof(v->io), "%s/io.sock", v->dir);
	snprintf(v->qmp, sizeof(v->qmp), "%s/qmp.sock", v->dir);
	v->io_lfd = listen_unix(v->io);
	if (v->io_lfd >= 0)
		v->qmp_lfd = listen_unix(v->qmp);
	/* qemu connects to QMP whenever it likes: never wait in accept() */
	if (v->io_lfd < 0 || v->qmp_lfd < 0 ||
	    fcntl(v->qmp_lfd, F_SETFL, O_NONBLOCK)) {
		set_reason(res, VM_EXIT_QEMU, "cannot create socket %s: %s",
			   v->io_lfd < 0 ? v->io : v->qmp, strerror(errno));
		fprintf(stderr, "ktstr: %s\n", res->reason);
		close_sockets(v);
		return res->exit_code;
	}
	return 0;
}

static void show_argv(const struct argv_buf *a)
{
	int i;

	for (i = 0; i < a->n; i++)
		fprintf(stderr, "%s%s", i ? " " : "ktstr: ", a->v[i]);
	fputc('\n', stderr);
}

int vm_run(const struct vm_config *cfg, struct vm_result *res)
{
	struct sigaction sa = { .sa_handler = on_signal }, old[3];
	static const int sigs[] = { SIGINT, SIGTERM, SIGHUP };
	char dir[PATH_MAX], qlog[PATH_MAX], why[512];
	struct vm_state s = { .cfg = cfg, .res = res, .chan = -1,
			      .q = { .pidfd = -1 }, .qmp_lfd = -1, .qmp = -1 };
	struct vm_sockets v;
	struct argv_buf a = { 0 };
	bool kvm = false;
	int i;

	memset(res, 0, sizeof(*res));
	if (vm_preflight(cfg, res, &kvm))
		return res->exit_code;
	make_log_paths(cfg, dir, sizeof(dir), res->console_log,
		       sizeof(res->console_log));
	snprintf(qlog, sizeof(qlog), "%s/qemu.log", dir);
	if (open_sockets(&v, res))
		return res->exit_code;
	build_argv(&a, cfg, kvm, v.io, v.qmp, res->console_log);
	log_debug("vm: %s, %u MiB, timeout %u s, console %s", kvm ?
		  "KVM" : "TCG", cfg->memory_mb, cfg->timeout_s,
		  res->console_log);
	if (ktstr_env()->show_qemu || log_debug_enabled())
		show_argv(&a);

	/* a signal before this VM (vm_catch_signals) stops it at once */
	vm_signal = vm_stop_signal;
	for (i = 0; i < 3; i++)
		sigaction(sigs[i], &sa, &old[i]);
	s.start_ms = now_ms();
	s.kvm = kvm;
	s.sock = v.io;
	s.sockdir = v.dir;
	s.qmp_sock = v.qmp;
	s.qmp_lfd = v.qmp_lfd;
	v.qmp_lfd = -1;		/* the loop's now: it closes it once accepted */
	s.stdin_fd = (cfg->tty || isatty(0)) ? -1 : 0;
	console_tail_init(&s.tail, res->console_log);
	if (spawn_qemu(&a, cfg->tty, qlog, &s.q, why, sizeof(why))) {
		set_reason(res, VM_EXIT_QEMU, "%s", why);
		fprintf(stderr, "ktstr: %s\n", why);
	} else {
		loop(&s, v.io_lfd, kvm);
		if (res->exit_code == VM_EXIT_QEMU) {
			fprintf(stderr, "ktstr: %s; qemu said:\n", res->reason);
			console_print_tail(qlog, 20, stderr);
		}
	}
	res->init_started = s.init_up;
	for (i = 0; i < 3; i++)
		sigaction(sigs[i], &old[i], NULL);
	close_chan(&s);
	if (s.q.pidfd >= 0)
		close(s.q.pidfd);
	if (s.qmp_lfd >= 0)
		close(s.qmp_lfd);
	if (s.qmp >= 0)
		close(s.qmp);
	close_sockets(&v);
	for (i = 0; i < a.n; i++)
		free(a.v[i]);
	if (res->exit_code >= VM_EXIT_USAGE || vm_signal)
		fprintf(stderr, "ktstr: console log: %s\n", res->console_log);
	return res->exit_code;
}
