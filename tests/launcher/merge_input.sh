#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# ktstr merge and --budget on shard directories and earlier runs that
# another machine's job left: a case without a result fails the merge, a
# report line that looks like the outputs block or the totals is only a
# report line, links, FIFOs and devices are not followed or read, each
# shard's paths point at its own copy, and a bad timing sidecar does not
# switch the budget off. No VM: the shard directories are written here,
# in the shape `ktstr run --shard I/N --out DIR` gives them.
. "$(dirname "$0")/../lib.sh"

# shard DIR I N RUN "SEQ NAME"... : the cases file and an empty run dir
shard() {
	local dir=$1 i=$2 n=$3 run=$4 c
	shift 4
	mkdir -p "$dir/runs/$run"
	echo "ktstr-shard $i $n" >"$dir/cases"
	for c in "$@"; do
		echo "case $c" >>"$dir/cases"
	done
	echo "{\"run\":\"$run\"}" >"$dir/runs/$run/run.json"
}

# the stream's end, as run.c prints it: outputs block, then the totals
outputs() {
	local dir=$1 run=$2 pass=$3 fail=$4
	shift 4
	echo "# ktstr: test outputs"
	echo "# /elsewhere/$dir/runs/$run"
	printf '%s\n' "$@"
	echo "# Totals: pass:$pass fail:$fail xfail:0 xpass:0 skip:0 error:0"
	echo "$pass passed, $fail failed, 0 skipped"
}

cd "$TMP" || fail "no $TMP"

# two shards, the second with another run directory name: cases in the
# unsharded order, each shard's failure paths at its own copy
shard s1 1 2 r-1 "0 alpha" "2 gamma"
shard s2 2 2 r-7 "1 beta"
echo '{}' >s2/runs/r-7/beta.failure-dump.json
{
	printf 'KTAP version 1\n1..2\n# alpha report\nok 1 alpha\nok 2 gamma\n'
	outputs s1 r-1 2 0
} >s1/ktap
{
	printf 'KTAP version 1\n1..1\n# beta report\nnot ok 1 beta\n'
	outputs s2 r-7 0 1 "# FAILED beta" \
		"# failure dump /elsewhere/s2/runs/r-7/beta.failure-dump.json"
} >s2/ktap
expect_rc 1 "$KTSTR" merge --out m s1 s2
diff <(grep -E '^(not )?ok ' "$TMP/out") - <<-EOF || fail "merged order or numbering"
	ok 1 alpha
	not ok 2 beta
	ok 3 gamma
	EOF
expect_in "$TMP/out" "^# failure dump $TMP/m/runs/r-7/beta.failure-dump.json$"
expect_in "$TMP/out" "^# $TMP/m/runs/r-1$"
expect_in "$TMP/out" "^# $TMP/m/runs/r-7$"
expect_in "$TMP/out" "^2 passed, 1 failed, 0 skipped$"
[ -f m/runs/r-1/run.json ] && [ -f m/runs/r-7/beta.failure-dump.json ] ||
	fail "the shards' run directories were not copied from SHARD_DIR/runs"
cmp -s m/ktap "$TMP/out" || fail "m/ktap is not the merged stream"

# a case of the cases file without a result: not ok, and the merge fails
shard t1 1 1 r-1 "0 alpha" "1 beta"
{
	printf 'KTAP version 1\n1..2\nok 1 alpha\n'
	outputs t1 r-1 1 0
} >t1/ktap
expect_rc 1 "$KTSTR" merge t1
expect_in "$TMP/err" "no result for case 'beta'"
expect_in "$TMP/out" "^not ok 2 beta # no result"
expect_in "$TMP/out" "^1 passed, 1 failed, 0 skipped$"

# one case in two shards: they were not cut from one run
shard x1 1 2 r-1 "0 alpha"
shard x2 2 2 r-1 "0 alpha"
for d in x1 x2; do
	{ printf 'KTAP version 1\n1..1\nok 1 alpha\n'; outputs $d r-1 1 0; } >$d/ktap
done
expect_rc 1 "$KTSTR" merge x1 x2
expect_in "$TMP/err" "case 'alpha' has more than one result"

# a report that prints the outputs header and a totals line: the results
# after it still count, and a stream cut off after them did not finish
shard u1 1 1 r-1 "0 alpha" "1 beta"
printf 'KTAP version 1\n1..2\n# ktstr: test outputs\n# Totals: pass:9\n9 passed, 0 failed, 0 skipped\nok 1 alpha\nnot ok 2 beta\n' >u1/ktap
expect_rc 1 "$KTSTR" merge --out mu u1
expect_in "$TMP/out" "^ok 1 alpha$"
expect_in "$TMP/out" "^not ok 2 beta$"
expect_in "$TMP/out" "^1 passed, 1 failed, 0 skipped$"
expect_in "$TMP/err" "shard 1/1 \(u1\) did not finish"
# the cut-off shard's run directory is still copied, and DIR/ktap written
[ -f mu/runs/r-1/run.json ] || fail "a cut-off shard's run directory was not copied"
[ -s mu/ktap ] || fail "no mu/ktap for a merge of cut-off shards"

# links, FIFOs and devices: not read, not copied, no hang
shard v1 1 1 r-1 "0 alpha"
{
	printf 'KTAP version 1\n1..1\nok 1 alpha\n'
	outputs v1 r-1 1 0
} >v1/ktap
echo "SECRET=hunter2" >secret
ln -s "$TMP/secret" v1/runs/r-1/leak.json
mkfifo v1/runs/r-1/fifo.json
ln -s /dev/zero v1/runs/r-1/zero.json
timeout 20 "$KTSTR" merge --out mv v1 >"$TMP/out" 2>"$TMP/err"
rc=$?
[ $rc = 0 ] || { cat "$TMP/err"; fail "merge over links and a FIFO exited $rc"; }
[ -f mv/runs/r-1/run.json ] || fail "the run directory was not copied"
! grep -rq hunter2 mv || fail "a link in a run directory was followed into the copy"
expect_in "$TMP/err" "leak.json: not copied: not a regular file"
# SHARD_DIR/runs a link to elsewhere: not followed
shard y1 1 1 r-1 "0 alpha"
{ printf 'KTAP version 1\n1..1\nok 1 alpha\n'; outputs y1 r-1 1 0; } >y1/ktap
mkdir -p elsewhere/r-1 && cp secret elsewhere/r-1/key.json
rm -rf y1/runs && ln -s "$TMP/elsewhere" y1/runs
expect_rc 1 "$KTSTR" merge --out my y1
! grep -rq hunter2 my || fail "a SHARD_DIR/runs link was followed into the copy"
# a NUL in the cases file hides no case: the shard is not read
shard z1 1 1 r-1 "0 alpha"
printf 'ktstr-shard 1 1\ncase 0 alpha\n\0case 1 beta\n' >z1/cases
{ printf 'KTAP version 1\n1..1\nok 1 alpha\n'; outputs z1 r-1 1 0; } >z1/ktap
expect_rc 1 "$KTSTR" merge z1
expect_in "$TMP/err" "a NUL byte"
# a failed write of the merged stream fails the merge
[ -w /dev/full ] && { "$KTSTR" merge v1 >/dev/full 2>"$TMP/err" &&
	fail "merge to a full stdout exited 0"; }
# a run directory whose path is a prefix of another path: whole paths only
shard p1 1 1 r "0 alpha"
{ printf 'KTAP version 1\n1..1\n# see /elsewhere/p1/runs/r2/x and /elsewhere/p1/runs/r/x\nok 1 alpha\n'
  outputs p1 r 1 0; } >p1/ktap
expect_rc 0 "$KTSTR" merge --out mp p1
expect_in "$TMP/out" "^# see /elsewhere/p1/runs/r2/x and $TMP/mp/runs/r/x$"

shard w1 1 1 r-1 "0 alpha"
mkfifo w1/ktap
timeout 20 "$KTSTR" merge w1 >"$TMP/out" 2>"$TMP/err"
rc=$?
[ $rc = 1 ] || fail "merge of a shard whose ktap is a FIFO exited $rc (124: it hung)"
expect_in "$TMP/out" "^not ok 1 alpha # no result"

# --budget: a NaN wall time and a FIFO among the timing sidecars are
# skipped, and the budget still leaves cases out
mkdir -p runs/r-1
printf '{"name":"steady_eevdf","wall_s":nan}' >runs/r-1/steady_eevdf-0.timing.json
mkfifo runs/r-1/isolation_llc-0.timing.json
KTSTR_RUNS="$TMP/runs" timeout 60 "$KTSTR" run --budget 20 -j 1 --dry-run \
	-t =steady_eevdf -t =isolation_llc -t =steady_scx >"$TMP/plan" 2>&1
rc=$?
[ $rc = 0 ] || { cat "$TMP/plan"; fail "--budget over a NaN and a FIFO exited $rc (124: it hung)"; }
expect_in "$TMP/plan" "^# budget 20 s x 1 VM at once: [12] of 3 chosen"
expect_not_in "$TMP/plan" "nan"
echo "merge: missing results fail, report lines stay report lines, links and FIFOs are not read, paths per shard; budget skips a NaN"
