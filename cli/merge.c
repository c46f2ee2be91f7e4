// SPDX-License-Identifier: GPL-2.0
/*
 * ktstr merge [--out DIR] SHARD_DIR...
 *
 * Joins the KTAP streams of `ktstr run --shard I/N --out SHARD_DIR` into
 * one: one header, the cases in the order an unsharded run has them
 * (SHARD_DIR/cases gives each case's place), numbered again, one outputs
 * block and one totals line. With --out, the shards' run directories
 * (SHARD_DIR/runs/) are copied into DIR/runs/ and the stream also goes to
 * DIR/ktap.
 *
 * A shard directory is another machine's artifact: its files are read as
 * regular files of bounded size, never through a link, and only from the
 * shard directory named on the command line. Of its stream, only what the
 * host wrote after the last result is taken for the outputs block and the
 * totals (a case's report, before its result, may hold any line the guest
 * printed). Every case of SHARD_DIR/cases without a result is a failure:
 * a missing result is never a pass.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "util.h"

#define CASES_MAX	(4 << 20)	/* a shard's cases file */
#define STREAM_MAX	(256 << 20)	/* a shard's KTAP stream */
#define RUN_FILE_MAX	(256 << 20)	/* a file of a run directory */
#define SHARDS_MAX	1024
#define CASES_NR_MAX	1024		/* MAX_CASES: what one run holds */
#define OUTPUTS_HEADER	"# ktstr: test outputs"

/* a growing string, its length kept (appending is not quadratic) */
struct sbuf {
	char *s;
	size_t len, cap;
};

static void sb_add(struct sbuf *b, const char *s, size_t n)
{
	if (b->len + n + 1 > b->cap) {
		b->cap = (b->len + n + 1) * 2;
		b->s = xrealloc(b->s, b->cap);
	}
	memcpy(b->s + b->len, s, n);
	b->len += n;
	b->s[b->len] = '\0';
}

/* @line and its newline */
static void sb_line(struct sbuf *b, const char *line)
{
	sb_add(b, line, strlen(line));
	sb_add(b, "\n", 1);
}

/* one case: its lines before the result, and the result after "N " */
struct block {
	int seq, order;
	char *lines;
	char *result;	/* "name [# directive]"; NULL: trailing lines */
	bool ok, skip;
};

/* one "# FAILED" entry of an outputs block, with its field lines */
struct failed {
	int seq, order;
	struct sbuf text;
};

/* a shard's run directory: as its stream names it, and its copy */
struct run_path {
	char *from;	/* the path in the shard's stream */
	size_t len;	/* its length */
	const char *to;	/* DIR/runs/<name> with --out, else NULL */
};

/* a shard's cases file: its place (I of N) and each case's unsharded seq */
struct shard {
	const char *dir;
	unsigned int si, sn;
	char **names;
	int *seqs;
	bool *reported;
	int nr;
};

/* a case of some shard's cases file, for the checks across shards */
struct shard_case {
	char *name;
	int seq;
};

struct merge {
	struct block *b;
	int nb;
	struct failed *f;
	int nf;
	struct run_path *runs;
	int nruns;
	struct shard_case *cases;	/* every shard's cases */
	int ncases;
	char **copied;		/* DIR/runs/<name> made, each once */
	int ncopied;
	bool seen[SHARDS_MAX + 1];
	unsigned int total;
	int bad;
	const char *out;
	char out_abs[PATH_MAX];
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
		if (str_starts_with(line, fields[i]))
			return true;
	return false;
}

/* "ok 3 name # SKIP why": the part after the number */
static const char *after_number(const char *line)
{
	const char *p = line + (line[0] == 'o' ? 3 : 7);

	if (*p < '0' || *p > '9')
		return NULL;
	while (*p >= '0' && *p <= '9')
		p++;
	return *p == ' ' ? p + 1 : NULL;
}

static bool is_result(const char *line)
{
	return (str_starts_with(line, "ok ") ||
		str_starts_with(line, "not ok ")) && after_number(line);
}

static bool is_totals(const char *line)
{
	int a, b, c;

	return str_starts_with(line, "# Totals:") ||
	       sscanf(line, "%d passed, %d failed, %d skipped", &a, &b, &c) == 3;
}

/* the case's place in @sh, or -1 */
static int case_index(const struct shard *sh, const char *name)
{
	int i;

	for (i = 0; i < sh->nr; i++)
		if (!strcmp(sh->names[i], name))
			return i;
	return -1;
}

/* one line of a cases file, which must be as write_cases_file() wrote it */
static int cases_line(struct shard *sh, const char *line)
{
	char name[512];
	int seq, end = -1;

	if (sscanf(line, "ktstr-shard %u %u%n", &sh->si, &sh->sn, &end) == 2 &&
	    !line[end])
		return 0;
	end = -1;
	if (sscanf(line, "case %d %511s%n", &seq, name, &end) != 2 ||
	    line[end] || seq < 0 || case_index(sh, name) >= 0 ||
	    sh->nr == CASES_NR_MAX)
		return -1;
	sh->names = xrealloc(sh->names, (sh->nr + 1) * sizeof(char *));
	sh->seqs = xrealloc(sh->seqs, (sh->nr + 1) * sizeof(int));
	sh->names[sh->nr] = xstrdup(name);
	sh->seqs[sh->nr++] = seq;
	return 0;
}

static int read_cases(struct merge *m, struct shard *sh)
{
	char path[4200], *text, *line, *nl;
	size_t len;
	int ret = 0;

	snprintf(path, sizeof(path), "%s/cases", sh->dir);
	text = read_regular_file(path, CASES_MAX, &len);
	if (!text) {
		fprintf(stderr, "ktstr merge: %s: %s (a shard's directory holds the cases file 'ktstr run --out' writes)\n",
			path, strerror(errno));
		return -1;
	}
	/* a NUL would hide the lines after it */
	if (strlen(text) != len) {
		fprintf(stderr, "ktstr merge: %s: a NUL byte: not a cases file\n",
			path);
		free(text);
		return -1;
	}
	for (line = text; *line && !ret; line = nl ? nl + 1 : line + strlen(line)) {
		nl = strchr(line, '\n');
		if (nl)
			*nl = '\0';
		ret = cases_line(sh, line);
		if (ret)
			fprintf(stderr, "ktstr merge: %s: '%.80s': not a line 'ktstr run --out' writes (a case twice, or more than %d?)\n",
				path, line, CASES_NR_MAX);
	}
	free(text);
	sh->reported = xcalloc(sh->nr, sizeof(bool));
	if (!ret && (!sh->sn || !sh->si || sh->si > sh->sn ||
		     sh->sn > SHARDS_MAX)) {
		fprintf(stderr, "ktstr merge: %s: no 'ktstr-shard I N' line (1 <= I <= N <= %d)\n",
			path, SHARDS_MAX);
		ret = -1;
	}
	return ret;
}

/* the shard's place against the others': a usage error when it clashes */
static int place_shard(struct merge *m, const struct shard *sh)
{
	if (m->total && m->total != sh->sn) {
		fprintf(stderr, "ktstr merge: %s is shard %u of %u, the others are of %u\n",
			sh->dir, sh->si, sh->sn, m->total);
		return -1;
	}
	m->total = sh->sn;
	if (m->seen[sh->si]) {
		fprintf(stderr, "ktstr merge: shard %u/%u given twice (%s)\n",
			sh->si, sh->sn, sh->dir);
		return -1;
	}
	m->seen[sh->si] = true;
	return 0;
}

static struct block *new_block(struct merge *m)
{
	struct block *b;

	m->b = xrealloc(m->b, (m->nb + 1) * sizeof(*m->b));
	b = &m->b[m->nb];
	memset(b, 0, sizeof(*b));
	b->order = m->nb++;
	return b;
}

/* a case's result line: a block with the lines before it */
static int result_line(struct merge *m, struct shard *sh, const char *line,
		       struct sbuf *pending)
{
	const char *rest = after_number(line);
	struct sbuf result = { 0 };
	char name[512];
	struct block *b;
	int i;

	snprintf(name, sizeof(name), "%s", rest);
	name[strcspn(name, " ")] = '\0';
	i = case_index(sh, name);
	b = new_block(m);
	b->lines = pending->s ? pending->s : xstrdup("");
	memset(pending, 0, sizeof(*pending));
	sb_line(&result, rest);
	b->result = result.s;
	b->ok = line[0] == 'o';
	b->skip = b->ok && strstr(rest, " # SKIP");
	b->seq = i >= 0 ? sh->seqs[i] : INT_MAX;
	if (i < 0) {
		fprintf(stderr, "ktstr merge: %s/ktap: case '%s' is not in %s/cases\n",
			sh->dir, name, sh->dir);
		m->bad = 1;
	} else if (sh->reported[i]) {
		fprintf(stderr, "ktstr merge: %s/ktap: case '%s' has two results\n",
			sh->dir, name);
		m->bad = 1;
	} else {
		sh->reported[i] = true;
	}
	return b->seq;
}

/* a run directory the stream names: a path with a last component, once */
static void add_run(struct merge *m, const char *path)
{
	size_t len = strlen(path);
	struct run_path *r;
	int i;

	while (len && path[len - 1] == '/')
		len--;
	if (!len)
		return;
	for (i = 0; i < m->nruns; i++)
		if (m->runs[i].len == len && !strncmp(m->runs[i].from, path, len))
			return;
	m->runs = xrealloc(m->runs, (m->nruns + 1) * sizeof(*m->runs));
	r = &m->runs[m->nruns++];
	r->from = xmalloc(len + 1);
	memcpy(r->from, path, len);
	r->from[len] = '\0';
	r->len = len;
	r->to = NULL;
}

/* a line of the outputs block: the run directory, failures, their files */
static void outputs_line(struct merge *m, const struct shard *sh,
			 bool *want_path, struct failed **fl, const char *line)
{
	char name[512];
	int i;

	if (*want_path) {
		*want_path = false;
		if (str_starts_with(line, "# /"))
			add_run(m, line + 2);
		return;
	}
	if (str_starts_with(line, "# FAILED ")) {
		if (sscanf(line + 9, "%511s", name) != 1)
			name[0] = '\0';
		i = case_index(sh, name);
		m->f = xrealloc(m->f, (m->nf + 1) * sizeof(*m->f));
		*fl = &m->f[m->nf];
		memset(*fl, 0, sizeof(**fl));
		(*fl)->seq = i >= 0 ? sh->seqs[i] : INT_MAX;
		(*fl)->order = m->nf++;
		sb_line(&(*fl)->text, line);
	} else if (*fl && is_output_field(line)) {
		sb_line(&(*fl)->text, line);
	}
}

/* @text cut into its lines in place (their newlines become NULs) */
static char **split_lines(char *text, size_t len, int *nr)
{
	char **lines = NULL, *p = text, *end = text + len, *nl;
	int n = 0, cap = 0;

	while (p < end) {
		if (n == cap) {
			cap = cap ? cap * 2 : 256;
			lines = xrealloc(lines, cap * sizeof(char *));
		}
		lines[n++] = p;
		nl = memchr(p, '\n', end - p);
		if (!nl)
			break;
		*nl = '\0';
		p = nl + 1;
	}
	*nr = n;
	return lines;
}

/*
 * The shard's stream: results and the lines before each, then (after the
 * last result, where only the host writes) the outputs block and totals.
 * Returns whether the stream ended with its totals.
 */
static bool read_stream(struct merge *m, struct shard *sh)
{
	char path[4200], *text, **lines;
	struct sbuf pending = { 0 };
	struct failed *fl = NULL;
	int i, n, last = -1, outputs = -1, seq = INT_MAX, results = 0;
	bool plan = false, totals = false, want_path = false;
	size_t len;

	snprintf(path, sizeof(path), "%s/ktap", sh->dir);
	text = read_regular_file(path, STREAM_MAX, &len);
	if (!text) {
		fprintf(stderr, "ktstr merge: %s: %s\n", path, strerror(errno));
		return false;
	}
	lines = split_lines(text, len, &n);
	for (i = 0; i < n; i++)
		if (is_result(lines[i]))
			last = i;
	for (i = last + 1; i < n && outputs < 0; i++)
		if (!strcmp(lines[i], OUTPUTS_HEADER))
			outputs = i;
	for (i = 0; i < n; i++) {
		const char *l = lines[i];

		if (outputs >= 0 && i >= outputs) {
			if (i == outputs)
				want_path = true;
			else if (is_totals(l))
				totals = true;
			else
				outputs_line(m, sh, &want_path, &fl, l);
		} else if (str_starts_with(l, "KTAP version ") ||
			   str_starts_with(l, "TAP version ") ||
			   (str_starts_with(l, "1..") && !plan)) {
			/* the shard's own header: the merged one replaces it */
			plan |= l[0] == '1';
		} else if (i <= last && is_result(l)) {
			if (++results > sh->nr) {
				if (results == sh->nr + 1)
					fprintf(stderr, "ktstr merge: %s: more results than its %d cases: the rest is ignored\n",
						path, sh->nr);
				m->bad = 1;
				continue;
			}
			seq = result_line(m, sh, l, &pending);
		} else if (str_starts_with(l, "ok") ||
			   str_starts_with(l, "not ok")) {
			/* no result merge counts: not one for other readers */
			sb_add(&pending, "# ", 2);
			sb_line(&pending, l);
		} else {
			sb_line(&pending, l);
		}
	}
	free(lines);
	free(text);
	if (pending.s) {
		/* lines after the last result and before the outputs */
		struct block *b = new_block(m);

		b->lines = pending.s;
		b->seq = seq;
	}
	return totals;
}

/* a not ok result for each case of @sh its stream did not report */
static void unreported(struct merge *m, const struct shard *sh)
{
	char result[700];
	struct block *b;
	int i;

	for (i = 0; i < sh->nr; i++) {
		if (sh->reported[i])
			continue;
		fprintf(stderr, "ktstr merge: shard %u/%u (%s): no result for case '%s'\n",
			sh->si, sh->sn, sh->dir, sh->names[i]);
		snprintf(result, sizeof(result),
			 "%s # no result in shard %u/%u's stream\n",
			 sh->names[i], sh->si, sh->sn);
		b = new_block(m);
		b->lines = xstrdup("");
		b->result = xstrdup(result);
		b->seq = sh->seqs[i];
		m->bad = 1;
	}
}

static void shard_free(struct shard *sh)
{
	int i;

	for (i = 0; i < sh->nr; i++)
		free(sh->names[i]);
	free(sh->names);
	free(sh->seqs);
	free(sh->reported);
}

/*
 * One shard directory. A usage error (-1) only when it clashes with the
 * others (twice the same shard, another N); one that cannot be read is a
 * missing shard, said, and the merge goes on with the rest.
 */
static int read_shard(struct merge *m, const char *dir)
{
	struct shard sh = { .dir = dir };
	int i, ret = 0;

	if (read_cases(m, &sh)) {
		m->bad = 1;
	} else if (place_shard(m, &sh)) {
		ret = -1;
	} else {
		m->cases = xrealloc(m->cases,
				    (m->ncases + sh.nr) * sizeof(*m->cases));
		for (i = 0; i < sh.nr; i++)
			m->cases[m->ncases++] = (struct shard_case) {
				xstrdup(sh.names[i]), sh.seqs[i] };
		if (!read_stream(m, &sh)) {
			fprintf(stderr, "ktstr merge: shard %u/%u (%s) did not finish: its stream has no totals line after its outputs\n",
				sh.si, sh.sn, dir);
			m->bad = 1;
		}
		unreported(m, &sh);
	}
	shard_free(&sh);
	return ret;
}

/* the unsharded run's order; read order where that is the same */
static int by_place(int seq_a, int order_a, int seq_b, int order_b)
{
	if (seq_a != seq_b)
		return seq_a < seq_b ? -1 : 1;
	return order_a - order_b;
}

static int by_seq(const void *a, const void *b)
{
	const struct block *x = a, *y = b;

	/* a case's trailing lines after its result */
	if (x->seq == y->seq && !x->result != !y->result)
		return !x->result - !y->result;
	return by_place(x->seq, x->order, y->seq, y->order);
}

static int fail_by_seq(const void *a, const void *b)
{
	const struct failed *x = a, *y = b;

	return by_place(x->seq, x->order, y->seq, y->order);
}

static int by_case_seq(const void *a, const void *b)
{
	const struct shard_case *x = a, *y = b;

	return (x->seq > y->seq) - (x->seq < y->seq);
}

static int by_case_name(const void *a, const void *b)
{
	const struct shard_case *x = a, *y = b;

	return strcmp(x->name, y->name);
}

/*
 * A case, or a place of the unsharded run, in the cases files of two
 * shards: they were not cut from one selection of cases.
 */
static void check_cases(struct merge *m)
{
	int i;

	if (!m->ncases)
		return;
	qsort(m->cases, m->ncases, sizeof(*m->cases), by_case_seq);
	for (i = 1; i < m->ncases; i++) {
		if (m->cases[i].seq != m->cases[i - 1].seq)
			continue;
		fprintf(stderr, "ktstr merge: two shards' cases take place %d of the unsharded run: were they cut from one selection of cases?\n",
			m->cases[i].seq);
		m->bad = 1;
		break;
	}
	qsort(m->cases, m->ncases, sizeof(*m->cases), by_case_name);
	for (i = 1; i < m->ncases; i++) {
		if (strcmp(m->cases[i].name, m->cases[i - 1].name) ||
		    (i > 1 && !strcmp(m->cases[i].name, m->cases[i - 2].name)))
			continue;
		fprintf(stderr, "ktstr merge: case '%s' has more than one result (shards not cut from one run?)\n",
			m->cases[i].name);
		m->bad = 1;
	}
}

/*
 * The regular files of the directory @dfd (a run directory is flat) into
 * @dst; closes @dfd. Nothing is opened through a link.
 */
static int copy_dir(int dfd, const char *src, const char *dst)
{
	DIR *d = fdopendir(dfd);
	char to[8400];
	struct dirent *de;
	int ret = 0;
	size_t len;
	char *buf;

	if (!d || mkdir_p(dst)) {
		fprintf(stderr, "ktstr merge: cannot copy %s to %s: %s\n", src,
			dst, strerror(errno));
		if (d)
			closedir(d);
		else
			close(dfd);
		return -1;
	}
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		buf = read_regular_at(dirfd(d), de->d_name, RUN_FILE_MAX, &len);
		if (!buf) {
			fprintf(stderr, "ktstr merge: %s/%s: not copied: %s\n",
				src, de->d_name, errno == EINVAL ?
				"not a regular file" : strerror(errno));
			continue;
		}
		snprintf(to, sizeof(to), "%s/%s", dst, de->d_name);
		if (write_file_atomic(to, buf, len)) {
			fprintf(stderr, "ktstr merge: cannot write %s: %s\n",
				to, strerror(errno));
			ret = -1;
		}
		free(buf);
	}
	closedir(d);
	return ret;
}

/* DIR/runs/@name, made once */
static const char *copied(struct merge *m, const char *name, bool add)
{
	char dst[8400];
	int i;

	snprintf(dst, sizeof(dst), "%s/runs/%s", m->out, name);
	for (i = 0; i < m->ncopied; i++)
		if (!strcmp(m->copied[i], dst))
			return m->copied[i];
	if (!add)
		return NULL;
	m->copied = xrealloc(m->copied, (m->ncopied + 1) * sizeof(char *));
	m->copied[m->ncopied] = xstrdup(dst);
	return m->copied[m->ncopied++];
}

/*
 * Every run directory of SHARD_DIR/runs into DIR/runs/, opened below
 * SHARD_DIR without following a link (never from the path the stream
 * names: that is another machine's); then the run directories the
 * stream named, m->runs[@first..], pointed at their copies.
 */
static void copy_shard_runs(struct merge *m, const char *dir, int first)
{
	char src[8400];
	struct dirent *de;
	int runs, fd, i;
	DIR *d;

	snprintf(src, sizeof(src), "%s/runs", dir);
	runs = open(src, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	fd = runs < 0 ? -1 : fcntl(runs, F_DUPFD_CLOEXEC, 0);
	d = fd < 0 ? NULL : fdopendir(fd);
	if (!d) {
		fprintf(stderr, "ktstr merge: %s: %s: the shard's run directories are not in the merge\n",
			src, strerror(errno));
		if (fd >= 0)
			close(fd);
		if (runs >= 0)
			close(runs);
		m->bad = 1;
		return;
	}
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		fd = openat(runs, de->d_name,
			    O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (fd < 0)
			continue;
		snprintf(src, sizeof(src), "%s/runs/%s", dir, de->d_name);
		if (copy_dir(fd, src, copied(m, de->d_name, true)))
			m->bad = 1;
	}
	closedir(d);
	close(runs);
	for (i = first; i < m->nruns; i++) {
		const char *name = strrchr(m->runs[i].from, '/') + 1;

		m->runs[i].to = copied(m, name, false);
		if (!m->runs[i].to)
			fprintf(stderr, "ktstr merge: %s's stream names the run directory %s, which %s/runs does not hold\n",
				dir, m->runs[i].from, dir);
	}
}

/*
 * @s with each shard's run directory replaced by its copy: a whole path
 * only (followed by '/', a blank or the end), tried where a '/' starts.
 */
static void put_paths(FILE *f, const struct merge *m, const char *s)
{
	const char *slash;
	int i;

	while ((slash = strchr(s, '/'))) {
		fwrite(s, 1, slash - s, f);
		s = slash;
		for (i = 0; i < m->nruns; i++) {
			const struct run_path *r = &m->runs[i];

			if (r->to && !strncmp(s, r->from, r->len) &&
			    (!s[r->len] || strchr("\n/ ", s[r->len]))) {
				fputs(r->to, f);
				s += r->len;
				break;
			}
		}
		if (i == m->nruns)
			fputc(*s++, f);
	}
	fputs(s, f);
}

static void print_merged(FILE *f, struct merge *m)
{
	int i, n = 0, pass = 0, fail = 0, skip = 0;

	for (i = 0; i < m->nb; i++)
		n += !!m->b[i].result;
	fprintf(f, "KTAP version 1\n1..%d\n", n);
	n = 0;
	for (i = 0; i < m->nb; i++) {
		struct block *b = &m->b[i];

		put_paths(f, m, b->lines);
		if (!b->result)
			continue;
		fprintf(f, "%s %d ", b->ok ? "ok" : "not ok", ++n);
		put_paths(f, m, b->result);
		pass += b->ok && !b->skip;
		skip += b->skip;
		fail += !b->ok;
	}
	fprintf(f, OUTPUTS_HEADER "\n");
	if (m->out) {
		for (i = 0; i < m->ncopied; i++)
			fprintf(f, "# %s\n", m->copied[i]);
	} else {
		for (i = 0; i < m->nruns; i++)
			fprintf(f, "# %s\n", m->runs[i].from);
	}
	for (i = 0; i < m->nf; i++)
		put_paths(f, m, m->f[i].text.s);
	fprintf(f, "# Totals: pass:%d fail:%d xfail:0 xpass:0 skip:%d error:0\n",
		pass, fail, skip);
	fprintf(f, "%d passed, %d failed, %d skipped\n", pass, fail, skip);
	fflush(f);
	if (fail)
		m->bad = 1;
}

static int merge_args(int argc, char **argv, struct merge *m)
{
	int i, nd = 0, first;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
			printf("usage: ktstr merge [--out DIR] SHARD_DIR...\n"
			       "  joins the KTAP streams of 'ktstr run --shard I/N --out SHARD_DIR'\n"
			       "  into one, cases in the unsharded order; exit 1 if a case failed\n"
			       "  or has no result, or a shard is missing or unfinished\n"
			       "  --out DIR   the merged stream also into DIR/ktap, and the shards'\n"
			       "              run directories copied into DIR/runs/\n");
			return 0;
		}
		if (!strcmp(argv[i], "--out")) {
			if (++i == argc || !argv[i][0]) {
				fprintf(stderr, "ktstr merge: --out needs a directory\n");
				return VM_EXIT_USAGE;
			}
			m->out = argv[i];
			continue;
		}
		if (argv[i][0] == '-') {
			fprintf(stderr, "ktstr merge: unknown option '%s'\n",
				argv[i]);
			return VM_EXIT_USAGE;
		}
	}
	/* the stream's paths to the copies: absolute, good from anywhere */
	if (m->out) {
		if (mkdir_p(m->out) || !realpath(m->out, m->out_abs)) {
			fprintf(stderr, "ktstr merge: --out %s: %s\n", m->out,
				strerror(errno));
			return 1;
		}
		m->out = m->out_abs;
	}
	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--out")) {
			i++;
			continue;
		}
		first = m->nruns;
		if (read_shard(m, argv[i]))
			return VM_EXIT_USAGE;
		if (m->out)
			copy_shard_runs(m, argv[i], first);
		nd++;
	}
	if (!nd) {
		fprintf(stderr, "usage: ktstr merge [--out DIR] SHARD_DIR...\n");
		return VM_EXIT_USAGE;
	}
	return -1;
}

static int write_merged(struct merge *m)
{
	char path[4200];
	unsigned int s;
	FILE *f;

	for (s = 1; s <= m->total; s++)
		if (!m->seen[s]) {
			fprintf(stderr, "ktstr merge: shard %u/%u is missing: its cases are not in the merged stream\n",
				s, m->total);
			m->bad = 1;
		}
	if (!m->total)
		m->bad = 1;
	check_cases(m);
	if (m->nb)
		qsort(m->b, m->nb, sizeof(*m->b), by_seq);
	if (m->nf)
		qsort(m->f, m->nf, sizeof(*m->f), fail_by_seq);
	if (m->out) {
		snprintf(path, sizeof(path), "%s/ktap", m->out);
		f = fopen(path, "we");
		if (f)
			print_merged(f, m);
		/* a write that failed before fclose() is not its error */
		if (!f || (ferror(f) | fclose(f))) {
			fprintf(stderr, "ktstr merge: cannot write %s: %s\n",
				path, strerror(errno));
			m->bad = 1;
		}
	}
	print_merged(stdout, m);
	if (ferror(stdout)) {
		fprintf(stderr, "ktstr merge: cannot write the merged stream to stdout\n");
		m->bad = 1;
	}
	return m->bad ? 1 : 0;
}

static void merge_free(struct merge *m)
{
	int i;

	for (i = 0; i < m->nb; i++) {
		free(m->b[i].lines);
		free(m->b[i].result);
	}
	for (i = 0; i < m->nf; i++)
		free(m->f[i].text.s);
	for (i = 0; i < m->nruns; i++)
		free(m->runs[i].from);
	for (i = 0; i < m->ncopied; i++)
		free(m->copied[i]);
	free(m->b);
	free(m->f);
	free(m->runs);
	free(m->copied);
	for (i = 0; i < m->ncases; i++)
		free(m->cases[i].name);
	free(m->cases);
	free(m);
}

int cmd_merge(int argc, char **argv)
{
	struct merge *m = xcalloc(1, sizeof(*m));
	int ret = merge_args(argc, argv, m);

	if (ret < 0)
		ret = write_merged(m);
	merge_free(m);
	return ret;
}
