#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The launcher against broken guests, hostile neighbours and its own
# limits:
#  - files it writes on the host (no VM): atomic writes through no
#    planted name, no cache in /tmp without HOME, a kernel release that
#    cannot leave the runs directory (host_files_check);
#  - kernel lookups answer at once and never unpack the source;
#  - limits refused with 250 before qemu starts (--memory, --append,
#    NUMA nodes, the command line's size);
#  - a truncated cached initramfs is rebuilt, not booted;
#  - guests: an exit frame of 256 or 253 is no result (255), not a pass
#    or a panic; half a frame then a freeze ends at the deadline (254);
#    `yes | ktstr exec -- sleep 5` finishes; qemu inherits no stray
#    descriptor; the result socket is in a private directory, gone
#    after; the scheduler log follows no planted symlink.
. "$(dirname "$0")/../lib.sh"

# --- host files, no VM
mkdir -p "$TMP/files/a/b"
"$BIN/host_files_check" "$TMP/files/a/b" >"$TMP/out" 2>&1 ||
	{ cat "$TMP/out"; fail "host_files_check"; }
cat "$TMP/out"

# --- a lookup never unpacks the kernel source
if [ -z "${KSRC:-}" ] && ls /usr/src/linux-source-*.tar.xz >/dev/null 2>&1 &&
   [ ! -f "$KTSTR_DIR/../../../../kernel/sched/ext.c" ]; then
	for what in --lookup --print-source; do
		KTSTR_CACHE="$TMP/emptycache" timeout 60 \
			"$KTSTR_DIR/vmtest/kernel.sh" $what >"$TMP/out" 2>"$TMP/err"
		rc=$?
		[ "$rc" = 1 ] || fail "kernel.sh $what with nothing unpacked exited $rc, expected 1: $(cat "$TMP/err")"
		[ ! -e "$TMP/emptycache/src" ] ||
			fail "kernel.sh $what unpacked the source"
		expect_in "$TMP/err" "not unpacked yet"
		echo "kernel.sh $what: answered without unpacking"
	done
fi

# --- two builds at once unpack the source once, whole (a stand-in
# tarball: its "tree" has no tinyconfig, so each build stops after)
pkg="$TMP/pkg/linux-source-9.9"
mkdir -p "$pkg/kernel/sched"
: >"$pkg/kernel/sched/ext.c"
printf 'kernelversion:\n\t@echo 9.9.0\n' >"$pkg/Makefile"
head -c 30000000 /dev/zero >"$pkg/pad"
tar -C "$TMP/pkg" -cJf "$TMP/linux-source-9.9.tar.xz" linux-source-9.9
rm -rf "$TMP/pkg"
for i in 1 2; do
	env -u KSRC KTSTR_CACHE="$TMP/ucache" \
		KTSTR_SOURCE_TARBALL="$TMP/linux-source-9.9.tar.xz" \
		timeout 120 "$KTSTR_DIR/vmtest/kernel.sh" --jobs 1 \
		>/dev/null 2>"$TMP/unpack$i.err" &
done
wait
n=$(cat "$TMP"/unpack?.err | grep -c "unpacking")
[ "$n" = 1 ] || { cat "$TMP"/unpack?.err; fail "two concurrent builds unpacked $n times"; }
tree="$TMP/ucache/src/linux-source-9.9"
[ -f "$tree/.ktstr-unpacked" ] && [ "$(stat -c %s "$tree/pad")" = 30000000 ] ||
	fail "the unpacked tree is not whole"
left=$(ls -A "$TMP/ucache/src" | tr '\n' ' ')
[ "$left" = ".lock linux-source-9.9 " ] || fail "unpack leftovers: $left"
echo "two concurrent builds: one unpack, whole tree, nothing left over"

need_kernel
export KTSTR_KERNEL=$KERNEL

# --- limits: 250 before qemu (a stand-in qemu notes that it ran)
cat >"$TMP/qemu" <<EOF
#!/bin/sh
touch "$TMP/qemu-ran"
exit 1
EOF
chmod +x "$TMP/qemu"

refused() {
	local pattern=$1
	shift
	rm -f "$TMP/qemu-ran"
	KTSTR_QEMU="$TMP/qemu" expect_rc 250 "$KTSTR" exec "$@"
	[ ! -e "$TMP/qemu-ran" ] || fail "qemu was started for: $pattern"
	expect_in "$TMP/err" "$pattern"
	echo "refused before qemu: $(grep -E -m1 -- "$pattern" "$TMP/err")"
}

ram_mb=$(awk '/^MemTotal/ { print int($2 / 1024) }' /proc/meminfo)
if [ "$ram_mb" -lt 1048576 ]; then
	refused "--memory 1048576.*$ram_mb MiB of RAM" --memory 1048576 -- true
fi
refused "command line would be [0-9]+ bytes.*at most [0-9]+" \
	--append "$(head -c 2100 /dev/zero | tr '\0' x)" -- true
refused "17 NUMA nodes.*at most 16" --topo 17n17l1c1t -- true
refused "command line is [0-9]+ bytes.*at most" \
	-- sh -c "$(head -c 17000 /dev/zero | tr '\0' x)"

# --- no HOME: the cache is not the shared /tmp
touch "$TMP/stamp"
rm -f "$TMP/qemu-ran"
env -u HOME -u XDG_CACHE_HOME -u KTSTR_CACHE KTSTR_QEMU="$TMP/qemu" \
	"$KTSTR" exec -- true >"$TMP/out" 2>"$TMP/err"
[ -e "$TMP/qemu-ran" ] || { cat "$TMP/err"; fail "exec without HOME did not get to qemu"; }
if [ -d /tmp/.cache/ktstr ] &&
   [ -n "$(find /tmp/.cache/ktstr -newer "$TMP/stamp" 2>/dev/null | head -1)" ]; then
	fail "without HOME the cache went to /tmp/.cache/ktstr"
fi
echo "no HOME: nothing written under /tmp/.cache"

# --- a cached initramfs cut short is rebuilt
cache="$TMP/cache"
KTSTR_CACHE=$cache KTSTR_QEMU="$TMP/qemu" "$KTSTR" exec -- true \
	>/dev/null 2>&1
cpio=$(ls "$cache"/initramfs/*.cpio 2>/dev/null | head -1)
[ -n "$cpio" ] || fail "no initramfs in $cache/initramfs"
size=$(stat -c %s "$cpio")
truncate -s $((size / 2)) "$cpio"
KTSTR_CACHE=$cache KTSTR_QEMU="$TMP/qemu" "$KTSTR" exec -- true \
	>/dev/null 2>&1
[ "$(stat -c %s "$cpio")" = "$size" ] ||
	fail "a truncated cached initramfs was used as it was ($(stat -c %s "$cpio") of $size bytes)"
echo "truncated initramfs: rebuilt"

# --- guests
# An exit frame the command could not have sent: 256 (would be 0, a
# pass) is no result. With it, the scheduler log check (sched_ext is in
# the guest, not necessarily on the host).
timeout -k 10 300 "$KTSTR" exec -i "$BIN/chan_inject" -i "$BIN/sched_log_check" \
	-- sh -c 'sched_log_check || exit 7; chan_inject exit 256' \
	>"$TMP/out" 2>"$TMP/err"
rc=$?
[ "$rc" != 7 ] || fail "$(cat "$TMP/out")"
[ "$rc" = 255 ] || { cat "$TMP/out" "$TMP/err"; fail "exit frame '256' gave $rc, expected 255"; }
expect_in "$TMP/out" "sched log: ok"
expect_in "$TMP/err" "exit frame '256' is not an exit status"
echo "exit frame 256: 255, guest stopped without a result; $(cat "$TMP/out")"

# 253 would pose as a kernel panic
timeout -k 10 300 "$KTSTR" exec -i "$BIN/chan_inject" -- chan_inject exit 253 \
	>"$TMP/out" 2>"$TMP/err"
rc=$?
[ "$rc" = 255 ] || { cat "$TMP/err"; fail "exit frame '253' gave $rc, expected 255"; }
expect_in "$TMP/err" "exit frame '253' is not an exit status"
echo "exit frame 253: 255, not a panic"

# Half a frame, then the guest freezes: the deadline still holds. The
# outer timeout only catches the old behaviour (blocked for ever), with
# room for the entry point rebuilding the suite first.
start=$(date +%s)
timeout -k 10 300 "$KTSTR" exec --timeout 2 -i "$BIN/chan_inject" -- chan_inject half \
	>"$TMP/out" 2>"$TMP/err"
rc=$?
[ "$rc" = 254 ] || { tail -5 "$TMP/err"; fail "half a frame then a freeze: exit $rc, expected 254"; }
# the console log's directory ends in the ktstr's pid
kpid=$(sed -n 's|.*console log: .*-\([0-9]*\)/console.log$|\1|p' "$TMP/err" | head -1)
[ -n "$kpid" ] || fail "no console log line: $(cat "$TMP/err")"
[ -z "$(qemu_of "$kpid")" ] || fail "qemu outlived a frozen guest"
echo "half a frame, then a freeze: 254 after $(( $(date +%s) - start ))s, no qemu left"

# stdin that never ends, a command that never reads it and then writes
# 1 MB (the old launcher blocked sending stdin while the guest blocked
# sending output). Meanwhile, what qemu was given: only its own
# descriptors (fd 7 is ours, open without close-on-exec, and the old
# launcher also kept its /dev/null and qemu.log originals), the socket
# in a private directory.
cmd='sleep 5; head -c 1000000 /dev/zero'
exec 7>"$TMP/leak-marker"
yes | timeout -k 10 300 "$KTSTR" exec --timeout 20 -- sh -c "$cmd" \
	>"$TMP/out" 2>"$TMP/err" &
pid=$!
exec 7>&-
ktstr_pid=""
# (the entry point may rebuild first: wait while the run lasts)
while kill -0 $pid 2>/dev/null; do
	ktstr_pid=$(pgrep -f -n "^$BIN/ktstr exec --timeout 20 -- sh -c $cmd") &&
		[ -n "$(qemu_of "$ktstr_pid")" ] && break
	sleep 0.1
done
q=$(qemu_of "$ktstr_pid" | head -1)
[ -n "$q" ] || fail "no qemu for the yes | sleep run"
leaks=""
for fd in /proc/"$q"/fd/*; do
	n=${fd##*/}
	[ "$n" -le 2 ] && continue
	t=$(readlink "$fd") || continue
	case "$t" in
	"$TMP/leak-marker"|*/qemu.log|*/ktstr-case-*) leaks="$leaks $n->$t" ;;
	esac
done
[ -z "$leaks" ] || fail "qemu inherited descriptors:$leaks"
sock=$(tr '\0' '\n' </proc/"$q"/cmdline | grep -o 'path=[^,]*\.sock' | head -1)
sock=${sock#path=}
sockdir=$(dirname "$sock")
[ "$sockdir" != /tmp ] || fail "the result socket $sock is straight in /tmp"
# removed as soon as qemu is connected; while it exists, it is private
[ ! -e "$sockdir" ] || [ "$(stat -c %a "$sockdir")" = 700 ] ||
	fail "the socket's directory $sockdir is mode $(stat -c %a "$sockdir")"
wait $pid
rc=$?
[ "$rc" = 0 ] || { tail -5 "$TMP/err"; fail "yes | ktstr exec -- sh -c '$cmd' exited $rc"; }
[ "$(wc -c <"$TMP/out")" = 1000000 ] ||
	fail "yes | ktstr exec -- sh -c '$cmd' relayed $(wc -c <"$TMP/out") bytes"
[ ! -e "$sockdir" ] || fail "$sockdir left behind"
echo "yes | exec -- sh -c '$cmd': exit 0, 1 MB out; qemu had no stray descriptor; socket in a private directory, removed"
