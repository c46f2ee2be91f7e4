/* SPDX-License-Identifier: GPL-2.0 */
/*
 * KTAP v1 output (Documentation/dev-tools/ktap.rst): the version line,
 * the plan, one result line per case, '#' diagnostics, and the closing
 * totals plus the plain "N passed, N failed, N skipped" line.
 */
#ifndef __KTSTR_KTAP_H
#define __KTSTR_KTAP_H

#include <stdio.h>

enum ktap_result {
	KTAP_PASS,
	KTAP_FAIL,
	KTAP_SKIP,
};

struct ktap {
	FILE *f;
	int n;
	int pass, fail, skip;
};

void ktap_begin(struct ktap *k, FILE *f, int planned);
/* @reason: the SKIP reason; ignored otherwise */
void ktap_result(struct ktap *k, const char *name, enum ktap_result r,
		 const char *reason);
void ktap_end(struct ktap *k);

#endif /* __KTSTR_KTAP_H */
