// SPDX-License-Identifier: GPL-2.0
/*
 * The known-issues file (known_issues.h): read once, validated line by
 * line, every error naming the file and the line.
 */
#include <ctype.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "env.h"
#include "known_issues.h"

#define MAX_KNOWN	256

static struct known_issue known[MAX_KNOWN];
static int nr_known;

/* <case>.<check>[@<evidence>], or *.<check>@<evidence> */
static bool id_ok(const char *s)
{
	const char *dot = strchr(s, '.'), *at = strchr(s, '@');

	if (!dot || dot == s || !dot[1] || dot[1] == '@')
		return false;
	if (at && (at < dot || !at[1] || strchr(at + 1, '@')))
		return false;
	if (s[0] == '*' && (dot != s + 1 || !at))
		return false;
	for (s += s[0] == '*'; *s; s++)
		if (!isalnum((unsigned char)*s) && !strchr("_./-@[]:", *s))
			return false;
	return true;
}

static bool printable(const char *s)
{
	for (; *s; s++)
		if (!isprint((unsigned char)*s))
			return false;
	return true;
}

/* one non-comment line into @k; NULL or what is wrong with it */
static const char *parse_line(char *line, struct known_issue *k)
{
	char *id, *link, *reason, *save;

	id = strtok_r(line, " \t", &save);
	link = strtok_r(NULL, " \t", &save);
	reason = strtok_r(NULL, "", &save);
	while (reason && (*reason == ' ' || *reason == '\t'))
		reason++;
	if (!id || !link || !reason || !*reason)
		return "want '<case>.<check> <link> <reason>'";
	if (!id_ok(id) || strlen(id) >= sizeof(k->id))
		return "the id must be <case>.<check>[@<evidence>] (or *.<check>@<evidence>) of letters, digits and _./-[]:";
	if (!printable(link) || strlen(link) >= sizeof(k->link))
		return "the link must be one printable word under 256 bytes";
	if (!printable(reason) || strlen(reason) >= sizeof(k->reason))
		return "the reason must be printable text under 256 bytes";
	snprintf(k->id, sizeof(k->id), "%s", id);
	snprintf(k->link, sizeof(k->link), "%s", link);
	snprintf(k->reason, sizeof(k->reason), "%s", reason);
	return NULL;
}

int known_issues_load(const char *suite_dir, char *err, size_t len)
{
	const char *env = ktstr_env()->known_issues;
	char path[4096], line[1024];
	const char *why;
	int n = 0;
	FILE *f;

	nr_known = 0;
	if (env && *env)
		snprintf(path, sizeof(path), "%s", env);
	else
		snprintf(path, sizeof(path), "%s/known-issues", suite_dir);
	f = fopen(path, "re");
	if (!f) {
		if (errno == ENOENT && !(env && *env))
			return 0;
		snprintf(err, len, "%s: %s%s", path, strerror(errno),
			 env && *env ? " (KTSTR_KNOWN_ISSUES)" : "");
		return -1;
	}
	while (fgets(line, sizeof(line), f)) {
		size_t l = strlen(line);

		n++;
		if (l && line[l - 1] != '\n' && !feof(f)) {
			snprintf(err, len, "%s:%d: line longer than %zu bytes",
				 path, n, sizeof(line) - 2);
			fclose(f);
			return -1;
		}
		line[strcspn(line, "\r\n")] = '\0';
		if (!line[strspn(line, " \t")] || line[strspn(line, " \t")] == '#')
			continue;
		if (nr_known == MAX_KNOWN) {
			snprintf(err, len, "%s:%d: more than %d entries", path, n,
				 MAX_KNOWN);
			fclose(f);
			return -1;
		}
		why = parse_line(line, &known[nr_known]);
		if (why) {
			snprintf(err, len, "%s:%d: %s", path, n, why);
			fclose(f);
			return -1;
		}
		nr_known++;
	}
	fclose(f);
	return 0;
}

/* does "case.check[@evidence]" @id name @test_case's @check? */
static bool id_matches(const char *id, const char *test_case,
		       const char *check, const char *exit)
{
	const char *dot = strchr(id, '.'), *at = strchr(id, '@');
	size_t clen = dot - id, klen = (at ?: id + strlen(id)) - dot - 1;
	const char *e;

	if (!(clen == 1 && id[0] == '*') &&
	    (strlen(test_case) != clen || strncmp(id, test_case, clen)))
		return false;
	if (strlen(check) != klen || strncmp(dot + 1, check, klen))
		return false;
	if (!at)
		return true;
	if (!exit)
		return false;
	/*
	 * A prefix of "reason: message" ('_' for a space): the reason comes
	 * from the kernel's exit kind, which the scheduler cannot forge with
	 * its own message.
	 */
	for (e = at + 1; *e; e++, exit++)
		if (*e != *exit && !(*e == '_' && *exit == ' '))
			return false;
	return true;
}

const struct known_issue *known_issue_find(const char *test_case,
					   const char *check,
					   const char *exit)
{
	int i;

	for (i = 0; i < nr_known; i++)
		if (id_matches(known[i].id, test_case, check, exit))
			return &known[i];
	return NULL;
}
