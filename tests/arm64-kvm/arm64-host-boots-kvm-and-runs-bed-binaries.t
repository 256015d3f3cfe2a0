#!/usr/bin/env bash
# Proves the test bed itself: Debian's arm64 kernel boots under QEMU TCG with
# EL2, KVM comes up in the mode asked for (VHE here; the scenario tests check
# nVHE), /dev/kvm, the kvm tracepoints kvm-mmio-top uses and the kernel BTF
# are there, the cross-built kvm-mmio-top and test-vmm run (the latter with
# exact counts), files written to $KMT_RESULTS come back, and so do the
# command's output and exit status.
. "$(dirname "$0")/lib.sh"
. "$repo/tests/lib/assert.sh"

results=$(mktemp -d "${TMPDIR:-/tmp}/kmt-arm64bed.XXXXXX")
trap 'rm -rf "$results"' EXIT
out=$("$run_in_arm64_host" --mode vhe --timeout 120 --results "$results" -- sh -c '
	test -c /dev/kvm && echo "have /dev/kvm"
	for e in kvm_exit kvm_entry kvm_mmio kvm_userspace_exit; do
		test -f /sys/kernel/tracing/events/kvm/$e/id && echo "tracepoint kvm:$e"
	done
	test -f /sys/kernel/btf/vmlinux && echo "btf vmlinux"
	kvm-mmio-top --help >/dev/null && echo "kvm-mmio-top runs"
	test-vmm --vcpus 2 --writes 7 --reads 5 --json >"$KMT_RESULTS/vmm.json" && echo "test-vmm exit 0"
	exit 42' 2>&1)
rc=$?
echo "$out"
((rc == 77)) && exit 77
fail=0
expect() {
	if grep -qxF "$1" <<<"$out"; then echo "ok - $1"; else echo "not ok - $1"; fail=1; fi
}
if ((rc == 42)); then echo "ok - exit status 42 of the command came back"; else
	echo "not ok - exit status 42 of the command came back (got $rc)"
	fail=1
fi
if [[ $(cat "$results/kvm-mode" 2>/dev/null) == vhe ]]; then echo "ok - KVM in VHE mode"; else
	echo "not ok - KVM in VHE mode (kernel log says '$(cat "$results/kvm-mode" 2>/dev/null)')"
	fail=1
fi
expect "have /dev/kvm"
for e in kvm_exit kvm_entry kvm_mmio kvm_userspace_exit; do expect "tracepoint kvm:$e"; done
expect "btf vmlinux"
expect "kvm-mmio-top runs"
expect "test-vmm exit 0"
seen=$(jq -c '[.guests[].vcpus[] | [.writes, .reads, .mmio_exits]]' "$results/vmm.json" 2>/dev/null)
if [[ $seen == '[[7,5,12],[7,5,12]]' ]]; then echo "ok - test-vmm JSON came back through \$KMT_RESULTS: 2 vCPUs x (7 writes, 5 reads)"; else
	echo "not ok - test-vmm JSON came back through \$KMT_RESULTS with 2 vCPUs x (7 writes, 5 reads) (got '$seen')"
	fail=1
fi
exit "$fail"
