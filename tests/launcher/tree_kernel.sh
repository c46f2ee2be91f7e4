#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# run_ktstr.sh (kselftest's run_tests) boots the kernel tree's own build
# when it has one carrying the options in `config` (here a build
# directory given as KBUILD_OUTPUT, made of the cached test kernel), and
# says which options are missing when it does not, falling back to the
# cached kernel.
. "$(dirname "$0")/../lib.sh"
need_kernel
[ -d /sys/kernel/sched_ext ] && skip "this host has sched_ext: run_ktstr.sh runs natively"

build=$(cd "$(dirname "$KERNEL")/../../.." && pwd)
kb=$TMP/kbuild
mkdir -p "$kb/arch/x86/boot"
ln -s "$KERNEL" "$kb/arch/x86/boot/bzImage"
cp "$build/.config" "$kb/.config"

KBUILD_OUTPUT=$kb expect_rc 0 bash "$KTSTR_DIR/run_ktstr.sh" -t =steady_scx
expect_in "$TMP/err" "^ktstr: booting the tree's kernel $kb/arch/x86/boot/bzImage"
expect_in "$TMP/out" "^ok 1 steady_scx"
echo "a tree build with the suite's options: booted"

sed -i '/^CONFIG_SCHED_CLASS_EXT=/d' "$kb/.config"
KBUILD_OUTPUT=$kb expect_rc 0 bash "$KTSTR_DIR/run_ktstr.sh" --list
expect_in "$TMP/err" "its \.config lacks CONFIG_SCHED_CLASS_EXT=y"
grep -q "^ktstr: booting the tree's kernel" "$TMP/err" && fail "booted a kernel without sched_ext"
echo "a tree build without CONFIG_SCHED_CLASS_EXT: named, the cached kernel used instead"
