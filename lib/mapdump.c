// SPDX-License-Identifier: GPL-2.0
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "json.h"
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

/* bpftool -j with @args; its first line of output, or NULL */
static char *bpftool(char **args, int *status)
{
	char *argv[16] = { "bpftool", "-j" }, *buf = NULL;
	size_t len = 0;
	int n = 2;

	while (*args && n < (int)ARRAY_SIZE(argv) - 1)
		argv[n++] = *args++;
	argv[n] = NULL;
	*status = run_argv_capture(argv, false, &buf, &len);
	if (!buf || !len || len >= MAX_MAP_JSON) {
		free(buf);
		return NULL;
	}
	buf[strcspn(buf, "\n")] = '\0';
	return buf;
}

/*
 * Why bpftool's "map dump" cannot read a map of @type: it walks the keys
 * with get_next_key, which these maps do not have.
 */
static const char *no_dump_reason(enum bpf_map_type type)
{
	switch (type) {
	case BPF_MAP_TYPE_QUEUE:
	case BPF_MAP_TYPE_STACK:
		return "no keys to walk: a queue or stack is read by popping it";
	case BPF_MAP_TYPE_RINGBUF:
	case BPF_MAP_TYPE_USER_RINGBUF:
		return "a ring buffer, not key/value entries";
	case BPF_MAP_TYPE_BLOOM_FILTER:
		return "a bloom filter has no keys to walk";
	case BPF_MAP_TYPE_TASK_STORAGE:
	case BPF_MAP_TYPE_INODE_STORAGE:
	case BPF_MAP_TYPE_SK_STORAGE:
	case BPF_MAP_TYPE_CGRP_STORAGE:
		return "local storage cannot be walked from user space";
	case BPF_MAP_TYPE_ARENA:
		return "an arena is pages of memory, not key/value entries";
	default:
		return NULL;
	}
}

struct map_meta {
	unsigned int id;
	char name[BPF_OBJ_NAME_LEN];
	const char *type;
	char why[160];		/* not dumped: why */
};

/* the elements of bpftool's JSON array @arr, appended to @f */
static bool append_elements(FILE *f, const char *arr, bool *first)
{
	size_t len = strlen(arr);

	if (len < 2 || arr[0] != '[' || arr[len - 1] != ']' || len == 2)
		return false;
	fprintf(f, "%s%.*s", *first ? "" : ",", (int)(len - 2), arr + 1);
	*first = false;
	return true;
}

/* bpftool's own error text from its JSON ({"error":"..."}) */
static void bpftool_error(const char *out, int status, char *why, size_t len)
{
	const char *e = out ? strstr(out, "\"error\":\"") : NULL;

	if (e) {
		e += strlen("\"error\":\"");
		snprintf(why, len, "bpftool map dump failed: %.*s",
			 (int)strcspn(e, "\""), e);
	} else {
		snprintf(why, len, "bpftool map dump failed (exit %d)", status);
	}
}

/*
 * One map on its own, after a batch failed: show and dump, or show only
 * with the reason the dump failed.
 */
static bool capture_one(FILE *f, struct map_meta *m, bool dump, bool *first)
{
	char id[16], *show[] = { "map", "show", "id", id, NULL };
	char *dumpv[] = { "map", "dump", "id", id, NULL }, *out;
	int status;
	bool ok;

	snprintf(id, sizeof(id), "%u", m->id);
	out = bpftool(show, &status);
	ok = out && !status;
	if (ok) {
		fprintf(f, "%s{\"command\":[\"map\",\"show\",\"id\",\"%u\"],\"output\":%s}",
			*first ? "" : ",", m->id, out);
		*first = false;
	}
	free(out);
	if (!ok && !m->why[0])
		snprintf(m->why, sizeof(m->why), "bpftool map show failed (exit %d)",
			 status);
	if (!dump || !ok)
		return ok;
	out = bpftool(dumpv, &status);
	if (out && !status && out[0] != '{') {
		fprintf(f, ",{\"command\":[\"map\",\"dump\",\"id\",\"%u\"],\"output\":%s}",
			m->id, out);
	} else {
		bpftool_error(out, status, m->why, sizeof(m->why));
	}
	free(out);
	return true;
}

/*
 * What is known of held map @i before bpftool runs: id, name, type, and
 * why it will not be dumped (its type, its size). Returns true when it
 * is to be dumped.
 */
static bool map_meta_fill(const struct map_hold *h, int i,
			  struct map_meta *m)
{
	struct bpf_map_info info = { 0 };
	uint32_t ilen = sizeof(info);
	const char *no = NULL;

	memset(m, 0, sizeof(*m));
	m->id = h->ids[i];
	m->type = "?";
	if (!bpf_map_get_info_by_fd(h->fds[i], &info, &ilen)) {
		snprintf(m->name, sizeof(m->name), "%s", info.name);
		m->type = libbpf_bpf_map_type_str(info.type) ?: "?";
		no = no_dump_reason(info.type);
	}
	if (no)
		snprintf(m->why, sizeof(m->why), "%s", no);
	else if (h->bytes[i] > MAX_DUMP_BYTES)
		snprintf(m->why, sizeof(m->why),
			 "%llu bytes, larger than %d KiB: shown, not dumped",
			 h->bytes[i], MAX_DUMP_BYTES >> 10);
	return !m->why[0];
}

/* a map listed with its type and the reason it has no contents */
static void write_undumped(FILE *f, const struct map_meta *m, bool *first)
{
	fprintf(f, "%s{\"map\":{\"id\":%u,\"name\":", *first ? "" : ",",
		m->id);
	json_escape(f, m->name);
	fprintf(f, ",\"type\":");
	json_escape(f, m->type);
	fprintf(f, "},\"dumped\":false,\"reason\":");
	json_escape(f, m->why);
	fputc('}', f);
	*first = false;
}

/*
 * bpftool's batch JSON for the held maps, then one entry for each map
 * that was not dumped, with its type and the reason. The batch stops at
 * the first command that fails, so maps bpftool cannot dump are left out
 * of it, and if it still fails every map is read on its own: one map
 * bpftool cannot read does not cost the others.
 */
char *mapdump_capture(const struct map_hold *h, char *why, size_t len)
{
	char batch[] = "/tmp/ktstr-maps-XXXXXX";
	char *argv[] = { "batch", "file", batch, NULL };
	struct map_meta meta[MAPDUMP_MAX_MAPS];
	bool dump[MAPDUMP_MAX_MAPS], first = true, read = false;
	char *out, *json = NULL;
	size_t jlen = 0;
	int fd, i, status;
	FILE *b, *f;

	if (!h->nr) {
		snprintf(why, len, "no BPF map of the scheduler was held");
		return NULL;
	}
	fd = mkostemp(batch, O_CLOEXEC);
	b = fd < 0 ? NULL : fdopen(fd, "w");
	if (!b) {
		if (fd >= 0) {
			close(fd);
			unlink(batch);
		}
		snprintf(why, len, "cannot write a bpftool batch file in /tmp");
		return NULL;
	}
	for (i = 0; i < h->nr; i++) {
		dump[i] = map_meta_fill(h, i, &meta[i]);
		/* one bpftool for all maps: each start costs under TCG */
		fprintf(b, "map show id %u\n", h->ids[i]);
		if (dump[i])
			fprintf(b, "map dump id %u\n", h->ids[i]);
	}
	fclose(b);
	out = bpftool(argv, &status);
	unlink(batch);
	f = open_memstream(&json, &jlen);
	if (!f) {
		free(out);
		snprintf(why, len, "out of memory");
		return NULL;
	}
	fputc('[', f);
	if (out && !status && out[0] == '[') {
		read = append_elements(f, out, &first);
	} else {
		for (i = 0; i < h->nr; i++)
			read |= capture_one(f, &meta[i], dump[i], &first);
	}
	free(out);
	for (i = 0; i < h->nr; i++)
		if (meta[i].why[0])
			write_undumped(f, &meta[i], &first);
	fputc(']', f);
	fclose(f);
	/* not one "map show" answered: bpftool itself is the problem */
	if (!read) {
		snprintf(why, len, "bpftool could not read any of the scheduler's %d maps (exit %d; is bpftool in the guest?)",
			 h->nr, status);
		free(json);
		return NULL;
	}
	return json;
}
