#!/usr/bin/env bash
# Build the POWER test bed's initramfs: the static /init (init.c) and the
# static ppc64le test VMM (vmm/), the project's own kvm-mmio-top with its
# shared libraries (build-tool.sh: the BPF backend test), packed with the host kernel's
# usr/gen_init_cpio.
#
#   tests/ppc/build-initramfs.sh KERNEL_DIR     prints the initramfs path
#
# Cached in $KMT_CACHE/ppc/initramfs-<key>/, the key covering the sources,
# the compiler and its flags.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

kernel_dir=$1
cc=${cross}gcc
cflags=(-std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror -O2 -static)
command -v "$cc" >/dev/null || ppc_die "missing $cc (make deps installs scripts/deps/ppc.list)"
tool=$("$ppc_dir/build-tool.sh" | tail -n 1)

key=$({
	echo "${cflags[*]}"
	"$cc" --version | head -n 1
	cat "$ppc_dir/init.c" "$ppc_dir"/vmm/*
	echo "$tool" | sed 's|.*/||'
	echo "libs in /lib/powerpc64le-linux-gnu"
} | short_hash)
out=$cache/initramfs-$key
mkdir -p "$cache"
exec 9>"$out.lock"
flock 9
if [[ ! -f $out/initramfs.cpio ]]; then
	rm -rf "$out"
	mkdir -p "$out"
	"$cc" "${cflags[@]}" -o "$out/init" "$ppc_dir/init.c"
	"$cc" "${cflags[@]}" -pthread -o "$out/test-vmm" "$ppc_dir"/vmm/*.c "$ppc_dir"/vmm/*.S
	cat >"$out/list" <<-LIST
		dir /dev 0755 0 0
		nod /dev/console 0600 0 0 c 5 1
		dir /proc 0755 0 0
		dir /sys 0755 0 0
		file /init $out/init 0755 0 0
		file /test-vmm $out/test-vmm 0755 0 0
		file /kvm-mmio-top $tool/kvm-mmio-top 0755 0 0
		dir /lib64 0755 0 0
		file /lib64/ld64.so.2 $tool/lib64/ld64.so.2 0755 0 0
		dir /lib 0755 0 0
		dir /lib/powerpc64le-linux-gnu 0755 0 0
	LIST
	# Debian's ppc64el loader searches its multiarch directory by default
	# (no ld.so.cache needed); the ELF interpreter is /lib64/ld64.so.2.
	for so in "$tool"/lib64/*.so.*; do
		echo "file /lib/powerpc64le-linux-gnu/${so##*/} $so 0755 0 0"
	done >>"$out/list"
	"$kernel_dir/gen_init_cpio" "$out/list" >"$out/initramfs.cpio.tmp"
	mv "$out/initramfs.cpio.tmp" "$out/initramfs.cpio"
fi
echo "$out/initramfs.cpio"
