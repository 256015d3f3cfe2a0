#!/usr/bin/env bash
# Writes to an ioeventfd complete in the kernel: counted as MMIO exits,
# kernel-handled, with no VMM-part latency sample of their own.
source "$(dirname "$0")/lib.sh"
require_live

start_tracer "$work/report" --once --interval 6 --json
start_guest "$work/io" --vcpus 2 --writes 20 --reads 10 --ioeventfd-writes 100 -name guest=io --wait-file "$work/go" --linger-ms 400
io=$guest_pid
touch "$work/go"
wait_guest "$io" "$work/io"
wait_tracer

seen=$(report_guest "$work/report" "$io")
expect_counts_match "$(jq -c '.guests[0]' "$work/io")" "$seen"
expect_eq "io: kernel_handled" 200 "$(jq .mmio.kernel_handled <<<"$seen")"
expect_eq "io: VMM latency samples" 60 "$(jq .mmio.vmm_latency_ns.count <<<"$seen")"
