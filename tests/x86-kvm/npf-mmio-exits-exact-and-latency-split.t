#!/usr/bin/env bash
# Proves, on a hardware-style KVM host with nested paging (kvm_amd, npt=Y,
# MMIO exits are "npf" kvm_exits), that kvm-mmio-top uses the kvm_exit/kvm_entry
# backend, counts every guest's MMIO exits, reads and writes exactly (timer and
# hlt exits not counted), measures the kernel part of each exit, keeps an
# injected VMM delay in the VMM part only, and counts ioeventfd writes as
# kernel-handled with no VMM part. See mmio-scenario.sh / check-scenario.sh.
. "$(dirname "$0")/lib.sh"
run_mmio_scenario npt
