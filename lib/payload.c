// SPDX-License-Identifier: GPL-2.0
/*
 * Payloads: external programs as workloads. The program is as untrusted
 * as the scheduler: its output is read through a memfd and a report file
 * up to PAYLOAD_MAX_OUTPUT, every number it prints is checked to be
 * finite, at most PAYLOAD_MAX_METRICS are kept, and one that does not
 * end by its deadline is killed with its whole process group.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cgroup.h"
#include "checks.h"
#include "json_read.h"
#include "payload.h"
#include "util.h"

#define MAX_ARGS	32

/* split @cmd on spaces into @argv (in @buf), {out} as @report */
static int split_cmd(const char *cmd, char *buf, size_t len, char **argv,
		     const char *report)
{
	char *save, *tok;
	int n = 0;

	if (snprintf(buf, len, "%s", cmd) >= (int)len)
		return -1;
	for (tok = strtok_r(buf, " ", &save); tok;
	     tok = strtok_r(NULL, " ", &save)) {
		if (n == MAX_ARGS)
			return -1;
		argv[n++] = !strcmp(tok, "{out}") ? (char *)report : tok;
	}
	argv[n] = NULL;
	return n ? 0 : -1;
}

int payload_start(struct payload_run *pr, const struct ktstr_payload *p,
		  const char *cgroup)
{
	char buf[1024], *argv[MAX_ARGS + 1], go;
	int gate[2], fd;

	memset(pr, 0, sizeof(*pr));
	pr->p = p;
	pr->exit_code = -1;
	pr->out_fd = -1;
	if (strstr(p->cmd, "{out}")) {
		snprintf(pr->report, sizeof(pr->report), "/tmp/ktstr-payload-XXXXXX");
		fd = mkostemp(pr->report, O_CLOEXEC);
		if (fd < 0)
			return set_err(pr->why, sizeof(pr->why), "payload %s: no report file: %s",
				       p->name, strerror(errno));
		close(fd);
	}
	if (split_cmd(p->cmd, buf, sizeof(buf), argv, pr->report))
		return set_err(pr->why, sizeof(pr->why), "payload %s: the command is empty, or over %d words or 1 KiB",
			       p->name, MAX_ARGS);
	pr->out_fd = memfd_create("payload", MFD_CLOEXEC);
	if (pr->out_fd < 0 || pipe2(gate, O_CLOEXEC))
		return set_err(pr->why, sizeof(pr->why), "payload %s: %s", p->name,
			       strerror(errno));
	pr->pid = fork();
	if (pr->pid < 0) {
		pr->pid = 0;
		close(gate[0]);
		close(gate[1]);
		return set_err(pr->why, sizeof(pr->why), "payload %s: fork: %s",
			       p->name, strerror(errno));
	}
	if (!pr->pid) {
		/* its own process group: killed as one at the deadline */
		setpgid(0, 0);
		close(gate[1]);
		/* into the cgroup first, then exec: it never runs outside */
		if (read(gate[0], &go, 1) != 1)
			_exit(126);
		dup2(pr->out_fd, STDOUT_FILENO);
		dup2(pr->out_fd, STDERR_FILENO);
		execvp(argv[0], argv);
		fprintf(stderr, "cannot run %s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	setpgid(pr->pid, pr->pid);
	close(gate[0]);
	if (cg_move(cgroup, pr->pid)) {
		snprintf(pr->why, sizeof(pr->why), "payload %s: cannot move it into cgroup %s: %s",
			 p->name, cgroup, strerror(errno));
		close(gate[1]);
		kill(pr->pid, SIGKILL);
		return -1;
	}
	go = 1;
	if (write(gate[1], &go, 1) != 1)
		kill(pr->pid, SIGKILL);
	close(gate[1]);
	return 0;
}

/* the memfd's first PAYLOAD_MAX_OUTPUT bytes as a string */
static char *read_output(int fd)
{
	char *buf = xmalloc(PAYLOAD_MAX_OUTPUT + 1);
	ssize_t n = pread(fd, buf, PAYLOAD_MAX_OUTPUT, 0);

	buf[n > 0 ? n : 0] = '\0';
	return buf;
}

static void keep_last_line(struct payload_run *pr, const char *out)
{
	size_t n = strlen(out);
	const char *s;

	while (n && (out[n - 1] == '\n' || out[n - 1] == '\r'))
		n--;
	for (s = out + n; s > out && s[-1] != '\n'; s--)
		;
	snprintf(pr->last_line, sizeof(pr->last_line), "%.*s",
		 (int)(out + n - s), s);
}

static char *read_report(const struct payload_run *pr)
{
	int fd = open(pr->report, O_RDONLY | O_CLOEXEC);
	char *buf;

	if (fd < 0)
		return NULL;
	buf = read_output(fd);
	close(fd);
	return buf;
}

static void parse_metrics(struct payload_run *pr, const char *out)
{
	char *rep = pr->report[0] ? read_report(pr) : NULL;
	const char *src = rep ? rep : out;
	const char *where = rep ? "report file" : "output";

	switch (pr->p->format) {
	case PAYLOAD_STRESS_NG:
		payload_parse_stress_ng(pr, src);
		break;
	case PAYLOAD_HACKBENCH:
		payload_parse_hackbench(pr, out);
		break;
	case PAYLOAD_JSON:
		payload_parse_json(pr, src);
		break;
	default:
		break;
	}
	free(rep);
	if (!pr->why[0] && pr->p->format != PAYLOAD_EXIT_ONLY && !pr->nr)
		snprintf(pr->why, sizeof(pr->why), "payload %s: no metrics in its %s",
			 pr->p->name, where);
}

void payload_finish(struct payload_run *pr, long long deadline_ms)
{
	int status = 0;
	pid_t r = 0;
	char *out;

	if (!pr->pid)
		return;
	while ((r = waitpid(pr->pid, &status, WNOHANG)) == 0 &&
	       now_ms() < deadline_ms)
		usleep(20000);
	if (r == 0) {
		pr->timed_out = true;
		kill(-pr->pid, SIGKILL);
		waitpid(pr->pid, &status, 0);
	}
	/* anything it left behind in its group goes too */
	kill(-pr->pid, SIGKILL);
	if (r > 0 && WIFEXITED(status))
		pr->exit_code = WEXITSTATUS(status);
	out = read_output(pr->out_fd);
	keep_last_line(pr, out);
	if (pr->timed_out)
		snprintf(pr->why, sizeof(pr->why), "payload %s did not end by its deadline: killed",
			 pr->p->name);
	else if (pr->exit_code != 0)
		snprintf(pr->why, sizeof(pr->why), "payload %s exited %s%d: %s",
			 pr->p->name, WIFSIGNALED(status) ? "on signal " : "",
			 WIFSIGNALED(status) ? WTERMSIG(status) : pr->exit_code,
			 pr->last_line);
	else
		parse_metrics(pr, out);
	free(out);
	close(pr->out_fd);
	pr->out_fd = -1;
	if (pr->report[0])
		unlink(pr->report);
}

void payload_judge(const struct payload_run *pr, struct check_result *res)
{
	if (pr->why[0]) {
		check_fail(res, "%s", pr->why);
		check_record(res, "payload", VERDICT_FAIL, 1, "%s", pr->why);
		return;
	}
	check_record(res, "payload", VERDICT_PASS, 0, "%s exited 0, %d metric%s",
		     pr->p->name, pr->nr, pr->nr == 1 ? "" : "s");
}
