// SPDX-License-Identifier: GPL-2.0
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <limits.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "scheduler.h"
#include "protocol.h"
#include "util.h"

#define MAX_SCHED_ARGS	32

void sched_ops_name(const char *path, char *buf, size_t len)
{
	char *copy = xstrdup(path), *base = basename(copy);

	snprintf(buf, len, "%s", str_starts_with(base, "scx_") ? base + 4 : base);
	free(copy);
}

static void read_line(const char *path, char *buf, size_t len)
{
	char *s = read_file(path, NULL);

	snprintf(buf, len, "%s", s ? s : "");
	buf[strcspn(buf, "\n")] = '\0';
	free(s);
}

/*
 * /dev/kmsg records are "prio,seq,usec,flags;text". Keep the sched_ext
 * ones and the backtrace lines that follow the error.
 */
void sched_read_kernel_exit(struct sched *s)
{
	char rec[1024];
	ssize_t n;
	size_t off = strlen(s->kernel_lines);

	if (s->kmsg_fd < 0)
		return;
	while ((n = read(s->kmsg_fd, rec, sizeof(rec) - 1)) > 0 ||
	       (n < 0 && errno == EPIPE)) {
		char *text, *p;

		if (n <= 0)
			continue;
		rec[n] = '\0';
		text = strchr(rec, ';');
		if (!text)
			continue;
		text++;
		text[strcspn(text, "\n")] = '\0';
		if (!strstr(text, "sched_ext") && !strchr(text, '+') &&
		    !s->exit_kind[0])
			continue;
		if (off + strlen(text) + 2 < sizeof(s->kernel_lines))
			off += snprintf(s->kernel_lines + off,
					sizeof(s->kernel_lines) - off, "%s\n",
					text);
		p = strstr(text, "\" disabled (");
		if (p && strstr(text, "BPF scheduler")) {
			p += strlen("\" disabled (");
			snprintf(s->exit_kind, sizeof(s->exit_kind), "%.*s",
				 (int)strcspn(p, ")"), p);
			continue;
		}
		/* "sched_ext: <ops>: <message>" */
		if (str_starts_with(text, "sched_ext: ") && s->ops_name[0]) {
			char prefix[96];

			snprintf(prefix, sizeof(prefix), "sched_ext: %s: ",
				 s->ops_name);
			if (str_starts_with(text, prefix) && !s->exit_msg[0])
				snprintf(s->exit_msg, sizeof(s->exit_msg), "%s",
					 text + strlen(prefix));
		}
	}
}

/*
 * The scheduler's argv. @args is either a declared test's sched_args,
 * split on spaces, or KTSTR_SCHED_ARGS from `ktstr run --sched` as a
 * list: 0x1f, the count, then 0x1f before each argument (which keeps its
 * spaces, and may be empty). A list that does not decode to its count,
 * or more than MAX_SCHED_ARGS, is said on stderr, never cut silently.
 */
static void split_args(const char *path, const char *args, char **argv,
		       char *buf, size_t len)
{
	static char *big;
	const char *sep = " ";
	char *tok, *p, *end;
	unsigned long want = 0;
	int n = 0, got = 0;

	argv[n++] = (char *)path;
	if (!args)
		args = "";
	if (strlen(args) >= len) {
		free(big);
		big = xstrdup(args);
		buf = big;
	} else {
		snprintf(buf, len, "%s", args);
	}
	if (buf[0] == '\x1f') {
		sep = "\x1f";
		want = strtoul(buf + 1, &end, 10);
		if (end == buf + 1 || (*end && *end != '\x1f')) {
			fprintf(stderr, "ktstr: KTSTR_SCHED_ARGS: no argument count after 0x1f\n");
			want = 0;
			end = buf + strlen(buf);
		}
		/* split on every separator: an argument may be empty */
		for (p = end; *p == '\x1f'; p = tok) {
			*p++ = '\0';
			tok = p + strcspn(p, "\x1f");
			if (n < MAX_SCHED_ARGS)
				argv[n++] = p;
			got++;
		}
		if (got != (int)want)
			fprintf(stderr, "ktstr: KTSTR_SCHED_ARGS: %d arguments arrived, %lu were sent\n",
				got, want);
	} else {
		for (tok = strtok_r(buf, sep, &p); tok;
		     tok = strtok_r(NULL, sep, &p)) {
			if (n < MAX_SCHED_ARGS)
				argv[n++] = tok;
			got++;
		}
	}
	if (got > MAX_SCHED_ARGS - 1)
		fprintf(stderr, "ktstr: %s: %d scheduler arguments, only the first %d passed (MAX_SCHED_ARGS)\n",
			path, got, MAX_SCHED_ARGS - 1);
	argv[n] = NULL;
}

static void reap(struct sched *s, bool block)
{
	if (s->exited || s->pid <= 0)
		return;
	if (waitpid(s->pid, &s->status, block ? 0 : WNOHANG) == s->pid)
		s->exited = true;
}

static void log_tail(const char *path, char *buf, size_t len)
{
	char *log = read_file(path, NULL);
	size_t n;

	if (!log) {
		snprintf(buf, len, "(no log)");
		return;
	}
	n = strlen(log);
	snprintf(buf, len, "%s", n > len - 1 ? log + n - (len - 1) : log);
	free(log);
}

/*
 * The scheduler's log goes into a directory of this process's own
 * (mkdtemp: 0700, a random name), removed when the process exits: under
 * --native this runs on the host, where a fixed name in the shared /tmp
 * could be another user's file or symlink.
 */
static char log_dir[128];
static pid_t log_dir_owner;

static void remove_log_dir(void)
{
	struct dirent *de;
	char path[PATH_MAX];
	DIR *d;

	/* a forked worker that calls exit() must not take it away */
	if (!log_dir[0] || getpid() != log_dir_owner)
		return;
	d = opendir(log_dir);
	while (d && (de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", log_dir, de->d_name);
		unlink(path);
	}
	if (d)
		closedir(d);
	rmdir(log_dir);
	log_dir[0] = '\0';
}

static int open_log(struct sched *s)
{
	const char *tmp = getenv("TMPDIR");

	if (!log_dir[0]) {
		snprintf(log_dir, sizeof(log_dir), "%s/ktstr-sched-XXXXXX",
			 tmp && *tmp == '/' && strlen(tmp) < 64 ? tmp : "/tmp");
		if (!mkdtemp(log_dir)) {
			log_dir[0] = '\0';
			return -1;
		}
		log_dir_owner = getpid();
		atexit(remove_log_dir);
	}
	snprintf(s->log_path, sizeof(s->log_path), "%s/sched-%s.log",
		 log_dir, s->ops_name);
	unlink(s->log_path);
	return open(s->log_path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW |
		    O_CLOEXEC, 0600);
}

int sched_start(struct sched *s, const char *path, const char *args,
		unsigned int timeout_ms, char *err, size_t errlen)
{
	char *argv[MAX_SCHED_ARGS + 1], argbuf[1024], state[64], ops[64];
	char tail[3000];
	long long deadline;
	int fd;

	memset(s, 0, sizeof(*s));
	s->path = path;
	s->died_at_s = -1;
	sched_ops_name(path, s->ops_name, sizeof(s->ops_name));
	s->kmsg_fd = open("/dev/kmsg", O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (s->kmsg_fd >= 0)
		lseek(s->kmsg_fd, 0, SEEK_END);
	read_line(SCX_STATE, state, sizeof(state));
	if (!state[0]) {
		snprintf(err, errlen,
			 "scheduler did not attach: this kernel has no sched_ext (%s missing)",
			 SCX_STATE);
		return -1;
	}
	split_args(path, args, argv, argbuf, sizeof(argbuf));
	fd = open_log(s);
	if (fd < 0) {
		snprintf(err, errlen,
			 "scheduler did not attach: cannot create its log %s: %s",
			 s->log_path[0] ? s->log_path : "(no directory)",
			 strerror(errno));
		if (s->kmsg_fd >= 0)
			close(s->kmsg_fd);
		s->kmsg_fd = -1;
		return -1;
	}
	s->start_ms = now_ms();
	s->pid = fork();
	if (s->pid < 0) {
		snprintf(err, errlen, "scheduler did not attach: fork: %s",
			 strerror(errno));
		close(fd);
		return -1;
	}
	if (s->pid == 0) {
		/* the copies survive exec, the O_CLOEXEC original does not */
		dup2(fd, 1);
		dup2(fd, 2);
		setpgid(0, 0);
		execvp(path, argv);
		fprintf(stderr, "cannot run %s: %s\n", path, strerror(errno));
		_exit(127);
	}
	close(fd);
	deadline = now_ms() + timeout_ms;
	while (now_ms() < deadline) {
		read_line(SCX_STATE, state, sizeof(state));
		read_line(SCX_OPS, ops, sizeof(ops));
		if (!strcmp(state, "enabled") &&
		    str_starts_with(ops, s->ops_name)) {
			log_debug("scheduler: %s attached as '%s' after %lld ms",
				  path, ops, now_ms() - deadline + timeout_ms);
			return 0;
		}
		reap(s, false);
		if (s->exited)
			break;
		usleep(20000);
	}
	sched_read_kernel_exit(s);
	log_tail(s->log_path, tail, sizeof(tail));
	if (s->exited)
		snprintf(err, errlen,
			 "scheduler did not attach: %s exited with %d before sched_ext was enabled; its log:\n%s",
			 path, WIFEXITED(s->status) ? WEXITSTATUS(s->status) :
			 128 + WTERMSIG(s->status), tail);
	else
		snprintf(err, errlen,
			 "scheduler did not attach: sched_ext state '%s', ops '%s' after %u ms (want enabled, %s); its log:\n%s",
			 state, ops, timeout_ms, s->ops_name, tail);
	sched_stop(s);
	return -1;
}

bool sched_alive(struct sched *s, long long test_start_ms)
{
	char state[64];

	reap(s, false);
	read_line(SCX_STATE, state, sizeof(state));
	if (!s->exited && !strcmp(state, "enabled"))
		return true;
	if (s->died_at_s < 0) {
		s->died_at_s = (now_ms() - test_start_ms) / 1000.0;
		/* the host takes the vCPUs' registers now */
		printf("%s\n", KTSTR_SNAPSHOT_LINE);
		fflush(stdout);
	}
	return false;
}

void sched_stop(struct sched *s)
{
	long long deadline = now_ms() + 5000;

	if (s->pid > 0 && !s->exited) {
		kill(s->pid, SIGINT);
		while (!s->exited && now_ms() < deadline) {
			reap(s, false);
			usleep(20000);
		}
		if (!s->exited) {
			kill(-s->pid, SIGKILL);
			kill(s->pid, SIGKILL);
			reap(s, true);
		}
	}
	/* the kernel prints its exit lines from a worker: give it a moment */
	for (deadline = now_ms() + 500; now_ms() < deadline; usleep(50000)) {
		char state[64];

		read_line(SCX_STATE, state, sizeof(state));
		if (strcmp(state, "enabled") && strcmp(state, "disabling"))
			break;
	}
	sched_read_kernel_exit(s);
	if (s->kmsg_fd >= 0) {
		close(s->kmsg_fd);
		s->kmsg_fd = -1;
	}
}

bool sched_crashed(const struct sched *s)
{
	/* an error exit kind is what the kernel calls a crash */
	return s->exit_kind[0] &&
	       (strstr(s->exit_kind, "error") || strstr(s->exit_kind, "stall"));
}
