/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Shared by the libFuzzer harnesses: the input as a NUL-terminated
 * string (the parsers take C strings), a private temporary directory.
 */
#ifndef __KTSTR_FUZZ_H
#define __KTSTR_FUZZ_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* the input up to its first NUL, as a string the caller frees */
static inline char *fuzz_str(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);

	if (!s)
		abort();
	memcpy(s, data, size);
	s[size] = '\0';
	return s;
}

/* a directory of our own under $TMPDIR (or /tmp), made once */
const char *fuzz_tmpdir(void);

#endif /* __KTSTR_FUZZ_H */
