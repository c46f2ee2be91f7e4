// SPDX-License-Identifier: GPL-2.0
/*
 * The JSON writer escapes what tests may name things.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kselftest_harness.h"
#include "json.h"

TEST(nested_and_escaped)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	struct json j;

	json_init(&j, f);
	json_open(&j, NULL, '{');
	json_str(&j, "name", "a\"b\\c\nd\x01");
	json_int(&j, "n", -3);
	json_num(&j, "x", 0.5);
	json_bool(&j, "ok", true);
	json_str(&j, "none", NULL);
	json_open(&j, "list", '[');
	json_int(&j, NULL, 1);
	json_int(&j, NULL, 2);
	json_close(&j, ']');
	json_close(&j, '}');
	fclose(f);
	EXPECT_STREQ("{\"name\":\"a\\\"b\\\\c\\nd\\u0001\",\"n\":-3,\"x\":0.5,\"ok\":true,\"none\":null,\"list\":[1,2]}",
		     buf);
	free(buf);
}

TEST_HARNESS_MAIN
