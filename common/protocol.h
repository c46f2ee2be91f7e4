/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the guest engine and the host command agree on. The guest prints
 * machine-readable lines "@@ktstr.<kind> <one-line JSON>" among its
 * report; the host takes them out of the stream. The host decides a
 * case's outcome from the KTSTR_ARTIFACT_RESULT object alone: a case
 * without one (or with one it cannot read) is a failure, never a pass.
 *
 * The result object (schema KTSTR_RESULT_SCHEMA):
 *
 *	"schema": 1, "test": NAME,
 *	"result": "pass" | "fail" | "skip"	the case's outcome, after
 *						an expected failure is
 *						accounted for
 *	"verdict": "pass" | "inconclusive" | "fail" | "skip"
 *						the checks' own verdict
 *	"expect_err": TEXT or null, "expected_caught": BOOL,
 *	"skip_reason": TEXT or null,
 *	"stage": one of ktstr_stage_name(),	how far the case got
 *	"scheduler": { "path", "attached", "died", "died_at_s",
 *		       "exit_kind": SCX_EXIT_* number or 0,
 *		       "exit_reason", "exit_msg", "error_exit" },
 *	"checks": [ { "id", "verdict", "summary" } ... ]
 */
#ifndef __KTSTR_PROTOCOL_H
#define __KTSTR_PROTOCOL_H

#define KTSTR_ARTIFACT_PREFIX		"@@ktstr."
#define KTSTR_ARTIFACT_STATS		"json"
#define KTSTR_ARTIFACT_FAILURE_DUMP	"failure-dump"
#define KTSTR_ARTIFACT_RESULT		"result"

#define KTSTR_RESULT_SCHEMA		1

/*
 * A line the engine prints the moment it sees the scheduler fail: the
 * host takes every vCPU's registers from qemu then (vmtest/qmp.c) and
 * adds them to the case's failure dump.
 */
#define KTSTR_SNAPSHOT_LINE		KTSTR_ARTIFACT_PREFIX "snapshot"

/* how far a case got, in order */
enum ktstr_stage {
	KTSTR_STAGE_SETUP,	/* topology, cgroups: before the scheduler */
	KTSTR_STAGE_ATTACH,	/* starting the scheduler */
	KTSTR_STAGE_WORKLOAD,	/* workers running, steps applied */
	KTSTR_STAGE_DONE,	/* stopped and judged */
};

/* the kernel's enum scx_exit_kind (kernel/sched/ext.c) */
#define SCX_EXIT_KIND_UNREG		64
#define SCX_EXIT_KIND_UNREG_BPF		65
#define SCX_EXIT_KIND_UNREG_KERN	66
#define SCX_EXIT_KIND_SYSRQ		67
#define SCX_EXIT_KIND_ERROR		1024	/* and above: error exits */
#define SCX_EXIT_KIND_ERROR_BPF		1025
#define SCX_EXIT_KIND_ERROR_STALL	1026

const char *ktstr_stage_name(enum ktstr_stage s);

/*
 * The exit kind behind the reason the kernel prints for it
 * (scx_exit_reason()), 0 when @reason is none of them.
 */
int scx_exit_kind_of(const char *reason);

#endif /* __KTSTR_PROTOCOL_H */
