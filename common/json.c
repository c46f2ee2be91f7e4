// SPDX-License-Identifier: GPL-2.0
#include <math.h>

#include "json.h"

void json_init(struct json *j, FILE *f)
{
	j->f = f;
	j->depth = 0;
	j->need_comma[0] = false;
}

void json_escape(FILE *f, const char *s)
{
	fputc('"', f);
	for (; s && *s; s++) {
		unsigned char c = *s;

		if (c == '"' || c == '\\')
			fprintf(f, "\\%c", c);
		else if (c == '\n')
			fputs("\\n", f);
		else if (c == '\t')
			fputs("\\t", f);
		else if (c < 0x20)
			fprintf(f, "\\u%04x", c);
		else
			fputc(c, f);
	}
	fputc('"', f);
}

static void key(struct json *j, const char *k)
{
	if (j->need_comma[j->depth])
		fputc(',', j->f);
	j->need_comma[j->depth] = true;
	if (k) {
		json_escape(j->f, k);
		fputc(':', j->f);
	}
}

void json_open(struct json *j, const char *k, char brace)
{
	key(j, k);
	fputc(brace, j->f);
	if (j->depth < 15)
		j->need_comma[++j->depth] = false;
}

void json_close(struct json *j, char brace)
{
	fputc(brace, j->f);
	if (j->depth > 0)
		j->depth--;
}

void json_str(struct json *j, const char *k, const char *val)
{
	key(j, k);
	if (val)
		json_escape(j->f, val);
	else
		fputs("null", j->f);
}

void json_num(struct json *j, const char *k, double val)
{
	key(j, k);
	if (isfinite(val))
		fprintf(j->f, "%.6g", val);
	else
		fputs("null", j->f);
}

void json_int(struct json *j, const char *k, long long val)
{
	key(j, k);
	fprintf(j->f, "%lld", val);
}

void json_bool(struct json *j, const char *k, bool val)
{
	key(j, k);
	fputs(val ? "true" : "false", j->f);
}

FILE *json_object_mem(struct json *j, char **buf, size_t *len)
{
	FILE *f;

	*buf = NULL;
	*len = 0;
	f = open_memstream(buf, len);
	if (!f)
		return NULL;
	json_init(j, f);
	json_open(j, NULL, '{');
	return f;
}
