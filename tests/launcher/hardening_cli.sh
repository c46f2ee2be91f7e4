#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The host command refuses what it cannot carry out faithfully, runs no
# shell on names it was given, and stops a run for good on Ctrl-C.
#
# Most checks use a stand-in test binary (a script answering --list and
# -t NAME) beside a copy of ktstr, so they need neither a kernel nor the
# guest build; the last ones boot VMs and skip without a kernel.
. "$(dirname "$0")/../lib.sh"
export KTSTR_DIR

[ -x "$BIN/ktstr" ] || skip "no $BIN/ktstr: run 'make host'"

# $TMP/bin: ktstr, a fixture stand-in and tests/fake
mkdir -p "$TMP/bin/tests" "$TMP/pids" "$TMP/cwd"
cp "$BIN/ktstr" "$BIN/ktstr-init" "$TMP/bin/"
printf '#!/bin/sh\nexit 1\n' >"$TMP/bin/scx_ktstr"
chmod +x "$TMP/bin/scx_ktstr"
FAKE="$TMP/bin/tests/fake"
cat >"$FAKE" <<'SH'
#!/bin/sh
# a declared-test binary: --list, then one case per -t NAME
decl() {
	printf '%s{"name":"%s","topo":"1n1l2c1t","sched":"eevdf","duration_ms":%s,"memory_mb":%s,"auto_repro":false,"gauntlet":{"min_llcs":0,"max_llcs":0,"min_cpus":0,"max_cpus":0,"min_nodes":0,"max_nodes":0,"requires_smt":false,"skip":false}}\n' \
		"$1" "$2" "${3:-3000}" "${4:-2048}"
}
if [ "$1" = --list ]; then
	echo "["
	decl "" sleeps
	decl , steady_fake
	decl , steady_other
	decl , "x';touch pwned;'"
	decl , fails_a
	decl , fails_b
	decl , spawns_worker
	decl , engine_dies
	[ -n "$FAKE_BAD" ] && decl , bad_decl $FAKE_BAD
	echo "]"
	exit 0
fi
name=$2
echo "#  RUN           global.$name ..."
case "$name" in
fails_*)
	echo "# it failed"
	printf '@@ktstr.result {"schema":1,"test":"%s","result":"fail","checks":[]}\n' "$name"
	echo "not ok 1 global.$name"
	exit 1 ;;
spawns_worker|engine_dies)
	# a worker in its own session, as lib/worker.c puts them in their
	# own process groups
	setsid sleep 300 </dev/null >/dev/null 2>&1 &
	echo $! >"$FAKE_PIDS/$name"
	[ "$name" = engine_dies ] && kill -9 $$ ;;
sleeps)
	[ -n "$FAKE_PIDS" ] && echo $$ >"$FAKE_PIDS/sleeps"
	sleep 300 ;;
esac
# the structured result the host decides from (common/protocol.h)
printf '@@ktstr.result {"schema":1,"test":"%s","result":"pass","checks":[]}\n' "$name"
echo "#            OK  global.$name"
echo "ok 1 global.$name"
SH
chmod +x "$FAKE"
K="$TMP/bin/ktstr"
export FAKE_PIDS="$TMP/pids" KTSTR_RUNS="$TMP/runs"

# --- options that were silently misread ---
expect_rc 250 "$K" run -t
expect_in "$TMP/err" "-t needs a value"
expect_rc 250 "$K" run -t ''
expect_in "$TMP/err" "empty filter would select every case"
# a filter that selects nothing is an error, with the closest names
expect_rc 250 "$K" run -t no_such_case
expect_in "$TMP/err" "-t 'no_such_case' matches no case"
grep -q '^1\.\.0' "$TMP/out" && fail "an empty selection printed a plan"
expect_rc 250 "$K" run -t =stedy_fake
expect_in "$TMP/err" "closest: steady_fake"
expect_rc 250 "$K" run --list -t steady -t nothing_here
expect_in "$TMP/err" "'nothing_here' matches no case"
expect_rc 0 "$K" run --list -t steady
[ "$(grep -c '"name"' "$TMP/out")" = 2 ] || fail "--list -t steady: $(cat "$TMP/out")"

# --sched takes words up to "--": one of ours without "--" is refused
expect_rc 250 "$K" run --sched /bin/true -t steady
expect_in "$TMP/err" "'-t' would be taken as the scheduler's argument"
expect_in "$TMP/err" "ktstr run --sched /bin/true -- -t steady"

# long scheduler arguments: a clear refusal, not a stack overflow
a1100=$(head -c 1100 /dev/zero | tr '\0' a)
b40k=$(head -c 40000 /dev/zero | tr '\0' b)
expect_rc 250 "$K" run --sched /bin/true "$a1100" "$b40k" -- -t steady_fake
expect_in "$TMP/err" "one environment variable of at most 4096 bytes"
# shellcheck disable=SC2046
expect_rc 250 "$K" run --sched /bin/true $(seq 1 32) -- -t steady_fake
expect_in "$TMP/err" "32 arguments; the guest starts a scheduler with at most 31"

# thresholds that are not numbers turned checks off
for v in nan inf -inf 1e30; do
	expect_rc 250 "$K" run --sched-checks "max_gap_ms=$v" -t steady_fake
	expect_in "$TMP/err" "max_gap_ms=$v"
done

# declarations' numbers are range-checked, not atoi'd (-1 was 4 TiB)
FAKE_BAD="3000 -1" expect_rc 1 "$K" run -t steady_fake
expect_in "$TMP/err" "memory_mb '-1' is not a whole number"
FAKE_BAD="4294967295 2048" expect_rc 1 "$K" run -t steady_fake
expect_in "$TMP/err" "duration_ms '4294967295' is not a whole number"

# an environment variable the guest would get cut in two: refused
KTSTR_REPRO_FUNCS=$(head -c 5000 /dev/zero | tr '\0' f) \
	expect_rc 250 "$K" run -t =steady_fake
expect_in "$TMP/err" "KTSTR_REPRO_FUNCS is 5018 bytes; the guest takes at most 4096"
grep -q '^1\.\.' "$TMP/out" && fail "a run started with a variable the guest cannot take"
KTSTR_ATTACH_RETRIES=lots expect_rc 250 "$K" run -t =steady_fake
expect_in "$TMP/err" "KTSTR_ATTACH_RETRIES='lots' is not a whole number"
KTSTR_TIME_SCALE=inf expect_rc 250 "$K" run -t =steady_fake
expect_in "$TMP/err" "KTSTR_TIME_SCALE='inf' is not a number"
KTSTR_TCG_SCALE=nan expect_rc 250 "$K" run -t =steady_fake
expect_in "$TMP/err" "KTSTR_TCG_SCALE='nan' is not a number"
# a command line the guest's init would cut short
# shellcheck disable=SC2046
expect_rc 250 "$K" exec -- true $(seq 1 300)
expect_in "$TMP/err" "the command has 301 arguments; the guest takes at most 256"

# --- no shell on names: a case named x';touch pwned;' ---
(cd "$TMP/cwd" && "$K" run --native -t "=x';touch pwned;'") \
	>"$TMP/out" 2>"$TMP/err" || { cat "$TMP/out" "$TMP/err"; fail "native run of the quoted name"; }
[ -e "$TMP/cwd/pwned" ] && fail "a test name ran as a shell command"
expect_in "$TMP/out" "^ok 1 x';touch pwned;'"

# --- --native leaves nothing running ---
expect_rc 1 "$K" run --native -t =spawns_worker -t =engine_dies -t fails_
for p in "$TMP"/pids/spawns_worker "$TMP"/pids/engine_dies; do
	[ -s "$p" ] || fail "no pid in $p"
	kill -0 "$(cat "$p")" 2>/dev/null &&
		fail "$(basename "$p")'s worker still runs after the run"
done
expect_in "$TMP/out" "^not ok [0-9]+ engine_dies"

# --- replay --filter ---
expect_rc 0 "$K" replay
expect_in "$TMP/out" "-t =fails_a -t =fails_b -t =engine_dies"
expect_rc 0 "$K" replay --filter _b
expect_in "$TMP/out" "^./ktstr run --native -t =fails_b$"
expect_rc 250 "$K" replay --filter nothing
expect_in "$TMP/err" "no failure of the last run matches 'nothing'"
expect_rc 1 "$K" replay --exec --filter =fails_a
expect_in "$TMP/out" "^1\.\.1$"
expect_in "$TMP/out" "^not ok 1 fails_a"

# --- Ctrl-C on a native run: the case is stopped, the run ends ---
rm -f "$TMP/pids/sleeps"
"$K" run --native -t =sleeps -t =steady_fake >"$TMP/out" 2>"$TMP/err" &
kpid=$!
for _ in $(seq 50); do
	[ -s "$TMP/pids/sleeps" ] && break
	sleep 0.1
done
kill -INT $kpid
t0=$(date +%s)
wait $kpid
rc=$?
[ "$rc" = 130 ] || { cat "$TMP/out" "$TMP/err"; fail "native Ctrl-C: exit $rc, want 130"; }
[ $(($(date +%s) - t0)) -le 5 ] || fail "native Ctrl-C took more than 5 s"
expect_in "$TMP/out" "^not ok 1 sleeps # interrupted"
expect_in "$TMP/out" "^0 passed, 1 failed, 0 skipped"
grep -q steady_fake "$TMP/err" && fail "the next case started after Ctrl-C"
kill -0 "$(cat "$TMP/pids/sleeps")" 2>/dev/null && fail "the case still runs"

# --- the entry point rebuilds what changed, the guest side included ---
# (a stand-in checkout and make: the decisions, not the compilers)
co="$TMP/co"
mkdir -p "$co/cli" "$co/vmtest" "$co/lib" "$co/bpf" "$co/tests/engine" \
	"$TMP/fakebin" "$TMP/ob/bin/tests"
cp "$KTSTR_DIR/ktstr" "$co/ktstr"
touch "$co/cli/main.c" "$co/lib/run.c" "$co/tests/engine/steady.c"
cat >"$TMP/fakebin/make" <<'SH'
#!/bin/sh
echo "make $*" >>"$MAKE_LOG"
for f in "$KTSTR_DIR"/tests/engine/*.c; do
	n=${f##*/}
	: >"$OUT/bin/tests/${n%.c}"
	chmod +x "$OUT/bin/tests/${n%.c}"
done
SH
printf '#!/bin/sh\necho ran "$@"\n' >"$TMP/ob/bin/ktstr"
chmod +x "$TMP/fakebin/make" "$TMP/ob/bin/ktstr"
entry() {
	: >"$TMP/make.log"
	env -u KTSTR_DIR PATH="$TMP/fakebin:$PATH" MAKE_LOG="$TMP/make.log" \
		OUT="$TMP/ob" OUTPUT="$TMP/ob" KTSTR_DIR="$co" \
		"$co/ktstr" run >/dev/null 2>&1 || fail "the entry point failed"
}
entry
grep -qw host "$TMP/make.log" && grep -qw guest "$TMP/make.log" ||
	fail "first call: $(cat "$TMP/make.log")"
entry
[ -s "$TMP/make.log" ] && fail "a warm call rebuilt: $(cat "$TMP/make.log")"
# a new engine test, even one with an old time stamp, is built
touch -d '2001-01-01' "$co/tests/engine/new_case.c"
entry
grep -q "guest" "$TMP/make.log" || fail "a new tests/engine file was not built"
[ -x "$TMP/ob/bin/tests/new_case" ] || fail "no binary for the new case"
entry
[ -s "$TMP/make.log" ] && fail "rebuilt again: $(cat "$TMP/make.log")"
sleep 1.1
touch "$co/bpf/scx_x.bpf.c"
entry
grep -qw host "$TMP/make.log" && fail "a BPF edit rebuilt the host"
grep -q "guest" "$TMP/make.log" || fail "a BPF edit was not built"
# an engine test that does not build: run refuses, exec still works
touch "$co/tests/engine/broken.c"
echo 'case "$*" in *guest*) exit 2 ;; esac' >>"$TMP/fakebin/make"
PATH="$TMP/fakebin:$PATH" MAKE_LOG="$TMP/make.log" OUT="$TMP/ob" \
	OUTPUT="$TMP/ob" KTSTR_DIR="$co" "$co/ktstr" run >"$TMP/out" 2>&1 &&
	fail "run went ahead with engine tests that do not build"
expect_in "$TMP/out" "engine tests do not build"
PATH="$TMP/fakebin:$PATH" MAKE_LOG="$TMP/make.log" OUT="$TMP/ob" \
	OUTPUT="$TMP/ob" KTSTR_DIR="$co" "$co/ktstr" exec >"$TMP/out" 2>&1 ||
	fail "exec refused over an engine test"
expect_in "$TMP/out" "^ran exec"

# --- in VMs ---
if [ -n "${KTSTR_KERNEL:-}" ]; then
	KERNEL=$KTSTR_KERNEL
else
	need_kernel
	export KTSTR_KERNEL=$KERNEL
fi

# Ctrl-C during a VM: no next case, no qemu, "interrupted", 130
"$K" run -t =sleeps -t =steady_fake >"$TMP/out" 2>"$TMP/err" &
kpid=$!
for _ in $(seq 100); do
	[ -n "$(qemu_of $kpid)" ] && break
	sleep 0.1
done
[ -n "$(qemu_of $kpid)" ] || { kill $kpid; fail "no qemu started"; }
sleep 2
kill -INT $kpid
t0=$(date +%s)
wait $kpid
rc=$?
[ "$rc" = 130 ] || { cat "$TMP/out" "$TMP/err"; fail "Ctrl-C: exit $rc, want 130"; }
[ $(($(date +%s) - t0)) -le 5 ] || fail "Ctrl-C took more than 5 s"
[ -z "$(qemu_of $kpid)" ] || fail "qemu left behind"
expect_in "$TMP/out" "^not ok 1 sleeps # interrupted"
grep -q "init script never started" "$TMP/out" &&
	fail "an interrupted case was reported as a boot failure"
grep -q '\[2/2\]' "$TMP/err" && fail "the next case started after Ctrl-C"

# a dynamic binary gets its libraries without ldd
if [ -x /usr/bin/jq ]; then
	expect_rc 0 "$K" exec -i /usr/bin/jq -- jq --version
	expect_in "$TMP/out" "^jq-"
fi

# scheduler arguments arrive as given: spaces kept, an empty one kept
if [ -x "$BIN/tests/steady" ]; then
	cat >"$TMP/scx_args" <<'SH'
#!/bin/sh
for a in "$@"; do echo "arg=[$a]"; done
exit 3
SH
	chmod +x "$TMP/scx_args"
	expect_rc 1 "$KTSTR" run --no-auto-repro --sched "$TMP/scx_args" \
		'a b' '' c -- -t =steady_scx
	expect_in "$TMP/out" "arg=\[a b\]"
	expect_in "$TMP/out" "arg=\[\]"
	expect_in "$TMP/out" "arg=\[c\]"
fi
echo "ok"
