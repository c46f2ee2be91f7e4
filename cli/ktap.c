// SPDX-License-Identifier: GPL-2.0
#include "ktap.h"

void ktap_begin(struct ktap *k, FILE *f, int planned)
{
	k->f = f;
	k->n = k->pass = k->fail = k->skip = 0;
	fprintf(f, "KTAP version 1\n1..%d\n", planned);
}

void ktap_result(struct ktap *k, const char *name, enum ktap_result r,
		 const char *reason)
{
	k->n++;
	switch (r) {
	case KTAP_PASS:
		fprintf(k->f, "ok %d %s\n", k->n, name);
		k->pass++;
		break;
	case KTAP_SKIP:
		fprintf(k->f, "ok %d %s # SKIP %s\n", k->n, name,
			reason && *reason ? reason : "skipped");
		k->skip++;
		break;
	default:
		fprintf(k->f, "not ok %d %s\n", k->n, name);
		k->fail++;
	}
	fflush(k->f);
}

void ktap_end(struct ktap *k)
{
	fprintf(k->f, "# Totals: pass:%d fail:%d xfail:0 xpass:0 skip:%d error:0\n",
		k->pass, k->fail, k->skip);
	fprintf(k->f, "%d passed, %d failed, %d skipped\n", k->pass, k->fail,
		k->skip);
	fflush(k->f);
}
