#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The guest shows exactly the declared topology: CPU count, NUMA nodes
# with their cpulists, LLC groups and SMT siblings, for five shapes.
. "$(dirname "$0")/../lib.sh"
need_kernel

for topo in 1n1l2c1t 1n2l2c2t 1n4l4c1t 2n4l2c2t 4n8l2c1t; do
	if ! "$KTSTR" exec --topo "$topo" -i "$BIN/topo_check" -- \
			topo_check "$topo" >"$TMP/$topo" 2>&1; then
		cat "$TMP/$topo"
		fail "$topo: the guest's topology differs from the declaration"
	fi
	echo "$topo: $(grep -c '^ok' "$TMP/$topo") of 4 parts match"
done
