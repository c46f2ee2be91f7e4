/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A scheduler log with each repeated block of lines collapsed into a
 * count, for the failure bundle. Pure: no libbpf, unit-tested.
 */
#ifndef __KTSTR_LOG_COLLAPSE_H
#define __KTSTR_LOG_COLLAPSE_H

/* The longest block of lines that is recognized as repeating. */
#define LOG_COLLAPSE_MAX_BLOCK	16

/*
 * @text with every block of up to LOG_COLLAPSE_MAX_BLOCK lines that
 * repeats right after itself printed once, followed by "  (the N lines
 * above repeated M more times)". Empty lines are dropped. Returns a
 * NUL-terminated string the caller frees; its size grows with what is
 * written, however short the input lines are.
 */
char *log_collapse(const char *text);

#endif /* __KTSTR_LOG_COLLAPSE_H */
