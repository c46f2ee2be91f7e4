/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A minimal writer for the "newc" cpio format the kernel unpacks as its
 * initramfs (Documentation/driver-api/early-userspace/buffer-format.rst).
 */
#ifndef __KTSTR_CPIO_H
#define __KTSTR_CPIO_H

#include <stdbool.h>
#include <stdio.h>
#include <sys/types.h>

struct cpio {
	FILE *f;
	unsigned int ino;
};

void cpio_init(struct cpio *c, FILE *f);
int cpio_dir(struct cpio *c, const char *path, mode_t mode);
int cpio_symlink(struct cpio *c, const char *path, const char *target);
int cpio_file(struct cpio *c, const char *path, mode_t mode,
	      const void *data, size_t len);
/*
 * Writes the TRAILER!!! record and fsyncs; returns 0 or -1 on a write
 * error.
 */
int cpio_finish(struct cpio *c);

/*
 * Whether @path is a whole archive as cpio_finish() leaves it (ends in
 * its trailer record): a cached initramfs that a crash cut short is not.
 */
bool cpio_complete(const char *path);

#endif /* __KTSTR_CPIO_H */
