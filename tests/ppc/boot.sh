#!/usr/bin/env bash
# Boot the test bed's host kernel on an emulated POWER machine (TCG) and
# keep its console.
#
#   tests/ppc/boot.sh powernv8|powernv9|powernv10 VMLINUX INITRAMFS CONSOLE_LOG
#
# powernv8 (POWER8) runs the HDSI and HPT hcall paths in real mode,
# powernv9 (POWER9, radix host) the virtual-mode path, powernv10
# (POWER10, radix host) that path too, and prefixed instructions. The host has 2 CPUs,
# one core each (KVM-HV on POWER8 runs a guest only on a core whose other
# threads are offline), emulated by 2 host threads (QEMU's multi-threaded
# TCG), so that they really run at the same time: /init's contention run
# needs it. /init powers the
# machine off; a boot that has not ended after $KMT_PPC_BOOT_TIMEOUT
# seconds (default 300) is killed. Exit status 0 only when /init reached
# its end ("KMT init-end") and the machine powered off; otherwise the
# console tail is shown.
set -euo pipefail

machine=$1 vmlinux=$2 initramfs=$3 log=$4
timeout_s=${KMT_PPC_BOOT_TIMEOUT:-300}
case $machine in
powernv8) cpu=POWER8 ;;
powernv9) cpu=POWER9 ;;
powernv10) cpu=power10 ;;
*) echo "boot.sh: unknown machine '$machine' (powernv8, powernv9 or powernv10)" >&2; exit 2 ;;
esac
firmware=/usr/share/qemu/skiboot.lid
[[ -r $firmware ]] || { echo "boot.sh: missing $firmware (qemu-system-ppc)" >&2; exit 1; }

start=$(date +%s)
rc=0
timeout --kill-after=10 "$timeout_s" \
	qemu-system-ppc64 -M "$machine" -cpu "$cpu" -m 2G \
	-accel tcg,thread=multi -smp 2,cores=2,threads=1 \
	-bios "$firmware" -kernel "$vmlinux" -initrd "$initramfs" \
	-append "console=hvc0" -nographic -monitor none -no-reboot \
	</dev/null >"$log" 2>&1 || rc=$?
secs=$(($(date +%s) - start))

if ((rc == 124 || rc == 137)); then
	echo "boot.sh: $machine did not power off within ${timeout_s}s (hang); console tail:" >&2
elif ((rc != 0)); then
	echo "boot.sh: qemu-system-ppc64 -M $machine exited with $rc after ${secs}s; console tail:" >&2
elif ! grep -q '^KMT init-end' "$log"; then
	echo "boot.sh: $machine powered off after ${secs}s before /init finished; console tail:" >&2
	rc=1
else
	echo "boot.sh: $machine booted, ran /init and powered off in ${secs}s" >&2
	exit 0
fi
tail -n 40 "$log" | sed 's/^/    /' >&2
exit 1
