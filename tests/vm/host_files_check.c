// SPDX-License-Identifier: GPL-2.0
/*
 * host_files_check DIR: run on the host (no VM) by
 * tests/launcher/hardening_launcher.sh, in an empty scratch DIR. Checks
 * how the launcher's host side writes files:
 *
 *  - write_file_atomic() does not write through a file planted at a
 *    guessable temporary name (the old "<path>.<pid>.tmp");
 *  - cache_path() without HOME, XDG_CACHE_HOME or KTSTR_CACHE is not in
 *    the shared /tmp;
 *  - kernel_release() of a bzImage whose version string is "../x" gives
 *    one path component, and rundir_open() stays under KTSTR_RUNS.
 *
 * One "ok"/"FAIL" line per check; exits 1 when any failed.
 * cli/rundir.c is compiled in: the tests/vm build links only util.c.
 */
#include "../../cli/rundir.c"

#include <sys/stat.h>

static int failed;

static void check(bool ok, const char *what, const char *detail)
{
	printf("%s: %s%s%s\n", ok ? "ok" : "FAIL", what, detail ? ": " : "",
	       detail ? detail : "");
	if (!ok)
		failed = 1;
}

static void check_atomic(const char *dir)
{
	char path[PATH_MAX], tmp[PATH_MAX + 32], victim[PATH_MAX];
	char *got;
	struct stat st;

	snprintf(path, sizeof(path), "%s/last-run", dir);
	snprintf(victim, sizeof(victim), "%s/victim", dir);
	snprintf(tmp, sizeof(tmp), "%s.%d.tmp", path, getpid());
	if (write_file_atomic(victim, "keep\n", 5) || symlink(victim, tmp)) {
		check(false, "write_file_atomic", "cannot set up");
		return;
	}
	write_file_atomic(path, "arg -t\n", 7);
	got = read_file(victim, NULL);
	check(got && !strcmp(got, "keep\n"),
	      "write_file_atomic leaves a file planted at <path>.<pid>.tmp alone",
	      got && strcmp(got, "keep\n") ? "it wrote through it" : NULL);
	free(got);
	check(!lstat(path, &st) && S_ISREG(st.st_mode),
	      "write_file_atomic's result is a regular file", NULL);
	unlink(tmp);
}

static void check_cache_path(void)
{
	char buf[PATH_MAX];

	unsetenv("KTSTR_CACHE");
	unsetenv("XDG_CACHE_HOME");
	unsetenv("HOME");
	cache_path(buf, sizeof(buf), "logs");
	check(strncmp(buf, "/tmp/", 5) != 0,
	      "cache_path without HOME is not in /tmp", buf);
}

/* A file with a bzImage's boot header whose version string is @ver. */
static int fake_bzimage(const char *path, const char *ver)
{
	unsigned char img[0x400] = { 0 };
	FILE *f = fopen(path, "w");

	if (!f)
		return -1;
	img[0x1fe] = 0x55;
	img[0x1ff] = 0xaa;
	memcpy(img + 0x202, "HdrS", 4);
	/* kernel_version: offset from 0x200 */
	img[0x20e] = 0x00;
	img[0x20f] = 0x01;
	snprintf((char *)img + 0x300, 0x100, "%s #1 SMP", ver);
	fwrite(img, 1, sizeof(img), f);
	return fclose(f);
}

static void check_release(const char *dir)
{
	char img[PATH_MAX], rel[256], runs[PATH_MAX], real[PATH_MAX];
	char rdreal[PATH_MAX], *slash;
	struct rundir rd;

	snprintf(img, sizeof(img), "%s/bzImage", dir);
	if (fake_bzimage(img, "../../escaped")) {
		check(false, "kernel_release", "cannot write a fake bzImage");
		return;
	}
	kernel_release(img, rel, sizeof(rel));
	check(!strchr(rel, '/') && rel[0] != '.',
	      "a release of '../../escaped' is one path component", rel);
	snprintf(runs, sizeof(runs), "%s/runs", dir);
	setenv("KTSTR_RUNS", runs, 1);
	if (rundir_open(&rd, rel, NULL)) {
		check(false, "rundir_open", "failed");
		return;
	}
	/* the run directory's parent must be KTSTR_RUNS itself */
	snprintf(rdreal, sizeof(rdreal), "%s", rd.path);
	slash = strrchr(rdreal, '/');
	if (slash)
		*slash = '\0';
	check(realpath(rdreal, real) && realpath(runs, rdreal) &&
	      !strcmp(real, rdreal),
	      "the run directory stays in KTSTR_RUNS", rd.path);
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: host_files_check SCRATCH_DIR\n");
		return 2;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	check_atomic(argv[1]);
	check_release(argv[1]);
	check_cache_path();
	return failed;
}
