#!/usr/bin/env bash
# Build the POWER test bed's initramfs: the static /init (init.c) and the
# static ppc64le test VMM (vmm/), packed with the host kernel's
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

key=$({
	echo "${cflags[*]}"
	"$cc" --version | head -n 1
	cat "$ppc_dir/init.c" "$ppc_dir"/vmm/*
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
	LIST
	"$kernel_dir/gen_init_cpio" "$out/list" >"$out/initramfs.cpio.tmp"
	mv "$out/initramfs.cpio.tmp" "$out/initramfs.cpio"
fi
echo "$out/initramfs.cpio"
