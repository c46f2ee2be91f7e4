#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The tree's example schedulers each attach in the guest (sched_ext state
# enabled, root ops named after them) and detach cleanly on SIGINT.
. "$(dirname "$0")/../lib.sh"
need_kernel

# scx_central's ops.init insists on running on the central CPU, but 6.12.y
# runs ops.init from the unbound kthread scx_ops_enable_helper, which stays
# where it first ran: after such a failure the kthread is pinned to CPU 0
# and the attach retried (both reported).
cat >"$TMP/attach" <<'SH'
#!/bin/sh
sched=$1
for attempt in 1 2 3; do
	"$sched" >/tmp/sched.log 2>&1 &
	pid=$!
	i=0
	while [ "$(cat /sys/kernel/sched_ext/state)" != enabled ] && [ $i -lt 300 ]; do
		kill -0 $pid 2>/dev/null || break
		sleep 0.1; i=$((i + 1))
	done
	[ "$(cat /sys/kernel/sched_ext/state)" = enabled ] && break
	wait $pid
	grep -q "init from non-central CPU" /tmp/sched.log || break
	echo "attempt $attempt: ops.init ran off the central CPU"
	for p in /proc/[0-9]*; do
		[ "$(cat $p/comm 2>/dev/null)" = scx_ops_enable_helper ] &&
			taskset -p 1 "${p#/proc/}" >/dev/null && echo "pinned scx_ops_enable_helper to cpu0"
	done
done
echo "state=$(cat /sys/kernel/sched_ext/state) ops=$(cat /sys/kernel/sched_ext/root/ops 2>/dev/null)"
sleep 2
kill -INT $pid
wait $pid
echo "exit=$?"
i=0
while [ "$(cat /sys/kernel/sched_ext/state)" != disabled ] && [ $i -lt 200 ]; do
	sleep 0.1; i=$((i + 1))
done
echo "after=$(cat /sys/kernel/sched_ext/state)"
tail -5 /tmp/sched.log
SH
chmod +x "$TMP/attach"

failed=""
for s in scx_simple scx_qmap scx_central scx_flatcg; do
	bin="$OUTPUT/tree/sched_ext/build/bin/$s"
	[ -x "$bin" ] || fail "$bin was not built (make tree)"
	"$KTSTR" exec --timeout 120 -i "$bin" -i "$TMP/attach" -- attach "$s" \
		>"$TMP/$s" 2>&1
	name=${s#scx_}
	if grep -q "^state=enabled ops=$name" "$TMP/$s" &&
	   grep -q '^after=disabled' "$TMP/$s"; then
		echo "$s: attached ($(grep '^state=' "$TMP/$s")), detached"
	else
		cat "$TMP/$s"
		failed="$failed $s"
	fi
done
[ -z "$failed" ] || fail "did not attach and detach cleanly:$failed"
