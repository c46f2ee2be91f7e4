/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Boot a kernel under qemu with a declared topology, run one command in
 * it, and tell apart the ways that can end.
 */
#ifndef __KTSTR_VM_H
#define __KTSTR_VM_H

#include <stdbool.h>
#include <sys/types.h>

#include "topo.h"

/*
 * Exit codes of `ktstr exec` when the launcher, not the command, decides
 * the outcome. Commands own 0..249.
 */
enum vm_exit {
	VM_EXIT_USAGE		= 250,	/* bad option or --topo */
	VM_EXIT_BAD_KERNEL	= 251,	/* image missing or not a bzImage */
	VM_EXIT_QEMU		= 252,	/* qemu missing or refused to start */
	VM_EXIT_PANIC		= 253,	/* guest kernel panic or oops */
	VM_EXIT_HANG		= 254,	/* no result before the deadline */
	VM_EXIT_NO_RESULT	= 255,	/* guest stopped without a result */
};

/*
 * A short name for @code, for structured output: "usage", "bad-kernel",
 * "qemu", "panic", "hang", "no-result", or "command" (0..249: the
 * command's own status).
 */
const char *vm_exit_kind(int code);

/*
 * NUMA nodes the launcher boots (vm_check_limits): what the suite
 * supports and tests (16n16l1c1t boots in 10 s under TCG). Not a hard
 * limit of the guest: its kernel takes 64 (CONFIG_NODES_SHIFT=6) and
 * qemu 128, but each node costs qemu arguments, memory and boot time.
 */
#define VM_MAX_NODES	16

enum vm_accel {
	ACCEL_AUTO,
	ACCEL_KVM,
	ACCEL_TCG,
};

struct vm_config {
	const char *kernel;		/* bzImage */
	const char *initramfs;		/* cpio from initramfs_build() */
	struct topo topo;
	unsigned int memory_mb;		/* 0: from the CPU count */
	unsigned int timeout_s;		/* command's budget; 0: none */
	enum vm_accel accel;
	bool tty;			/* interactive: console on stdio */
	bool dmesg;			/* stream the console to stderr */
	bool verbose;			/* loglevel=7 */
	char *const *argv;
	char *const *env;		/* NAME=value for the command */
	const char *append;		/* extra kernel command line */
	int out_fd;			/* command's stdout; 0: ours */
	int err_fd;			/* command's stderr; 0: ours */
};

struct vm_result {
	int exit_code;			/* what `ktstr exec` returns */
	bool init_started;		/* the guest's init said hello */
	bool command_ran;		/* the command started in the guest */
	bool command_exited;		/* and its exit status came back */
	int command_status;
	char console_log[4096];
	char reason[512];		/* one line when the launcher decided */
	/*
	 * Every vCPU's registers from qemu's QMP monitor ("info registers
	 * -a", malloc'd, the caller frees), taken when the guest reported
	 * a failure or before a hung VM was killed; NULL if neither.
	 */
	char *vcpu_regs;
	char regs_when[64];		/* which of the two */
	char regs_err[160];		/* why there are none, if tried */
};

/* Default: 2048 MiB as the ktstr manual's harness, never less than 64 MiB a CPU. */
unsigned int vm_memory_mb(const struct topo *t, unsigned int requested);

/* KVM only with /dev/kvm *and* vmx/svm; else a reason in @why. */
bool vm_kvm_usable(char *why, size_t len);

/*
 * Whether qemu can boot @t on this accelerator: without KVM's irqchip
 * (TCG) it has no x2APIC, so APIC IDs stop at TOPO_TCG_MAX_APIC_ID. A
 * reason in @why when not ("needs APIC IDs up to 433, ...").
 */
bool vm_topo_bootable(const struct topo *t, bool kvm, char *why, size_t len);

/*
 * What qemu or the guest would only fail on later, checked before a
 * boot: NUMA nodes past VM_MAX_NODES, guest memory past the host's
 * RAM, a kernel command line (ours plus --append) past what the bzImage
 * takes. Returns 0, or -1 with a sentence naming the value, the limit
 * and the fix in @why.
 */
int vm_check_limits(const struct vm_config *cfg, char *why, size_t len);

/* Check that @path is an x86 bzImage; a reason in @why when not. */
bool vm_is_bzimage(const char *path, char *why, size_t len);

/*
 * SIGINT, SIGTERM or SIGHUP caught by vm_run() or, after
 * vm_catch_signals(), at any time: the first such signal, or 0. Once set
 * it stays, and every later vm_run() stops its VM at once.
 */
int vm_interrupted(void);

/* Catch those signals for the whole process (a run of many VMs). */
void vm_catch_signals(void);

/*
 * The pid the qemu socket's directory is named after (/tmp/ktstr-PID-*),
 * by default the caller's: `ktstr run -j` workers give the run's own, so
 * the qemu of every VM of a run is found by the pid of that run.
 */
void vm_set_owner(pid_t pid);

/*
 * Run the VM to its end. Always fills @res, prints one clear line on
 * stderr for launcher-decided outcomes, and leaves no qemu behind.
 */
int vm_run(const struct vm_config *cfg, struct vm_result *res);

#endif /* __KTSTR_VM_H */
