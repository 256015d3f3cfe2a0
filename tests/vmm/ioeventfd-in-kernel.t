#!/usr/bin/env bash
# Writes to an ioeventfd GPA complete in the kernel: with K=40 W=10 on two
# vCPUs the VMM sees only the 10 MMIO exits per vCPU, while each vCPU's
# eventfd counts 40 writes delivered at its own GPA.
source "$(dirname "$0")/common.sh"
need_kvm

run_vmm --vcpus 2 --writes 10 --ioeventfd-writes 40
echo "$json"

for v in 0 1; do
	vcpu=".guests[0].vcpus[$v]"
	expect_eq "vcpu $v mmio_exits" 10 "$(field "$vcpu.mmio_exits")"
	expect_eq "vcpu $v ioeventfd_writes" 40 "$(field "$vcpu.ioeventfd_writes")"
	expect_eq "vcpu $v ioeventfd_gpa" "0xe${v}000" "$(field "$vcpu.ioeventfd_gpa")"
done
expect_eq "guest mmio_exits" 20 "$(field '.guests[0].mmio_exits')"
expect_eq "guest ioeventfd_writes" 80 "$(field '.guests[0].ioeventfd_writes')"
echo "PASS: 40 ioeventfd writes per vCPU, none of them exited to the VMM"
