// SPDX-License-Identifier: GPL-2.0
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>

#include "mapdump.h"
#include "util.h"

#define MAX_MAP_JSON	(4 << 20)
/*
 * Larger maps (the exit info's dump buffer, big arrays) cost seconds of
 * bpftool under TCG and say little as byte lists: shown, not dumped.
 */
#define MAX_DUMP_BYTES	(16 << 10)

void mapdump_hold(struct map_hold *h, pid_t pid)
{
	char dir[64], path[300], line[128];
	struct dirent *de;
	DIR *d;

	memset(h, 0, sizeof(*h));
	snprintf(dir, sizeof(dir), "/proc/%d/fdinfo", pid);
	d = opendir(dir);
	while (d && (de = readdir(d)) && h->nr < MAPDUMP_MAX_MAPS) {
		unsigned long long id = 0, vsize = 0, entries = 0, v;
		int i, fd;
		FILE *f;

		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		f = fopen(path, "r");
		if (!f)
			continue;
		while (fgets(line, sizeof(line), f)) {
			if (sscanf(line, "map_id: %llu", &v) == 1)
				id = v;
			else if (sscanf(line, "value_size: %llu", &v) == 1)
				vsize = v;
			else if (sscanf(line, "max_entries: %llu", &v) == 1)
				entries = v;
		}
		fclose(f);
		for (i = 0; i < h->nr && h->ids[i] != id; i++)
			;
		if (!id || i < h->nr)
			continue;
		fd = bpf_map_get_fd_by_id(id);
		if (fd < 0)
			continue;
		h->ids[h->nr] = id;
		h->fds[h->nr] = fd;
		h->bytes[h->nr] = vsize * entries;
		h->nr++;
	}
	if (d)
		closedir(d);
}

void mapdump_release(struct map_hold *h)
{
	int i;

	for (i = 0; i < h->nr; i++)
		close(h->fds[i]);
	h->nr = 0;
}

/* @argv's first line of output, no shell; NULL when empty or past @max */
static char *run_capture(char *const *argv, size_t max)
{
	size_t len;
	char *buf;

	if (run_argv_capture(argv, false, &buf, &len) || !len || len >= max) {
		free(buf);
		return NULL;
	}
	buf[strcspn(buf, "\n")] = '\0';
	return buf;
}

char *mapdump_capture(const struct map_hold *h, char *why, size_t len)
{
	char batch[] = "/tmp/ktstr-maps-XXXXXX";
	char *argv[] = { "bpftool", "-j", "batch", "file", batch, NULL };
	int fd = mkstemp(batch), i;
	char *out;
	FILE *b;

	if (!h->nr) {
		snprintf(why, len, "no BPF map of the scheduler was held");
		return NULL;
	}
	b = fd < 0 ? NULL : fdopen(fd, "w");
	if (!b) {
		snprintf(why, len, "cannot write a bpftool batch file in /tmp");
		return NULL;
	}
	/* one bpftool for all maps: each start costs under TCG */
	for (i = 0; i < h->nr; i++) {
		fprintf(b, "map show id %u\n", h->ids[i]);
		if (h->bytes[i] <= MAX_DUMP_BYTES)
			fprintf(b, "map dump id %u\n", h->ids[i]);
	}
	fclose(b);
	out = run_capture(argv, MAX_MAP_JSON);
	unlink(batch);
	if (!out)
		snprintf(why, len, "bpftool could not read the scheduler's %d maps (is bpftool in the guest?)",
			 h->nr);
	return out;
}
