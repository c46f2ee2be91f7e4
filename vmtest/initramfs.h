/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The guest's initramfs: ktstr's init, static busybox, and every file the
 * caller includes together with the shared libraries it needs. Archives
 * are cached by the hash of their content, so a second boot with the same
 * files writes nothing.
 */
#ifndef __KTSTR_INITRAMFS_H
#define __KTSTR_INITRAMFS_H

#include <stddef.h>
#include <sys/types.h>

#define INITRAMFS_MAX_FILES	512

struct initramfs_file {
	char *guest;		/* absolute path in the guest */
	char *host;		/* file to read on the host */
	mode_t mode;
};

struct initramfs {
	struct initramfs_file files[INITRAMFS_MAX_FILES];
	int nr;
	char err[512];
};

void initramfs_init(struct initramfs *ir);
void initramfs_free(struct initramfs *ir);

/* Add @host as @guest; no libraries. */
int initramfs_add(struct initramfs *ir, const char *host, const char *guest);

/*
 * Add an executable as /bin/<its name> plus its dynamic loader and the
 * shared libraries it needs (read from its ELF headers, never by running
 * it), at the paths the dynamic loader looks for them.
 */
int initramfs_add_program(struct initramfs *ir, const char *host);

/*
 * Write the archive into @cache_dir (unless an identical one is there)
 * and put its path into @path. Returns 0 or -1 with ir->err set.
 */
int initramfs_build(struct initramfs *ir, const char *cache_dir,
		    char *path, size_t len);

#endif /* __KTSTR_INITRAMFS_H */
