#!/usr/bin/env bash
# Proves the test bed itself, without any project binary: the stock Debian
# kernel boots under QEMU TCG with an SVM CPU, kvm_amd loads with nested paging
# and /dev/kvm exists, the kvm:kvm_exit / kvm:kvm_entry tracepoints and the
# kernel BTF are there, the checkout is visible at the same path in the
# read-only 9p chroot, the results share is writable, and the command's output
# and exit status come back to the host.
. "$(dirname "$0")/lib.sh"

out=$("$run_in_svm_host" --timeout 120 -- sh -c '
	set -e
	test -c /dev/kvm && echo "have /dev/kvm"
	echo "kvm_amd npt=$(cat /sys/module/kvm_amd/parameters/npt)"
	for e in kvm_exit kvm_entry kvm_mmio kvm_userspace_exit; do
		test -f /sys/kernel/tracing/events/kvm/$e/id && echo "tracepoint kvm:$e"
	done
	for b in vmlinux kvm kvm_amd; do test -f /sys/kernel/btf/$b && echo "btf $b"; done
	test -f tests/x86-kvm/lib.sh && echo "checkout at $(pwd)"
	if touch /usr/kmt-should-fail 2>/dev/null; then echo "host root WRITABLE"; fi
	echo shared >"$KMT_RESULTS/probe" && echo "results share writable"
	exit 42' 2>&1)
rc=$?
echo "$out"
fail=0
expect() {
	if grep -qxF "$1" <<<"$out"; then echo "ok - $1"; else echo "not ok - $1"; fail=1; fi
}
if ((rc == 77)); then exit 77; fi
if ((rc == 42)); then echo "ok - exit status 42 of the command came back"; else
	echo "not ok - exit status 42 of the command came back (got $rc)"
	fail=1
fi
expect "have /dev/kvm"
expect "kvm_amd npt=Y"
for e in kvm_exit kvm_entry kvm_mmio kvm_userspace_exit; do expect "tracepoint kvm:$e"; done
for b in vmlinux kvm kvm_amd; do expect "btf $b"; done
expect "checkout at $repo_root"
expect "results share writable"
if grep -q "host root WRITABLE" <<<"$out"; then echo "not ok - host root is read-only"; fail=1; fi
exit "$fail"
