#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The kselftest contract in a kernel tree: this checkout placed at
# tools/testing/selftests/ktstr of a tree (a tree of links to the cached
# kernel source, so nothing is copied but ktstr), then
#	make -C tools/testing/selftests TARGETS=ktstr
#	make -C tools/testing/selftests TARGETS=ktstr install INSTALL_PATH=DIR
# and DIR's run_kselftest.sh lists ktstr, whose installed launcher runs a
# case. vmlinux.h comes from the cached kernel (VMLINUX_BTF; with
# KBUILD_OUTPUT, kselftest would build into the kernel's build directory).
. "$(dirname "$0")/../lib.sh"
need_kernel

src=$("$KTSTR_DIR/vmtest/kernel.sh" --print-source) ||
	skip "no unpacked kernel source to make a tree of"
build=$(cd "$(dirname "$KERNEL")/../../.." && pwd)
T=$TMP/linux
# every entry a link, but for the directories on the way to ktstr
link_all() {
	local from=$1 to=$2 keep=$3 e
	mkdir -p "$to"
	for e in "$from"/* "$from"/.[a-z]*; do
		[ -e "$e" ] || continue
		[ "$(basename "$e")" = "$keep" ] && continue
		ln -s "$e" "$to/$(basename "$e")"
	done
}
link_all "$src" "$T" tools
link_all "$src/tools" "$T/tools" testing
link_all "$src/tools/testing" "$T/tools/testing" selftests
link_all "$src/tools/testing/selftests" "$T/tools/testing/selftests" ktstr
mkdir "$T/tools/testing/selftests/ktstr"
(cd "$KTSTR_DIR" && git ls-files -z 2>/dev/null | tar --null -T - -c) |
	tar -x -C "$T/tools/testing/selftests/ktstr" ||
	skip "not a git checkout: cannot tell the project's files"

start=$(date +%s)
expect_rc 0 make -s -C "$T/tools/testing/selftests" TARGETS=ktstr \
	VMLINUX_BTF="$build/vmlinux"
echo "built in the tree in $(( $(date +%s) - start ))s"
expect_rc 0 make -s -C "$T/tools/testing/selftests" TARGETS=ktstr \
	VMLINUX_BTF="$build/vmlinux" install INSTALL_PATH="$TMP/inst"
expect_rc 0 "$TMP/inst/run_kselftest.sh" -l
expect_in "$TMP/out" "^ktstr:run_ktstr.sh$"
for f in ktstr run_ktstr.sh config config.tiny settings bin/ktstr bin/ktstr-init \
	 bin/scx_ktstr bin/tests/steady vmtest/kernel.sh; do
	[ -e "$TMP/inst/ktstr/$f" ] || fail "not installed: ktstr/$f"
done
srcs=$(find "$TMP/inst/ktstr" -name '*.[ch]' | head -3)
[ -z "$srcs" ] || fail "C sources installed: $srcs"
# named in TEST_GEN_PROGS_EXTENDED, installed with their bin/ paths; the
# project's own unit tests and build stamps stay behind
for t in "$KTSTR_DIR"/tests/engine/*.c; do
	t=${t##*/}
	[ -x "$TMP/inst/ktstr/bin/tests/${t%.c}" ] ||
		fail "case binary not installed: bin/tests/${t%.c}"
done
for f in bin/unit bin/.host-built bin/.build-lock; do
	[ ! -e "$TMP/inst/ktstr/$f" ] || fail "installed, not for the install: $f"
done
grep -q "^TEST_GEN_PROGS_EXTENDED" "$KTSTR_DIR/Makefile" ||
	fail "the Makefile names no TEST_GEN_PROGS_EXTENDED"
echo "installed, no C source; run_kselftest.sh lists ktstr:run_ktstr.sh"
# gen_tar: the same install as a tarball, which unpacks elsewhere whole
expect_rc 0 make -s -C "$T/tools/testing/selftests" TARGETS=ktstr \
	VMLINUX_BTF="$build/vmlinux" gen_tar INSTALL_PATH="$TMP/tarinst"
tarball=$TMP/tarinst/kselftest-packages/kselftest.tar.gz
[ -f "$tarball" ] || fail "gen_tar made no $tarball: $(cat "$TMP/out")"
mkdir "$TMP/untar"
tar -C "$TMP/untar" -xzf "$tarball" || fail "cannot unpack $tarball"
expect_rc 0 "$TMP/untar/run_kselftest.sh" -l
expect_in "$TMP/out" "^ktstr:run_ktstr.sh$"
expect_rc 0 "$TMP/untar/ktstr/ktstr" run --list
expect_in "$TMP/out" '"name": *"steady_scx"'
echo "gen_tar: $(du -h "$tarball" | cut -f1) tarball; unpacked, it lists ktstr and its cases"
# the installed launcher finds the cached kernel and runs a case
(cd "$TMP" && expect_rc 0 "$TMP/inst/ktstr/ktstr" run -t =steady_scx)
expect_in "$TMP/out" "^ok 1 steady_scx"
echo "the installed ktstr runs a case"
