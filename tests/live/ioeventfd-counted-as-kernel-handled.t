#!/usr/bin/env bash
# Writes to an ioeventfd complete in the kernel: counted as MMIO exits,
# kernel-handled, with no VMM-part latency sample of their own.
source "$(dirname "$0")/lib.sh"
require_live

trace_released_guest 6 -- --vcpus 2 --writes 20 --reads 10 --ioeventfd-writes 100 -name guest=io
seen=$(report_guest "$work/report" "$guest_pid")
expect_counts_match "$(jq -c '.guests[0]' "$work/guest")" "$seen"
expect_eq "io: kernel_handled" 200 "$(jq .mmio.kernel_handled <<<"$seen")"
expect_eq "io: VMM latency samples" 60 "$(jq .mmio.vmm_latency_ns.count <<<"$seen")"
