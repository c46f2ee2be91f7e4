// SPDX-License-Identifier: GPL-2.0
/*
 * The JSON reader the host trusts with guest output: values it must read
 * and malformed text it must refuse whole.
 */
#include <string.h>

#include "kselftest_harness.h"
#include "json_read.h"

TEST(reads_a_result)
{
	char err[128];
	struct json_val *v = json_parse(
		" {\"schema\":1,\"result\":\"pass\",\"ok\":true,\"none\":null,\"checks\":[{\"id\":\"max_gap_ms\",\"summary\":\"a\\\"b\\u00e9\\n\"}],\"n\":-1.5e2} ",
		err, sizeof(err));
	const struct json_val *checks;
	double n;

	ASSERT_NE(NULL, v);
	EXPECT_STREQ("pass", json_get_str(v, "result"));
	EXPECT_TRUE(json_get_bool(v, "ok", false));
	EXPECT_TRUE(json_get_num(v, "n", &n));
	EXPECT_EQ(-150, n);
	EXPECT_EQ(NULL, json_get_str(v, "none"));
	EXPECT_EQ(NULL, json_get_str(v, "missing"));
	checks = json_get(v, "checks");
	ASSERT_NE(NULL, checks);
	ASSERT_EQ(JSON_ARR, checks->type);
	ASSERT_EQ(1, checks->nr);
	EXPECT_STREQ("max_gap_ms", json_get_str(&checks->kids[0], "id"));
	EXPECT_STREQ("a\"b\xc3\xa9\n", json_get_str(&checks->kids[0], "summary"));
	json_free(v);
}

TEST(refuses_malformed_text)
{
	static const char *const bad[] = {
		"", "{", "{\"a\":}", "{\"a\" 1}", "[1,]", "[1 2]", "{} x",
		"\"unterminated", "\"\\u0000\"", "\"\\ud800\"", "\"\\x\"",
		"01", "1.", "-", "1e", "nan", "Infinity", "1e999", "tru",
		"\"a\x01\"", "{\"a\":1,}",
	};
	char err[128];
	size_t i;

	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		struct json_val *v = json_parse(bad[i], err, sizeof(err));

		EXPECT_EQ(NULL, v) TH_LOG("accepted '%s'", bad[i]);
		json_free(v);
	}
}

TEST(bounded_depth)
{
	char deep[JSON_MAX_DEPTH * 2 + 8], err[128];
	int i;

	for (i = 0; i < JSON_MAX_DEPTH + 2; i++)
		deep[i] = '[';
	deep[i] = '\0';
	EXPECT_EQ(NULL, json_parse(deep, err, sizeof(err)));
	EXPECT_NE(NULL, strstr(err, "nested too deep"));
}

/* a key at the very end: the reader stops at the NUL, never past it */
TEST(stops_at_the_end_after_a_key)
{
	char text[] = "{\"a\"", err[128];

	EXPECT_EQ(NULL, json_parse(text, err, sizeof(err)));
	EXPECT_STREQ("expected ':' at offset 4", err);
}

TEST_HARNESS_MAIN
