/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The kernel's attribute shorthands, for code built outside the tree's
 * tools/include (the host tool, the guest init). Spelled as
 * tools/include/linux/compiler-gcc.h spells them, so a file that also
 * includes that header sees the same definition twice, which C allows.
 */
#ifndef __KTSTR_COMPILER_H
#define __KTSTR_COMPILER_H

#ifndef __printf
#define __printf(a, b)	__attribute__((format(printf, a, b)))
#endif
#ifndef __packed
#define __packed	__attribute__((packed))
#endif
#ifndef __noreturn
#define __noreturn	__attribute__((noreturn))
#endif

#endif /* __KTSTR_COMPILER_H */
