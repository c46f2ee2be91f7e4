/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ktstr run --budget SECONDS: which cases (and gauntlet variants) to run
 * so that every test runs at least once and the rest of the time buys
 * the most topology features not seen yet, from measured or modelled
 * durations.
 */
#ifndef __KTSTR_CLI_BUDGET_H
#define __KTSTR_CLI_BUDGET_H

#include <stdbool.h>
#include <stdio.h>

#include "topo.h"

/* topology features, one bit each */
enum {
	BF_LLC1, BF_LLC2, BF_LLC3, BF_LLC4, BF_LLC5_8, BF_LLC9,
	BF_NOSMT, BF_SMT,
	BF_NODE1, BF_NODE2, BF_NODE3,
	BF_CPU4, BF_CPU16, BF_CPU64, BF_CPU65,
	BF_NR,
};

struct budget_item {
	const char *name;		/* the case, or gauntlet/<test>/<preset> */
	const char *test;		/* the declaration */
	struct topo topo;
	unsigned int duration_ms;	/* declared */
	double est_s;			/* what it is expected to take */
	bool measured;			/* est_s from an earlier run */
	/* the choice */
	bool chosen;
	char why[200];
};

/* the features of @t: a bit per BF_* */
unsigned int budget_features(const struct topo *t);

/* "2 LLCs, SMT, 1 node, 5-16 CPUs": the names of @mask's bits */
void budget_feature_names(unsigned int mask, char *buf, size_t len);

/*
 * The model when no earlier run measured a case: a boot that grows with
 * the vCPUs (single-threaded TCG boots each vCPU in turn), the declared
 * duration (stretched under TCG), and the host's own work per case.
 */
double budget_model_s(const struct topo *t, unsigned int duration_ms,
		      bool kvm);

/*
 * Measured wall times from earlier runs' .timing.json files in every run
 * directory under @runs_base (the newest per case name wins) into
 * est_s/measured of the items they name. Returns how many were found.
 */
int budget_load_measured(const char *runs_base, struct budget_item *it,
			 int n);

/*
 * Choose within @budget_s of wall time with @jobs VMs at once (the sum
 * of estimates at most @budget_s x @jobs): first each test once, on its
 * cheapest item, cheapest tests first; then, greedily, the item with the
 * most features its test has not run on yet per second. Every item gets
 * chosen and a reason in why. Returns the number chosen; *used_s is the
 * sum of their estimates.
 */
int budget_choose(struct budget_item *it, int n, double budget_s,
		  unsigned int jobs, double *used_s);

/* the plan: chosen, then left out, each with its estimate and reason */
void budget_print(FILE *f, const struct budget_item *it, int n,
		  double budget_s, unsigned int jobs, double used_s);

#endif /* __KTSTR_CLI_BUDGET_H */
