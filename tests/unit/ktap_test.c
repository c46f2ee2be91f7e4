// SPDX-License-Identifier: GPL-2.0
/*
 * The KTAP stream a whole run prints.
 */
#include <stdio.h>
#include <stdlib.h>

#include "kselftest_harness.h"
#include "ktap.h"

TEST(stream_shape)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	struct ktap k;

	ktap_begin(&k, f, 3);
	ktap_result(&k, "steady_scx", KTAP_PASS, NULL);
	ktap_result(&k, "crash_is_caught", KTAP_SKIP, "needs the fixture");
	ktap_result(&k, "isolation_llc", KTAP_FAIL, "ignored");
	ktap_end(&k);
	fclose(f);
	EXPECT_STREQ("KTAP version 1\n"
		     "1..3\n"
		     "ok 1 steady_scx\n"
		     "ok 2 crash_is_caught # SKIP needs the fixture\n"
		     "not ok 3 isolation_llc\n"
		     "# Totals: pass:1 fail:1 xfail:0 xpass:0 skip:1 error:0\n"
		     "1 passed, 1 failed, 1 skipped\n", buf);
	free(buf);
}

TEST_HARNESS_MAIN
