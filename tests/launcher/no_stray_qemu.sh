#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# No qemu outlives ktstr: not after SIGINT, SIGTERM or SIGKILL to it, and
# not after a timeout.
. "$(dirname "$0")/../lib.sh"
need_kernel

for sig in INT TERM KILL; do
	"$KTSTR" exec -- sleep 600 >"$TMP/out" 2>"$TMP/err" &
	pid=$!
	# wait until qemu runs for this ktstr (a rebuild may come first)
	for _ in $(seq 600); do
		[ -n "$(qemu_of $pid)" ] && break
		sleep 0.1
	done
	[ -n "$(qemu_of $pid)" ] || fail "no qemu started for ktstr $pid"
	sleep 2
	kill -s $sig $pid
	wait $pid
	rc=$?
	for _ in $(seq 50); do
		[ -z "$(qemu_of $pid)" ] && break
		sleep 0.1
	done
	[ -z "$(qemu_of $pid)" ] && echo "SIG$sig: ktstr exited $rc, no qemu left" ||
		fail "qemu $(qemu_of $pid) outlived ktstr after SIG$sig"
	if [ $sig != KILL ]; then
		expect_in "$TMP/err" "interrupted by SIG$sig"
	fi
done

"$KTSTR" exec --timeout 1 -- sleep 600 >"$TMP/out" 2>"$TMP/err" &
pid=$!
wait $pid
[ $? = 254 ] || fail "timeout did not exit 254"
[ -z "$(qemu_of $pid)" ] || fail "qemu outlived a timeout"
echo "timeout: ktstr exited 254, no qemu left"
