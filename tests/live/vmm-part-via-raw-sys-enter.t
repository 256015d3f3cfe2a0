#!/usr/bin/env bash
# Without tracefs the syscall event cannot be attached: raw_syscalls:sys_enter
# takes over, and the VMM part is still timed on every exit.
source "$(dirname "$0")/lib.sh"
require_live
tracefs_in_namespace hidden
delay_us=100

trace_released_guest 6 -v -- --writes 60 --reads 40 --delay-us $delay_us -name guest=rawsys
grep -qE "(^| )sys_enter=(tp_btf|raw_tp)" <(jq -r .probes "$work/report") ||
	fail "expected sys_enter=tp_btf or raw_tp, probes: $(jq -r .probes "$work/report")"
seen=$(report_guest "$work/report" "$guest_pid")
expect_counts_match "$(jq -c '.guests[0]' "$work/guest")" "$seen"
expect_eq "VMM latency samples" 100 "$(jq .mmio.vmm_latency_ns.count <<<"$seen")"
expect_ge "VMM p50 (ns)" $((delay_us * 1000)) "$(jq .mmio.vmm_latency_ns.p50 <<<"$seen")"
