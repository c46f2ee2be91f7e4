// SPDX-License-Identifier: GPL-2.0
/*
 * The JSON writer (bpftool's json_writer under common/json.c) escapes
 * what tests and schedulers may name things, control characters the
 * tree's writer leaves raw included, and ends a document with a newline.
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
	EXPECT_STREQ("{\"name\":\"a\\\"b\\\\c\\nd\\u0001\",\"n\":-3,\"x\":0.5,\"ok\":true,\"none\":null,\"list\":[1,2]}\n",
		     buf);
	EXPECT_EQ(NULL, j.w);	/* the outermost close ended it */
	free(buf);
}

TEST(raw_keys_and_memory)
{
	struct json j;
	size_t len;
	char *buf;
	FILE *f = json_object_mem(&j, &buf, &len);

	ASSERT_NE(NULL, f);
	json_str(&j, "k\002ey", "cr\r");
	json_raw(&j, "maps", "[{\"id\":1}]");
	json_num(&j, "nan", 0.0 / 0.0);
	json_str(&j, "after", "\x1f");
	json_close(&j, '}');
	json_mem_end(f, &buf, &len);
	EXPECT_STREQ("{\"k\\\\u0002ey\":\"cr\\r\",\"maps\":[{\"id\":1}],\"nan\":null,\"after\":\"\\u001f\"}",
		     buf);
	EXPECT_EQ(strlen(buf), len);
	free(buf);
}

TEST_HARNESS_MAIN
