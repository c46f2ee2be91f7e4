/* SPDX-License-Identifier: GPL-2.0 */
#ifndef __KTSTR_SRCLINE_H
#define __KTSTR_SRCLINE_H

#define SRCLINE_LEN	512

struct srcline {
	char s[SRCLINE_LEN];
};

/*
 * "file:line" of each of @n addresses in @elf's DWARF into @out (empty
 * where unknown, and for an address of 0). -1 when @elf cannot be read.
 */
int srcline_lookup(const char *elf, const unsigned long long *addrs, int n,
		   struct srcline *out);

#endif /* __KTSTR_SRCLINE_H */
