#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# vmtest.sh: for people who know tools/testing/selftests/bpf/vmtest.sh.
#
#	vmtest.sh [-k bzImage] [-t NnLlCcTt] [-m MiB] [-s] [-- CMD [ARGS...]]
#
# Boots the kernel with the topology and runs CMD (or a shell with -s or
# no command) through `ktstr exec` / `ktstr shell`, with their meaning
# and exit codes.
set -eu

KTSTR="$(cd "$(dirname "$(readlink -f "$0")")/.." && pwd)/ktstr"
opts=()
shell=0
while [ $# -gt 0 ]; do
	case "$1" in
	-k) opts+=(--kernel "$2"); shift 2 ;;
	-t) opts+=(--topo "$2"); shift 2 ;;
	-m) opts+=(--memory "$2"); shift 2 ;;
	-i) opts+=(-i "$2"); shift 2 ;;
	-s) shell=1; shift ;;
	-h|--help) sed -n '4,10s/^# \{0,1\}//p' "$0"; exit 0 ;;
	--) shift; break ;;
	*) break ;;
	esac
done
if [ $shell = 1 ] || [ $# -eq 0 ]; then
	exec "$KTSTR" shell "${opts[@]}"
fi
exec "$KTSTR" exec "${opts[@]}" -- "$@"
