// SPDX-License-Identifier: GPL-2.0
/*
 * ktstr run --matrix K1 K2 ...: which of the selected cases run on which
 * kernel, and why the others would skip, from one boot per kernel. The
 * guest runs every engine binary with --needs, which checks each case's
 * declared needs against the running kernel's BTF and config (lib/needs.c)
 * and prints one "@@ktstr.needs" line per case; nothing else is run.
 */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "json_read.h"
#include "protocol.h"
#include "cases.h"
#include "util.h"

#define MAX_BINS	32

enum cell { CELL_NONE, CELL_RUNS, CELL_SKIPS, CELL_ERROR };

struct matrix {
	enum cell cell[MAX_CASES][MAX_KERNELS];
	char *why[MAX_CASES][MAX_KERNELS];
};

static int case_by_test(const struct test_case *cases, int n, const char *name)
{
	int i;

	for (i = 0; i < n; i++)
		if (!strcmp(cases[i].test, name))
			return i;
	return -1;
}

/* the "@@ktstr.needs {...}" lines of one boot into column @k */
static void read_answers(const char *out, const struct test_case *cases,
			 int n, int k, struct matrix *mx)
{
	static const char tag[] = KTSTR_ARTIFACT_PREFIX "needs ";
	const char *p = out;

	while ((p = strstr(p, tag))) {
		char line[1024], err[128];
		struct json_val *v;
		const char *name, *verdict, *why;
		int i;

		p += sizeof(tag) - 1;
		snprintf(line, sizeof(line), "%.*s", (int)strcspn(p, "\r\n"), p);
		v = json_parse(line, err, sizeof(err));
		name = json_get_str(v, "name");
		verdict = json_get_str(v, "verdict");
		why = json_get_str(v, "why");
		i = -1;
		if (name)
			i = case_by_test(cases, n, name);
		if (i >= 0 && verdict) {
			mx->cell[i][k] = !strcmp(verdict, "runs") ? CELL_RUNS :
					 !strcmp(verdict, "skips") ? CELL_SKIPS :
					 CELL_ERROR;
			free(mx->why[i][k]);
			mx->why[i][k] = why ? xstrdup(why) : NULL;
		}
		json_free(v);
	}
}

/* one boot of kernel @k: every engine binary of the selection, --needs */
static int boot_kernel(const struct run_opts *o, const struct test_case *cases,
		       int n, int k, struct matrix *mx)
{
	static const char script[] =
		"for b; do \"$b\" --needs || exit 1; done";
	const char *extra[MAX_BINS + 1] = { NULL };
	char *cmd[MAX_BINS + 5] = { "/bin/sh", "-c", (char *)script, "sh" };
	char guest[MAX_BINS][PATH_MAX], tmp[PATH_MAX];
	char *env[] = { NULL }, err[128], *out;
	struct vm_opts vo = o->vm;
	struct vm_result res;
	int i, j, nb = 0, fd;

	for (i = 0; i < n; i++) {
		for (j = 0; j < nb && strcmp(extra[j], cases[i].bin); j++)
			;
		if (j < nb)
			continue;
		if (nb == MAX_BINS)
			break;
		extra[nb] = cases[i].bin;
		snprintf(guest[nb], sizeof(guest[nb]), "/bin/%s",
			 basename((char *)cases[i].bin));
		cmd[4 + nb] = guest[nb];
		nb++;
	}
	vo.kernel = o->kernels[k];
	if (topo_parse("1n1l1c1t", &vo.topo, err, sizeof(err)))
		return -1;
	tmp_template(tmp, sizeof(tmp), sizeof(tmp), "ktstr-matrix");
	fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0)
		return -1;
	unlink(tmp);
	boot_and_run(&vo, cmd, env, extra, false, fd, STDERR_FILENO, &res);
	out = xmalloc(1 << 20);
	i = pread(fd, out, (1 << 20) - 1, 0);
	out[i > 0 ? i : 0] = '\0';
	close(fd);
	read_answers(out, cases, n, k, mx);
	free(out);
	if (res.exit_code)
		fprintf(stderr, "ktstr: --matrix: kernel %s: the boot ended with %d%s%s\n",
			o->kernel_labels[k], res.exit_code,
			res.reason[0] ? ": " : "", res.reason);
	return res.exit_code ? -1 : 0;
}

static const char *cell_name(enum cell c)
{
	static const char *const names[] = {
		[CELL_NONE] = "no answer", [CELL_RUNS] = "runs",
		[CELL_SKIPS] = "skips", [CELL_ERROR] = "error",
	};

	return names[c];
}

int run_matrix(const struct run_opts *o, const struct test_case *cases, int n)
{
	static struct matrix mx;
	int i, k, bad = 0;

	printf("# matrix: %d case%s on %d kernel%s, one boot each\n", n,
	       n == 1 ? "" : "s", o->nr_kernels, o->nr_kernels == 1 ? "" : "s");
	for (k = 0; k < o->nr_kernels; k++) {
		printf("# K%d %s (%s)\n", k + 1, o->kernel_labels[k], o->kernels[k]);
		fprintf(stderr, "ktstr: --matrix: booting %s\n", o->kernel_labels[k]);
		if (boot_kernel(o, cases, n, k, &mx))
			bad++;
	}
	printf("%-36s", "case");
	for (k = 0; k < o->nr_kernels; k++) {
		char col[8];

		snprintf(col, sizeof(col), "K%d", k + 1);
		printf(" %-10s", col);
	}
	putchar('\n');
	for (i = 0; i < n; i++) {
		printf("%-36s", cases[i].name);
		for (k = 0; k < o->nr_kernels; k++) {
			printf(" %-10s", cell_name(mx.cell[i][k]));
			bad += mx.cell[i][k] == CELL_NONE ||
			       mx.cell[i][k] == CELL_ERROR;
		}
		putchar('\n');
	}
	for (i = 0; i < n; i++)
		for (k = 0; k < o->nr_kernels; k++)
			if (mx.why[i][k])
				printf("# %s on K%d: %s\n", cases[i].name, k + 1,
				       mx.why[i][k]);
	return bad ? 1 : 0;
}
