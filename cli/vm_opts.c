// SPDX-License-Identifier: GPL-2.0
/*
 * Options shared by exec, shell and run, and the path from options to a
 * booted VM.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <sys/stat.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "env.h"
#include "channel.h"
#include "cli.h"
#include "initramfs.h"
#include "util.h"

void vm_opts_init(struct vm_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->topo = TOPO_DEFAULT;
	o->includes = xcalloc(INITRAMFS_MAX_FILES, sizeof(char *));
}

static const char *resolve_kernel(const char *val);

static int parse_uint(const char *opt, const char *val, unsigned int min,
		      unsigned int max, unsigned int *out)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(val, &end, 10);
	if (errno || end == val || *end || v < min || v > max) {
		fprintf(stderr, "ktstr: %s '%s' is not a whole number from %u to %u\n",
			opt, val, min, max);
		return -1;
	}
	*out = v;
	return 0;
}

int vm_opts_parse(struct vm_opts *o, int argc, char **argv, int *i)
{
	const char *opt = argv[*i], *val;
	char err[512];

	if (!strcmp(opt, "--verbose") || !strcmp(opt, "-v")) {
		o->verbose = true;
		return 1;
	}
	if (!strcmp(opt, "--dmesg")) {
		o->dmesg = true;
		return 1;
	}
	if (strcmp(opt, "--kernel") && strcmp(opt, "-k") &&
	    strcmp(opt, "--topo") && strcmp(opt, "--memory") &&
	    strcmp(opt, "-m") && strcmp(opt, "--timeout") &&
	    strcmp(opt, "--accel") && strcmp(opt, "-i") &&
	    strcmp(opt, "--include") && strcmp(opt, "--append"))
		return 0;
	if (*i + 1 >= argc) {
		fprintf(stderr, "ktstr: %s needs a value\n", opt);
		return -1;
	}
	val = argv[++*i];
	if (!strcmp(opt, "--kernel") || !strcmp(opt, "-k")) {
		o->kernel = resolve_kernel(val);
		if (!o->kernel)
			return -1;
	} else if (!strcmp(opt, "--topo")) {
		if (topo_parse(val, &o->topo, err, sizeof(err))) {
			fprintf(stderr, "ktstr: %s\n", err);
			return -1;
		}
	} else if (!strcmp(opt, "--memory") || !strcmp(opt, "-m")) {
		return parse_uint(opt, val, 64, 1 << 20, &o->memory_mb) ? -1 : 1;
	} else if (!strcmp(opt, "--timeout")) {
		return parse_uint(opt, val, 1, 86400, &o->timeout_s) ? -1 : 1;
	} else if (!strcmp(opt, "--accel")) {
		if (!strcmp(val, "kvm"))
			o->accel = ACCEL_KVM;
		else if (!strcmp(val, "tcg"))
			o->accel = ACCEL_TCG;
		else if (!strcmp(val, "auto"))
			o->accel = ACCEL_AUTO;
		else {
			fprintf(stderr, "ktstr: --accel '%s': use kvm, tcg or auto\n",
				val);
			return -1;
		}
	} else if (!strcmp(opt, "--append")) {
		o->append = val;
	} else {
		if (o->nr_includes == INITRAMFS_MAX_FILES) {
			fprintf(stderr, "ktstr: too many -i files\n");
			return -1;
		}
		o->includes[o->nr_includes++] = val;
	}
	return 1;
}

/*
 * --kernel takes a bzImage, a kernel source tree (built and cached on
 * first use, as `ktstr kernel build --source DIR` does) or the version
 * of a cached build ("6.12", "6.12.117": the newest that matches).
 */
static const char *resolve_kernel(const char *val)
{
	static char path[4096];
	const char *dir = ktstr_env()->dir;
	char script[4096], *out = NULL;
	char *argv[] = { script, NULL, (char *)val, NULL };
	struct stat st;
	int rc;

	/* a file, or a path that is none: the launcher says which (251) */
	if ((stat(val, &st) == 0 && !S_ISDIR(st.st_mode)) ||
	    (stat(val, &st) && strspn(val, "0123456789.") != strlen(val)))
		return val;
	if (!dir) {
		fprintf(stderr, "ktstr: --kernel '%s' is not a file, and there is no checkout to build or look up kernels with\n",
			val);
		return NULL;
	}
	snprintf(script, sizeof(script), "%s/vmtest/kernel.sh", dir);
	if (stat(val, &st) == 0) {
		argv[1] = "--source";
		fprintf(stderr, "ktstr: --kernel %s: a source tree, built and cached on first use\n",
			val);
	} else {
		argv[1] = "--find";
	}
	/* kernel.sh says what went wrong on stderr */
	rc = run_argv_capture(argv, false, &out, NULL);
	if (rc || !out || !*out) {
		free(out);
		fprintf(stderr, "ktstr: --kernel '%s': not a bzImage, a kernel source tree or a cached version ('./ktstr kernel list')\n",
			val);
		return NULL;
	}
	snprintf(path, sizeof(path), "%.*s", (int)strcspn(out, "\n"), out);
	free(out);
	return path;
}

const char *find_kernel(void)
{
	static char path[4096];
	static bool error_shown;
	const char *env = ktstr_env()->kernel;
	const char *dir = ktstr_env()->dir;
	char script[4096], *argv[] = { script, "--lookup", NULL }, *out;
	int rc;

	if (env && *env)
		return env;
	if (!dir)
		return NULL;
	/* an argv, no shell: the checkout's path is not a command */
	snprintf(script, sizeof(script), "%s/vmtest/kernel.sh", dir);
	rc = run_argv_capture(argv, false, &out, NULL);
	if (rc == 2 && !error_shown) {
		/*
		 * Not "no kernel built" (1) but a setup the lookup refuses,
		 * such as a cache kbuild cannot build in: asked again with its
		 * stderr kept, once, so the reason is on the screen.
		 */
		error_shown = true;
		free(out);
		rc = run_argv_capture(argv, true, &out, NULL);
	}
	if (rc) {
		free(out);
		return NULL;
	}
	snprintf(path, sizeof(path), "%.*s", (int)strcspn(out, "\n"), out);
	free(out);
	return path[0] ? path : NULL;
}

/*
 * What the guest's init takes (vmtest/init.c, vmtest/channel.c): an
 * argv of at most GUEST_MAX_ARGS words in GUEST_MAX_ARGV_BYTES, at most
 * GUEST_MAX_ENV variables of at most CHANNEL_MAX_PAYLOAD bytes each (a
 * longer one would arrive cut into two). Anything past that is refused
 * here, before a boot, instead of arriving cut short.
 */
int guest_cmd_fits(char *const *cmd, char *const *env, char *why,
		   size_t len)
{
	size_t bytes = 0;
	int i;

	for (i = 0; cmd && cmd[i]; i++)
		bytes += strlen(cmd[i]) + 1;
	if (i > GUEST_MAX_ARGS)
		return set_err(why, len,
			       "the command has %d arguments; the guest takes at most %d",
			       i, GUEST_MAX_ARGS);
	if (bytes > GUEST_MAX_ARGV_BYTES)
		return set_err(why, len,
			       "the command line is %zu bytes; the guest takes at most %d",
			       bytes, GUEST_MAX_ARGV_BYTES);
	for (i = 0; env && env[i]; i++) {
		size_t n = strlen(env[i]);

		if (n > CHANNEL_MAX_PAYLOAD)
			return set_err(why, len,
				       "environment variable %.*s is %zu bytes; the guest takes at most %d per variable",
				       (int)strcspn(env[i], "="), env[i], n,
				       CHANNEL_MAX_PAYLOAD);
	}
	if (i > GUEST_MAX_ENV)
		return set_err(why, len,
			       "%d environment variables; the guest takes at most %d",
			       i, GUEST_MAX_ENV);
	return 0;
}

/*
 * KTSTR_TCG_SCALE multiplies the deadline: a finite number from 0.1 to
 * 1000, or the deadline's arithmetic overflows (nan, inf, 1e30).
 */
int check_tcg_scale(char *why, size_t len)
{
	const char *env = ktstr_env()->tcg_scale;
	char *end;
	double v;

	if (!env || !*env)
		return 0;
	v = strtod(env, &end);
	if (*end || end == env || !isfinite(v) || v < 0.1 || v > 1000)
		return set_err(why, len,
			       "KTSTR_TCG_SCALE='%s' is not a number from 0.1 to 1000",
			       env);
	return 0;
}

int boot_and_run(const struct vm_opts *o, char *const *cmd,
		 char *const *env, const char **extra, bool tty, int out_fd,
		 int err_fd, struct vm_result *res)
{
	struct vm_config cfg = {
		.kernel = o->kernel ? o->kernel : find_kernel(),
		.topo = o->topo,
		.memory_mb = o->memory_mb,
		.timeout_s = o->timeout_s,
		.accel = o->accel,
		.tty = tty,
		.dmesg = o->dmesg,
		.verbose = o->verbose,
		.argv = cmd,
		.env = env,
		.append = o->append,
		.out_fd = out_fd,
		.err_fd = err_fd,
	};
	const char *busybox = ktstr_env()->busybox;
	char init[4096], cache[4096], image[4096], why[256];
	struct initramfs *ir = xcalloc(1, sizeof(*ir));
	int i, ret = 0;

	memset(res, 0, sizeof(*res));
	if (guest_cmd_fits(cmd, env, why, sizeof(why)) ||
	    check_tcg_scale(why, sizeof(why))) {
		fprintf(stderr, "ktstr: %s\n", why);
		free(ir);
		res->exit_code = VM_EXIT_USAGE;
		snprintf(res->reason, sizeof(res->reason), "%s", why);
		return VM_EXIT_USAGE;
	}
	if (!cfg.kernel) {
		fprintf(stderr,
			"ktstr: no kernel: build one with './ktstr kernel build' or pass --kernel PATH\n");
		free(ir);
		res->exit_code = VM_EXIT_BAD_KERNEL;
		snprintf(res->reason, sizeof(res->reason), "no kernel");
		return VM_EXIT_BAD_KERNEL;
	}
	initramfs_init(ir);
	snprintf(init, sizeof(init), "%s/ktstr-init", ktstr_bin_dir);
	ret = initramfs_add(ir, init, "/init");
	if (!ret)
		ret = initramfs_add(ir, busybox ? busybox : "/bin/busybox",
				    "/bin/busybox");
	for (i = 0; !ret && i < o->nr_includes; i++)
		ret = initramfs_add_program(ir, o->includes[i]);
	for (i = 0; !ret && extra && extra[i]; i++)
		ret = initramfs_add_program(ir, extra[i]);
	cache_path(cache, sizeof(cache), "initramfs");
	if (!ret)
		ret = initramfs_build(ir, cache, image, sizeof(image));
	if (ret) {
		fprintf(stderr, "ktstr: %s\n", ir->err);
		res->exit_code = VM_EXIT_USAGE;
		snprintf(res->reason, sizeof(res->reason), "initramfs: %s",
			 ir->err);
		initramfs_free(ir);
		free(ir);
		return VM_EXIT_USAGE;
	}
	initramfs_free(ir);
	free(ir);
	cfg.initramfs = image;
	return vm_run(&cfg, res);
}
