#!/usr/bin/env bash
# 2 guests x 2 vCPUs, W=300 R=200: every vCPU's counts, the guest totals,
# pids, tids, names and GPAs are exactly what was asked.
source "$(dirname "$0")/common.sh"
need_kvm

run_vmm --guests 2 --vcpus 2 --writes 300 --reads 200
echo "$json"

expect_eq "number of guests" 2 "$(field '.guests | length')"
expect_eq "guest names" "vmm-0 vmm-1" "$(field '[.guests[].name] | join(" ")')"
expect_eq "distinct guest pids" 2 "$(field '[.guests[].pid] | unique | length')"
expect_eq "distinct vCPU tids (none a guest pid)" 4 \
	"$(field '[.guests[].pid, .guests[].vcpus[].tid] | unique | length - 2')"

for g in 0 1; do
	expect_eq "guest $g vCPU count" 2 "$(field ".guests[$g].vcpus | length")"
	for v in 0 1; do
		vcpu=".guests[$g].vcpus[$v]"
		expect_eq "guest $g vcpu $v index" $v "$(field "$vcpu.index")"
		expect_eq "guest $g vcpu $v gpa" "0xd${v}000" "$(field "$vcpu.gpa")"
		expect_eq "guest $g vcpu $v writes" 300 "$(field "$vcpu.writes")"
		expect_eq "guest $g vcpu $v reads" 200 "$(field "$vcpu.reads")"
		expect_eq "guest $g vcpu $v mmio_exits" 500 "$(field "$vcpu.mmio_exits")"
		expect_eq "guest $g vcpu $v ioeventfd_writes" 0 "$(field "$vcpu.ioeventfd_writes")"
		expect_eq "guest $g vcpu $v vmm_busy_ns" 0 "$(field "$vcpu.vmm_busy_ns")"
	done
	expect_eq "guest $g writes" 600 "$(field ".guests[$g].writes")"
	expect_eq "guest $g reads" 400 "$(field ".guests[$g].reads")"
	expect_eq "guest $g mmio_exits" 1000 "$(field ".guests[$g].mmio_exits")"
	expect_ge "guest $g elapsed_ns" 1 "$(field ".guests[$g].elapsed_ns")"
done
echo "PASS: 2 guests x 2 vCPUs saw exactly 300 writes and 200 reads each"
