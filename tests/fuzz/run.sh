#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# tests/fuzz/run.sh [SECONDS] [NAME...]: run each libFuzzer harness built
# by `make fuzz` (into $OUTPUT/fuzz/, OUTPUT defaulting to build/) for
# SECONDS (default 20), starting from tests/fuzz/corpus/<name>/ copied
# into $OUTPUT/fuzz/corpus/<name>/ (which keeps what it grows, so the
# next run starts from there; KTSTR_FUZZ_CORPUS=DIR puts them elsewhere).
# One line per harness; a crash, a leak, a
# sanitizer report or a timeout is a failure, its input and log kept in
# $OUTPUT/fuzz/findings/<name>/. Exits 1 on any finding.
set -u

KTSTR_DIR=${KTSTR_DIR:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
OUTPUT=${OUTPUT:-$KTSTR_DIR/build}
SECS=${1:-20}
shift || true
FUZZ=$OUTPUT/fuzz
SEEDS=$KTSTR_DIR/tests/fuzz/corpus

case $SECS in
'' | *[!0-9]*) echo "usage: $0 [SECONDS] [NAME...]" >&2; exit 2 ;;
esac
if [ $# -eq 0 ]; then
	set --
	for f in "$FUZZ"/fuzz_*; do
		[ -x "$f" ] && set -- "$@" "${f##*/fuzz_}"
	done
fi
if [ $# -eq 0 ]; then
	echo "no harnesses in $FUZZ: run 'make fuzz${OUTPUT:+ OUTPUT=$OUTPUT}' first" >&2
	exit 2
fi

failed=0
for name in "$@"; do
	bin=$FUZZ/fuzz_$name
	corpus=${KTSTR_FUZZ_CORPUS:-$FUZZ/corpus}/$name
	found=$FUZZ/findings/$name
	if [ ! -x "$bin" ]; then
		echo "FAIL $name: no $bin"
		failed=1
		continue
	fi
	mkdir -p "$corpus" "$found"
	[ -d "$SEEDS/$name" ] && cp -n "$SEEDS/$name"/* "$corpus"/ 2>/dev/null
	log=$found/last.log
	start=$(date +%s)
	# no fork, one process: a leak or a report ends it with non-zero
	"$bin" -max_total_time="$SECS" -timeout=10 -rss_limit_mb=2048 \
		-max_len=8192 -print_final_stats=1 \
		-artifact_prefix="$found/" "$corpus" >"$log" 2>&1
	rc=$?
	took=$(($(date +%s) - start))
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
	units=$(find "$corpus" -type f | wc -l)
	if [ $rc -eq 0 ] && ! grep -qE "ERROR: (AddressSanitizer|LeakSanitizer|libFuzzer)|runtime error:" "$log"; then
		echo "ok   $name: ${took}s, ${execs:-?} inputs run, corpus $units"
		continue
	fi
	failed=1
	what=$(grep -m1 -oE "ERROR: [A-Za-z]+: [^ ]+( [^ ]+)?|runtime error: .*|deadly signal|timeout after [0-9]+ seconds" "$log")
	echo "FAIL $name: ${what:-exit $rc} after ${took}s; input and log in $found/"
done
exit $failed
