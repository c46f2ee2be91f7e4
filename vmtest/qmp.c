// SPDX-License-Identifier: GPL-2.0
/*
 * qemu's machine protocol (QMP), for one question: the registers of
 * every vCPU, at the moment a case fails or before a hung VM is killed.
 *
 * qemu connects to a socket of ours (like the result channel), so the
 * socket never sits in a shared directory with qemu listening on it.
 * QMP speaks one JSON object per line: a greeting, then the answer to
 * each command, with asynchronous events in between (skipped here).
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "json.h"
#include "json_read.h"
#include "qmp.h"
#include "util.h"

struct qmp_conn {
	int fd;
	long long deadline;
	char buf[1 << 16];
	size_t len;
};

/* the next line qemu sends, NUL-terminated in c->buf; false at the deadline */
static bool read_line(struct qmp_conn *c, char **line)
{
	char *nl;
	ssize_t n;

	for (;;) {
		nl = memchr(c->buf, '\n', c->len);
		if (nl) {
			*nl = '\0';
			*line = c->buf;
			return true;
		}
		if (c->len == sizeof(c->buf) - 1)
			return false;	/* a line longer than we take */
		struct pollfd p = { .fd = c->fd, .events = POLLIN };
		long long left = c->deadline - now_ms();

		if (left <= 0 || poll(&p, 1, (int)left) <= 0)
			return false;
		n = read(c->fd, c->buf + c->len, sizeof(c->buf) - 1 - c->len);
		if (n <= 0)
			return false;
		c->len += n;
	}
}

/* drop the line read_line() returned */
static void consume(struct qmp_conn *c, const char *line)
{
	size_t used = strlen(line) + 1;

	memmove(c->buf, c->buf + used, c->len - used);
	c->len -= used;
}

static bool send_all(struct qmp_conn *c, const char *text)
{
	size_t off = 0, len = strlen(text);

	while (off < len) {
		struct pollfd p = { .fd = c->fd, .events = POLLOUT };
		long long left = c->deadline - now_ms();
		ssize_t n;

		if (left <= 0 || poll(&p, 1, (int)left) <= 0)
			return false;
		n = write(c->fd, text + off, len - off);
		if (n <= 0 && errno != EAGAIN)
			return false;
		if (n > 0)
			off += n;
	}
	return true;
}

/*
 * Send @cmd and wait for its answer (a line with "return" or "error",
 * not an "event"); the parsed answer, or NULL with @err set.
 */
static struct json_val *command(struct qmp_conn *c, const char *cmd,
				char *err, size_t errlen)
{
	struct json_val *v;
	char *line;

	if (!send_all(c, cmd)) {
		set_err(err, errlen, "cannot send to qemu's QMP socket");
		return NULL;
	}
	while (read_line(c, &line)) {
		v = json_parse(line, err, errlen);
		consume(c, line);
		if (!v)
			return NULL;
		if (json_get(v, "return") || json_get(v, "error"))
			return v;
		json_free(v);	/* an event */
	}
	set_err(err, errlen, "no answer from qemu's QMP socket in time");
	return NULL;
}

char *qmp_registers(int fd, int timeout_ms, char *err, size_t errlen)
{
	static const char caps[] = "{\"execute\":\"qmp_capabilities\"}\n";
	static const char regs[] =
		"{\"execute\":\"human-monitor-command\",\"arguments\":{\"command-line\":\"info registers -a\"}}\n";
	struct qmp_conn *c = xcalloc(1, sizeof(*c));
	struct json_val *v = NULL;
	const char *text;
	char *line, *out = NULL;

	c->fd = fd;
	c->deadline = now_ms() + timeout_ms;
	/* the greeting, once per connection: {"QMP": {...}} */
	if (!read_line(c, &line)) {
		set_err(err, errlen, "no greeting on qemu's QMP socket");
		goto out;
	}
	consume(c, line);
	v = command(c, caps, err, errlen);
	if (!v)
		goto out;
	json_free(v);
	v = command(c, regs, err, errlen);
	if (!v)
		goto out;
	text = json_get_str(v, "return");
	if (!text) {
		set_err(err, errlen, "qemu refused 'info registers': %s",
			json_get_str(json_get(v, "error"), "desc") ?: "?");
		goto out;
	}
	out = xstrdup(text);
out:
	json_free(v);
	free(c);
	return out;
}

/* "RAX=0000000000000001" and the like: NAME=HEX */
static bool reg_token(const char *tok, size_t len, size_t *eq)
{
	size_t i;

	for (i = 0; i < len && ((tok[i] >= 'A' && tok[i] <= 'Z') ||
				(tok[i] >= '0' && tok[i] <= '9')); i++)
		;
	if (!i || i >= len - 1 || tok[i] != '=')
		return false;
	*eq = i;
	for (i++; i < len; i++)
		if (!((tok[i] >= '0' && tok[i] <= '9') ||
		      (tok[i] >= 'a' && tok[i] <= 'f')))
			return false;
	return true;
}

/* one vCPU's block, from "CPU#N" to the next */
static void vcpu_json(struct json *j, int cpu, const char *text, size_t len)
{
	char name[16], value[40], *block = xmalloc(len + 1);
	char *norm = xmalloc(len + 1);
	const char *p = norm, *end;
	size_t i, n = 0;

	memcpy(block, text, len);
	block[len] = '\0';
	/* "R8 =..." pads short names: "R8=..." */
	for (i = 0; i < len; i++)
		if (!(text[i] == ' ' && i + 1 < len &&
		      (text[i + 1] == '=' || text[i + 1] == ' ') && n &&
		      norm[n - 1] != ' ' && memchr(text + i, '=', 3)))
			norm[n++] = text[i];
	norm[n] = '\0';
	end = norm + n;
	json_open(j, NULL, '{');
	json_int(j, "cpu", cpu);
	json_open(j, "registers", '{');
	while (p < end) {
		size_t tl, eq;

		while (p < end && (*p == ' ' || *p == '\n' || *p == '\r'))
			p++;
		for (tl = 0; p + tl < end && p[tl] != ' ' && p[tl] != '\n' &&
			     p[tl] != '\r'; tl++)
			;
		if (tl && reg_token(p, tl, &eq) && eq < sizeof(name) &&
		    tl - eq - 1 < sizeof(value) - 2) {
			snprintf(name, sizeof(name), "%.*s", (int)eq, p);
			snprintf(value, sizeof(value), "0x%.*s",
				 (int)(tl - eq - 1), p + eq + 1);
			json_str(j, name, value);
		}
		p += tl;
	}
	json_close(j, '}');
	json_str(j, "text", block);
	json_close(j, '}');
	free(block);
	free(norm);
}

void qmp_registers_json(struct json *j, const char *key, const char *text)
{
	const char *p = strstr(text, "CPU#"), *next;

	json_open(j, key, '[');
	while (p) {
		int cpu = atoi(p + 4);

		next = strstr(p + 4, "CPU#");
		vcpu_json(j, cpu, p, next ? (size_t)(next - p) : strlen(p));
		p = next;
	}
	json_close(j, ']');
}
