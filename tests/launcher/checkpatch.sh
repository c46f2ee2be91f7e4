#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The kernel's style over every .c and .h of the project: checkpatch.pl
# --no-tree -f finds no error, and no warning but the kinds
# Documentation/design.md justifies, each only where it says: volatile
# for BPF knobs and loader-set constants, signal flags and the spin work
# unit; exec's argv/envp arrays; the two macros that return; the
# attribute spelled out where common/compiler.h defines its shorthand.
. "$(dirname "$0")/../lib.sh"

src=$("$KTSTR_DIR/vmtest/kernel.sh" --print-source) ||
	skip "no unpacked kernel source (its scripts/checkpatch.pl)"
CP=$src/scripts/checkpatch.pl
[ -x "$CP" ] || skip "no $CP"
cd "$KTSTR_DIR" && git ls-files -z '*.c' '*.h' >"$TMP/files" 2>/dev/null ||
	skip "not a git checkout: cannot tell the project's files"
[ -s "$TMP/files" ] || fail "git ls-files found no .c or .h"

# checkpatch exits 1 on any finding: its report, not its status, is read
xargs -0 -n 8 -P "$(nproc)" "$CP" --no-tree -q --terse -f <"$TMP/files" \
	>"$TMP/report" 2>&1
grep -v "^total: " "$TMP/report" >"$TMP/findings" || true

justified() {
	local file=$1 line=$2 kind=$3 text
	text=$(sed -n "${line}p" "$file")
	case "$kind" in
	*"Use of volatile is usually wrong"*)
		case "$text" in
		*"volatile sig_atomic_t "*) return 0 ;;
		*"const volatile "*|"volatile bool knob_"*)
			[[ "$file" == bpf/*.bpf.c ]] ;;
		*"volatile unsigned long x = 0;"*) [ "$file" = lib/worker.c ] ;;
		*) return 1 ;;
		esac ;;
	*"char * array declaration might be better as static const"*)
		case "$text" in
		*"char *argv[]"*|*"char *env[]"*|*"char *dumpv[]"*|*"char *kv[]"*)
			return 0 ;;
		*) return 1 ;;
		esac ;;
	*"Prefer __printf("*|*"Prefer __packed over"*|*"Prefer __noreturn over"*)
		# where the shorthands are defined, from the attribute
		[ "$file" = common/compiler.h ] ;;
	*"Macros with flow control statements"*)
		case "$text" in
		"#define KTSTR_MAIN"*) [ "$file" = lib/ktstr_test.h ] ;;
		"#define TRY(desc, ...)"*) [ "$file" = cli/shrink.c ] ;;
		*) return 1 ;;
		esac ;;
	*) return 1 ;;
	esac
}

n=0 bad=0
while IFS=: read -r file line kind; do
	n=$((n + 1))
	if ! justified "$file" "$line" "$kind"; then
		echo "#   $file:$line:$kind"
		bad=$((bad + 1))
	fi
done <"$TMP/findings"
[ "$bad" = 0 ] ||
	fail "$bad checkpatch findings of a kind design.md does not justify"
echo "checkpatch: $(tr -cd '\0' <"$TMP/files" | wc -c) files, $n findings, all of the justified kinds"
