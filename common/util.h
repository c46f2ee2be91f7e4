/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Small helpers shared by the host tools, the guest init and the tests.
 */
#ifndef __KTSTR_UTIL_H
#define __KTSTR_UTIL_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "compiler.h"

#ifndef ARRAY_SIZE
#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
#endif

/*
 * A variable another thread or process writes while we read it (the
 * kernel's READ_ONCE/WRITE_ONCE): read and written whole, never torn or
 * cached in a register. Relaxed: it orders nothing else.
 */
#define READ_SHARED(x) ({						\
	__typeof__(x) __v;						\
	__atomic_load(&(x), &__v, __ATOMIC_RELAXED);			\
	__v;								\
})
#define WRITE_SHARED(x, val) do {					\
	__typeof__(x) __v = (val);					\
	__atomic_store(&(x), &__v, __ATOMIC_RELAXED);			\
} while (0)

void *xmalloc(size_t len);
void *xcalloc(size_t n, size_t len);
char *xstrdup(const char *s);
void *xrealloc(void *p, size_t len);

/* mkdir -p; returns 0 or -1 with errno set */
int mkdir_p(const char *path);

/*
 * Read a whole file into a NUL-terminated buffer the caller frees.
 * Returns NULL with errno set.
 */
char *read_file(const char *path, size_t *len);

/*
 * read_file() for a file from elsewhere (a run directory, a shard's
 * artifacts): a regular file of at most @max bytes, opened without
 * following a link or blocking on a FIFO. NULL with errno set: EINVAL
 * for anything but a regular file (a link too), EFBIG for a larger one.
 */
char *read_regular_file(const char *path, size_t max, size_t *len);
/* the same, @path relative to the directory @dirfd */
char *read_regular_at(int dirfd, const char *path, size_t max, size_t *len);

/*
 * Write @len bytes to @path through a temporary file (mkostemp in the
 * same directory), fsync and rename(), then fsync the directory.
 */
int write_file_atomic(const char *path, const void *buf, size_t len);

/* ${KTSTR_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/ktstr}/@sub */
void cache_path(char *buf, size_t len, const char *sub);

/*
 * @buf = "$TMPDIR/@name-XXXXXX" for mkostemp()/mkdtemp(); /tmp when
 * TMPDIR is unset, not absolute, or would make the name longer than
 * @max (a socket path has 108 bytes). -1 when even /tmp does not fit.
 */
int tmp_template(char *buf, size_t len, size_t max, const char *name);

/*
 * tmpfile(), but in $TMPDIR (glibc's ignores it): an unnamed file,
 * removed when closed. NULL with errno set on failure.
 */
FILE *tmp_file(void);

/*
 * KTSTR_LOG=debug (or ktstr=debug, as RUST_LOG is spelled): tracing of
 * what ktstr decides and why, on stderr as "ktstr debug: ..." lines.
 * Read once; any other value is a warning and no tracing.
 */
bool log_debug_enabled(void);
void log_debug(const char *fmt, ...) __printf(1, 2);

/*
 * The run delay (time runnable but waiting on a run queue) in a schedstat
 * file open on @fd (/proc/self/schedstat, /proc/thread-self/schedstat):
 * read from its start each call, so the file can stay open. 0 if unread.
 */
double schedstat_wait_ms(int fd);

/* Monotonic clock in milliseconds. */
long long now_ms(void);

bool str_starts_with(const char *s, const char *prefix);

/* Format a sentence into @buf and return -1: for parsers' error paths. */
int set_err(char *buf, size_t len, const char *fmt, ...)
	__printf(3, 4);

/*
 * Run @argv (no shell: execvp) and take its whole stdout into *@out, a
 * NUL-terminated buffer the caller frees. Returns the exit status, 128 +
 * a fatal signal, or -1 when it could not be run.
 */
int run_argv_capture(char *const *argv, bool keep_stderr, char **out,
		     size_t *len);

#endif /* __KTSTR_UTIL_H */
