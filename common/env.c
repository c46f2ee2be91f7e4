// SPDX-License-Identifier: GPL-2.0
/* The KTSTR_* variables, read once (env.h). */
#include <stdlib.h>
#include <string.h>

#include "env.h"

/* unset and empty are the same: not given */
static const char *given(const char *name)
{
	const char *v = getenv(name);

	return v && *v ? v : NULL;
}

static bool is(const char *name, const char *value)
{
	const char *v = given(name);

	return v && !strcmp(v, value);
}

struct ktstr_env *ktstr_env_mut(void)
{
	static struct ktstr_env e;
	static bool read;

	if (read)
		return &e;
	read = true;
	e.verbose = is("KTSTR_VERBOSE", "1");
	e.log = given("KTSTR_LOG");
	e.dir = given("KTSTR_DIR");
	e.cache = given("KTSTR_CACHE");
	e.runs = given("KTSTR_RUNS");
	e.kernel = given("KTSTR_KERNEL");
	e.qemu = given("KTSTR_QEMU");
	e.busybox = given("KTSTR_BUSYBOX");
	e.tcg_multi = is("KTSTR_TCG_THREAD", "multi");
	e.tcg_scale = given("KTSTR_TCG_SCALE");
	e.show_qemu = given("KTSTR_SHOW_QEMU");
	e.quiet_tcg = given("KTSTR_QUIET_TCG");
	e.known_issues = given("KTSTR_KNOWN_ISSUES");
	e.topo = given("KTSTR_TOPO");
	e.tcg = is("KTSTR_ACCEL", "tcg");
	e.kvm = is("KTSTR_ACCEL", "kvm");
	e.sched = given("KTSTR_SCHED");
	e.sched_args = getenv("KTSTR_SCHED_ARGS");
	e.sched_checks = given("KTSTR_SCHED_CHECKS");
	e.sched_needs = given("KTSTR_SCHED_NEEDS");
	e.time_scale = given("KTSTR_TIME_SCALE");
	e.shrink = given("KTSTR_SHRINK");
	e.variant = given("KTSTR_VARIANT");
	e.repro_funcs = given("KTSTR_REPRO_FUNCS");
	e.repro_callbacks = given("KTSTR_REPRO_CALLBACKS");
	e.attach_retries = given("KTSTR_ATTACH_RETRIES");
	e.pin_scx_helper = given("KTSTR_PIN_SCX_HELPER");
	return &e;
}

const struct ktstr_env *ktstr_env(void)
{
	return ktstr_env_mut();
}
