/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Small helpers shared by the host tools, the guest init and the tests.
 */
#ifndef __KTSTR_UTIL_H
#define __KTSTR_UTIL_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

void *xmalloc(size_t len);
void *xcalloc(size_t n, size_t len);
char *xstrdup(const char *s);

/* mkdir -p; returns 0 or -1 with errno set */
int mkdir_p(const char *path);

/*
 * Read a whole file into a NUL-terminated buffer the caller frees.
 * Returns NULL with errno set.
 */
char *read_file(const char *path, size_t *len);

/*
 * Write @len bytes to @path through a temporary file (mkostemp in the
 * same directory), fsync and rename(), then fsync the directory.
 */
int write_file_atomic(const char *path, const void *buf, size_t len);

/* ${KTSTR_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/ktstr}/@sub */
void cache_path(char *buf, size_t len, const char *sub);

/* Monotonic clock in milliseconds. */
long long now_ms(void);

bool str_starts_with(const char *s, const char *prefix);

/* Format a sentence into @buf and return -1: for parsers' error paths. */
int set_err(char *buf, size_t len, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/*
 * Run @argv (no shell: execvp) and take its whole stdout into *@out, a
 * NUL-terminated buffer the caller frees. Returns the exit status, 128 +
 * a fatal signal, or -1 when it could not be run.
 */
int run_argv_capture(char *const *argv, bool keep_stderr, char **out,
		     size_t *len);

#endif /* __KTSTR_UTIL_H */
