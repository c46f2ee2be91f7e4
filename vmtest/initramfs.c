// SPDX-License-Identifier: GPL-2.0
/*
 * Build the guest's initramfs from host files.
 */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cpio.h"
#include "initramfs.h"
#include "util.h"

void initramfs_init(struct initramfs *ir)
{
	memset(ir, 0, sizeof(*ir));
}

void initramfs_free(struct initramfs *ir)
{
	int i;

	for (i = 0; i < ir->nr; i++) {
		free(ir->files[i].guest);
		free(ir->files[i].host);
	}
	ir->nr = 0;
}

static int ir_err(struct initramfs *ir, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(ir->err, sizeof(ir->err), fmt, ap);
	va_end(ap);
	return -1;
}

int initramfs_add(struct initramfs *ir, const char *host, const char *guest)
{
	struct stat st;
	int i;

	/* stat() follows links: the guest gets the file, not the link */
	if (stat(host, &st))
		return ir_err(ir, "cannot include '%s': %s", host,
			      strerror(errno));
	if (!S_ISREG(st.st_mode))
		return ir_err(ir, "cannot include '%s': not a regular file",
			      host);
	for (i = 0; i < ir->nr; i++) {
		char a[PATH_MAX], b[PATH_MAX];

		if (strcmp(ir->files[i].guest, guest))
			continue;
		/* the same file named two ways is one file */
		if (realpath(ir->files[i].host, a) && realpath(host, b) &&
		    !strcmp(a, b))
			return 0;
		return ir_err(ir, "'%s' and '%s' would both be %s in the guest: rename one",
			      ir->files[i].host, host, guest);
	}
	if (ir->nr == INITRAMFS_MAX_FILES)
		return ir_err(ir, "more than %d files in the initramfs",
			      INITRAMFS_MAX_FILES);
	ir->files[ir->nr].guest = xstrdup(guest);
	ir->files[ir->nr].host = xstrdup(host);
	ir->files[ir->nr].mode = st.st_mode & 07777;
	ir->nr++;
	return 0;
}

/*
 * ldd lists "libfoo.so.1 => /lib/x86_64-linux-gnu/libfoo.so.1 (0x...)"
 * and the loader as "/lib64/ld-linux-x86-64.so.2 (0x...)". Both go to the
 * guest at the path named, which is where the loader and its built-in
 * multiarch search path will look.
 */
static int add_libraries(struct initramfs *ir, const char *host)
{
	char cmd[4200], line[1024];
	FILE *p;
	int ret = 0;

	snprintf(cmd, sizeof(cmd), "ldd '%s' 2>/dev/null", host);
	p = popen(cmd, "r");
	if (!p)
		return ir_err(ir, "cannot run ldd on '%s': %s", host,
			      strerror(errno));
	while (fgets(line, sizeof(line), p)) {
		char *path = strstr(line, "=> ");
		char *end;

		if (strstr(line, "not found"))
			ret = ir_err(ir, "'%s' needs a library the host does not have: %s",
				     host, strtok(line, "\n"));
		path = path ? path + 3 : line;
		while (*path == ' ' || *path == '\t')
			path++;
		if (*path != '/')
			continue;
		end = strchr(path, ' ');
		if (end)
			*end = '\0';
		if (!ret)
			ret = initramfs_add(ir, path, path);
	}
	pclose(p);
	return ret;
}

int initramfs_add_program(struct initramfs *ir, const char *host)
{
	char guest[PATH_MAX], *copy = xstrdup(host);
	int ret;

	snprintf(guest, sizeof(guest), "/bin/%s", basename(copy));
	free(copy);
	if (access(host, X_OK))
		return ir_err(ir, "cannot include '%s': %s", host,
			      access(host, F_OK) ? "no such file" :
			      "not executable");
	ret = initramfs_add(ir, host, guest);
	return ret ? ret : add_libraries(ir, host);
}

/* FNV-1a: a cache key, not a security boundary. */
static uint64_t fnv1a(uint64_t h, const void *buf, size_t len)
{
	const unsigned char *p = buf;

	while (len--) {
		h ^= *p++;
		h *= 0x100000001b3ULL;
	}
	return h;
}

struct mapped {
	void *data;
	size_t len;
};

static int map_file(const char *path, struct mapped *m)
{
	struct stat st;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0 || fstat(fd, &st)) {
		if (fd >= 0)
			close(fd);
		return -1;
	}
	m->len = st.st_size;
	m->data = m->len ? mmap(NULL, m->len, PROT_READ, MAP_PRIVATE, fd, 0) :
			   NULL;
	close(fd);
	return m->data == MAP_FAILED ? -1 : 0;
}

/* Create every parent directory of @path once, in order. */
static void add_parents(struct cpio *c, char **made, int *nmade,
			const char *path)
{
	char dir[PATH_MAX];
	char *slash;
	int i;

	snprintf(dir, sizeof(dir), "%s", path);
	for (slash = strchr(dir + 1, '/'); slash; slash = strchr(slash + 1, '/')) {
		*slash = '\0';
		for (i = 0; i < *nmade && strcmp(made[i], dir); i++)
			;
		if (i == *nmade && *nmade < INITRAMFS_MAX_FILES * 4) {
			made[(*nmade)++] = xstrdup(dir);
			cpio_dir(c, dir, 0755);
		}
		*slash = '/';
	}
}

static int write_archive(struct initramfs *ir, struct mapped *maps,
			 const char *path)
{
	static const char *const dirs[] = {
		"/dev", "/proc", "/sys", "/tmp", "/run", "/root", "/etc",
		"/sbin", "/usr", "/usr/bin", "/usr/sbin",
	};
	char *made[INITRAMFS_MAX_FILES * 4];
	int nmade = 0, i, ret;
	struct cpio c;
	FILE *f = fopen(path, "w");

	if (!f)
		return ir_err(ir, "cannot write '%s': %s", path,
			      strerror(errno));
	cpio_init(&c, f);
	for (i = 0; i < (int)ARRAY_SIZE(dirs); i++)
		cpio_dir(&c, dirs[i], 0755);
	for (i = 0; i < ir->nr; i++) {
		add_parents(&c, made, &nmade, ir->files[i].guest);
		cpio_file(&c, ir->files[i].guest, ir->files[i].mode,
			  maps[i].data, maps[i].len);
	}
	ret = cpio_finish(&c);
	if (fclose(f))
		ret = -1;
	for (i = 0; i < nmade; i++)
		free(made[i]);
	return ret ? ir_err(ir, "writing '%s' failed (disk full?)", path) : 0;
}

int initramfs_build(struct initramfs *ir, const char *cache_dir,
		    char *path, size_t len)
{
	struct mapped maps[INITRAMFS_MAX_FILES] = { 0 };
	uint64_t h = 0xcbf29ce484222325ULL;
	char tmp[PATH_MAX];
	int i, ret = 0;

	for (i = 0; i < ir->nr; i++) {
		if (map_file(ir->files[i].host, &maps[i])) {
			ret = ir_err(ir, "cannot read '%s': %s",
				     ir->files[i].host, strerror(errno));
			goto out;
		}
		h = fnv1a(h, ir->files[i].guest, strlen(ir->files[i].guest) + 1);
		h = fnv1a(h, &ir->files[i].mode, sizeof(ir->files[i].mode));
		h = fnv1a(h, maps[i].data, maps[i].len);
	}
	if (mkdir_p(cache_dir)) {
		ret = ir_err(ir, "cannot create '%s': %s", cache_dir,
			     strerror(errno));
		goto out;
	}
	snprintf(path, len, "%s/%016llx.cpio", cache_dir,
		 (unsigned long long)h);
	if (!access(path, R_OK))
		goto out;
	/* write to a private name, then rename: concurrent runs are safe */
	snprintf(tmp, sizeof(tmp), "%s.%d.tmp", path, getpid());
	ret = write_archive(ir, maps, tmp);
	if (!ret && rename(tmp, path))
		ret = ir_err(ir, "rename '%s': %s", tmp, strerror(errno));
	if (ret)
		unlink(tmp);
out:
	for (i = 0; i < ir->nr; i++)
		if (maps[i].data && maps[i].len)
			munmap(maps[i].data, maps[i].len);
	return ret;
}
