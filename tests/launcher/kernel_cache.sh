#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# A built kernel is cached: the same build call again returns its path
# without building anything (no make, the build's stamp and image left
# as they were; how fast that is, bench/ measures, not a test), and the
# config has every option the suite asks for.
. "$(dirname "$0")/../lib.sh"
need_kernel

kdir=$(cd "$(dirname "$KERNEL")/../../.." && pwd)
before=$(stat -c '%Y %s' "$kdir/.ktstr-built" "$KERNEL")
path=$("$KTSTR" kernel build 2>"$TMP/err") || fail "kernel build failed: $(cat "$TMP/err")"
[ "$path" = "$KERNEL" ] || fail "build printed '$path', lookup '$KERNEL'"
[ -f "$path" ] || fail "$path does not exist"
[ "$(stat -c '%Y %s' "$kdir/.ktstr-built" "$path")" = "$before" ] ||
	fail "the cached kernel was built again (its stamp or image changed)"
! grep -q "building\|steps" "$TMP/err" ||
	fail "a cached build call built: $(head -3 "$TMP/err")"
config="$kdir/.config"
missing=$(grep '^CONFIG_' "$KTSTR_DIR/config" | while read -r opt; do
	grep -qx "$opt" "$config" || echo "$opt"; done)
[ -z "$missing" ] || fail "the cached kernel lacks: $missing"
echo "cached build answered without building: $path"

# the cache: listed, found by version (also as --kernel), cleaned to N
"$KTSTR" kernel list >"$TMP/list" || fail "kernel list failed"
grep -qF "$path" "$TMP/list" || fail "kernel list does not show $path"
ver=$(cd "$(dirname "$path")/../../.." && basename "$PWD")
ver=${ver%%-*}
# the newest build of that version (a cache may hold several)
newest=$(ls -t "$(dirname "$path")"/../../../../"$ver"-*/.ktstr-built | head -n 1)
newest=$(cd "$(dirname "$newest")" && pwd)/arch/x86/boot/bzImage
[ "$("$KTSTR" kernel find "$ver")" = "$newest" ] ||
	fail "kernel find $ver did not give the newest build, $newest"
expect_rc 0 "$KTSTR" exec --kernel "$ver" -- uname -r
expect_in "$TMP/out" "^$ver"
expect_rc 2 "$KTSTR" kernel find 0.1
expect_in "$TMP/err" "no cached kernel 0.1"
# a cache path with a space in it (an XDG_CACHE_HOME may have one): the
# newest kernel must be found and kept, not cut at the space and removed
fake="$TMP/ca che"
for k in 6.1-a 6.2-b 6.3-c; do
	mkdir -p "$fake/kernels/$k/arch/x86/boot"
	touch "$fake/kernels/$k/arch/x86/boot/bzImage" "$fake/kernels/$k/.ktstr-built"
	sleep 1.1
done
mkdir -p "$fake/kernels/6.4-unfinished"
# a later file in an older build's directory does not make it the newest
touch "$fake/kernels/6.2-b/.ktstr-source"
[ "$(KTSTR_CACHE=$fake "$KTSTR" kernel find 6)" = "$fake/kernels/6.3-c/arch/x86/boot/bzImage" ] ||
	fail "kernel find 6 did not give the newest build (6.3-c)"
KTSTR_CACHE=$fake "$KTSTR" kernel clean --keep 1 2>"$TMP/err" ||
	fail "kernel clean failed"
[ "$(ls "$fake/kernels")" = "6.3-c" ] ||
	fail "clean --keep 1 left: $(ls "$fake/kernels")"
KTSTR_CACHE=$fake "$KTSTR" kernel list >"$TMP/list" || fail "kernel list failed"
# kbuild cannot build there: a build says so before unpacking anything
KTSTR_CACHE=$fake expect_rc 2 "$KTSTR" kernel build
expect_in "$TMP/err" "has a space or colon in its path"
[ ! -e "$fake/src" ] || fail "a build into '$fake' unpacked the source first"
grep -qF "$fake/kernels/6.3-c/arch/x86/boot/bzImage" "$TMP/list" ||
	fail "kernel list cut the path at its space: $(cat "$TMP/list")"
echo "kernel list, find $ver, --kernel $ver, clean --keep 1: as expected"
