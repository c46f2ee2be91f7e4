// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "rundir.h"
#include "util.h"

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
			if (ver[0])
				snprintf(buf, len, "%s", ver);
		}
	}
	close(fd);
}

static void suite_commit(char *buf, size_t len)
{
	const char *dir = getenv("KTSTR_DIR");
	char cmd[4200], out[64] = "";
	FILE *p;

	snprintf(buf, len, "nogit");
	if (!dir)
		return;
	snprintf(cmd, sizeof(cmd),
		 "cd '%s' && git rev-parse --short=7 HEAD 2>/dev/null && "
		 "git status --porcelain --untracked-files=no 2>/dev/null | head -1",
		 dir);
	p = popen(cmd, "r");
	if (!p)
		return;
	if (fgets(out, sizeof(out), p) && out[0] != '\n') {
		out[strcspn(out, "\n")] = '\0';
		snprintf(buf, len, "%s", out);
		if (fgets(out, sizeof(out), p))
			strncat(buf, "-dirty", len - strlen(buf) - 1);
	}
	pclose(p);
}

void runs_base(char *buf, size_t len)
{
	const char *runs = getenv("KTSTR_RUNS");
	const char *out = getenv("OUTPUT");

	if (runs && *runs)
		snprintf(buf, len, "%s", runs);
	else if (out && *out)
		snprintf(buf, len, "%s/runs", out);
	else
		cache_path(buf, len, "runs");
}

int rundir_open(struct rundir *rd, const char *release)
{
	char commit[64], base[4096];

	suite_commit(commit, sizeof(commit));
	runs_base(base, sizeof(base));
	snprintf(rd->path, sizeof(rd->path), "%s/%s-%s", base, release, commit);
	snprintf(rd->last_run, sizeof(rd->last_run), "%s/last-run", base);
	if (mkdir_p(rd->path)) {
		fprintf(stderr, "ktstr: cannot create the run directory %s: %s\n",
			rd->path, strerror(errno));
		return -1;
	}
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
	else
		snprintf(buf, len, "%s/%s-%016llx.%s.json", rd->path, stem,
			 (unsigned long long)hash,
			 !strcmp(kind, "json") ? "ktstr" : kind);
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
