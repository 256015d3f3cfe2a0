#!/usr/bin/env bash
# The guest loops on 32-bit ECX: counts above 65535 are exact, not wrapped.
source "$(dirname "$0")/common.sh"
need_kvm

run_vmm --writes 70000 --reads 3 --ioeventfd-writes 66000
echo "$json"

expect_eq "writes" 70000 "$(field '.guests[0].writes')"
expect_eq "reads" 3 "$(field '.guests[0].reads')"
expect_eq "mmio_exits" 70003 "$(field '.guests[0].mmio_exits')"
expect_eq "ioeventfd_writes" 66000 "$(field '.guests[0].ioeventfd_writes')"
echo "PASS: 70000 writes and 66000 ioeventfd writes counted exactly"
