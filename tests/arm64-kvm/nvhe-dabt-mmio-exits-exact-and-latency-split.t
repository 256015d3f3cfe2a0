#!/usr/bin/env bash
# Proves, on an arm64 KVM host in nVHE mode (kvm-arm.mode=nvhe: the
# hypervisor at EL2, the host kernel at EL1), that kvm-mmio-top counts every
# guest's MMIO exits (data aborts from the guest, ESR class 0x24, that made
# an MMIO access), reads and writes exactly per guest and per vCPU, counts a
# load once although kvm_mmio logs it twice, leaves timer IRQ, HVC, WFI and
# brk exits out, measures the kernel part of each exit, keeps an injected VMM
# delay in the VMM part only, and counts ioeventfd writes as kernel-handled
# with no VMM part. See mmio-scenario.sh / check-scenario.sh.
. "$(dirname "$0")/lib.sh"
run_mmio_scenario nvhe
