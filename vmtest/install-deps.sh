#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Install what ktstr needs on a Debian 12 machine: the VMM, the BPF
# toolchain (clang >= 16 for BPF; Debian 12 ships clang-19), what a kernel
# build and the in-tree libbpf/bpftool need, busybox for the initramfs and
# the distribution's kernel source for standalone use, and clang's
# sanitizer and libFuzzer runtimes (make SANITIZE=1, make fuzz), the
# payload cases' benchmarks (stress-ng; hackbench is in rt-tests) and
# rsvg-convert, which the tests render the SVG plots with, and strace,
# with which the fault-matrix test sees every file the harness writes.
#
# --kernel installs only what the kernel build needs (the source, gcc,
# flex, bison, pahole, ...): `ktstr bootstrap` starts that build and
# installs the rest beside it. --check installs nothing: exit 0 when
# everything is installed, 1 with the missing packages named.
#
# Idempotent: packages already installed are skipped by apt, and the
# apt index is only refreshed when something is missing.
set -eu

KERNEL_PKGS="linux-source-6.12 make gcc flex bison bc libssl-dev libelf-dev
dwarves xz-utils cpio python3 kmod"
PKGS="$KERNEL_PKGS qemu-system-x86 clang-19 lld-19 llvm-19 busybox-static
zlib1g-dev libzstd-dev libcap-dev libdw-dev jq pkg-config rsync libclang-rt-19-dev
stress-ng rt-tests librsvg2-bin strace"

CHECK=0
case "${1:-}" in
--kernel) PKGS=$KERNEL_PKGS ;;
--check) CHECK=1 ;;
'') ;;
*) echo "usage: vmtest/install-deps.sh [--kernel | --check]" >&2; exit 2 ;;
esac

missing=""
for p in $PKGS; do
	dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q '^install ok installed' ||
		missing="$missing $p"
done

if [ -z "$missing" ]; then
	echo "ktstr: all dependencies are installed"
	exit 0
fi
if [ "$CHECK" = 1 ]; then
	echo "ktstr: not installed:$missing"
	exit 1
fi

SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO=sudo
echo "ktstr: installing:$missing"
export DEBIAN_FRONTEND=noninteractive
# the index refreshed in the last hour (bootstrap's first call) will do
if [ -z "$(find /var/lib/apt/lists -maxdepth 0 -mmin -60 2>/dev/null)" ]; then
	$SUDO apt-get update -q
fi
# shellcheck disable=SC2086
$SUDO apt-get install -y -q --no-install-recommends $missing
