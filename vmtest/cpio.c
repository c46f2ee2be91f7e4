// SPDX-License-Identifier: GPL-2.0
/*
 * newc cpio: a 110-byte ASCII header, the name, padding to 4 bytes, the
 * data, padding to 4 bytes.
 */
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cpio.h"

void cpio_init(struct cpio *c, FILE *f)
{
	c->f = f;
	c->ino = 1;
}

static void pad4(FILE *f)
{
	long pos = ftell(f);

	while (pos++ & 3)
		fputc(0, f);
}

static int cpio_entry(struct cpio *c, const char *path, mode_t mode,
		      const void *data, size_t len)
{
	/* archive names are relative: the kernel unpacks them at / */
	while (*path == '/')
		path++;
	fprintf(c->f,
		"070701%08X%08X%08X%08X%08X%08X%08zX%08X%08X%08X%08X%08zX%08X",
		c->ino++, mode, 0, 0, 1, 0, len, 0, 0, 0, 0,
		strlen(path) + 1, 0);
	fwrite(path, 1, strlen(path) + 1, c->f);
	pad4(c->f);
	if (len)
		fwrite(data, 1, len, c->f);
	pad4(c->f);
	return ferror(c->f) ? -1 : 0;
}

int cpio_dir(struct cpio *c, const char *path, mode_t mode)
{
	return cpio_entry(c, path, S_IFDIR | mode, NULL, 0);
}

int cpio_symlink(struct cpio *c, const char *path, const char *target)
{
	return cpio_entry(c, path, S_IFLNK | 0777, target, strlen(target));
}

int cpio_file(struct cpio *c, const char *path, mode_t mode,
	      const void *data, size_t len)
{
	return cpio_entry(c, path, S_IFREG | mode, data, len);
}

/* on disk before the caller renames it into place */
int cpio_finish(struct cpio *c)
{
	cpio_entry(c, "TRAILER!!!", 0, NULL, 0);
	return fflush(c->f) || ferror(c->f) || fsync(fileno(c->f)) ? -1 : 0;
}

/*
 * The trailer record cpio_finish() writes last: a 110-byte header with
 * an empty size, then "TRAILER!!!" and its NUL, padded to 124 bytes.
 */
#define TRAILER_LEN	124

bool cpio_complete(const char *path)
{
	char buf[TRAILER_LEN];
	struct stat st;
	bool ok = false;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return false;
	if (!fstat(fd, &st) && S_ISREG(st.st_mode) &&
	    st.st_size >= TRAILER_LEN && !(st.st_size & 3) &&
	    pread(fd, buf, sizeof(buf), st.st_size - TRAILER_LEN) ==
	    sizeof(buf))
		ok = !memcmp(buf, "070701", 6) &&
		     !memcmp(buf + 54, "00000000", 8) &&
		     !memcmp(buf + 110, "TRAILER!!!", 11);
	close(fd);
	return ok;
}
