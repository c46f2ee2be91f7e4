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

#include <gelf.h>
#include <libelf.h>

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
 * Shared libraries without ldd (which may run the program it is asked
 * about): the program's PT_INTERP and DT_NEEDED, read with libelf and
 * resolved the way the dynamic loader does it, then the same for every
 * library found. The loader goes to the guest at its own path; a library
 * found in a standard directory at the path it has on the host, one
 * found through DT_RPATH/DT_RUNPATH in /usr/lib, where the guest's loader
 * looks by default (the guest has no ld.so.cache).
 */
#define MAX_SEARCH	16

static const char *const std_dirs[] = {
	"/lib/x86_64-linux-gnu", "/usr/lib/x86_64-linux-gnu", "/lib64",
	"/usr/lib64", "/lib", "/usr/lib",
};

struct elf_info {
	bool elf;		/* an ELF file at all */
	int class;		/* ELFCLASS32/64 */
	unsigned int machine;
	char interp[PATH_MAX];
	char **needed;
	int nr_needed;
	char runpath[PATH_MAX];
	char rpath[PATH_MAX];
};

static void elf_info_free(struct elf_info *e)
{
	int i;

	for (i = 0; i < e->nr_needed; i++)
		free(e->needed[i]);
	free(e->needed);
	e->needed = NULL;
	e->nr_needed = 0;
}

static void add_needed(struct elf_info *e, const char *name)
{
	char **n = realloc(e->needed, (e->nr_needed + 1) * sizeof(*n));

	if (!n) {
		fprintf(stderr, "ktstr: out of memory\n");
		exit(1);
	}
	e->needed = n;
	e->needed[e->nr_needed++] = xstrdup(name);
}

/* 0, also for a file that is not ELF (e->elf false); -1 when unreadable */
static int elf_read(const char *path, struct elf_info *e)
{
	Elf_Scn *scn = NULL;
	GElf_Ehdr eh;
	size_t i, nph;
	Elf *elf;
	int fd;

	memset(e, 0, sizeof(*e));
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	elf_version(EV_CURRENT);
	elf = elf_begin(fd, ELF_C_READ, NULL);
	if (!elf || elf_kind(elf) != ELF_K_ELF || !gelf_getehdr(elf, &eh)) {
		if (elf)
			elf_end(elf);
		close(fd);
		return 0;
	}
	e->elf = true;
	e->class = gelf_getclass(elf);
	e->machine = eh.e_machine;
	if (!elf_getphdrnum(elf, &nph))
		for (i = 0; i < nph; i++) {
			GElf_Phdr ph;
			ssize_t n;

			if (!gelf_getphdr(elf, i, &ph) || ph.p_type != PT_INTERP ||
			    !ph.p_filesz || ph.p_filesz >= sizeof(e->interp))
				continue;
			n = pread(fd, e->interp, ph.p_filesz, ph.p_offset);
			e->interp[n > 0 ? n : 0] = '\0';
			e->interp[strnlen(e->interp, ph.p_filesz)] = '\0';
		}
	while ((scn = elf_nextscn(elf, scn))) {
		GElf_Shdr sh;
		Elf_Data *d;
		GElf_Dyn dyn;
		size_t k;

		if (!gelf_getshdr(scn, &sh) || sh.sh_type != SHT_DYNAMIC ||
		    !sh.sh_entsize)
			continue;
		d = elf_getdata(scn, NULL);
		for (k = 0; d && k < sh.sh_size / sh.sh_entsize; k++) {
			const char *str;

			if (!gelf_getdyn(d, k, &dyn) || dyn.d_tag == DT_NULL)
				break;
			if (dyn.d_tag != DT_NEEDED && dyn.d_tag != DT_RUNPATH &&
			    dyn.d_tag != DT_RPATH)
				continue;
			str = elf_strptr(elf, sh.sh_link, dyn.d_un.d_val);
			if (!str)
				continue;
			if (dyn.d_tag == DT_RUNPATH)
				snprintf(e->runpath, sizeof(e->runpath), "%s", str);
			else if (dyn.d_tag == DT_RPATH)
				snprintf(e->rpath, sizeof(e->rpath), "%s", str);
			else
				add_needed(e, str);
		}
	}
	elf_end(elf);
	close(fd);
	return 0;
}

/* a library the loader would take for an object of @class/@machine */
static bool lib_fits(const char *path, int class, unsigned int machine)
{
	struct elf_info e;
	bool ok;

	if (access(path, R_OK) || elf_read(path, &e) || !e.elf)
		return false;
	ok = e.class == class && e.machine == machine;
	elf_info_free(&e);
	return ok;
}

/* "$ORIGIN/../lib:/opt/x" into directories, $ORIGIN as @origin */
static int split_search(const char *list, const char *origin,
			char dirs[][PATH_MAX], int n)
{
	char *copy = xstrdup(list), *dir, *save;

	for (dir = strtok_r(copy, ":", &save); dir && n < MAX_SEARCH;
	     dir = strtok_r(NULL, ":", &save)) {
		const char *rest = NULL;

		if (str_starts_with(dir, "${ORIGIN}"))
			rest = dir + 9;
		else if (str_starts_with(dir, "$ORIGIN"))
			rest = dir + 7;
		if (rest)
			snprintf(dirs[n++], PATH_MAX, "%s%s", origin, rest);
		else if (dir[0] == '/')
			snprintf(dirs[n++], PATH_MAX, "%s", dir);
	}
	free(copy);
	return n;
}

/*
 * Where the loader finds @name for the object at @obj: its DT_RPATH (when
 * it has no DT_RUNPATH) and the program's, its DT_RUNPATH, then the
 * standard directories. @guest: where it goes in the guest.
 */
static bool resolve_lib(const char *name, const char *obj,
			const struct elf_info *e, const char *prog_rpath,
			char *host, char *guest)
{
	char dirs[MAX_SEARCH][PATH_MAX], real[PATH_MAX], *origin;
	int n = 0, i;
	size_t k;

	if (strchr(name, '/')) {
		snprintf(host, PATH_MAX, "%s", name);
		snprintf(guest, PATH_MAX, "%s", name);
		return lib_fits(host, e->class, e->machine);
	}
	if (!realpath(obj, real))
		snprintf(real, sizeof(real), "%s", obj);
	origin = dirname(real);
	if (!e->runpath[0]) {
		n = split_search(e->rpath, origin, dirs, n);
		n = split_search(prog_rpath, origin, dirs, n);
	}
	n = split_search(e->runpath, origin, dirs, n);
	for (k = 0; k < ARRAY_SIZE(std_dirs); k++) {
		snprintf(host, PATH_MAX, "%s/%s", std_dirs[k], name);
		if (lib_fits(host, e->class, e->machine)) {
			snprintf(guest, PATH_MAX, "%s", host);
			/* an RPATH entry comes first when it has the library */
			for (i = 0; i < n; i++) {
				char alt[PATH_MAX * 2];

				snprintf(alt, sizeof(alt), "%s/%s", dirs[i], name);
				if (lib_fits(alt, e->class, e->machine)) {
					snprintf(host, PATH_MAX, "%s", alt);
					snprintf(guest, PATH_MAX, "/usr/lib/%s",
						 name);
					break;
				}
			}
			return true;
		}
	}
	for (i = 0; i < n; i++) {
		snprintf(host, PATH_MAX, "%s/%s", dirs[i], name);
		if (lib_fits(host, e->class, e->machine)) {
			snprintf(guest, PATH_MAX, "/usr/lib/%s", name);
			return true;
		}
	}
	return false;
}

/* the file is in already, at @guest or (the loader) by another name */
static bool already_in(struct initramfs *ir, const char *host,
		       const char *guest)
{
	char a[PATH_MAX], b[PATH_MAX];
	int k;

	if (!realpath(host, a))
		return false;
	for (k = 0; k < ir->nr; k++)
		if (!strcmp(ir->files[k].guest, guest) ||
		    (realpath(ir->files[k].host, b) && !strcmp(a, b)))
			return true;
	return false;
}

static int add_libraries(struct initramfs *ir, const char *host)
{
	char *todo[INITRAMFS_MAX_FILES], prog_rpath[PATH_MAX] = "";
	char lib[PATH_MAX], guest[PATH_MAX];
	int nr = 0, done, i, ret = 0;
	struct elf_info e;

	todo[nr++] = xstrdup(host);
	for (done = 0; done < nr && !ret; done++) {
		if (elf_read(todo[done], &e)) {
			ret = ir_err(ir, "cannot read '%s': %s", todo[done],
				     strerror(errno));
			break;
		}
		if (!e.elf)
			continue;	/* a script: nothing to load */
		if (!done)
			snprintf(prog_rpath, sizeof(prog_rpath), "%s",
				 e.runpath[0] ? "" : e.rpath);
		if (e.interp[0])
			ret = initramfs_add(ir, e.interp, e.interp);
		for (i = 0; !ret && i < e.nr_needed; i++) {
			if (!resolve_lib(e.needed[i], todo[done], &e, prog_rpath,
					 lib, guest)) {
				ret = ir_err(ir, "'%s' needs %s, which the host does not have (searched its RPATH/RUNPATH and /lib/x86_64-linux-gnu, /usr/lib/x86_64-linux-gnu, /lib64, /usr/lib64, /lib, /usr/lib)",
					     todo[done], e.needed[i]);
				break;
			}
			if (already_in(ir, lib, guest))
				continue;	/* with its needs */
			log_debug("initramfs: %s needs %s: %s as %s", todo[done],
				  e.needed[i], lib, guest);
			ret = initramfs_add(ir, lib, guest);
			if (!ret && nr < (int)ARRAY_SIZE(todo))
				todo[nr++] = xstrdup(lib);
		}
		elf_info_free(&e);
	}
	if (ret)
		elf_info_free(&e);
	for (i = 0; i < nr; i++)
		free(todo[i]);
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
	/* a file a crash cut short is rebuilt, not booted */
	if (cpio_complete(path))
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
