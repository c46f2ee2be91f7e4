// SPDX-License-Identifier: GPL-2.0
/*
 * Auto-repro's source lines, read with libdwfl from the test kernel's
 * vmlinux: functions found in System.map resolve to the file that
 * defines them, an address of 0 or outside any code to nothing, and a
 * file that is not there (or not ELF) is an error, not a crash.
 * SKIP without a built test kernel.
 */
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kselftest_harness.h"
#include "srcline.h"
#include "util.h"

static char build_dir[4096];

/* the cached kernel's build directory, via the checkout's kernel.sh */
static const char *kernel_build(void)
{
	const char *dir = getenv("KTSTR_DIR");
	char script[4096], *argv[] = { script, "--lookup", NULL }, *out = NULL;

	if (!dir)
		return NULL;
	snprintf(script, sizeof(script), "%s/vmtest/kernel.sh", dir);
	if (run_argv_capture(argv, false, &out, NULL) || !out || !*out) {
		free(out);
		return NULL;
	}
	out[strcspn(out, "\n")] = '\0';
	/* <build>/arch/x86/boot/bzImage */
	snprintf(build_dir, sizeof(build_dir), "%s/../../..", dirname(out));
	free(out);
	return build_dir;
}

static unsigned long long symbol(const char *dir, const char *name)
{
	char path[4200], line[512], sym[256], t;
	unsigned long long addr, found = 0;
	FILE *f;

	snprintf(path, sizeof(path), "%s/System.map", dir);
	f = fopen(path, "re");
	while (f && !found && fgets(line, sizeof(line), f))
		if (sscanf(line, "%llx %c %255s", &addr, &t, sym) == 3 &&
		    !strcmp(sym, name))
			found = addr;
	if (f)
		fclose(f);
	return found;
}

TEST(kernel_functions_resolve_to_their_files)
{
	static const char *const fn[] = { "schedule", "scx_bpf_create_dsq" };
	static const char *const file[] = { "kernel/sched/core.c:",
					    "kernel/sched/ext.c:" };
	const char *dir = kernel_build();
	char vmlinux[4200];
	struct srcline out[4];
	unsigned long long addrs[4];
	int i;

	if (!dir)
		SKIP(return, "no built test kernel (./ktstr kernel build)");
	snprintf(vmlinux, sizeof(vmlinux), "%s/vmlinux", dir);
	for (i = 0; i < 2; i++) {
		addrs[i] = symbol(dir, fn[i]);
		ASSERT_NE(0, addrs[i]) TH_LOG("%s not in System.map", fn[i]);
	}
	addrs[2] = 0;
	addrs[3] = 0x10;	/* no code there */
	ASSERT_EQ(0, srcline_lookup(vmlinux, addrs, 4, out));
	for (i = 0; i < 2; i++) {
		bool found = strstr(out[i].s, file[i]) != NULL;

		EXPECT_TRUE(found)
			TH_LOG("%s: '%s', expected %s...", fn[i], out[i].s,
			       file[i]);
	}
	EXPECT_STREQ("", out[2].s);
	EXPECT_STREQ("", out[3].s);
}

TEST(unreadable_files_are_errors)
{
	unsigned long long addr = 0xffffffff81000000ULL;
	struct srcline out[1];

	EXPECT_EQ(-1, srcline_lookup("/nonexistent/vmlinux", &addr, 1, out));
	EXPECT_STREQ("", out[0].s);
	/* not ELF: read, found wanting, no crash */
	EXPECT_EQ(-1, srcline_lookup("/proc/self/status", &addr, 1, out));
	EXPECT_STREQ("", out[0].s);
}

TEST_HARNESS_MAIN
