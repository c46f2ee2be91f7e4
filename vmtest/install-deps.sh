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
# Idempotent: packages already installed are skipped by apt, and the
# apt index is only refreshed when something is missing.
set -eu

PKGS="qemu-system-x86 linux-source-6.12 clang-19 lld-19 llvm-19
busybox-static libelf-dev zlib1g-dev libzstd-dev libcap-dev dwarves flex
bison bc libssl-dev cpio jq make gcc pkg-config python3 xz-utils rsync
kmod libclang-rt-19-dev stress-ng rt-tests librsvg2-bin strace"

missing=""
for p in $PKGS; do
	dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q '^install ok installed' ||
		missing="$missing $p"
done

if [ -z "$missing" ]; then
	echo "ktstr: all dependencies are installed"
	exit 0
fi

SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO=sudo
echo "ktstr: installing:$missing"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q
# shellcheck disable=SC2086
$SUDO apt-get install -y -q --no-install-recommends $missing
