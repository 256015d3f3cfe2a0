#!/usr/bin/env bash
# --touch-pages: every vCPU stores into each of its fresh pages before its
# MMIO work (the VMM checks each page's first byte and fails otherwise), and
# those stores go to RAM: the MMIO counts stay exactly what was asked.
source "$(dirname "$0")/common.sh"
need_kvm

run_vmm --vcpus 2 --touch-pages 40 --writes 10 --reads 5
echo "$json"
for v in 0 1; do
	expect_eq "vcpu $v mmio_exits" 15 "$(field ".guests[0].vcpus[$v].mmio_exits")"
done
expect_eq "guest mmio_exits" 30 "$(field '.guests[0].mmio_exits')"
echo "PASS: 2 x 40 fresh pages stored into, MMIO counts unchanged"
