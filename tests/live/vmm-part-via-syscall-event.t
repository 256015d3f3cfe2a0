#!/usr/bin/env bash
# Where tracefs is mounted, KVM_RUN re-entry is seen through the cheap
# syscalls:sys_enter_ioctl event, and the VMM part is timed on every exit.
source "$(dirname "$0")/lib.sh"
require_live
tracefs_in_namespace mounted
delay_us=100

trace_released_guest 6 -v -- --writes 60 --reads 40 --delay-us $delay_us -name guest=sysev
grep -q "sys_enter_ioctl=tracepoint" <(jq -r .probes "$work/report") ||
	fail "expected sys_enter_ioctl=tracepoint, probes: $(jq -r .probes "$work/report")"
seen=$(report_guest "$work/report" "$guest_pid")
expect_counts_match "$(jq -c '.guests[0]' "$work/guest")" "$seen"
expect_eq "VMM latency samples" 100 "$(jq .mmio.vmm_latency_ns.count <<<"$seen")"
expect_ge "VMM p50 (ns)" $((delay_us * 1000)) "$(jq .mmio.vmm_latency_ns.p50 <<<"$seen")"
