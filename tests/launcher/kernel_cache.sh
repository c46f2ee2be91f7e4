#!/bin/bash
# A built kernel is cached: the same build call again returns its path in
# under a second, and the config has every option the suite asks for.
. "$(dirname "$0")/../lib.sh"
need_kernel

start=$(date +%s%N)
path=$("$KTSTR" kernel build 2>"$TMP/err") || fail "kernel build failed: $(cat "$TMP/err")"
ms=$(( ($(date +%s%N) - start) / 1000000 ))
[ "$path" = "$KERNEL" ] || fail "build printed '$path', lookup '$KERNEL'"
[ -f "$path" ] || fail "$path does not exist"
[ "$ms" -lt 1000 ] || fail "a cached build took ${ms}ms (over 1 s)"
config="$(dirname "$path")/../../../.config"
missing=$(grep '^CONFIG_' "$KTSTR_DIR/config" | while read -r opt; do
	grep -qx "$opt" "$config" || echo "$opt"; done)
[ -z "$missing" ] || fail "the cached kernel lacks: $missing"
echo "cached build answered in ${ms}ms: $path"
