/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Machine-readable results. The test prints them as single lines
 * starting with ARTIFACT_PREFIX; the host (ktstr run) takes those lines
 * out of the stream and writes them into the run directory:
 *
 *	@@ktstr.json <object>		-> {test}-{hash}.ktstr.json
 *	@@ktstr.failure-dump <object>	-> {test}-{hash}.failure-dump.json
 */
#ifndef __KTSTR_ARTIFACTS_H
#define __KTSTR_ARTIFACTS_H

#include <sys/types.h>

#include "run.h"

#define ARTIFACT_PREFIX		"@@ktstr."
#define ARTIFACT_STATS		"json"
#define ARTIFACT_FAILURE_DUMP	"failure-dump"

void artifacts_emit(const struct run_outcome *o, bool failed,
		    const char *maps, const char *maps_why);

#endif /* __KTSTR_ARTIFACTS_H */
