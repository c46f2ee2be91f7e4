// SPDX-License-Identifier: GPL-2.0
/*
 * The initramfs's library resolution: from ELF headers (PT_INTERP,
 * DT_NEEDED, DT_RUNPATH), never by running ldd on a file whose name
 * could be a shell command.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "initramfs.h"

static bool has_guest(const struct initramfs *ir, const char *suffix)
{
	size_t n = strlen(suffix);
	int i;

	for (i = 0; i < ir->nr; i++) {
		size_t g = strlen(ir->files[i].guest);

		if (g >= n && !strcmp(ir->files[i].guest + g - n, suffix))
			return true;
	}
	return false;
}

static int copy(const char *from, const char *to)
{
	char buf[65536];
	FILE *a = fopen(from, "r"), *b = fopen(to, "w");
	size_t n;

	if (!a || !b)
		return -1;
	while ((n = fread(buf, 1, sizeof(buf), a)) > 0)
		fwrite(buf, 1, n, b);
	fclose(a);
	fclose(b);
	return chmod(to, 0755);
}

TEST(dynamic_binary_gets_loader_and_libraries)
{
	static struct initramfs ir;

	initramfs_init(&ir);
	ASSERT_EQ(0, initramfs_add_program(&ir, "/bin/ls")) {
		TH_LOG("%s", ir.err);
	}
	EXPECT_TRUE(has_guest(&ir, "/bin/ls"));
	EXPECT_TRUE(has_guest(&ir, "/ld-linux-x86-64.so.2"));
	EXPECT_TRUE(has_guest(&ir, "/libc.so.6"));
	/* ls -> libselinux -> libpcre2: found through the library */
	EXPECT_TRUE(has_guest(&ir, "/libselinux.so.1"));
	EXPECT_TRUE(has_guest(&ir, "/libpcre2-8.so.0"));
	initramfs_free(&ir);
}

TEST(jq_if_installed)
{
	static struct initramfs ir;

	if (access("/usr/bin/jq", X_OK))
		SKIP(return, "no /usr/bin/jq");
	initramfs_init(&ir);
	ASSERT_EQ(0, initramfs_add_program(&ir, "/usr/bin/jq")) {
		TH_LOG("%s", ir.err);
	}
	EXPECT_TRUE(has_guest(&ir, "/libjq.so.1"));
	EXPECT_TRUE(has_guest(&ir, "/libonig.so.5"));
	initramfs_free(&ir);
}

TEST(quote_in_file_name_runs_nothing)
{
	static struct initramfs ir;
	char dir[] = "/tmp/ktstr-ir-XXXXXX", prog[256], mark[256], cwd[4096];

	ASSERT_NE(NULL, mkdtemp(dir));
	ASSERT_NE(NULL, getcwd(cwd, sizeof(cwd)));
	snprintf(mark, sizeof(mark), "%s/pwned", dir);
	/* ldd '%s' with this name ran "touch pwned" in the current dir */
	snprintf(prog, sizeof(prog), "%s/x';touch pwned;'", dir);
	ASSERT_EQ(0, copy("/bin/true", prog));
	ASSERT_EQ(0, chdir(dir));
	initramfs_init(&ir);
	EXPECT_EQ(0, initramfs_add_program(&ir, prog)) {
		TH_LOG("%s", ir.err);
	}
	EXPECT_TRUE(has_guest(&ir, "/libc.so.6"));
	EXPECT_NE(0, access(mark, F_OK));
	EXPECT_EQ(0, chdir(cwd));
	initramfs_free(&ir);
	unlink(prog);
	unlink(mark);
	rmdir(dir);
}

TEST(script_and_static_need_nothing)
{
	static struct initramfs ir;
	char path[] = "/tmp/ktstr-ir-script-XXXXXX";
	int fd = mkstemp(path);

	ASSERT_LE(0, fd);
	ASSERT_EQ(14, write(fd, "#!/bin/sh\ntrue", 14));
	close(fd);
	chmod(path, 0755);
	initramfs_init(&ir);
	EXPECT_EQ(0, initramfs_add_program(&ir, path));
	EXPECT_EQ(1, ir.nr);
	/* a static binary, when the host has one: no libraries to add */
	EXPECT_EQ(0, access("/bin/busybox", X_OK) ? 0 :
		  initramfs_add_program(&ir, "/bin/busybox"));
	initramfs_free(&ir);
	unlink(path);
}

TEST_HARNESS_MAIN
