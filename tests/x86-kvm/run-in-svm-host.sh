#!/usr/bin/env bash
# Run one command inside a hardware-style KVM host: a stock Debian x86_64
# kernel booted under QEMU TCG with an AMD SVM CPU model, kvm_amd loaded, the
# host's root filesystem mounted read-only over 9p and chroot'ed into.
#
#   run-in-svm-host.sh [--no-npt] [--smp N] [--lockdown MODE] [--timeout SEC]
#                      [--results DIR] -- CMD...
#
#   --no-npt       CPU without nested paging: KVM uses shadow paging and MMIO
#                  exits show up as "PF excp" instead of "npf"
#   --smp N        N CPUs (default 1), each a host thread of QEMU's
#                  multi-threaded TCG: vCPUs of a guest inside run in parallel
#   --lockdown MODE  boot with lockdown=MODE (integrity or confidentiality):
#                  the kernel lockdown LSM in force from boot, as Secure Boot
#                  or a hardened host sets it; /sys/kernel/security/lockdown
#                  shows it
#   --timeout SEC  bound on boot + command + power-off (default 300); when it
#                  expires QEMU is killed, the console log tail is printed and
#                  the exit status is 124
#   --results DIR  read-write share, seen inside as $KMT_RESULTS
#                  (/run/kmt-results); kept afterwards. Default: a temporary
#                  directory removed on exit
#
# CMD runs under /bin/sh in the current directory (the same path exists inside
# since the host root is shared), so build/... binaries run unchanged. Its
# stdout+stderr are printed after the VM powers off and its exit status is
# this script's exit status. 77 means the test bed is unavailable (reason on
# the last line); a boot that never reaches the command exits 125 after
# printing the console log.
#
# Only one VM runs at a time (a lock in the cache directory).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/lib/testbed.sh
. "$here/../lib/testbed.sh"
npt=1
smp=1
lockdown=

while (($#)); do
	case $1 in
	--no-npt) npt=0 ;;
	--smp) smp=$2; shift ;;
	--lockdown) lockdown=$2; shift ;;
	--timeout) timeout=$2; shift ;;
	--timeout=*) timeout=${1#*=} ;;
	--results) results=$2; shift ;;
	--results=*) results=${1#*=} ;;
	--) shift; break ;;
	-h | --help) testbed_usage ;;
	*) echo "run-in-svm-host: unknown option $1" >&2; testbed_usage ;;
	esac
	shift
done
testbed_check_args $#
[[ $smp =~ ^[1-8]$ ]] || { echo "run-in-svm-host: bad --smp $smp (1..8)" >&2; exit 2; }
[[ $lockdown =~ ^(|integrity|confidentiality)$ ]] ||
	{ echo "run-in-svm-host: bad --lockdown $lockdown (integrity or confidentiality)" >&2; exit 2; }

qemu=${QEMU:-qemu-system-x86_64}
command -v "$qemu" >/dev/null || { echo "x86-kvm test bed: $qemu not installed"; exit 77; }

set +e
initrd=$("$here/prepare.sh")
rc=$?
set -e
((rc == 0)) || exit "$rc"
dir=$(dirname "$initrd")

testbed_results_dir svm-host cmd cwd output status console.log
testbed_cmdline "$@" >"$results/cmd"
pwd >"$results/cwd"

cpu=qemu64,+svm
((npt)) && cpu+=,+npt || cpu+=,-npt

testbed_run_vm "$(dirname "$dir")/vm.lock" "$qemu" \
	-accel tcg,thread=multi -cpu "$cpu" -smp "$smp" -m 1024 \
	-nodefaults -no-reboot -display none -monitor none \
	-serial "file:$results/console.log" \
	-kernel "$dir/vmlinuz" -initrd "$initrd" \
	-append "console=ttyS0 panic=-1 quiet${lockdown:+ lockdown=$lockdown}" \
	-virtfs local,path=/,mount_tag=hostroot,security_model=none,readonly=on,multidevs=remap \
	-virtfs "local,path=${results//,/,,},mount_tag=results,security_model=none,multidevs=remap"
testbed_vm_outcome
status=$(cat "$results/status")
echo "run-in-svm-host: command exited $status in ${secs}s VM wall time ($( ((npt)) && echo npt || echo no-npt), $smp CPU(s)${lockdown:+, lockdown=$lockdown})" >&2
exit "$status"
