// SPDX-License-Identifier: GPL-2.0
/*
 * The scheduler log's collapsed repeats: the output is sized by what is
 * written, so short repeated lines (which expand about tenfold into
 * their notes) cannot run past it.
 */
#include <stdlib.h>
#include <string.h>

#include "kselftest_harness.h"
#include "log_collapse.h"

TEST(block_repeats_collapse)
{
	char *out = log_collapse("start\ntick 1\ntock\ntick 1\ntock\ntick 1\ntock\nend\n");

	EXPECT_STREQ("start\ntick 1\ntock\n  (the 2 lines above repeated 2 more times)\nend\n",
		     out);
	free(out);
	out = log_collapse("a\nb\nc\n");
	EXPECT_STREQ("a\nb\nc\n", out);
	free(out);
	out = log_collapse("");
	EXPECT_STREQ("", out);
	free(out);
}

/*
 * "b\nb\na\na\nc\nc\n...": every 4-byte pair becomes a 45-byte line plus
 * its note. The old buffer was the input's length + 4096 bytes; a few
 * hundred pairs overflowed the heap.
 */
TEST(short_pairs_expand_past_input_size)
{
	static const char *const note = "  (the 1 line above repeated 1 more time)\n";
	size_t pairs = 2000, i, want_len;
	char *in = malloc(pairs * 4 + 1), *out, *p;
	int count = 0;

	ASSERT_NE(NULL, in);
	for (i = 0; i < pairs; i++) {
		/* neighbours differ, so only the pair itself repeats */
		char c = "abc"[i % 3];

		in[i * 4] = c;
		in[i * 4 + 1] = '\n';
		in[i * 4 + 2] = c;
		in[i * 4 + 3] = '\n';
	}
	in[pairs * 4] = '\0';
	out = log_collapse(in);
	ASSERT_NE(NULL, out);
	want_len = pairs * (2 + strlen(note));
	EXPECT_EQ(want_len, strlen(out));
	EXPECT_GT(strlen(out), strlen(in) + 4096);
	for (p = out; (p = strstr(p, note)); p += strlen(note))
		count++;
	EXPECT_EQ((int)pairs, count);
	free(out);
	free(in);
}

TEST(sixteen_line_block_limit)
{
	char in[4096] = "", line[16], *out;
	int rep, i;

	/* a 17-line block is beyond the window: printed as is */
	for (rep = 0; rep < 2; rep++)
		for (i = 0; i < 17; i++) {
			snprintf(line, sizeof(line), "l%d\n", i);
			strcat(in, line);
		}
	out = log_collapse(in);
	EXPECT_EQ(NULL, strstr(out, "repeated"));
	EXPECT_EQ(strlen(in), strlen(out));
	free(out);
}

TEST_HARNESS_MAIN
