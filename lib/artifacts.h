/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Machine-readable results. The test prints them as single lines
 * starting with ARTIFACT_PREFIX; the host (ktstr run) takes those lines
 * out of the stream and writes them into the run directory:
 *
 *	@@ktstr.json <object>		-> {test}-{hash}.ktstr.json
 *	@@ktstr.failure-dump <object>	-> {test}-{hash}.failure-dump.json
 *	@@ktstr.result <object>		-> the case's outcome (protocol.h)
 */
#ifndef __KTSTR_ARTIFACTS_H
#define __KTSTR_ARTIFACTS_H

#include <sys/types.h>

#include "protocol.h"
#include "run.h"

#define ARTIFACT_PREFIX		KTSTR_ARTIFACT_PREFIX
#define ARTIFACT_STATS		KTSTR_ARTIFACT_STATS
#define ARTIFACT_FAILURE_DUMP	KTSTR_ARTIFACT_FAILURE_DUMP

void artifacts_emit(const struct run_outcome *o, bool failed,
		    const char *maps, const char *maps_why);

/* print "@@ktstr.<kind> <buf>" as one line and free @buf */
void artifact_line(const char *kind, char *buf);

/*
 * The case's structured result (protocol.h): @ret is the KTSTR_ code it
 * returns, @stage how far it got, @skip the reason when it skipped.
 */
void result_emit(const struct ktstr_test *t, const struct run_outcome *o,
		 int ret, enum ktstr_stage stage, const char *skip);

#endif /* __KTSTR_ARTIFACTS_H */
