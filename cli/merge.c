// SPDX-License-Identifier: GPL-2.0
/*
 * ktstr merge [--out DIR] SHARD_DIR...
 *
 * Joins the KTAP streams of `ktstr run --shard I/N --out SHARD_DIR` into
 * one: one header, the cases in the order an unsharded run has them
 * (SHARD_DIR/cases gives each case's place), numbered again, one outputs
 * block and one totals line. With --out, the shards' run directories are
 * copied into DIR/runs/ and the stream also goes to DIR/ktap.
 */
#include <dirent.h>
#include <errno.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli.h"
#include "util.h"

/* one case: its lines before the result, and the result after "N " */
struct block {
	int seq;
	char *lines;
	char *result;	/* "name [# directive]" */
	bool ok, skip;
};

/* a field of a failure in the outputs block (run.c report_failures()) */
static bool is_output_field(const char *line)
{
	static const char *const fields[] = {
		"# failure dump ", "# stats ", "# replay ", "# report ",
		"# timeline plot ",
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(fields); i++)
		if (!strncmp(line, fields[i], strlen(fields[i])))
			return true;
	return false;
}

/* one "# FAILED" entry of an outputs block, with its field lines */
struct failed {
	int seq;
	char *text;
};

struct merge {
	struct block *b;
	int nb;
	struct failed *f;
	int nf;
	char paths[64][4096];	/* the shards' run directories */
	int np;
	bool seen[1024 + 1];
	unsigned int total;
	int bad;
};

static char *append(char *s, const char *add)
{
	size_t a = s ? strlen(s) : 0, b = strlen(add);
	char *p = realloc(s, a + b + 1);

	if (!p) {
		fputs("ktstr merge: out of memory\n", stderr);
		exit(1);
	}
	memcpy(p + a, add, b + 1);
	return p;
}

/* the case's unsharded place from the shard's cases file, or -1 */
static int seq_of(char *const *names, const int *seqs, int nr,
		  const char *name)
{
	int i;

	for (i = 0; i < nr; i++)
		if (!strcmp(names[i], name))
			return seqs[i];
	return -1;
}

/* "ok 3 name # SKIP why": the part after the number */
static const char *after_number(const char *line)
{
	const char *p = line + (line[0] == 'o' ? 3 : 7);

	while (*p >= '0' && *p <= '9')
		p++;
	return *p == ' ' ? p + 1 : NULL;
}

static bool is_result(const char *line)
{
	return (!strncmp(line, "ok ", 3) || !strncmp(line, "not ok ", 7)) &&
	       after_number(line);
}

static bool is_totals(const char *line)
{
	int a, b, c;
	char end;

	return !strncmp(line, "# Totals:", 9) ||
	       sscanf(line, "%d passed, %d failed, %d skipped%c", &a, &b, &c,
		      &end) == 4;
}

/* a shard's cases file: its place (I of N) and each case's unsharded seq */
struct shard_cases {
	char *names[1024];
	int seqs[1024], nr;
	unsigned int si, sn;
};

static void shard_cases_free(struct shard_cases *sc)
{
	int i;

	for (i = 0; i < sc->nr; i++)
		free(sc->names[i]);
	sc->nr = 0;
}

static int read_cases(struct merge *m, const char *dir, struct shard_cases *sc)
{
	char path[4200], line[1 << 16], name[512];
	int seq;
	FILE *f;

	snprintf(path, sizeof(path), "%s/cases", dir);
	f = fopen(path, "re");
	if (!f) {
		fprintf(stderr, "ktstr merge: %s: %s (write it with 'ktstr run --out %s')\n",
			path, strerror(errno), dir);
		return -1;
	}
	while (fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\n")] = '\0';
		if (sscanf(line, "ktstr-shard %u %u", &sc->si, &sc->sn) == 2)
			continue;
		if (sscanf(line, "case %d %511s", &seq, name) == 2 && sc->nr < 1024) {
			sc->names[sc->nr] = xstrdup(name);
			sc->seqs[sc->nr++] = seq;
		}
	}
	fclose(f);
	if (!sc->sn || !sc->si || sc->si > sc->sn || sc->sn > 1024) {
		fprintf(stderr, "ktstr merge: %s: no 'ktstr-shard I N' line\n",
			path);
		return -1;
	}
	if (m->total && m->total != sc->sn) {
		fprintf(stderr, "ktstr merge: %s is shard %u of %u, the others are of %u\n",
			dir, sc->si, sc->sn, m->total);
		return -1;
	}
	m->total = sc->sn;
	if (m->seen[sc->si]) {
		fprintf(stderr, "ktstr merge: shard %u/%u given twice (%s)\n",
			sc->si, sc->sn, dir);
		return -1;
	}
	m->seen[sc->si] = true;
	return 0;
}

/* where the stream's reader is: before the outputs block or in it */
struct stream_state {
	bool outputs, totals, plan_seen, want_path;
	char *pending;		/* lines since the last result */
	struct failed *fl;	/* the outputs block's current failure */
	int cur_seq;
};

/* a line of the outputs block: the directory, failures and their files */
static void outputs_line(struct merge *m, const struct shard_cases *sc,
			 struct stream_state *st, const char *line)
{
	char name[512];

	if (st->want_path) {
		st->want_path = false;
		if (m->np < 64 && !strncmp(line, "# ", 2)) {
			snprintf(m->paths[m->np], sizeof(m->paths[0]), "%s",
				 line + 2);
			m->paths[m->np][strcspn(m->paths[m->np], "\n")] = '\0';
			m->np++;
		}
		return;
	}
	if (!strncmp(line, "# FAILED ", 9)) {
		if (sscanf(line + 9, "%511s", name) != 1)
			name[0] = '\0';
		m->f = realloc(m->f, (m->nf + 1) * sizeof(*m->f));
		if (!m->f) {
			fputs("ktstr merge: out of memory\n", stderr);
			exit(1);
		}
		st->fl = &m->f[m->nf++];
		st->fl->seq = seq_of(sc->names, sc->seqs, sc->nr, name);
		st->fl->text = xstrdup(line);
	} else if (st->fl && is_output_field(line)) {
		st->fl->text = append(st->fl->text, line);
	}
}

/* a case's result line: a block with the lines before it */
static void result_line(struct merge *m, const struct shard_cases *sc,
			struct stream_state *st, const char *line,
			const char *path, const char *dir)
{
	const char *rest = after_number(line);
	char name[512];
	struct block *b;

	snprintf(name, sizeof(name), "%s", rest);
	name[strcspn(name, "\n ")] = '\0';
	m->b = realloc(m->b, (m->nb + 1) * sizeof(*m->b));
	if (!m->b) {
		fputs("ktstr merge: out of memory\n", stderr);
		exit(1);
	}
	b = &m->b[m->nb++];
	b->lines = st->pending ? st->pending : xstrdup("");
	st->pending = NULL;
	b->result = xstrdup(rest);
	b->ok = line[0] == 'o';
	b->skip = b->ok && strstr(rest, " # SKIP");
	b->seq = seq_of(sc->names, sc->seqs, sc->nr, name);
	if (b->seq < 0) {
		fprintf(stderr, "ktstr merge: %s: case '%s' is not in %s/cases\n",
			path, name, dir);
		b->seq = 1 << 20;
	}
	st->cur_seq = b->seq;
}

static int read_stream(struct merge *m, const char *dir,
		       const struct shard_cases *sc)
{
	char path[4200], line[1 << 16];
	struct stream_state st = { 0 };
	FILE *f;

	snprintf(path, sizeof(path), "%s/ktap", dir);
	f = fopen(path, "re");
	if (!f) {
		fprintf(stderr, "ktstr merge: %s: %s\n", path, strerror(errno));
		return -1;
	}
	while (fgets(line, sizeof(line), f)) {
		if (!strncmp(line, "KTAP version ", 13) ||
		    !strncmp(line, "TAP version ", 12) ||
		    (!strncmp(line, "1..", 3) && !st.plan_seen)) {
			/* the shard's own header: the merged one replaces it */
			st.plan_seen |= line[0] == '1';
		} else if (is_totals(line)) {
			st.totals = true;
		} else if (!strcmp(line, "# ktstr: test outputs\n")) {
			/* the outputs block: its header, then the directory */
			st.outputs = st.want_path = true;
		} else if (st.outputs) {
			outputs_line(m, sc, &st, line);
		} else if (is_result(line)) {
			result_line(m, sc, &st, line, path, dir);
		} else {
			st.pending = append(st.pending, line);
		}
	}
	fclose(f);
	if (st.pending) {
		/* lines after the last result and before the outputs */
		m->b = realloc(m->b, (m->nb + 1) * sizeof(*m->b));
		if (!m->b) {
			fputs("ktstr merge: out of memory\n", stderr);
			exit(1);
		}
		m->b[m->nb].lines = st.pending;
		m->b[m->nb].result = NULL;
		m->b[m->nb].seq = st.cur_seq;
		m->b[m->nb].ok = m->b[m->nb].skip = false;
		m->nb++;
	}
	if (!st.totals) {
		fprintf(stderr, "ktstr merge: shard %u/%u (%s) did not finish: its stream has no totals line\n",
			sc->si, sc->sn, dir);
		m->bad = 1;
	}
	return 0;
}

static int read_shard(struct merge *m, const char *dir)
{
	struct shard_cases *sc = xcalloc(1, sizeof(*sc));
	int ret = read_cases(m, dir, sc);

	if (!ret)
		ret = read_stream(m, dir, sc);
	shard_cases_free(sc);
	free(sc);
	return ret;
}

static void merge_free(struct merge *m)
{
	int i;

	for (i = 0; i < m->nb; i++) {
		free(m->b[i].lines);
		free(m->b[i].result);
	}
	for (i = 0; i < m->nf; i++)
		free(m->f[i].text);
	free(m->b);
	free(m->f);
	free(m);
}

static int by_seq(const void *a, const void *b)
{
	const struct block *x = a, *y = b;

	if (x->seq != y->seq)
		return x->seq < y->seq ? -1 : 1;
	/* a case's trailing lines after its result */
	return !x->result - !y->result;
}

static int fail_by_seq(const void *a, const void *b)
{
	const struct failed *x = a, *y = b;

	return (x->seq > y->seq) - (x->seq < y->seq);
}

/* @src's files into @dst (one level: a run directory is flat) */
static int copy_dir(const char *src, const char *dst)
{
	char from[8200], to[8200];
	struct dirent *de;
	DIR *d = opendir(src);
	struct stat st;
	size_t len;
	char *buf;

	if (!d || mkdir_p(dst)) {
		fprintf(stderr, "ktstr merge: cannot copy %s to %s: %s\n", src,
			dst, strerror(errno));
		if (d)
			closedir(d);
		return -1;
	}
	while ((de = readdir(d))) {
		snprintf(from, sizeof(from), "%s/%s", src, de->d_name);
		snprintf(to, sizeof(to), "%s/%s", dst, de->d_name);
		if (stat(from, &st) || !S_ISREG(st.st_mode))
			continue;
		buf = read_file(from, &len);
		if (buf && write_file_atomic(to, buf, len))
			fprintf(stderr, "ktstr merge: cannot write %s: %s\n", to,
				strerror(errno));
		free(buf);
	}
	closedir(d);
	return 0;
}

/* @s with each shard's run directory replaced by the merged one */
static void put_paths(FILE *f, const struct merge *m, const char *s,
		      const char *merged)
{
	int i;

	while (*s) {
		for (i = 0; merged && i < m->np; i++) {
			size_t l = strlen(m->paths[i]);

			if (l && !strncmp(s, m->paths[i], l)) {
				fputs(merged, f);
				s += l;
				break;
			}
		}
		if (!merged || i == m->np)
			fputc(*s++, f);
	}
}

static void print_merged(FILE *f, struct merge *m, const char *merged)
{
	int i, n = 0, pass = 0, fail = 0, skip = 0;

	for (i = 0; i < m->nb; i++)
		n += !!m->b[i].result;
	fprintf(f, "KTAP version 1\n1..%d\n", n);
	n = 0;
	for (i = 0; i < m->nb; i++) {
		struct block *b = &m->b[i];

		put_paths(f, m, b->lines, merged);
		if (!b->result)
			continue;
		fprintf(f, "%s %d ", b->ok ? "ok" : "not ok", ++n);
		put_paths(f, m, b->result, merged);
		pass += b->ok && !b->skip;
		skip += b->skip;
		fail += !b->ok;
	}
	fprintf(f, "# ktstr: test outputs\n");
	if (merged) {
		fprintf(f, "# %s\n", merged);
	} else {
		for (i = 0; i < m->np; i++)
			fprintf(f, "# %s\n", m->paths[i]);
	}
	for (i = 0; i < m->nf; i++)
		put_paths(f, m, m->f[i].text, merged);
	fprintf(f, "# Totals: pass:%d fail:%d xfail:0 xpass:0 skip:%d error:0\n",
		pass, fail, skip);
	fprintf(f, "%d passed, %d failed, %d skipped\n", pass, fail, skip);
	fflush(f);
	if (fail)
		m->bad = 1;
}

static int merge_args(int argc, char **argv, struct merge *m,
		      const char **out)
{
	int i, nd = 0;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
			printf("usage: ktstr merge [--out DIR] SHARD_DIR...\n"
			       "  joins the KTAP streams of 'ktstr run --shard I/N --out SHARD_DIR'\n"
			       "  into one, cases in the unsharded order; exit 1 if a case failed\n"
			       "  or a shard is missing or unfinished\n"
			       "  --out DIR   the merged stream also into DIR/ktap, and the shards'\n"
			       "              run directories copied into DIR/runs/\n");
			return 0;
		}
		if (!strcmp(argv[i], "--out")) {
			if (++i == argc || !argv[i][0]) {
				fprintf(stderr, "ktstr merge: --out needs a directory\n");
				return VM_EXIT_USAGE;
			}
			*out = argv[i];
			continue;
		}
		if (argv[i][0] == '-') {
			fprintf(stderr, "ktstr merge: unknown option '%s'\n",
				argv[i]);
			return VM_EXIT_USAGE;
		}
		if (read_shard(m, argv[i]))
			return VM_EXIT_USAGE;
		nd++;
	}
	if (!nd) {
		fprintf(stderr, "usage: ktstr merge [--out DIR] SHARD_DIR...\n");
		return VM_EXIT_USAGE;
	}
	return -1;
}

static int write_merged(struct merge *m, const char *out)
{
	char merged[4200] = "", path[4200];
	unsigned int s;
	int i;

	for (s = 1; s <= m->total; s++)
		if (!m->seen[s]) {
			fprintf(stderr, "ktstr merge: shard %u/%u is missing: its cases are not in the merged stream\n",
				s, m->total);
			m->bad = 1;
		}
	qsort(m->b, m->nb, sizeof(*m->b), by_seq);
	if (m->nf)
		qsort(m->f, m->nf, sizeof(*m->f), fail_by_seq);
	if (out) {
		/* every shard ran the same kernel and suite: one run dir */
		for (i = 0; i < m->np; i++) {
			char *copy = xstrdup(m->paths[i]);

			snprintf(merged, sizeof(merged), "%s/runs/%s", out,
				 basename(copy));
			copy_dir(m->paths[i], merged);
			free(copy);
		}
		snprintf(path, sizeof(path), "%s/ktap", out);
		if (m->np) {
			FILE *f = fopen(path, "w");

			if (f) {
				print_merged(f, m, merged);
				fclose(f);
			}
		}
	}
	print_merged(stdout, m, merged[0] ? merged : NULL);
	return m->bad ? 1 : 0;
}

int cmd_merge(int argc, char **argv)
{
	struct merge *m = xcalloc(1, sizeof(*m));
	const char *out = NULL;
	int ret = merge_args(argc, argv, m, &out);

	if (ret < 0)
		ret = write_merged(m, out);
	merge_free(m);
	return ret;
}
