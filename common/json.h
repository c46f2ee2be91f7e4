/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A small JSON writer: enough for declarations and artifacts, with
 * proper string escaping so jq reads whatever a test names things.
 */
#ifndef __KTSTR_JSON_H
#define __KTSTR_JSON_H

#include <stdbool.h>
#include <stdio.h>

struct json {
	FILE *f;
	int depth;
	bool need_comma[16];
};

void json_init(struct json *j, FILE *f);
void json_open(struct json *j, const char *key, char brace);	/* { or [ */
void json_close(struct json *j, char brace);
void json_str(struct json *j, const char *key, const char *val);
void json_num(struct json *j, const char *key, double val);
void json_int(struct json *j, const char *key, long long val);
void json_bool(struct json *j, const char *key, bool val);
void json_escape(FILE *f, const char *s);

/*
 * An object written into memory: returns the stream with "{" open (NULL
 * when there is no memory); json_close(j, '}') and fclose() it, and *buf
 * holds the text, which the caller frees.
 */
FILE *json_object_mem(struct json *j, char **buf, size_t *len);

#endif /* __KTSTR_JSON_H */
