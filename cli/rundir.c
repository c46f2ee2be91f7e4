// SPDX-License-Identifier: GPL-2.0
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "env.h"
#include "rundir.h"
#include "util.h"

/*
 * The release becomes a directory name: [A-Za-z0-9._+-] only, no
 * leading dot, so "../x" or "a/b" cannot leave the runs directory. Any
 * other byte becomes '_'.
 */
void release_sanitize(char *s)
{
	char *p;

	for (p = s; *p; p++)
		if (!isalnum((unsigned char)*p) && !strchr("._+-", *p))
			*p = '_';
	if (s[0] == '.')
		s[0] = '_';
}

void kernel_release(const char *bzimage, char *buf, size_t len)
{
	unsigned char hdr[0x210];
	char ver[128];
	int fd = bzimage ? open(bzimage, O_RDONLY | O_CLOEXEC) : -1;
	unsigned int off;

	snprintf(buf, len, "unknown");
	if (fd < 0)
		return;
	/* the setup header's kernel_version: offset from 0x200 at 0x20e */
	if (pread(fd, hdr, sizeof(hdr), 0) == sizeof(hdr)) {
		off = hdr[0x20e] | hdr[0x20f] << 8;
		if (off && pread(fd, ver, sizeof(ver) - 1, off + 0x200) > 0) {
			ver[sizeof(ver) - 1] = '\0';
			ver[strcspn(ver, " ")] = '\0';
			release_sanitize(ver);
			if (ver[0])
				snprintf(buf, len, "%s", ver);
		}
	}
	close(fd);
}

/*
 * git -C KTSTR_DIR ...: an argv, no shell (the path is not a command).
 * --no-optional-locks: `status` would otherwise refresh the index, a
 * write into the checkout that a run has no business making.
 */
static int git_out(const char *dir, const char *a1, const char *a2,
		   const char *a3, char **out)
{
	char *argv[] = { "git", "--no-optional-locks", "-C", (char *)dir,
			 (char *)a1, (char *)a2, (char *)a3, NULL };

	return run_argv_capture(argv, false, out, NULL);
}

static void suite_commit(char *buf, size_t len)
{
	const char *dir = ktstr_env()->dir;
	char *out = NULL;

	snprintf(buf, len, "nogit");
	if (!dir)
		return;
	if (git_out(dir, "rev-parse", "--short=7", "HEAD", &out) == 0 &&
	    out[0] && out[0] != '\n') {
		out[strcspn(out, "\n")] = '\0';
		snprintf(buf, len, "%s", out);
		release_sanitize(buf);
		free(out);
		out = NULL;
		if (git_out(dir, "status", "--porcelain",
			    "--untracked-files=no", &out) == 0 && out[0])
			strncat(buf, "-dirty", len - strlen(buf) - 1);
	}
	free(out);
}

void runs_base(char *buf, size_t len)
{
	const char *runs = ktstr_env()->runs;
	const char *out = getenv("OUTPUT");

	if (runs && *runs)
		snprintf(buf, len, "%s", runs);
	else if (out && *out)
		snprintf(buf, len, "%s/runs", out);
	else
		cache_path(buf, len, "runs");
}

/*
 * A run's own directory: <release>-<commit>-<seq>, the first sequence
 * number whose mkdir succeeds, so neither a later run nor one started at
 * the same moment overwrites this run's sidecars (mkdir is the lock).
 */
static int rundir_mkdir_next(struct rundir *rd, const char *base,
			     const char *stem)
{
	int seq;

	for (seq = 1; seq < 1000000; seq++) {
		snprintf(rd->path, sizeof(rd->path), "%s/%s-%d", base, stem,
			 seq);
		snprintf(rd->id, sizeof(rd->id), "%s-%d", stem, seq);
		if (!mkdir(rd->path, 0755))
			return 0;
		if (errno != EEXIST)
			return -1;
	}
	errno = EEXIST;
	return -1;
}

/* run.json: what `ktstr stats list` shows of a run; written once */
static void rundir_write_meta(const struct rundir *rd, const char *release,
			      const char *commit)
{
	char path[4200], stamp[64], text[1024];
	time_t now = time(NULL);

	snprintf(path, sizeof(path), "%s/run.json", rd->path);
	if (!access(path, F_OK))
		return;
	strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%SZ", gmtime(&now));
	snprintf(text, sizeof(text),
		 "{\"id\":\"%s\",\"release\":\"%s\",\"commit\":\"%s\",\"started\":\"%s\",\"started_s\":%lld}\n",
		 rd->id, release, commit, stamp, (long long)now);
	write_file_atomic(path, text, strlen(text));
}

int rundir_open(struct rundir *rd, const char *release, const char *exact)
{
	char commit[64], base[4096], rel[128], stem[200];
	int ret;

	/* uname's release under --native too: one path component */
	snprintf(rel, sizeof(rel), "%s", release && *release ? release :
		 "unknown");
	release_sanitize(rel);
	suite_commit(commit, sizeof(commit));
	runs_base(base, sizeof(base));
	snprintf(rd->last_run, sizeof(rd->last_run), "%s/last-run", base);
	if (exact) {
		/* --run-dir: the caller's directory, kept across calls */
		snprintf(rd->path, sizeof(rd->path), "%s", exact);
		snprintf(rd->id, sizeof(rd->id), "%s",
			 strrchr(exact, '/') ? strrchr(exact, '/') + 1 : exact);
		ret = mkdir_p(rd->path);
	} else {
		snprintf(stem, sizeof(stem), "%s-%s", rel, commit);
		ret = mkdir_p(base);
		if (!ret)
			ret = rundir_mkdir_next(rd, base, stem);
	}
	if (ret) {
		fprintf(stderr, "ktstr: cannot create the run directory %s: %s\n",
			exact ? rd->path : base, strerror(errno));
		return -1;
	}
	rundir_write_meta(rd, rel, commit);
	return 0;
}

uint64_t variant_hash(const char *test, const char *topo, const char *sched,
		      const char *sched_args)
{
	const char *const parts[] = { test, topo, sched, sched_args };
	uint64_t h = 0xcbf29ce484222325ULL;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(parts); i++) {
		const char *p = parts[i] ? parts[i] : "";

		do {
			h ^= (unsigned char)*p;
			h *= 0x100000001b3ULL;
		} while (*p++);
	}
	return h;
}

static void file_path(const struct rundir *rd, const char *test,
		      uint64_t hash, const char *kind, char *buf, size_t len)
{
	char stem[256], *p;

	/* gauntlet/<test>/<preset> is one file, not a directory tree */
	snprintf(stem, sizeof(stem), "%s", test);
	for (p = stem; *p; p++)
		if (*p == '/')
			*p = '-';
	if (!strcmp(kind, "bundle"))
		snprintf(buf, len, "%s/%s-%016llx.bundle.txt", rd->path, stem,
			 (unsigned long long)hash);
	else if (strstr(kind, ".svg"))
		snprintf(buf, len, "%s/%s-%016llx.%s", rd->path, stem,
			 (unsigned long long)hash, kind);
	else
		snprintf(buf, len, "%s/%s-%016llx.%s.json", rd->path, stem,
			 (unsigned long long)hash,
			 !strcmp(kind, "json") ? "ktstr" : kind);
}

int rundir_write_last_run(const struct rundir *rd, const char *text)
{
	return write_file_atomic(rd->last_run, text, strlen(text));
}

int rundir_write_text(const struct rundir *rd, const char *test,
		      uint64_t hash, const char *kind, const char *text,
		      char *path, size_t len)
{
	file_path(rd, test, hash, kind, path, len);
	return write_file_atomic(path, text, strlen(text));
}

void rundir_clear(const struct rundir *rd, const char *test, uint64_t hash)
{
	static const char *const kinds[] = {
		"json", "failure-dump", "repro.failure-dump", "bundle",
		"timeline.svg",
	};
	char path[4200];
	size_t i;

	for (i = 0; i < ARRAY_SIZE(kinds); i++) {
		file_path(rd, test, hash, kinds[i], path, sizeof(path));
		unlink(path);
	}
}

int rundir_write(const struct rundir *rd, const char *test, uint64_t hash,
		 const char *kind, const char *json, char *path, size_t len)
{
	char stamp[64], host[512];
	struct utsname u;
	time_t now = time(NULL);
	char *buf;
	int ret;

	file_path(rd, test, hash, kind, path, len);
	if (json[0] != '{')
		return -1;
	/* the guest cannot know the host or the wall clock: add them */
	uname(&u);
	strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%SZ", gmtime(&now));
	snprintf(host, sizeof(host),
		 "{\"timestamp\":\"%s\",\"host\":{\"kernel\":\"%s\",\"machine\":\"%s\",\"cpus\":%ld},",
		 stamp, u.release, u.machine, sysconf(_SC_NPROCESSORS_ONLN));
	buf = xmalloc(strlen(host) + strlen(json) + 2);
	sprintf(buf, "%s%s\n", host, json + 1);
	ret = write_file_atomic(path, buf, strlen(buf));
	free(buf);
	return ret;
}
