#!/usr/bin/env bash
# The shared first step of the POWER tests: build (or reuse) the host
# kernel and the initramfs, boot them on one machine, and keep the console.
#
#   tests/ppc/run-boot.sh powernv8|powernv9|powernv10   prints the console log path
#
# The log is kept as $KMT_CACHE/ppc/boot-<key>/<machine>.log, the key
# covering the kernel, the initramfs, this boot recipe, the QEMU version and
# the test run (KMT_RUN_ID, set by tests/run-tests.sh), so the tests of one
# run share one boot per machine while every run boots afresh, and no result
# is ever reused for different inputs. Only a boot that reached the end of
# /init is kept; logs of earlier runs are deleted after a day.
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
	echo "${KMT_RUN_ID:-$$}"
} | short_hash)
find "$cache" -maxdepth 1 -name 'boot-*' -mmin +1440 -exec rm -rf {} + 2>/dev/null || true
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
