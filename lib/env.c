// SPDX-License-Identifier: GPL-2.0
/* The KTSTR_* variables several files read, read once (env.h). */
#include <stdlib.h>
#include <string.h>

#include "env.h"

/* unset and empty are the same: not given */
static const char *given(const char *name)
{
	const char *v = getenv(name);

	return v && *v ? v : NULL;
}

const struct ktstr_env *ktstr_env(void)
{
	static struct ktstr_env e;
	static bool read;
	const char *v;

	if (read)
		return &e;
	read = true;
	v = given("KTSTR_VERBOSE");
	e.verbose = v && !strcmp(v, "1");
	e.dir = given("KTSTR_DIR");
	e.topo = given("KTSTR_TOPO");
	v = given("KTSTR_ACCEL");
	e.tcg = v && !strcmp(v, "tcg");
	e.kvm = v && !strcmp(v, "kvm");
	e.sched = given("KTSTR_SCHED");
	e.sched_args = getenv("KTSTR_SCHED_ARGS");
	return &e;
}
