#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# kselftest entry (make run_tests): run the suite where it can run.
# Natively when this kernel has sched_ext; else in VMs, booting the
# kernel tree's own build when it has one with the options in `config`
# (in place, O= or KBUILD_OUTPUT), else $KTSTR_KERNEL or the cached test
# kernel; otherwise skip with the reason. Arguments go to `ktstr run`.
DIR=$(cd "$(dirname "$0")" && pwd)
KSFT_SKIP=4

# the options of `config` that the build's .config ($1) lacks
config_missing() {
	local want have
	while IFS= read -r want; do
		case "$want" in CONFIG_*=*) ;; *) continue ;; esac
		have=$(grep -m1 "^${want%%=*}=" "$1")
		[ "$have" = "$want" ] || printf ' %s' "$want"
	done <"$DIR/config"
}

# the tree's own bzImage, when it carries what the suite needs
tree_kernel() {
	local o missing
	[ -f "$DIR/config" ] || return 1
	for o in "${KBUILD_OUTPUT:-}" "${O:-}" "$DIR/../../../.."; do
		[ -n "$o" ] && [ -f "$o/arch/x86/boot/bzImage" ] &&
			[ -f "$o/.config" ] || continue
		missing=$(config_missing "$o/.config")
		if [ -z "$missing" ]; then
			echo "$(cd "$o" && pwd)/arch/x86/boot/bzImage"
			return 0
		fi
		echo "ktstr: not booting the tree's kernel $o/arch/x86/boot/bzImage: its .config lacks$missing (merge tools/testing/selftests/ktstr/config and rebuild)" >&2
	done
	return 1
}

if [ -d /sys/kernel/sched_ext ]; then
	exec "$DIR/ktstr" run --native "$@"
fi
if ! command -v qemu-system-x86_64 >/dev/null; then
	echo "SKIP: no sched_ext in this kernel and no qemu-system-x86_64 to boot one"
	exit $KSFT_SKIP
fi
if [ -z "${KTSTR_KERNEL:-}" ] && kernel=$(tree_kernel); then
	echo "ktstr: booting the tree's kernel $kernel" >&2
	export KTSTR_KERNEL=$kernel
fi
if [ -z "${KTSTR_KERNEL:-}" ] && ! "$DIR/ktstr" kernel path >/dev/null 2>&1; then
	echo "SKIP: no sched_ext in this kernel and no test kernel: build the tree with tools/testing/selftests/ktstr/config merged, run './ktstr kernel build' or set KTSTR_KERNEL"
	exit $KSFT_SKIP
fi
exec "$DIR/ktstr" run "$@"
