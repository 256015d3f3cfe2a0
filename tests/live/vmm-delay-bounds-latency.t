#!/usr/bin/env bash
# A VMM that busy-waits 200 us on every MMIO exit: its VMM-part latency is at
# least the delay and at most twice it at p50 (stated bound for a loaded
# 2-core host), its sum covers the VMM's own busy time, and a concurrent
# guest without delay is not mixed into it.
source "$(dirname "$0")/lib.sh"
require_live
delay_us=200

start_tracer "$work/report" --once --interval 8 --json
start_guest "$work/slow" --writes 150 --reads 50 --delay-us $delay_us -name guest=slow --wait-file "$work/go" --linger-ms 400
slow=$guest_pid
start_guest "$work/fast" --writes 150 --reads 50 -name guest=fast --wait-file "$work/go" --linger-ms 400
fast=$guest_pid
touch "$work/go"
wait_guest "$slow" "$work/slow"
wait_guest "$fast" "$work/fast"
wait_tracer

seen=$(report_guest "$work/report" "$slow")
expect_counts_match "$(jq -c '.guests[0]' "$work/slow")" "$seen"
expect_eq "slow: latency samples" 200 "$(jq .mmio.vmm_latency_ns.count <<<"$seen")"
p50=$(jq .mmio.vmm_latency_ns.p50 <<<"$seen")
((p50 >= delay_us * 1000)) || fail "slow: VMM p50 ${p50} ns is below the injected ${delay_us} us"
((p50 <= 2 * delay_us * 1000)) || fail "slow: VMM p50 ${p50} ns is above 2 x ${delay_us} us"
sum=$(jq .mmio.vmm_latency_ns.sum <<<"$seen")
busy=$(jq '[.guests[0].vcpus[].vmm_busy_ns] | add' "$work/slow")
((sum >= busy)) || fail "slow: VMM latency sum ${sum} ns is below the VMM's busy time ${busy} ns"
echo "ok: slow p50=${p50} ns, sum=${sum} ns >= busy=${busy} ns"

fast_p50=$(jq .mmio.vmm_latency_ns.p50 <<<"$(report_guest "$work/report" "$fast")")
((fast_p50 < delay_us * 1000)) || fail "fast: VMM p50 ${fast_p50} ns looks like the slow guest's"
echo "ok: fast p50=${fast_p50} ns"
