/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The ktstr host command: one file per subcommand, like bpftool.
 */
#ifndef __KTSTR_CLI_H
#define __KTSTR_CLI_H

#include "vm.h"

/* Options every VM-booting subcommand takes. */
struct vm_opts {
	const char *kernel;
	struct topo topo;
	unsigned int memory_mb;
	unsigned int timeout_s;
	enum vm_accel accel;
	bool verbose;
	bool dmesg;
	const char *append;
	const char **includes;
	int nr_includes;
};

void vm_opts_init(struct vm_opts *o);

/*
 * Take one VM option at argv[*i] (advancing *i past its value). Returns
 * 1 if taken, 0 if not a VM option, -1 after printing an error.
 */
int vm_opts_parse(struct vm_opts *o, int argc, char **argv, int *i);

/* what vmtest/init.c takes from the host: MAX_ARGS, MAX_ENV less its 3 */
#define GUEST_MAX_ARGS		256
#define GUEST_MAX_ARGV_BYTES	(4 * 4096)
#define GUEST_MAX_ENV		61

/*
 * Whether @cmd and @env reach the guest whole (the counts above, each
 * variable within one channel frame); a sentence naming the limit in
 * @why when not. Returns 0 or -1.
 */
int guest_cmd_fits(char *const *cmd, char *const *env, char *why,
		   size_t len);

/* KTSTR_TCG_SCALE unset, or 0.1 to 1000; else -1 with a sentence */
int check_tcg_scale(char *why, size_t len);

/* Where `ktstr kernel build` put its image, or NULL with a message. */
const char *find_kernel(void);

/*
 * Build (or reuse) the initramfs with init, busybox, the -i files and
 * @extra programs, then boot it and run @cmd. Returns the exit code.
 */
int boot_and_run(const struct vm_opts *o, char *const *cmd,
		 char *const *env, const char **extra, bool tty, int out_fd,
		 int err_fd, struct vm_result *res);

/*
 * ktstr shell --test NAME: boot with the case's topology and memory, its
 * engine binary and the fixture on PATH, into a shell to run it by hand.
 */
int case_shell(const char *name, struct vm_opts *o);

int cmd_exec(int argc, char **argv);
int cmd_shell(int argc, char **argv);
int cmd_run(int argc, char **argv);
int cmd_replay(int argc, char **argv);
int cmd_merge(int argc, char **argv);
int cmd_compare(int argc, char **argv);
int cmd_shrink(int argc, char **argv);

extern const char *ktstr_bin_dir;

#endif /* __KTSTR_CLI_H */
