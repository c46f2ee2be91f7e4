// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <fcntl.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "env.h"
#include "util.h"

static void out_of_memory(void)
{
	fputs("ktstr: out of memory\n", stderr);
	exit(1);
}

void *xmalloc(size_t len)
{
	void *p = malloc(len ? len : 1);

	if (!p)
		out_of_memory();
	return p;
}

void *xcalloc(size_t n, size_t len)
{
	void *p = calloc(n ? n : 1, len ? len : 1);

	if (!p)
		out_of_memory();
	return p;
}

char *xstrdup(const char *s)
{
	char *p = strdup(s);

	if (!p)
		out_of_memory();
	return p;
}

int mkdir_p(const char *path)
{
	char buf[PATH_MAX];
	char *p;

	snprintf(buf, sizeof(buf), "%s", path);
	for (p = buf + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(buf, 0755) && errno != EEXIST)
			return -1;
		*p = '/';
	}
	if (mkdir(buf, 0755) && errno != EEXIST)
		return -1;
	return 0;
}

void *xrealloc(void *p, size_t len)
{
	p = realloc(p, len ? len : 1);
	if (!p)
		out_of_memory();
	return p;
}

/* @fd (a file or a pipe) read to its end, at most @max bytes, and closed */
static char *read_fd(int fd, size_t max, size_t *lenp)
{
	size_t len = 0, cap = 4096;
	char *buf = xmalloc(cap);
	ssize_t n;

	while ((n = read(fd, buf + len, cap - len - 1)) > 0 ||
	       (n < 0 && errno == EINTR)) {
		if (n < 0)
			continue;
		len += n;
		if (len > max) {
			n = -1;
			errno = EFBIG;
			break;
		}
		if (cap - len < 2) {
			cap *= 2;
			buf = xrealloc(buf, cap);
		}
	}
	close(fd);
	if (n < 0) {
		free(buf);
		return NULL;
	}
	buf[len] = '\0';
	if (lenp)
		*lenp = len;
	return buf;
}

char *read_file(const char *path, size_t *lenp)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	return fd < 0 ? NULL : read_fd(fd, SIZE_MAX - 1, lenp);
}

char *read_regular_at(int dirfd, const char *path, size_t max, size_t *lenp)
{
	int fd = openat(dirfd, path,
			O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
	struct stat st;
	int err;

	if (fd < 0) {
		/* O_NOFOLLOW's answer to a link */
		if (errno == ELOOP)
			errno = EINVAL;
		return NULL;
	}
	if (fstat(fd, &st))
		err = errno;
	else if (!S_ISREG(st.st_mode))
		err = EINVAL;
	else if ((unsigned long long)st.st_size > max)
		err = EFBIG;
	else
		return read_fd(fd, max, lenp);
	close(fd);
	errno = err;
	return NULL;
}

char *read_regular_file(const char *path, size_t max, size_t *lenp)
{
	return read_regular_at(AT_FDCWD, path, max, lenp);
}

static int write_all_fd(int fd, const char *p, size_t len)
{
	while (len) {
		ssize_t n = write(fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			if (!n)
				errno = EIO;
			return -1;
		}
		p += n;
		len -= n;
	}
	return 0;
}

/*
 * A temporary file of an unpredictable name next to @path (mkostemp:
 * O_EXCL, so never someone else's file or symlink), its data on disk
 * (fsync) before the rename, and the rename itself on disk (fsync of the
 * directory): after a crash @path is the old file or the new one, never
 * a truncated one.
 */
int write_file_atomic(const char *path, const void *buf, size_t len)
{
	char tmp[PATH_MAX], dir[PATH_MAX], *slash;
	int fd, err;

	snprintf(dir, sizeof(dir), "%s", path);
	slash = strrchr(dir, '/');
	if (!slash)
		snprintf(dir, sizeof(dir), ".");
	else if (slash == dir)
		dir[1] = '\0';
	else
		*slash = '\0';
	if (snprintf(tmp, sizeof(tmp), "%s/.%s.XXXXXX", dir,
		     slash ? slash + 1 : path) >= (int)sizeof(tmp)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0)
		return -1;
	if (fchmod(fd, 0644) || write_all_fd(fd, buf, len) || fsync(fd)) {
		err = errno;
		close(fd);
		unlink(tmp);
		errno = err;
		return -1;
	}
	if (close(fd) || rename(tmp, path)) {
		err = errno;
		unlink(tmp);
		errno = err;
		return -1;
	}
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd >= 0) {
		fsync(fd);
		close(fd);
	}
	return 0;
}

/*
 * Weak: the static guest init links this file but never asks for a
 * cache, and must not pull in the NSS that getpwuid() needs.
 */
#pragma weak getpwuid

/*
 * Never the shared temporary directory: with no KTSTR_CACHE,
 * XDG_CACHE_HOME or HOME, the home directory of the password database;
 * without one either, a clear refusal (exit 250, the launcher's "bad
 * option or environment").
 */
void cache_path(char *buf, size_t len, const char *sub)
{
	const char *c = ktstr_env()->cache;
	const char *x = getenv("XDG_CACHE_HOME");
	const char *h = getenv("HOME");
	struct passwd *pw;

	if (c && *c) {
		snprintf(buf, len, "%s/%s", c, sub);
		return;
	}
	if (x && *x) {
		snprintf(buf, len, "%s/ktstr/%s", x, sub);
		return;
	}
	if ((!h || !*h) && getpwuid) {
		pw = getpwuid(getuid());
		h = pw && pw->pw_dir && pw->pw_dir[0] == '/' ? pw->pw_dir :
		    NULL;
	}
	if (!h || !*h) {
		fprintf(stderr,
			"ktstr: no cache directory: HOME is not set and user %u has no home directory; set HOME, XDG_CACHE_HOME or KTSTR_CACHE\n",
			(unsigned int)getuid());
		exit(250);
	}
	snprintf(buf, len, "%s/.cache/ktstr/%s", h, sub);
}

int tmp_template(char *buf, size_t len, size_t max, const char *name)
{
	const char *t = getenv("TMPDIR");
	int n;

	if (max > len)
		max = len;
	if (t && t[0] == '/') {
		n = snprintf(buf, len, "%s/%s-XXXXXX", t, name);
		if (n > 0 && (size_t)n < max)
			return 0;
	}
	n = snprintf(buf, len, "/tmp/%s-XXXXXX", name);
	return n > 0 && (size_t)n < max ? 0 : -1;
}

FILE *tmp_file(void)
{
	char path[PATH_MAX];
	const char *t = getenv("TMPDIR");
	FILE *f;
	int fd;

	fd = open(t && t[0] == '/' ? t : "/tmp",
		  O_TMPFILE | O_RDWR | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0) {
		/* no O_TMPFILE on this filesystem: a named one, unlinked */
		if (tmp_template(path, sizeof(path), sizeof(path), "ktstr"))
			return NULL;
		fd = mkostemp(path, O_CLOEXEC);
		if (fd < 0)
			return NULL;
		unlink(path);
	}
	f = fdopen(fd, "w+");
	if (!f)
		close(fd);
	return f;
}

bool log_debug_enabled(void)
{
	static int on = -1;
	const char *v;

	if (on >= 0)
		return on;
	v = ktstr_env()->log;
	on = v && (!strcmp(v, "debug") || !strcmp(v, "ktstr=debug") ||
		   !strcmp(v, "trace") || !strcmp(v, "ktstr=trace"));
	if (v && *v && !on && strcmp(v, "info") && strcmp(v, "ktstr=info"))
		fprintf(stderr, "ktstr: KTSTR_LOG='%.40s' is not a level ktstr knows (debug, info): no tracing\n",
			v);
	return on;
}

void log_debug(const char *fmt, ...)
{
	char line[1024];
	va_list ap;

	if (!log_debug_enabled())
		return;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	/* one write: lines from processes sharing stderr stay whole */
	fprintf(stderr, "ktstr debug: %s\n", line);
}

double schedstat_wait_ms(int fd)
{
	unsigned long long run, wait;
	char buf[128];
	ssize_t n = fd < 0 ? -1 : pread(fd, buf, sizeof(buf) - 1, 0);

	if (n <= 0)
		return 0;
	buf[n] = '\0';
	if (sscanf(buf, "%llu %llu", &run, &wait) != 2)
		return 0;
	return wait / 1e6;
}

long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

bool str_starts_with(const char *s, const char *prefix)
{
	return !strncmp(s, prefix, strlen(prefix));
}

int set_err(char *buf, size_t len, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, len, fmt, ap);
	va_end(ap);
	return -1;
}

#include <sys/wait.h>

/*
 * Run @argv[0] with @argv, no shell, stdin from /dev/null and stderr
 * kept or discarded; its whole stdout into *@out (NUL-terminated, the
 * caller frees it), its length into *@len when @len is not NULL. Returns
 * the exit status, 128 + the signal that ended it, or -1 with errno set
 * when it could not be run.
 */
int run_argv_capture(char *const *argv, bool keep_stderr, char **out,
		     size_t *len)
{
	int p[2], status, fd;
	size_t n = 0;
	char *buf;
	pid_t pid;

	*out = NULL;
	if (pipe2(p, O_CLOEXEC))
		return -1;
	pid = fork();
	if (pid < 0) {
		close(p[0]);
		close(p[1]);
		return -1;
	}
	if (pid == 0) {
		fd = open("/dev/null", O_RDWR);
		if (fd >= 0) {
			dup2(fd, 0);
			if (!keep_stderr)
				dup2(fd, 2);
		}
		dup2(p[1], 1);
		execvp(argv[0], argv);
		_exit(127);
	}
	close(p[1]);
	/* a failed read gives no output; the exit status still tells */
	buf = read_fd(p[0], SIZE_MAX - 1, &n);
	if (!buf)
		buf = xstrdup("");
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR) {
			free(buf);
			return -1;
		}
	*out = buf;
	if (len)
		*len = n;
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return WEXITSTATUS(status);
}
