#!/usr/bin/env bash
# The shared first step of the POWER tests: build (or reuse) the host
# kernel and the initramfs, boot them on one machine, and keep the console.
#
#   tests/ppc/run-boot.sh powernv8|powernv9     prints the console log path
#
# The log is cached as $KMT_CACHE/ppc/boot-<key>/<machine>.log, the key
# covering the kernel, the initramfs, this boot recipe and the QEMU
# version, so the tests of one `make check-ppc` share one boot per machine
# and no result is ever reused for different inputs. Only a boot that
# reached the end of /init is cached.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

machine=$1
command -v qemu-system-ppc64 >/dev/null ||
	ppc_die "missing qemu-system-ppc64 (make deps installs scripts/deps/ppc.list)"

kernel_dir=$("$ppc_dir/build-host-kernel.sh" | tail -n 1)
initramfs=$("$ppc_dir/build-initramfs.sh" "$kernel_dir" | tail -n 1)
key=$({
	echo "$kernel_dir" | sed 's|.*/||'
	echo "$initramfs" | sed 's|.*/\(initramfs-[^/]*\)/.*|\1|'
	cat "$ppc_dir/boot.sh"
	qemu-system-ppc64 --version | head -n 1
} | short_hash)
out=$cache/boot-$key
log=$out/$machine.log
mkdir -p "$out"
exec 9>"$log.lock"
flock 9
if [[ ! -f $log ]]; then
	"$ppc_dir/boot.sh" "$machine" "$kernel_dir/vmlinux.strip" "$initramfs" "$log.tmp"
	tr -d '\r' <"$log.tmp" >"$log"
	rm -f "$log.tmp"
fi
echo "$log"
