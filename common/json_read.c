// SPDX-License-Identifier: GPL-2.0
/*
 * JSON reader (json_read.h): recursive descent over RFC 8259, bounded in
 * depth, allocation checked, strings decoded to UTF-8 (\u0000 refused, so
 * every string is a C string).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json_read.h"

struct parser {
	const char *p, *start;
	char *err;
	size_t errlen;
	bool failed;
};

static void fail(struct parser *ps, const char *what)
{
	if (!ps->failed)
		snprintf(ps->err, ps->errlen, "%s at offset %td", what,
			 ps->p - ps->start);
	ps->failed = true;
}

static void skip_ws(struct parser *ps)
{
	while (*ps->p == ' ' || *ps->p == '\t' || *ps->p == '\n' ||
	       *ps->p == '\r')
		ps->p++;
}

static int hex4(const char *p)
{
	int i, v = 0;

	for (i = 0; i < 4; i++) {
		char c = p[i];

		v <<= 4;
		if (c >= '0' && c <= '9')
			v |= c - '0';
		else if (c >= 'a' && c <= 'f')
			v |= c - 'a' + 10;
		else if (c >= 'A' && c <= 'F')
			v |= c - 'A' + 10;
		else
			return -1;
	}
	return v;
}

static size_t put_utf8(char *out, unsigned int cp)
{
	if (cp < 0x80) {
		out[0] = cp;
		return 1;
	}
	if (cp < 0x800) {
		out[0] = 0xc0 | (cp >> 6);
		out[1] = 0x80 | (cp & 0x3f);
		return 2;
	}
	if (cp < 0x10000) {
		out[0] = 0xe0 | (cp >> 12);
		out[1] = 0x80 | ((cp >> 6) & 0x3f);
		out[2] = 0x80 | (cp & 0x3f);
		return 3;
	}
	out[0] = 0xf0 | (cp >> 18);
	out[1] = 0x80 | ((cp >> 12) & 0x3f);
	out[2] = 0x80 | ((cp >> 6) & 0x3f);
	out[3] = 0x80 | (cp & 0x3f);
	return 4;
}

/* one \u escape (a surrogate pair counts as one) at ps->p, past "\u" */
static int unicode_escape(struct parser *ps, unsigned int *cp)
{
	int hi = hex4(ps->p), lo;

	if (hi < 0)
		return -1;
	ps->p += 4;
	if (hi >= 0xd800 && hi <= 0xdbff) {
		if (ps->p[0] != '\\' || ps->p[1] != 'u')
			return -1;
		lo = hex4(ps->p + 2);
		if (lo < 0xdc00 || lo > 0xdfff)
			return -1;
		ps->p += 6;
		*cp = 0x10000 + ((hi - 0xd800) << 10) + (lo - 0xdc00);
		return 0;
	}
	if ((hi >= 0xdc00 && hi <= 0xdfff) || hi == 0)
		return -1;
	*cp = hi;
	return 0;
}

/* a string at ps->p (on the opening quote), decoded */
static char *parse_string(struct parser *ps)
{
	const char *end = ps->p + 1;
	char *out, *o;

	/* the decoded text is never longer than the encoded one */
	while (*end && *end != '"')
		end += *end == '\\' && end[1] ? 2 : 1;
	if (*end != '"') {
		fail(ps, "unterminated string");
		return NULL;
	}
	out = o = malloc(end - ps->p + 4);
	if (!out) {
		fail(ps, "out of memory");
		return NULL;
	}
	ps->p++;
	while (*ps->p != '"') {
		unsigned char c = *ps->p++;
		unsigned int cp;

		if (c < 0x20) {
			fail(ps, "control character in string");
			break;
		}
		if (c != '\\') {
			*o++ = c;
			continue;
		}
		c = *ps->p++;
		switch (c) {
		case '"': case '\\': case '/':
			*o++ = c;
			break;
		case 'b':
			*o++ = '\b';
			break;
		case 'f':
			*o++ = '\f';
			break;
		case 'n':
			*o++ = '\n';
			break;
		case 'r':
			*o++ = '\r';
			break;
		case 't':
			*o++ = '\t';
			break;
		case 'u':
			if (unicode_escape(ps, &cp)) {
				fail(ps, "bad \\u escape");
				break;
			}
			o += put_utf8(o, cp);
			break;
		default:
			fail(ps, "bad escape");
		}
		if (ps->failed)
			break;
	}
	if (ps->failed) {
		free(out);
		return NULL;
	}
	*o = '\0';
	ps->p++;
	return out;
}

static void parse_value(struct parser *ps, struct json_val *v, int depth);

/* the members of an array or object, ps->p past the opening bracket */
static void parse_members(struct parser *ps, struct json_val *v, int depth,
			  char close)
{
	skip_ws(ps);
	if (*ps->p == close) {
		ps->p++;
		return;
	}
	for (;;) {
		struct json_val *kids;
		char *key = NULL;

		skip_ws(ps);
		if (close == '}') {
			if (*ps->p != '"') {
				fail(ps, "expected a key");
				return;
			}
			key = parse_string(ps);
			if (!key)
				return;
			skip_ws(ps);
			/* never past the NUL: json_parse reads on after */
			if (*ps->p != ':') {
				free(key);
				fail(ps, "expected ':'");
				return;
			}
			ps->p++;
		}
		kids = realloc(v->kids, (v->nr + 1) * sizeof(*kids));
		if (kids)
			v->kids = kids;
		if (key) {
			char **keys = realloc(v->keys,
					      (v->nr + 1) * sizeof(*keys));

			if (keys)
				v->keys = keys;
			if (!keys || !kids) {
				free(key);
				fail(ps, "out of memory");
				return;
			}
			v->keys[v->nr] = key;
		}
		if (!kids) {
			fail(ps, "out of memory");
			return;
		}
		memset(&v->kids[v->nr], 0, sizeof(v->kids[0]));
		v->nr++;
		parse_value(ps, &v->kids[v->nr - 1], depth + 1);
		if (ps->failed)
			return;
		skip_ws(ps);
		if (*ps->p == ',') {
			ps->p++;
			continue;
		}
		if (*ps->p == close) {
			ps->p++;
			return;
		}
		fail(ps, close == '}' ? "expected ',' or '}'" :
		     "expected ',' or ']'");
		return;
	}
}

static void parse_number(struct parser *ps, struct json_val *v)
{
	const char *p = ps->p;
	char *end;

	/* the JSON grammar, stricter than strtod's */
	if (*p == '-')
		p++;
	if (*p == '0')
		p++;
	else if (*p >= '1' && *p <= '9')
		while (*p >= '0' && *p <= '9')
			p++;
	else
		goto bad;
	if (*p == '.') {
		if (*++p < '0' || *p > '9')
			goto bad;
		while (*p >= '0' && *p <= '9')
			p++;
	}
	if (*p == 'e' || *p == 'E') {
		p++;
		if (*p == '+' || *p == '-')
			p++;
		if (*p < '0' || *p > '9')
			goto bad;
		while (*p >= '0' && *p <= '9')
			p++;
	}
	v->type = JSON_NUM;
	v->n = strtod(ps->p, &end);
	if (end != p || !isfinite(v->n))
		goto bad;
	ps->p = p;
	return;
bad:
	fail(ps, "bad number");
}

static bool literal(struct parser *ps, const char *word)
{
	size_t n = strlen(word);

	if (strncmp(ps->p, word, n))
		return false;
	ps->p += n;
	return true;
}

static void parse_value(struct parser *ps, struct json_val *v, int depth)
{
	if (depth > JSON_MAX_DEPTH) {
		fail(ps, "nested too deep");
		return;
	}
	skip_ws(ps);
	switch (*ps->p) {
	case '{':
	case '[':
		v->type = *ps->p == '{' ? JSON_OBJ : JSON_ARR;
		ps->p++;
		parse_members(ps, v, depth, v->type == JSON_OBJ ? '}' : ']');
		return;
	case '"':
		v->s = parse_string(ps);
		if (v->s)
			v->type = JSON_STR;
		return;
	default:
		if (literal(ps, "true") || literal(ps, "false")) {
			v->type = JSON_BOOL;
			v->b = ps->p[-1] == 'e' && ps->p[-2] == 'u';
		} else if (literal(ps, "null")) {
			v->type = JSON_NULL;
		} else {
			parse_number(ps, v);
		}
	}
}

static void free_members(struct json_val *v)
{
	int i;

	for (i = 0; i < v->nr; i++) {
		free_members(&v->kids[i]);
		if (v->keys)
			free(v->keys[i]);
	}
	free(v->kids);
	free(v->keys);
	free(v->s);
}

struct json_val *json_parse(const char *text, char *err, size_t errlen)
{
	struct parser ps = { .p = text, .start = text, .err = err,
			     .errlen = errlen };
	struct json_val *v = calloc(1, sizeof(*v));

	if (!v) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	parse_value(&ps, v, 0);
	skip_ws(&ps);
	if (!ps.failed && *ps.p)
		fail(&ps, "text after the value");
	if (ps.failed) {
		json_free(v);
		return NULL;
	}
	return v;
}

void json_free(struct json_val *v)
{
	if (!v)
		return;
	free_members(v);
	free(v);
}

const struct json_val *json_get(const struct json_val *obj, const char *key)
{
	int i;

	if (!obj || obj->type != JSON_OBJ)
		return NULL;
	for (i = 0; i < obj->nr; i++)
		if (!strcmp(obj->keys[i], key))
			return &obj->kids[i];
	return NULL;
}

const char *json_get_str(const struct json_val *obj, const char *key)
{
	const struct json_val *v = json_get(obj, key);

	return v && v->type == JSON_STR ? v->s : NULL;
}

bool json_get_num(const struct json_val *obj, const char *key, double *out)
{
	const struct json_val *v = json_get(obj, key);

	if (!v || v->type != JSON_NUM)
		return false;
	*out = v->n;
	return true;
}

bool json_get_bool(const struct json_val *obj, const char *key, bool dflt)
{
	const struct json_val *v = json_get(obj, key);

	return v && v->type == JSON_BOOL ? v->b : dflt;
}
