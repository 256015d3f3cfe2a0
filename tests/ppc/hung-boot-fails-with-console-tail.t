#!/usr/bin/env bash
# A boot that does not power off in time is killed and fails, showing the
# console tail: here the real host kernel and initramfs, given 3 seconds.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
kernel_dir=$("$ppc_dir/build-host-kernel.sh" | tail -n 1)
initramfs=$("$ppc_dir/build-initramfs.sh" "$kernel_dir" | tail -n 1)
log=$(mktemp)
err=$(mktemp)
trap 'rm -f "$log" "$err"' EXIT
if KMT_PPC_BOOT_TIMEOUT=3 "$ppc_dir/boot.sh" powernv8 "$kernel_dir/vmlinux.strip" "$initramfs" "$log" 2>"$err"; then
	ppc_die "boot.sh passed a boot that was killed after 3 s"
fi
grep -q 'did not power off within 3s (hang); console tail:' "$err" ||
	{ cat "$err"; ppc_die "boot.sh failed without saying the boot hung"; }
(($(grep -c '^    ' "$err") > 0)) || { cat "$err"; ppc_die "boot.sh showed no console tail"; }
cat "$err"
