// SPDX-License-Identifier: GPL-2.0
/*
 * ktstr guest init: PID 1 of every ktstr VM.
 *
 * Mounts what tests need, takes the command from the host over the
 * channel (channel.h), runs it, relays its output and exit status, and
 * powers the VM off. Anything that goes wrong is told to the host as a
 * CH_ERROR frame first and on the console second, so the host can always
 * say how far the guest got.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/reboot.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "channel.h"
#include "util.h"

#define MAX_ARGS	256
#define MAX_ENV		64
#define CONSOLE		"/dev/ttyS0"

static int chan = -1;

static void say(const char *fmt, ...)
{
	char buf[512];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if (n >= (int)sizeof(buf))
		n = sizeof(buf) - 1;
	fprintf(stderr, "ktstr-init: %s\n", buf);
	if (chan >= 0)
		channel_send(chan, CH_ERROR, buf, n);
}

static void power_off(void)
{
	sync();
	reboot(RB_POWER_OFF);
	/* Only reached when reboot() failed: let the kernel panic. */
	_exit(1);
}

static void mount_fs(const char *src, const char *dir, const char *type,
		     unsigned long flags)
{
	mkdir(dir, 0755);
	if (mount(src, dir, type, flags, NULL) && errno != EBUSY)
		say("mount %s on %s failed: %s", type, dir, strerror(errno));
}

static void mount_all(void)
{
	mount_fs("proc", "/proc", "proc", 0);
	mount_fs("sysfs", "/sys", "sysfs", 0);
	mount_fs("devtmpfs", "/dev", "devtmpfs", 0);
	mount_fs("devpts", "/dev/pts", "devpts", 0);
	mount_fs("tmpfs", "/dev/shm", "tmpfs", 0);
	mount_fs("tmpfs", "/tmp", "tmpfs", 0);
	mount_fs("tmpfs", "/run", "tmpfs", 0);
	mount_fs("cgroup2", "/sys/fs/cgroup", "cgroup2", 0);
	mount_fs("debugfs", "/sys/kernel/debug", "debugfs", 0);
	mount_fs("tracefs", "/sys/kernel/tracing", "tracefs", 0);
	mount_fs("bpf", "/sys/fs/bpf", "bpf", 0);
}

/* busybox provides sh, ls, cat, ... as links in /bin. */
static void install_busybox(void)
{
	pid_t pid = fork();

	if (pid == 0) {
		execl("/bin/busybox", "busybox", "--install", "-s", "/bin",
		      (char *)NULL);
		_exit(127);
	}
	if (pid > 0)
		waitpid(pid, NULL, 0);
}

/* The virtio-serial port named CHANNEL_PORT_NAME, found through sysfs. */
static int open_channel(void)
{
	char path[300], name[64];
	struct dirent *de;
	int tries, fd;

	for (tries = 0; tries < 500; tries++) {
		DIR *d = opendir("/sys/class/virtio-ports");

		while (d && (de = readdir(d))) {
			FILE *f;

			if (de->d_name[0] == '.')
				continue;
			snprintf(path, sizeof(path),
				 "/sys/class/virtio-ports/%s/name", de->d_name);
			f = fopen(path, "r");
			if (!f)
				continue;
			if (fgets(name, sizeof(name), f) &&
			    !strncmp(name, CHANNEL_PORT_NAME,
				     strlen(CHANNEL_PORT_NAME))) {
				fclose(f);
				closedir(d);
				snprintf(path, sizeof(path), "/dev/%s",
					 de->d_name);
				fd = open(path, O_RDWR | O_CLOEXEC);
				if (fd < 0)
					say("open %s: %s", path,
					    strerror(errno));
				return fd;
			}
			fclose(f);
		}
		if (d)
			closedir(d);
		usleep(10000);
	}
	say("no virtio-serial port named %s after 5 s (is CONFIG_VIRTIO_CONSOLE=y?)",
	    CHANNEL_PORT_NAME);
	return -1;
}

struct command {
	char *argv[MAX_ARGS + 1];
	char *envp[MAX_ENV + 4];
	int nenv;
	bool tty;
	bool tty_scripted;	/* the host's input is not a terminal */
	int stdin_fd;		/* write end of the command's stdin */
	/* host stdin the command has not taken yet */
	char pend[CHANNEL_MAX_PAYLOAD];
	size_t pend_off, pend_len;
	bool pend_eof;
};

static char *dup_payload(const char *buf, int len)
{
	char *s = malloc(len + 1);

	if (!s)
		return NULL;
	memcpy(s, buf, len);
	s[len] = '\0';
	return s;
}

/* Take frames from the host until CH_GO. */
static int receive_command(struct command *cmd)
{
	static char argbuf[CHANNEL_MAX_PAYLOAD * 4];
	char buf[CHANNEL_MAX_PAYLOAD];
	size_t arglen = 0;
	int type, len, argc = 0;
	size_t off;

	cmd->envp[cmd->nenv++] = "PATH=/bin:/sbin:/usr/bin:/usr/sbin";
	cmd->envp[cmd->nenv++] = "HOME=/root";
	cmd->envp[cmd->nenv++] = "TERM=linux";
	for (;;) {
		len = channel_recv(chan, &type, buf);
		if (len < 0) {
			say("channel closed before the command arrived (%s)",
			    strerror(-len));
			return -1;
		}
		switch (type) {
		case CH_ARGV:
			if (arglen + len > sizeof(argbuf)) {
				say("command line longer than %zu bytes",
				    sizeof(argbuf));
				return -1;
			}
			memcpy(argbuf + arglen, buf, len);
			arglen += len;
			break;
		case CH_ENV:
			if (cmd->nenv < MAX_ENV)
				cmd->envp[cmd->nenv++] = dup_payload(buf, len);
			break;
		case CH_TTY:
			cmd->tty = true;
			cmd->tty_scripted = len == 1 && buf[0] == 's';
			break;
		case CH_GO:
			for (off = 0; off < arglen && argc < MAX_ARGS;
			     off += strlen(argbuf + off) + 1)
				cmd->argv[argc++] = argbuf + off;
			cmd->argv[argc] = NULL;
			cmd->envp[cmd->nenv] = NULL;
			if (!argc) {
				say("empty command");
				return -1;
			}
			return 0;
		default:
			break;
		}
	}
}

/*
 * The console as the command's controlling terminal. @scripted: no echo,
 * so that busybox ash reads whole lines (its line editor, used when the
 * terminal echoes, asks the terminal for the cursor position and nothing
 * on the host answers a script).
 */
static int setup_console_tty(bool scripted)
{
	struct termios t;
	int fd;

	setsid();
	fd = open(CONSOLE, O_RDWR);
	if (fd < 0) {
		fprintf(stderr, "ktstr-init: %s: %s; the command runs without a controlling terminal\n",
			CONSOLE, strerror(errno));
		return -1;
	}
	ioctl(fd, TIOCSCTTY, 1);
	dup2(fd, 0);
	dup2(fd, 1);
	dup2(fd, 2);
	if (fd > 2)
		close(fd);
	if (scripted && !tcgetattr(0, &t)) {
		t.c_lflag &= ~(ECHO | ECHOE | ECHOK | ECHONL);
		tcsetattr(0, TCSANOW, &t);
	}
	return 0;
}

static void drain_timeout(int sig)
{
	(void)sig;	/* only there to interrupt tcdrain() */
}

/*
 * When a session leader exits, the kernel hangs its terminal up, and the
 * hangup throws away what is still in the serial driver's transmit
 * buffer: the command's last lines (a slow TCG guest had not sent them
 * yet). So the command is not the leader: this process is. It runs the
 * command as its child, waits for it, lets the console drain, and only
 * then exits, with the command's status or by the command's signal.
 */
/*
 * The keys are the command's (ash puts itself in the foreground), and so
 * is a `kill -TERM -1` typed in it: the leader ignores them, the command
 * has them back. SIGTTOU ignored also lets a background leader call
 * tcdrain() and tcsetpgrp().
 */
static void set_session_signals(sighandler_t how)
{
	static const int sigs[] = { SIGINT, SIGQUIT, SIGTSTP, SIGTTIN,
				    SIGTTOU, SIGHUP, SIGTERM };
	int i;

	for (i = 0; i < (int)ARRAY_SIZE(sigs); i++)
		signal(sigs[i], how);
}

static void lead_console_session(void)
{
	pid_t pid, pgid, w;
	int status;

	set_session_signals(SIG_IGN);
	pid = fork();
	if (pid < 0) {
		fprintf(stderr, "ktstr-init: fork: %s\n", strerror(errno));
		_exit(127);
	}
	if (pid == 0) {
		set_session_signals(SIG_DFL);
		return;
	}
	for (;;) {
		w = waitpid(pid, &status, WUNTRACED);
		if (w < 0 && errno == EINTR)
			continue;
		if (w != pid || !WIFSTOPPED(status))
			break;
		/*
		 * Stopped (a read from the background): nothing else
		 * would wake it, so give it the terminal and continue it.
		 */
		pgid = getpgid(pid);
		tcsetpgrp(0, pgid);
		kill(-pgid, SIGCONT);
	}
	/* bounded: a port stopped by flow control never drains */
	sigaction(SIGALRM, &(struct sigaction){ .sa_handler = drain_timeout },
		  NULL);
	alarm(10);
	tcdrain(1);
	alarm(0);
	if (w != pid)
		_exit(127);
	if (WIFEXITED(status))
		_exit(WEXITSTATUS(status));
	/* the command's crash is told, without a core of this process */
	prctl(PR_SET_DUMPABLE, 0);
	signal(WTERMSIG(status), SIG_DFL);
	kill(getpid(), WTERMSIG(status));
	_exit(128 + WTERMSIG(status));
}

static pid_t spawn(struct command *cmd, int out[2], int err[2])
{
	int in[2] = { -1, -1 };
	pid_t pid;

	if (!cmd->tty && (pipe(out) || pipe(err) || pipe(in))) {
		say("pipe: %s", strerror(errno));
		return -1;
	}
	pid = fork();
	if (pid < 0) {
		say("fork: %s", strerror(errno));
		return -1;
	}
	if (pid == 0) {
		if (cmd->tty) {
			if (!setup_console_tty(cmd->tty_scripted))
				lead_console_session();
		} else {
			setsid();
			dup2(in[0], 0);
			dup2(out[1], 1);
			dup2(err[1], 2);
			close(in[0]);
			close(in[1]);
			close(out[0]);
			close(out[1]);
			close(err[0]);
			close(err[1]);
		}
		chdir("/root");
		signal(SIGPIPE, SIG_DFL);
		execvpe(cmd->argv[0], cmd->argv, cmd->envp);
		fprintf(stderr, "ktstr-init: cannot run '%s': %s\n",
			cmd->argv[0], strerror(errno));
		_exit(127);
	}
	if (!cmd->tty) {
		close(in[0]);
		close(out[1]);
		close(err[1]);
		cmd->stdin_fd = in[1];
		/* a command that does not read stdin must not stop init */
		fcntl(in[1], F_SETFL, O_NONBLOCK);
	}
	return pid;
}

/* Move bytes from @fd to the channel as @type; false on end of file. */
static bool relay(int fd, int type)
{
	char buf[CHANNEL_MAX_PAYLOAD];
	ssize_t n = read(fd, buf, sizeof(buf));

	if (n <= 0)
		return n < 0 && errno == EINTR;
	channel_send(chan, type, buf, n);
	return true;
}

static void close_stdin(struct command *cmd)
{
	if (cmd->stdin_fd >= 0)
		close(cmd->stdin_fd);
	cmd->stdin_fd = -1;
	cmd->pend_off = cmd->pend_len = 0;
}

/*
 * Feed the command's stdin what it takes now. Until it has taken all,
 * no more is read from the host: the host holds its stdin back, and the
 * command's output keeps flowing meanwhile.
 */
static void feed_stdin(struct command *cmd)
{
	while (cmd->stdin_fd >= 0 && cmd->pend_off < cmd->pend_len) {
		ssize_t n = write(cmd->stdin_fd, cmd->pend + cmd->pend_off,
				  cmd->pend_len - cmd->pend_off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN)
			return;
		if (n <= 0) {
			/* the command closed its stdin: drop the rest */
			close_stdin(cmd);
			return;
		}
		cmd->pend_off += n;
	}
	cmd->pend_off = cmd->pend_len = 0;
	if (cmd->pend_eof)
		close_stdin(cmd);
}

static void handle_host_frame(struct command *cmd)
{
	int type, len = channel_recv(chan, &type, cmd->pend);

	if (len < 0 || cmd->stdin_fd < 0)
		return;
	if (type == CH_STDIN) {
		cmd->pend_off = 0;
		cmd->pend_len = len;
	} else if (type == CH_STDIN_EOF) {
		cmd->pend_eof = true;
	}
	feed_stdin(cmd);
}

/*
 * Relay output until the command has exited and its pipes are drained.
 * A daemon the command left behind may hold the pipes open: stop
 * reading 500 ms after the command's own exit.
 */
static int run(struct command *cmd)
{
	int out[2] = { -1, -1 }, err[2] = { -1, -1 };
	long long exited_at = 0;
	int status = 0, code;
	char msg[16];
	pid_t pid;

	cmd->stdin_fd = -1;
	pid = spawn(cmd, out, err);
	if (pid < 0)
		return 127;
	channel_send(chan, CH_STARTED, NULL, 0);

	for (;;) {
		bool pending = cmd->pend_len && cmd->stdin_fd >= 0;
		struct pollfd pfd[4] = {
			{ .fd = cmd->tty ? -1 : out[0], .events = POLLIN },
			{ .fd = cmd->tty ? -1 : err[0], .events = POLLIN },
			{ .fd = pending ? -1 : chan, .events = POLLIN },
			{ .fd = pending ? cmd->stdin_fd : -1, .events = POLLOUT },
		};
		pid_t w;

		if (!exited_at) {
			w = waitpid(-1, &status, WNOHANG);
			if (w == pid)
				exited_at = now_ms();
		} else {
			/* reap orphans re-parented to us */
			waitpid(-1, NULL, WNOHANG);
		}
		if (exited_at && ((pfd[0].fd < 0 && pfd[1].fd < 0) ||
				  now_ms() - exited_at > 500))
			break;
		if (poll(pfd, 4, 50) < 0 && errno != EINTR)
			break;
		if (pfd[0].revents && !relay(out[0], CH_STDOUT)) {
			close(out[0]);
			out[0] = -1;
		}
		if (pfd[1].revents && !relay(err[0], CH_STDERR)) {
			close(err[0]);
			err[0] = -1;
		}
		if (pfd[2].revents & POLLIN)
			handle_host_frame(cmd);
		if (pfd[3].revents)
			feed_stdin(cmd);
		if (out[0] < 0 && err[0] < 0 && !cmd->tty) {
			/* both pipes closed: only the exit is left */
			if (!exited_at && waitpid(pid, &status, 0) == pid)
				exited_at = now_ms();
			if (exited_at)
				break;
		}
	}
	if (WIFEXITED(status))
		code = WEXITSTATUS(status);
	else
		code = 128 + WTERMSIG(status);
	snprintf(msg, sizeof(msg), "%d", code);
	channel_send(chan, CH_EXIT, msg, strlen(msg));
	return code;
}

int main(void)
{
	struct command cmd = { 0 };

	if (getpid() != 1) {
		fprintf(stderr, "ktstr-init: must run as PID 1 of a ktstr guest\n");
		return 2;
	}
	/* The kernel hands PID 1 the console; keep stdio there. */
	setenv("PATH", "/bin:/sbin:/usr/bin:/usr/sbin", 1);
	mount_all();
	install_busybox();
	chan = open_channel();
	if (chan < 0)
		power_off();
	channel_send(chan, CH_INIT_UP, NULL, 0);
	if (receive_command(&cmd) == 0)
		run(&cmd);
	power_off();
	return 0;
}
