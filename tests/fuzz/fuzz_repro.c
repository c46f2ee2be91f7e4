// SPDX-License-Identifier: GPL-2.0
/*
 * Auto-repro's host side on a crash report from the guest: the
 * backtrace to probe list (extract), the guest's "repro: dropped" lines,
 * the variables for the second VM and the report tails, through
 * auto_repro() itself with the VM replaced by a stub that hands back the
 * second half of the input as the rerun's report. cli/auto_repro.c is
 * included: its helpers are static.
 */
#include "../../cli/auto_repro.c"

#include "fuzz.h"

static const char *rerun_report;

int vm_interrupted(void)
{
	return 0;
}

const char *find_kernel(void)
{
	return NULL;	/* no System.map, no vmlinux: nothing is read */
}

int run_case(const struct run_opts *o, struct test_case *c,
	     const struct rundir *rd, bool kvm, char *skip, size_t len,
	     char *const *env_extra, struct vm_result *res)
{
	int i;

	/* what the guest would get: each one variable of bounded size */
	for (i = 0; env_extra && env_extra[i]; i++)
		if (strlen(env_extra[i]) > CHANNEL_MAX_PAYLOAD)
			abort();
	memset(res, 0, sizeof(*res));
	c->report = xstrdup(rerun_report);
	c->report_len = strlen(c->report);
	return 1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char result[] =
		"{\"scheduler\":{\"error_exit\":true,\"exit_kind\":1025,\"exit_reason\":\"runtime error\",\"exit_msg\":\"x\"}}";
	char *s = fuzz_str(data, size), *split, err[64];
	struct run_opts o;
	struct test_case c;
	struct pipeline p;
	int i;

	/* extract alone: every name bounded and terminated */
	extract(s, &p);
	if (p.nr_frames > MAX_FRAMES || p.nr_kernel > MAX_FRAMES ||
	    p.nr_callbacks > MAX_CALLBACKS)
		abort();
	for (i = 0; i < p.nr_frames; i++)
		if (!memchr(p.frames[i], '\0', sizeof(p.frames[i])))
			abort();
	(void)guest_dropped(&p, s);

	/* the first run's report, then "\f" and the rerun's */
	split = strchr(s, '\f');
	rerun_report = split ? split + 1 : s;
	if (split)
		*split = '\0';
	memset(&o, 0, sizeof(o));
	memset(&c, 0, sizeof(c));
	snprintf(c.name, sizeof(c.name), "fuzz");
	c.auto_repro = true;
	c.report = xstrdup(s);
	c.report_len = strlen(c.report);
	c.result = json_parse(result, err, sizeof(err));
	c.out = fopen("/dev/null", "we");
	if (!c.result || !c.out)
		abort();
	auto_repro(&o, &c, NULL, false);
	fclose(c.out);
	json_free(c.result);
	free(c.report);
	free(s);
	return 0;
}
