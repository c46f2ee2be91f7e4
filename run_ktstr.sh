#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# kselftest entry (make run_tests): run the suite where it can run.
# Natively when this kernel has sched_ext; in VMs when it does not and a
# test kernel is available; otherwise skip with the reason.
DIR=$(cd "$(dirname "$0")" && pwd)
KSFT_SKIP=4

if [ -d /sys/kernel/sched_ext ]; then
	exec "$DIR/ktstr" run --native
fi
if ! command -v qemu-system-x86_64 >/dev/null; then
	echo "SKIP: no sched_ext in this kernel and no qemu-system-x86_64 to boot one"
	exit $KSFT_SKIP
fi
if [ -z "${KTSTR_KERNEL:-}" ] && ! "$DIR/ktstr" kernel path >/dev/null 2>&1; then
	echo "SKIP: no sched_ext in this kernel and no test kernel: run './ktstr kernel build' or set KTSTR_KERNEL"
	exit $KSFT_SKIP
fi
exec "$DIR/ktstr" run
