#!/usr/bin/env bash
# Prepare the arm64 KVM test bed: Debian's arm64 kernel and an initramfs with
# busybox, the cross-built kvm-mmio-top and test-vmm, and the scripts that
# run inside (init.sh, mmio-scenario.sh and tests/lib/mmio-scenario-lib.sh
# as /kmt/lib/). See docs/testbeds.md.
#
#   tests/arm64-kvm/prepare.sh     prints two lines: the kernel image and
#                                  the initramfs
#
# The kernel is the package linux-image-arm64 depends on (Debian 12's
# current 6.1; KMT_ARM64_KERNEL_PKG overrides it), fetched with
# `apt-get download` under a private apt state and unpacked by
# scripts/lib/foreign-sysroot.sh; never installed. Without a reachable
# archive the newest arm64 kernel already in the cache is used.
#
# Cache: ${KMT_CACHE:-/var/cache/kvm-mmio-trace}/arm64-kvm/
#   initramfs-<hash>.cpio.gz   <hash>: busybox, the tool build (its key),
#                              init.sh, mmio-scenario.sh, the shared
#                              mmio-scenario-lib.sh and this script
#                              (unused ones go after 7 days)
#
# Exit status: 0 ready, 77 when the bed cannot be made on this host (reason
# on the last line), 1 on unexpected errors.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

for tool in apt-get apt-cache dpkg-deb cpio gzip; do
	command -v "$tool" >/dev/null || arm64_skip "arm64 test bed: $tool not installed"
done
mkdir -p "$cache" 2>/dev/null || arm64_skip "arm64 test bed: cannot create $cache (set KMT_CACHE)"

# --- the kernel -------------------------------------------------------------
kernel_root=
pkg=${KMT_ARM64_KERNEL_PKG:-$("$foreign_sysroot" --depends arm64 linux-image-arm64 2>/dev/null |
	grep -m1 '^linux-image-.*-arm64$' || true)}
if [[ -n $pkg ]]; then
	kernel_root=$("$foreign_sysroot" arm64 "$pkg") || kernel_root=
fi
if [[ -z $kernel_root ]]; then
	# Offline: the newest arm64 kernel unpacked before will do.
	newest=$(find "${KMT_CACHE:-/var/cache/kvm-mmio-trace}/sysroot" -mindepth 3 -maxdepth 3 \
		-path '*/boot/vmlinuz-*-arm64' -printf '%T@ %p\n' 2>/dev/null | sort -rn | head -n 1 | cut -d' ' -f2-)
	[[ -n $newest ]] ||
		arm64_skip "arm64 test bed: cannot fetch ${pkg:-the linux-image-arm64 kernel} with apt-get download (Debian archive unreachable?)"
	kernel_root=${newest%/boot/*}
	arm64_log "using the cached ${newest##*/}"
fi
vmlinuz=$(ls "$kernel_root"/boot/vmlinuz-*-arm64 | head -n 1)
[[ -f $vmlinuz ]] || arm64_die "$pkg has no /boot/vmlinuz-*-arm64"

# --- the initramfs ----------------------------------------------------------
busybox_root=$("$foreign_sysroot" arm64 busybox-static) ||
	arm64_skip "arm64 test bed: cannot fetch busybox-static:arm64 with apt-get download"
tool=$("$arm64_dir/build-tool.sh") || {
	rc=$?
	echo "$tool" # the reason, when it skips
	exit "$rc"
}
stamp=$({
	echo "$tool"
	sha256sum "$busybox_root/bin/busybox"
	cat "$arm64_dir/init.sh" "$arm64_dir/mmio-scenario.sh" "$repo/tests/lib/mmio-scenario-lib.sh" "$0"
} | short_hash)
initrd=$cache/initramfs-$stamp.cpio.gz
find "$cache" -maxdepth 1 -name 'initramfs-*.cpio.gz' ! -newermt '-7 days' ! -path "$initrd" -delete
if [[ ! -f $initrd ]]; then
	work=$(mktemp -d "$cache/initramfs.XXXXXX")
	trap 'rm -rf "$work"' EXIT
	mkdir -p "$work"/{bin,kmt/bin,kmt/lib,lib/aarch64-linux-gnu,proc,sys,dev,tmp,run,results}
	cp "$busybox_root/bin/busybox" "$work/bin/busybox"
	cp "$arm64_dir/init.sh" "$work/init"
	cp "$tool/kvm-mmio-top" "$tool/test-vmm" "$arm64_dir/mmio-scenario.sh" "$work/kmt/bin/"
	cp "$tool"/lib/* "$work/lib/aarch64-linux-gnu/"
	ln -s aarch64-linux-gnu/ld-linux-aarch64.so.1 "$work/lib/ld-linux-aarch64.so.1"
	cp "$repo/tests/lib/mmio-scenario-lib.sh" "$work/kmt/lib/"
	chmod 0755 "$work/init" "$work/kmt/bin/"*
	(cd "$work" && find . -mindepth 1 | LC_ALL=C sort | cpio -o -H newc --quiet -R 0:0) |
		gzip -1 >"$initrd.tmp"
	mv "$initrd.tmp" "$initrd"
	arm64_log "initramfs ready: $initrd ($(du -h "$initrd" | cut -f1))"
fi
touch "$initrd"
echo "$vmlinuz"
echo "$initrd"
