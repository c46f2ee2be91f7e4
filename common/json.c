// SPDX-License-Identifier: GPL-2.0
/*
 * JSON out through bpftool's json_writer, from the kernel tree. Its
 * string writer escapes only \t \n \r \f \b \\ and ", and writes the
 * other control characters raw, which is not JSON; the names, logs and
 * messages written here come from the scheduler and the guest, so a
 * string with such a character is written by json_escape() instead
 * (\u00XX), after the writer has put its separator down.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "json_writer.h"
#include "json.h"

void json_init(struct json *j, FILE *f)
{
	j->f = f;
	j->depth = 0;
	j->w = jsonw_new(f);
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

/* a character json_writer's string writer turns into JSON */
static bool writer_escapes(unsigned char c)
{
	return c >= 0x20 || (c && strchr("\t\n\r\f\b", c));
}

static bool writer_safe(const char *s)
{
	for (; *s; s++)
		if (!writer_escapes(*s))
			return false;
	return true;
}

/*
 * A key the writer cannot write has the characters it would leave raw
 * spelled out as the text \u00XX (the writer escapes that backslash): the
 * writer owns the separator between a key and its value, so the key
 * must go through it, and two keys stay two keys.
 */
static void key(struct json *j, const char *k)
{
	char *safe;
	size_t i, n = 0;

	if (!k)
		return;
	if (writer_safe(k)) {
		jsonw_name(j->w, k);
		return;
	}
	safe = malloc(strlen(k) * 6 + 1);
	if (!safe) {
		jsonw_name(j->w, "?");
		return;
	}
	for (i = 0; k[i]; i++) {
		unsigned char c = k[i];

		if (writer_escapes(c))
			safe[n++] = c;
		else
			n += sprintf(safe + n, "\\u%04x", c);
	}
	safe[n] = '\0';
	jsonw_name(j->w, safe);
	free(safe);
}

void json_open(struct json *j, const char *k, char brace)
{
	if (!j->w)
		return;
	key(j, k);
	if (brace == '{')
		jsonw_start_object(j->w);
	else
		jsonw_start_array(j->w);
	j->depth++;
}

void json_close(struct json *j, char brace)
{
	if (!j->w || !j->depth)
		return;
	if (brace == '}')
		jsonw_end_object(j->w);
	else
		jsonw_end_array(j->w);
	if (!--j->depth)
		jsonw_destroy(&j->w);
}

void json_str(struct json *j, const char *k, const char *val)
{
	if (!j->w)
		return;
	key(j, k);
	if (!val) {
		jsonw_null(j->w);
	} else if (writer_safe(val)) {
		jsonw_string(j->w, val);
	} else {
		/* the writer's separator, then the string escaped here */
		jsonw_printf(j->w, "%s", "");
		json_escape(j->f, val);
	}
}

void json_num(struct json *j, const char *k, double val)
{
	if (!j->w)
		return;
	key(j, k);
	if (isfinite(val))
		jsonw_float_fmt(j->w, "%.6g", val);
	else
		jsonw_null(j->w);
}

void json_int(struct json *j, const char *k, long long val)
{
	if (!j->w)
		return;
	key(j, k);
	jsonw_int(j->w, val);
}

void json_bool(struct json *j, const char *k, bool val)
{
	if (!j->w)
		return;
	key(j, k);
	jsonw_bool(j->w, val);
}

void json_raw(struct json *j, const char *k, const char *text)
{
	if (!j->w)
		return;
	key(j, k);
	jsonw_printf(j->w, "%s", text ? text : "null");
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
	if (!j->w) {
		fclose(f);
		free(*buf);
		*buf = NULL;
		return NULL;
	}
	json_open(j, NULL, '{');
	return f;
}

void json_mem_end(FILE *f, char **buf, size_t *len)
{
	fclose(f);
	if (*buf && *len && (*buf)[*len - 1] == '\n')
		(*buf)[--*len] = '\0';
}
