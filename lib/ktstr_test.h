/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Declaring ktstr tests in a kselftest-harness file:
 *
 *	#include "kselftest_harness.h"
 *	#include "ktstr_test.h"
 *
 *	KTSTR_TEST(steady,
 *		.topo = "1n2l2c1t",
 *		.sched = "scx_ktstr",
 *		.cgroups = { { .name = "a" }, { .name = "b" } },
 *		.checks = { .not_starved = true, .max_spread_pct = 15 },
 *	)
 *
 *	KTSTR_MAIN
 *
 * Each declaration becomes a harness TEST (so -t NAME runs exactly one)
 * and an entry in the table `--list` prints as JSON.
 */
#ifndef __KTSTR_TEST_H
#define __KTSTR_TEST_H

#include <string.h>

#include "ktstr.h"
#include "run.h"

/*
 * The harness's 30 s per test is too short for a scheduler run under
 * TCG; the launcher's deadline is what bounds a hung case.
 */
#undef TEST_TIMEOUT_DEFAULT
#define TEST_TIMEOUT_DEFAULT 1800

void ktstr_register(const struct ktstr_test *t);
int ktstr_list_main(void);
int ktstr_needs_main(void);

#define KTSTR_TEST(tname, ...)						\
	static const struct ktstr_test __ktstr_decl_##tname = {	\
		.name = #tname, __VA_ARGS__				\
	};								\
	static void __attribute__((constructor))			\
	__ktstr_register_##tname(void)					\
	{								\
		ktstr_register(&__ktstr_decl_##tname);			\
	}								\
	TEST(tname)							\
	{								\
		int __r = ktstr_run_test(&__ktstr_decl_##tname);	\
		if (__r == KTSTR_SKIP)					\
			SKIP(return, "%s", ktstr_skip_reason);		\
		ASSERT_EQ(KTSTR_PASS, __r);				\
	}

#define KTSTR_MAIN							\
	int main(int argc, char **argv)					\
	{								\
		if (argc == 2 && !strcmp(argv[1], "--list"))		\
			return ktstr_list_main();			\
		if (argc == 2 && !strcmp(argv[1], "--needs"))		\
			return ktstr_needs_main();			\
		return test_harness_run(argc, argv);			\
	}

#endif /* __KTSTR_TEST_H */
