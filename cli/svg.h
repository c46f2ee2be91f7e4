/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Plots as SVG, written by hand (no library): the A/B bars of
 * `ktstr stats compare --svg` and the run-queue timeline of a failed
 * case. Text from runs is escaped; sizes are bounded.
 */
#ifndef __KTSTR_CLI_SVG_H
#define __KTSTR_CLI_SVG_H

#include <stdbool.h>
#include <stdio.h>

#include "json_read.h"

#define SVG_MAX_BARS	512

struct svg_bar {
	char label[200];	/* "case metric" */
	double change;		/* B against A, in percent of A */
	double lo, hi;		/* its interval, in percent */
	const char *call;	/* improved, regressed, unchanged, inconclusive */
	bool higher_better;
};

/* one row per metric: A at 100 %, B's bar and its interval beside it */
void svg_compare(FILE *f, const char *title, const struct svg_bar *bars,
		 int n);

/*
 * A failure dump's "rq_series" as a heat map, one row per CPU, time
 * across, the phases marked. Returns -1 when the dump has no series.
 */
int svg_timeline(FILE *f, const char *title, const struct json_val *dump);

#endif /* __KTSTR_CLI_SVG_H */
