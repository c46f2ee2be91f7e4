/* SPDX-License-Identifier: GPL-2.0 */
/*
 * KTSTR_SHRINK in the guest: the reductions `ktstr shrink` asks for,
 * applied to a copy of a declaration (lib/shrink.c has the syntax).
 */
#ifndef __KTSTR_SHRINK_H
#define __KTSTR_SHRINK_H

#include <stddef.h>

#include "ktstr.h"

/*
 * @t with @spec applied (a static copy), @t itself when @spec is empty,
 * NULL with the reason in @err when a reduction does not fit.
 */
const struct ktstr_test *shrink_apply(const struct ktstr_test *t,
				      const char *spec, char *err, size_t len);

#endif /* __KTSTR_SHRINK_H */
