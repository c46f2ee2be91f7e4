// SPDX-License-Identifier: GPL-2.0
/*
 * The guest's output into the run directory: an "@@ktstr.<kind> <json>"
 * line's JSON through json_parse (what relay_case_output keeps as the
 * result) and rundir_write's file naming from a test name the test
 * binary chose. Input: "<test>\n<kind>\n<json>". Whatever the name, the
 * file lands directly in the run directory.
 */
#include <dirent.h>
#include <stdio.h>
#include <unistd.h>

#include "fuzz.h"
#include "json_read.h"
#include "rundir.h"
#include "util.h"

static void empty_dir(const char *dir)
{
	char path[8300];
	struct dirent *e;
	DIR *d = opendir(dir);

	if (!d)
		abort();
	while ((e = readdir(d))) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		/* only regular files: a subdirectory is a finding */
		if (e->d_type != DT_REG)
			abort();
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		unlink(path);
	}
	closedir(d);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct rundir rd;
	char *s = fuzz_str(data, size), *kind, *json, path[4200], err[128];
	struct json_val *v;
	size_t dirlen;

	if (!rd.path[0]) {
		snprintf(rd.path, sizeof(rd.path), "%s/run", fuzz_tmpdir());
		snprintf(rd.last_run, sizeof(rd.last_run), "%s/last-run",
			 fuzz_tmpdir());
		if (mkdir_p(rd.path))
			abort();
	}
	kind = strchr(s, '\n');
	json = kind ? strchr(kind + 1, '\n') : NULL;
	if (!json) {
		free(s);
		return 0;
	}
	*kind++ = '\0';
	*json++ = '\0';
	v = json_parse(json, err, sizeof(err));
	json_free(v);
	/* relay_case_output passes only these kinds */
	if (strcmp(kind, "json") && strcmp(kind, "failure-dump") &&
	    strcmp(kind, "repro.failure-dump"))
		kind = "json";
	if (!rundir_write(&rd, s, variant_hash(s, "1n1l2c1t", "", ""), kind,
			  json, path, sizeof(path))) {
		dirlen = strlen(rd.path);
		if (strncmp(path, rd.path, dirlen) || path[dirlen] != '/' ||
		    strchr(path + dirlen + 1, '/'))
			abort();
		if (access(path, R_OK))
			abort();
	}
	empty_dir(rd.path);
	rundir_clear(&rd, s, 0);
	free(s);
	return 0;
}
