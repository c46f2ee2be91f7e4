/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What is known about particular schedulers that they cannot tell the
 * harness themselves: design choices a check must not mistake for bugs.
 * Keyed by the name the scheduler registers (sched_ext_ops.name).
 */
#ifndef __KTSTR_SCHED_PROFILES_H
#define __KTSTR_SCHED_PROFILES_H

/*
 * Why the scheduler registered as @ops does not honour task weights
 * (nice), or NULL when it is expected to.
 */
const char *sched_profile_no_task_weights(const char *ops);

/*
 * The scheduler's threshold overrides ("name=value,..." as --sched-checks
 * takes them), or NULL.
 */
const char *sched_profile_checks(const char *ops);

/*
 * The scheduler's design bounds in the same form, or NULL: thresholds a
 * case may not set tighter (checks_floor).
 */
const char *sched_profile_floors(const char *ops);

/* the name the attached scheduler registered, "" when none is attached */
void sched_attached_ops(char *buf, unsigned long len);

#endif /* __KTSTR_SCHED_PROFILES_H */
