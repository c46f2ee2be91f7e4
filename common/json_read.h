/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A small JSON reader for what the host reads from guests and test
 * binaries (results, --list): untrusted text, so every step is bounded
 * (nesting depth, sizes) and anything malformed is an error, never a
 * partial value.
 */
#ifndef __KTSTR_JSON_READ_H
#define __KTSTR_JSON_READ_H

#include <stdbool.h>
#include <stddef.h>

#define JSON_MAX_DEPTH	32

enum json_type {
	JSON_NULL,
	JSON_BOOL,
	JSON_NUM,
	JSON_STR,
	JSON_ARR,
	JSON_OBJ,
};

struct json_val {
	enum json_type type;
	bool b;
	double n;
	char *s;			/* JSON_STR: no NUL inside */
	int nr;				/* JSON_ARR, JSON_OBJ: members */
	struct json_val *kids;
	char **keys;			/* JSON_OBJ: one key per member */
};

/*
 * Parse all of @text (nothing but white space may follow the value).
 * NULL on error, with the reason and its offset in @err.
 */
struct json_val *json_parse(const char *text, char *err, size_t errlen);
void json_free(struct json_val *v);

/* the member @key of object @obj, or NULL (also when @obj is no object) */
const struct json_val *json_get(const struct json_val *obj, const char *key);
/* a string member, or NULL when absent or not a string */
const char *json_get_str(const struct json_val *obj, const char *key);
/* a number member into @out; false when absent or not a number */
bool json_get_num(const struct json_val *obj, const char *key, double *out);
/* a boolean member; @dflt when absent or not a boolean */
bool json_get_bool(const struct json_val *obj, const char *key, bool dflt);

#endif /* __KTSTR_JSON_READ_H */
