#!/usr/bin/env bash
# Run one command inside an arm64 KVM host: Debian's arm64 kernel booted
# under qemu-system-aarch64 (TCG, EL2 emulated: -M virt,virtualization=on,
# gic-version=3 -cpu max,pauth-impdef=on), KVM in nVHE or VHE mode, from an
# initramfs holding busybox and the cross-built kvm-mmio-top and test-vmm
# (prepare.sh).
#
#   run-in-arm64-host.sh [--mode nvhe|vhe] [--timeout SEC] [--results DIR] -- CMD...
#
#   --mode MODE    nvhe (default; kvm-arm.mode=nvhe: the hypervisor at EL2,
#                  the host kernel at EL1) or vhe (no kvm-arm.mode: the
#                  kernel's default on a CPU with VHE, the host kernel
#                  itself at EL2)
#   --timeout SEC  bound on boot + command + power-off (default 300); when it
#                  expires QEMU is killed, the console log tail is printed and
#                  the exit status is 124
#   --results DIR  where the bed's /results comes back (as $KMT_RESULTS
#                  inside; also kvm-mode, output, status, console.log); kept
#                  afterwards. Default: a temporary directory removed on exit
#
# CMD runs under busybox sh in /kmt with /kmt/bin first in PATH; the host's
# files are not visible inside. Its stdout+stderr are printed after the VM
# powers off and its exit status is this script's. 77 means the test bed is
# unavailable (reason on the last line); a boot that never reaches the end of
# the command exits 125 after printing the console log.
#
# Only one VM runs at a time (a lock in the cache directory), -smp 1.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

mode=nvhe

while (($#)); do
	case $1 in
	--mode) mode=$2; shift ;;
	--timeout) timeout=$2; shift ;;
	--results) results=$2; shift ;;
	--) shift; break ;;
	-h | --help) testbed_usage ;;
	*) echo "run-in-arm64-host: unknown option $1" >&2; testbed_usage ;;
	esac
	shift
done
testbed_check_args $#
[[ $mode == nvhe || $mode == vhe ]] || { echo "run-in-arm64-host: --mode nvhe|vhe" >&2; exit 2; }

qemu=${QEMU:-qemu-system-aarch64}
command -v "$qemu" >/dev/null || arm64_skip "arm64 test bed: $qemu not installed (make deps installs scripts/deps/arm64.list)"

set +e
prepared=$("$arm64_dir/prepare.sh")
rc=$?
set -e
((rc == 0)) || { echo "$prepared"; exit "$rc"; }
{ read -r vmlinuz; read -r initrd; } <<<"$prepared"

testbed_results_dir arm64-host output status kvm-mode console.log qemu.log initrd

# The command travels in a second archive appended to the cached initramfs.
mkdir -p "$results/initrd/kmt"
testbed_cmdline "$@" >"$results/initrd/kmt/cmd"
{
	cat "$initrd"
	(cd "$results/initrd" && echo kmt/cmd | cpio -o -H newc --quiet -R 0:0 | gzip -1)
} >"$results/initrd.cpio.gz"

append="console=ttyAMA0 panic=-1 quiet"
[[ $mode == nvhe ]] && append+=" kvm-arm.mode=nvhe"

testbed_run_vm "$cache/vm.lock" nice "$qemu" \
	-M virt,virtualization=on,gic-version=3 -cpu max,pauth-impdef=on -smp 1 -m 1024 \
	-nodefaults -no-reboot -display none -monitor none \
	-serial "file:$results/console.log" \
	-kernel "$vmlinuz" -initrd "$results/initrd.cpio.gz" -append "$append"
rm -rf "$results/initrd" "$results/initrd.cpio.gz"

# /results, as init.sh printed it.
tr -d '\r' <"$results/console.log" 2>/dev/null |
	sed -n '/^KMT-RESULTS-BEGIN$/,/^KMT-RESULTS-END$/{/^KMT-RESULTS-/d;p}' |
	base64 -d 2>/dev/null | tar -xz -C "$results" 2>/dev/null || true
testbed_vm_outcome
status=$(cat "$results/status")
echo "run-in-arm64-host: command exited $status in ${secs}s VM wall time (KVM mode $(cat "$results/kvm-mode"))" >&2
exit "$status"
