#!/bin/busybox sh
# PID 1 of the arm64 KVM test bed (docs/testbeds.md), run by busybox sh from
# the initramfs prepare.sh builds, on Debian's arm64 kernel under
# qemu-system-aarch64 -M virt,virtualization=on (KVM is built in):
#
#   1. installs busybox's applets in /bin, mounts proc, sysfs, devtmpfs,
#      tracefs, debugfs, bpffs and tmpfs (/tmp, /run);
#   2. records KVM's mode from the kernel log in /results/kvm-mode (nvhe,
#      vhe or protected);
#   3. runs ONE command, /kmt/cmd (put there by run-in-arm64-host.sh in a
#      second initramfs archive), as sh -c, with stdout and stderr to
#      /results/output, PATH starting with /kmt/bin (kvm-mmio-top, test-vmm,
#      mmio-scenario.sh) and KMT_RESULTS=/results;
#   4. writes its exit status to /results/status, prints /results as a
#      gzipped tar in base64 between KMT-RESULTS-BEGIN and KMT-RESULTS-END
#      lines on the console, and powers off.
#
# A failure before the command leaves no status, which run-in-arm64-host.sh
# reports as a test-bed failure with the console log.
/bin/busybox --install -s /bin
export PATH=/kmt/bin:/bin LD_LIBRARY_PATH=/lib/aarch64-linux-gnu HOME=/run TMPDIR=/tmp

say() { echo "kmt-init[$(cut -d' ' -f1 /proc/uptime)]: $*"; }
off() {
	sync
	poweroff -f
	sleep 60
}

mount -t proc proc /proc || off
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
mount -t tracefs tracefs /sys/kernel/tracing
mount -t debugfs debugfs /sys/kernel/debug
mount -t bpf bpf /sys/fs/bpf
mount -t tmpfs tmpfs /tmp
mount -t tmpfs tmpfs /run
mkdir -p /results

case $(dmesg | grep 'kvm \[') in
*"Protected nVHE mode initialized"*) mode=protected ;;
*"VHE mode initialized"*) mode=vhe ;;
*"Hyp mode initialized"*) mode=nvhe ;;
*) mode=none ;;
esac
echo "$mode" >/results/kvm-mode
say "started: $(uname -r), KVM mode $mode"

if [ -f /kmt/cmd ]; then
	say "running command"
	(cd /kmt && KMT_RESULTS=/results KMT_IN_ARM64_HOST=1 sh -c "$(cat /kmt/cmd)") >/results/output 2>&1
	rc=$?
	echo "$rc" >/results/status
	say "command exited with status $rc"
else
	say "no /kmt/cmd: nothing to run"
fi
echo KMT-RESULTS-BEGIN
tar -C /results -c . | gzip -1 | base64
echo KMT-RESULTS-END
say "powering off"
off
