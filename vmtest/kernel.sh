#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# ktstr kernel build [--source DIR] [--base tiny|defconfig] [--jobs N]
#                    [--lookup] [--print-source] [--unpack]
# ktstr kernel list | clean [--keep N] | find VERSION
#
# Build a bzImage with ktstr's config fragment and cache it outside the
# repository. The cache key is the source version plus a hash of the
# resulting config inputs, so the same call again returns the image path
# at once. The kernel tree is never written to: the build uses O=.
#
# --lookup prints the cached image's path without building (exit 1 when
# there is none); --print-source prints the source tree used. Neither
# ever unpacks the distribution's source: with none unpacked yet, there
# is no kernel, and --print-source names where it will go (exit 1).
# --unpack prints the source tree after unpacking it if need be, and
# builds nothing (bootstrap builds the suite's host side meanwhile).
#
# A rebuild is incremental: a new build of a source tree already built
# with the same base starts from a copy of that build (after an edit to
# a git tree the key changes, the objects mostly do not), and a tree
# that is not a git checkout is rebuilt in place when one of its
# sources is newer than the build.
#
# --base picks what `config` is merged onto: tiny (default; tinyconfig plus
# config.tiny, the essentials of a qemu guest: half the build time) or
# defconfig (x86_64_defconfig + kvm_guest.config, as a kernel tree's bot
# would build). $KTSTR_KERNEL_BASE sets the default.
#
# Without --source: $KSRC, else the kernel tree this directory lives in
# (tools/testing/selftests/ktstr), else Debian's linux-source package
# unpacked into the cache ($KTSTR_SOURCE_TARBALL picks the tarball; the
# newest /usr/src/linux-source-*.tar.xz otherwise).
set -eu

KTSTR_DIR=$(cd "$(dirname "$0")/.." && pwd)
SRC=${KSRC:-}
JOBS=$(($(nproc) + 1))
PRINT_SOURCE=0
UNPACK=0
LOOKUP=0
LIST=0
CLEAN_KEEP=
FIND=
BASE=${KTSTR_KERNEL_BASE:-tiny}

die() {
	echo "ktstr kernel: $*" >&2
	exit 2
}

# Never the shared /tmp: without HOME, the password database's home.
home=${HOME:-}
if [ -z "${KTSTR_CACHE:-}" ] && [ -z "${XDG_CACHE_HOME:-}" ] && [ -z "$home" ]; then
	home=$(getent passwd "$(id -u)" | cut -d: -f6)
	case "$home" in
	/*) ;;
	*) die "HOME is not set and user $(id -u) has no home directory: set HOME, XDG_CACHE_HOME or KTSTR_CACHE" ;;
	esac
fi
CACHE=${KTSTR_CACHE:-${XDG_CACHE_HOME:-$home/.cache}/ktstr}

while [ $# -gt 0 ]; do
	case "$1" in
	--source) [ $# -ge 2 ] || die "--source needs a directory"; SRC=$2; shift 2 ;;
	--source=*) SRC=${1#--source=}; shift ;;
	--jobs|-j) [ $# -ge 2 ] || die "$1 needs a number"; JOBS=$2; shift 2 ;;
	--base) [ $# -ge 2 ] || die "--base needs tiny or defconfig"; BASE=$2; shift 2 ;;
	--base=*) BASE=${1#--base=}; shift ;;
	--print-source) PRINT_SOURCE=1; shift ;;
	--unpack) UNPACK=1; shift ;;
	--lookup) LOOKUP=1; shift ;;
	--list) LIST=1; shift ;;
	--clean) CLEAN_KEEP=${CLEAN_KEEP:-0}; shift ;;
	--keep) [ $# -ge 2 ] || die "--keep needs a number"; CLEAN_KEEP=$2; shift 2 ;;
	--find) [ $# -ge 2 ] || die "--find needs a version"; FIND=$2; shift 2 ;;
	-h|--help)
		sed -n '4,35s/^# \{0,1\}//p' "$0"
		exit 0 ;;
	*) die "unknown argument '$1' (see --help)" ;;
	esac
done

case "$JOBS" in
''|*[!0-9]*) die "--jobs '$JOBS' is not a number" ;;
esac

# The cache's finished builds, newest first (by .ktstr-built, written
# when a build ends: a directory's own mtime moves whenever a file is
# added to it), one directory a line; built_kernels adds what `list`
# shows: "<version> <base> <MiB> <dir>", the directory last, so that a
# cache path with spaces in it reads back whole.
built_dirs() {
	local f

	while IFS= read -r f; do
		[ -f "${f%/.ktstr-built}/arch/x86/boot/bzImage" ] &&
			echo "${f%/.ktstr-built}"
	done < <(ls -t -- "$CACHE"/kernels/*/.ktstr-built 2>/dev/null)
}
built_kernels() {
	local d v
	while IFS= read -r d; do
		v=${d##*/}
		printf '%s %s %s %s\n' "${v%%-*}" \
			"$(case "$v" in *-tiny-*) echo tiny ;; *) echo defconfig ;; esac)" \
			"$(du -sm -- "$d" | cut -f1)" "$d"
	done < <(built_dirs)
}

# --list, --clean [--keep N], --find VERSION: the cache, no source needed
if [ "$LIST" = 1 ]; then
	printf '%-10s %-9s %6s  %s\n' VERSION BASE MIB IMAGE
	built_kernels | while read -r v b m d; do
		printf '%-10s %-9s %6s  %s\n' "$v" "$b" "$m" "$d/arch/x86/boot/bzImage"
	done
	exit 0
fi
if [ -n "$CLEAN_KEEP" ]; then
	case "$CLEAN_KEEP" in
	''|*[!0-9]*) die "--keep '$CLEAN_KEEP' is not a number" ;;
	esac
	# the newest N built kernels stay; older ones and unfinished builds go
	keep=$(built_kernels | head -n "$CLEAN_KEEP" | cut -d' ' -f4-)
	for d in "$CACHE"/kernels/*/; do
		d=${d%/}
		[ -d "$d" ] || continue
		grep -qxF -- "$d" <<<"$keep" && continue
		# a build in progress holds its lock: leave it
		if [ -f "$d/.lock" ] &&
		   ! flock -n "$d/.lock" true 2>/dev/null; then
			echo "ktstr kernel: $d is being built, kept" >&2
			continue
		fi
		echo "ktstr kernel: removing $d" >&2
		rm -rf -- "$d"
	done
	exit 0
fi
if [ -n "$FIND" ]; then
	case "$FIND" in
	*[!0-9.]*|.*|*..*) die "--find '$FIND' is not a kernel version (like 6.12 or 6.12.117)" ;;
	esac
	found=$(built_kernels | awk -v v="$FIND" \
		'$1 == v || index($1, v ".") == 1 {
			for (i = 0; i < 3; i++) sub(/^[^ ]+ /, "")
			print; exit
		}')
	[ -n "$found" ] || die "no cached kernel $FIND: './ktstr kernel list' shows what is cached"
	echo "$found/arch/x86/boot/bzImage"
	exit 0
fi
case "$BASE" in
tiny) BASE_FILES="$KTSTR_DIR/config.tiny" ;;
defconfig) BASE_FILES="" ;;
*) die "--base '$BASE': use tiny or defconfig" ;;
esac

# kbuild stops on a source or build directory with a space or a colon in
# its path ("cannot contain spaces or colons"): say so before unpacking
# 1.7 GB there. A cache with such a path can still be listed and cleaned.
case "$CACHE" in
*[[:space:]:]*)
	die "the kernel cache '$CACHE' has a space or colon in its path, which kbuild cannot build in: set KTSTR_CACHE (or XDG_CACHE_HOME) to a path without" ;;
esac

# The distribution's kernel source, unpacked once into the cache. A
# lookup never unpacks (1.7 GB to say there is no kernel): it takes the
# tree already unpacked or answers at once. The unpack holds a lock, so
# two runs do not unpack over each other, and goes into a temporary
# directory renamed into place when whole.
distro_source() {
	local tarball name dir tmp
	tarball=${KTSTR_SOURCE_TARBALL:-$(ls /usr/src/linux-source-*.tar.xz 2>/dev/null | sort -V | tail -1)}
	[ -n "$tarball" ] ||
		die "no kernel source: pass --source DIR or KSRC=DIR, or install linux-source-6.12 (vmtest/install-deps.sh)"
	name=$(basename "$tarball" .tar.xz)
	dir="$CACHE/src/$name"
	if [ -f "$dir/.ktstr-unpacked" ]; then
		echo "$dir"
		return
	fi
	if [ "$LOOKUP" = 1 ] || [ "$PRINT_SOURCE" = 1 ]; then
		echo "ktstr kernel: $tarball is not unpacked yet (into $dir): run './ktstr kernel build'" >&2
		[ "$PRINT_SOURCE" = 1 ] && echo "$dir"
		exit 1
	fi
	mkdir -p "$CACHE/src"
	exec 8>"$CACHE/src/.lock"
	flock 8
	if [ ! -f "$dir/.ktstr-unpacked" ]; then
		echo "ktstr kernel: unpacking $tarball into $CACHE/src" >&2
		# what an interrupted unpack left: nobody else holds the lock
		rm -rf "$CACHE/src"/.unpack.*
		tmp=$(mktemp -d "$CACHE/src/.unpack.XXXXXX")
		tar -C "$tmp" -xf "$tarball" ||
			{ rm -rf "$tmp"; die "unpacking $tarball failed"; }
		[ -f "$tmp/$name/kernel/sched/ext.c" ] ||
			{ rm -rf "$tmp"; die "$tarball has no $name/kernel/sched/ext.c"; }
		touch "$tmp/$name/.ktstr-unpacked"
		rm -rf "$dir"
		mv "$tmp/$name" "$dir"
		rm -rf "$tmp"
	fi
	exec 8>&-
	echo "$dir"
}

if [ -z "$SRC" ]; then
	intree=$(cd "$KTSTR_DIR/../../../.." 2>/dev/null && pwd)
	if [ -f "$intree/kernel/sched/ext.c" ]; then
		SRC=$intree
	else
		SRC=$(distro_source) || {
			rc=$?
			# --print-source still says where the tree will be
			[ "$PRINT_SOURCE" = 1 ] && [ -n "$SRC" ] && echo "$SRC"
			exit $rc
		}
	fi
fi
[ -d "$SRC" ] || die "kernel source '$SRC' is not a directory"
[ -f "$SRC/kernel/sched/ext.c" ] ||
	die "kernel source '$SRC' has no sched_ext (kernel/sched/ext.c): use a 6.12 or newer tree"
SRC=$(cd "$SRC" && pwd)
case "$(cd "$SRC" && pwd -P)" in
*[[:space:]:]*)
	die "kernel source '$SRC' has a space or colon in its path, which kbuild cannot build: move or link it to a path without" ;;
esac
if [ "$PRINT_SOURCE" = 1 ] || [ "$UNPACK" = 1 ]; then
	echo "$SRC"
	exit 0
fi

version=$(make -s -C "$SRC" kernelversion 2>/dev/null) ||
	die "cannot read the kernel version of '$SRC' (make kernelversion failed)"

# What identifies the source: a git tree by its commit and its diff, an
# unpacked release by its path and version.
if git -C "$SRC" rev-parse --git-dir >/dev/null 2>&1 &&
   [ "$(git -C "$SRC" rev-parse --show-toplevel)" = "$SRC" ]; then
	src_id="git $(git -C "$SRC" rev-parse HEAD) $(git -C "$SRC" diff HEAD -- . ':!tools' | sha256sum)"
	src_git=1
else
	src_id="tree $SRC"
	src_git=0
fi

# A tree that is not a git checkout keeps its key when edited: the first
# kernel source, Kconfig or Makefile newer than the build (tools/ and
# Documentation/ aside) says it is stale.
newer_source() {
	[ "$src_git" = 0 ] || return 1
	find "$SRC" \( -path "$SRC/tools" -o -path "$SRC/Documentation" \) \
		-prune -o -newer "$1" \( -name '*.[chS]' -o -name 'Kconfig*' \
		-o -name 'Makefile*' -o -name Kbuild \) -print -quit 2>/dev/null
}

# The newest finished build of this source tree with this base: a new
# build starts from a copy of it, so make redoes only what differs.
seed_build() {
	local d
	while IFS= read -r d; do
		[ "$d" != "$OUT" ] &&
			[ "$(cat "$d/.ktstr-source" 2>/dev/null)" = "$SRC $BASE" ] &&
			{ echo "$d"; return 0; }
	done < <(built_dirs)
	return 1
}
if [ "$BASE" = tiny ]; then
	base_inputs=("$KTSTR_DIR/config.tiny" "$SRC/kernel/configs/tiny.config"
		     "$SRC/kernel/configs/tiny-base.config"
		     "$SRC/arch/x86/configs/tiny.config")
else
	base_inputs=("$SRC/arch/x86/configs/x86_64_defconfig"
		     "$SRC/kernel/configs/kvm_guest.config")
fi
# the ones this tree has, in the order ls gave them when the key was
# first made (a sorted list), so that cached kernels keep their keys
mapfile -t base_inputs < <(for f in "${base_inputs[@]}"; do
	[ -f "$f" ] && printf '%s\n' "$f"; done | sort)
# gcc's tracking of variable locations is an eighth to a quarter of a
# large file's compile time, and the BTF is not made of it: pahole up to 1.24
# reads types and prototypes only (checked object by object: the same
# BTF). A newer pahole reads parameter locations to tell optimized-out
# arguments, so it gets them. The user's KCFLAGS come first, and both
# are part of the key.
kcflags=${KCFLAGS:-}
read -r pahole_major pahole_minor < <(pahole --version 2>/dev/null |
	sed -n 's/^v\([0-9]\{1,3\}\)\.\([0-9]\{1,3\}\).*/\1 \2/p') || true
if [ -n "${pahole_minor:-}" ] &&
   [ $((10#$pahole_major * 100 + 10#$pahole_minor)) -le 124 ]; then
	kcflags="${kcflags:+$kcflags }-fno-var-tracking"
fi
key=$(printf '%s\n' "$version" "$src_id" "$BASE" "$kcflags" |
	cat - "$KTSTR_DIR/config" "${base_inputs[@]}" |
	sha256sum | cut -c1-12)
suffix=""
[ "$BASE" = tiny ] && suffix="-tiny"
OUT="$CACHE/kernels/$version$suffix-$key"
IMAGE="$OUT/arch/x86/boot/bzImage"

stale=
if [ -f "$OUT/.ktstr-built" ] && [ -f "$IMAGE" ]; then
	[ "$LOOKUP" = 0 ] && stale=$(newer_source "$OUT/.ktstr-built")
	if [ -z "$stale" ]; then
		echo "$IMAGE"
		exit 0
	fi
fi
if [ "$LOOKUP" = 1 ]; then
	echo "ktstr kernel: no kernel built for $SRC with this config: run './ktstr kernel build'" >&2
	exit 1
fi

mkdir -p "$OUT"
# one build per output directory: a second caller waits, then finds it
exec 9>"$OUT/.lock"
flock 9
if [ -f "$OUT/.ktstr-built" ] && [ -f "$IMAGE" ] &&
   [ -z "$(newer_source "$OUT/.ktstr-built")" ]; then
	echo "$IMAGE"
	exit 0
fi
if [ -n "$stale" ]; then
	echo "ktstr kernel: $stale changed since $OUT was built: rebuilding what it affects" >&2
	rm -f "$OUT/.ktstr-built"
elif [ ! -f "$OUT/.config" ] && seed=$(seed_build); then
	echo "ktstr kernel: starting from the build in $seed (same source and base): only what differs is rebuilt" >&2
	cp -a --reflink=auto "$seed/." "$OUT/"
	rm -f "$OUT/.ktstr-built" "$OUT/.ktstr-source"
	# kbuild's command lines name the output directory: a changed
	# command line would rebuild everything
	grep -rlZF --include='*.cmd' "$seed/" "$OUT" |
		OLD="$seed/" NEW="$OUT/" xargs -0 -r \
		perl -pi -e 's/\Q$ENV{OLD}\E/$ENV{NEW}/g'
fi
echo "ktstr kernel: building $version ($BASE base) from $SRC" >&2
echo "ktstr kernel: output in $OUT (make -j$JOBS, log: $OUT/build.log)" >&2

# tinyconfig is allnoconfig (with tiny-base.config where the tree has
# it), then its tiny.config fragments merged and olddefconfig. Its
# fragments go in with ours in one merge: one olddefconfig less (6 s of
# a cold build's serial start), and the same .config for 6.12.
if [ "$BASE" = tiny ]; then
	allnoconfig=()
	[ -f "$SRC/kernel/configs/tiny-base.config" ] &&
		allnoconfig=(KCONFIG_ALLCONFIG="$SRC/kernel/configs/tiny-base.config")
	env "${allnoconfig[@]}" make -s -C "$SRC" O="$OUT" allnoconfig \
		>"$OUT/build.log" 2>&1
	fragments=()
	for f in "$SRC/kernel/configs/tiny.config" "$SRC/arch/x86/configs/tiny.config"; do
		[ -f "$f" ] && fragments+=("$f")
	done
	fragments+=("$KTSTR_DIR/config.tiny")
else
	make -s -C "$SRC" O="$OUT" x86_64_defconfig >"$OUT/build.log" 2>&1
	fragments=("$SRC/kernel/configs/kvm_guest.config")
fi
"$SRC/scripts/kconfig/merge_config.sh" -m -O "$OUT" "$OUT/.config" \
	"${fragments[@]}" "$KTSTR_DIR/config" >>"$OUT/build.log" 2>&1
make -s -C "$SRC" O="$OUT" olddefconfig >>"$OUT/build.log" 2>&1

# Every option ktstr asks for must have survived olddefconfig: a missing
# dependency silently drops an option, and a test then fails far from
# the cause.
lost=""
while IFS= read -r line; do
	case "$line" in
	CONFIG_*=*) ;;
	*) continue ;;
	esac
	grep -qx -- "$line" "$OUT/.config" || lost="$lost ${line%%=*}"
done < <(cat "$KTSTR_DIR/config" $BASE_FILES)
if [ -n "$lost" ]; then
	echo "ktstr kernel: options from $KTSTR_DIR/config did not survive olddefconfig:$lost" >&2
	echo "ktstr kernel: check their dependencies in $SRC (make O=$OUT menuconfig, then search)" >&2
	exit 2
fi

# One progress line: build steps done of about how many, elapsed time
# and what is left, so a 10-minute cold build does not look like a hang.
# The expected count is the last full build's of this base (or this
# machine's first: what a tiny or defconfig build takes); a seeded or
# in-place rebuild has no expected count, only its steps.
expected=0
if [ -z "$stale" ] && [ -z "${seed:-}" ]; then
	while IFS= read -r d; do
		case "$d" in *-tiny-*) [ "$BASE" = tiny ] || continue ;;
		*) [ "$BASE" = defconfig ] || continue ;;
		esac
		expected=$(cat "$d/.ktstr-steps" 2>/dev/null || echo 0)
		case "$expected" in ''|*[!0-9]*) expected=0 ;; esac
		[ "$expected" -gt 0 ] && break
	done < <(built_dirs)
	if [ "$expected" = 0 ]; then
		expected=1750
		[ "$BASE" = defconfig ] && expected=4500
	fi
fi
# The CPU seconds of the programs this script ran and waited for, to
# print beside the wall time: for one configuration they measure the
# machine (two machines of one kind have compiled a tiny kernel 6 and 12
# minutes), and against the wall time they show a starved build.
# They are this shell's (not a subshell's) cutime and cstime, fields 16
# and 17 of /proc/$$/stat, counted after the command name's ")".
children_cpu() {
	local stat f

	read -r stat </proc/$$/stat
	read -r -a f <<<"${stat##*) }"
	echo $(( (f[13] + f[14]) / $(getconf CLK_TCK) ))
}
# mawk (Debian's awk) reads a pipe in whole blocks: the line would lag
# minutes behind the build without -W interactive.
awk_line=()
awk -W version 2>/dev/null | grep -q mawk && awk_line=(-W interactive)
start=$(date +%s)
cpu_start=$(children_cpu)
set +e
# with-hugepages: a third fewer CPU-seconds on a virtual machine
"$KTSTR_DIR/vmtest/with-hugepages" \
	make -C "$SRC" O="$OUT" -j"$JOBS" KCFLAGS="$kcflags" bzImage 2>&1 |
	tee -a "$OUT/build.log" |
	awk "${awk_line[@]}" -v start="$start" -v expected="$expected" \
	    -v steps="$OUT/.ktstr-steps" \
	    -v tty="$([ -t 2 ] && echo 1 || echo 0)" '
	/^  [A-Z][A-Z0-9_]* / { n++ }
	{
		now = systime()
		if (now - last >= (tty ? 1 : 30)) {
			last = now
			t = now - start
			msg = sprintf("ktstr kernel: %d steps", n)
			if (expected > 0 && n < expected)
				msg = sprintf("ktstr kernel: %d of about %d steps (%d%%)", n, expected, 100 * n / expected)
			msg = msg sprintf(", %dm%02ds", t / 60, t % 60)
			if (expected > 0 && n >= 100 && n < expected)
				msg = msg sprintf(", about %dm left", (t * (expected - n) / n + 59) / 60)
			if (tty) printf "\r%s   ", msg > "/dev/stderr"
			else print msg > "/dev/stderr"
		}
	}
	END {
		if (tty) printf "\n" > "/dev/stderr"
		# a run that found little to do keeps the full build count
		if (n >= 100) print n > steps
	}'
rc=${PIPESTATUS[0]}
set -e
if [ "$rc" -ne 0 ]; then
	echo "ktstr kernel: build failed (exit $rc); the last lines of $OUT/build.log:" >&2
	grep -E 'error|Error' "$OUT/build.log" | tail -20 >&2
	exit 1
fi
# what a later build of the same tree may start from (seed_build); the
# step count only of a full build, for the next one's progress line
echo "$SRC $BASE" >"$OUT/.ktstr-source"
{ [ -z "$stale" ] && [ -z "${seed:-}" ]; } || rm -f "$OUT/.ktstr-steps"
touch "$OUT/.ktstr-built"
echo "ktstr kernel: built in $(( $(date +%s) - start ))s," \
	"$(( $(children_cpu) - cpu_start )) CPU-seconds on $(nproc) CPUs" >&2
echo "$IMAGE"
