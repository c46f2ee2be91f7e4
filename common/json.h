/* SPDX-License-Identifier: GPL-2.0 */
/*
 * JSON out: bpftool's json_writer (tools/bpf/bpftool in the kernel tree)
 * lays out the objects, arrays and separators; strings it would write
 * raw go through json_escape() (see json.c).
 */
#ifndef __KTSTR_JSON_H
#define __KTSTR_JSON_H

#include <stdbool.h>
#include <stdio.h>

struct json_writer;

struct json {
	struct json_writer *w;	/* NULL: no memory, nothing is written */
	FILE *f;
	int depth;
};

/*
 * A document on @f. Closing its outermost object or array ends it: the
 * writer writes a newline and is freed.
 */
void json_init(struct json *j, FILE *f);
void json_open(struct json *j, const char *key, char brace);	/* { or [ */
void json_close(struct json *j, char brace);
void json_str(struct json *j, const char *key, const char *val);
void json_num(struct json *j, const char *key, double val);
void json_int(struct json *j, const char *key, long long val);
void json_bool(struct json *j, const char *key, bool val);
/* @text is JSON already (bpftool's output, say), written as it is */
void json_raw(struct json *j, const char *key, const char *text);
void json_escape(FILE *f, const char *s);

/*
 * An object written into memory: returns the stream with "{" open (NULL
 * when there is no memory). json_close(j, '}') then json_mem_end(): *buf
 * holds the text, without the newline, which the caller frees.
 */
FILE *json_object_mem(struct json *j, char **buf, size_t *len);
void json_mem_end(FILE *f, char **buf, size_t *len);

#endif /* __KTSTR_JSON_H */
