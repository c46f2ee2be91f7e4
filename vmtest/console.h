/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Reading the guest's serial console log: the oops or panic in it, its
 * last lines, and following it live.
 */
#ifndef __KTSTR_CONSOLE_H
#define __KTSTR_CONSOLE_H

#include <stdbool.h>
#include <stdio.h>
#include <sys/types.h>

struct console_tail {
	const char *path;
	off_t pos;
};

/*
 * If the log shows a kernel oops, BUG or panic, copy its lines (from the
 * first marker, at most @len bytes) into @buf and return true.
 */
bool console_find_oops(const char *path, char *buf, size_t len);

/* Print the last @n lines of @path to @out. */
void console_print_tail(const char *path, int n, FILE *out);

bool console_has_output(const char *path);

void console_tail_init(struct console_tail *t, const char *path);
/* Copy what was appended since the last call to @out. */
void console_follow(struct console_tail *t, FILE *out);

#endif /* __KTSTR_CONSOLE_H */
