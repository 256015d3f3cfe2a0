#!/usr/bin/env bash
# --delay-us D busy-waits D us per MMIO exit: W=50, D=200 takes at least
# 50 * 200 us, and the VMM accounts at least that as vmm_busy_ns.
source "$(dirname "$0")/common.sh"
need_kvm

run_vmm --writes 50 --delay-us 200
echo "$json"

expect_eq "delay_us" 200 "$(field '.guests[0].delay_us')"
expect_eq "mmio_exits" 50 "$(field '.guests[0].mmio_exits')"
expect_ge "elapsed_ns" $((50 * 200 * 1000)) "$(field '.guests[0].elapsed_ns')"
expect_ge "vmm_busy_ns" $((50 * 200 * 1000)) "$(field '.guests[0].vcpus[0].vmm_busy_ns')"
echo "PASS: 50 exits with 200 us delay took $(field '.guests[0].elapsed_ns') ns"
