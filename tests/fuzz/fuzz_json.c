// SPDX-License-Identifier: GPL-2.0
/*
 * json_parse: results, stats and --list output come from guests and
 * test binaries. Walk what parses the way the host reads it.
 */
#include <stdio.h>

#include "fuzz.h"
#include "json_read.h"

static void walk(const struct json_val *v, int depth)
{
	int i;

	if (depth > JSON_MAX_DEPTH + 1)
		abort();
	if (v->type == JSON_STR && !v->s)
		abort();
	if (v->type != JSON_ARR && v->type != JSON_OBJ)
		return;
	for (i = 0; i < v->nr; i++) {
		if (v->type == JSON_OBJ && !v->keys[i])
			abort();
		walk(&v->kids[i], depth + 1);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fuzz_str(data, size), err[128];
	struct json_val *v = json_parse(s, err, sizeof(err));
	double d;

	if (v) {
		walk(v, 0);
		/* the accessors the host uses on a result */
		(void)json_get_str(v, "result");
		(void)json_get_num(v, "schema", &d);
		(void)json_get_bool(json_get(v, "scheduler"), "error_exit",
				    false);
		(void)json_get(json_get(v, "checks"), "id");
		json_free(v);
	}
	free(s);
	return 0;
}
