#!/usr/bin/env bash
# Short intervals cut the exits of a busy guest anywhere, also between an
# access and its exit to the VMM. Every interval's figures still agree
# (kernel_handled + vmm_handled == exits == reads + writes, per guest and per
# vCPU, nothing wrapped below zero), and the intervals add up exactly to the
# test VMM's own counts: nothing is lost or counted twice at the seams.
source "$(dirname "$0")/lib.sh"
require_live

start_tracer "$work/report" --interval 0.05 --json
start_guest "$work/guest" --vcpus 2 --writes 100000 --reads 100000 --ioeventfd-writes 20000 \
	--wait-file "$work/go" --linger-ms 300 -name guest=seams
touch "$work/go"
wait_guest "$guest_pid" "$work/guest"
sleep 0.3	# a few more intervals, after the guest's last exit
kill -INT "$tracer_pid"
wait_tracer

truth=$(jq -c '.guests[0]' "$work/guest")
mine=$(jq -c --argjson pid "$guest_pid" '.guests[] | select(.pid == $pid)' "$work/report")
intervals=$(grep -c . <<<"$mine")
expect_ge "intervals the guest was active in" 20 "$intervals"

bad=$(jq -c 'select(.mmio.kernel_handled + .mmio.vmm_handled != .mmio.exits
		or .mmio.reads + .mmio.writes != .mmio.exits
		or .mmio.exits >= 9007199254740992
		or any(.per_vcpu[]; .reads + .writes != .exits or .vmm_handled > .exits))
		| .mmio' <<<"$mine" | head -n 3)
[[ -z $bad ]] || fail "intervals whose figures disagree: $bad"
echo "ok: all $intervals intervals agree with themselves"

sum() { jq -s "map($1) | add" <<<"$mine"; }
expect_eq "exits summed over intervals" "$(jq '.reads + .writes + .ioeventfd_writes' <<<"$truth")" \
	"$(sum .mmio.exits)"
expect_eq "reads summed" "$(jq .reads <<<"$truth")" "$(sum .mmio.reads)"
expect_eq "writes summed" "$(jq '.writes + .ioeventfd_writes' <<<"$truth")" "$(sum .mmio.writes)"
expect_eq "vmm_handled summed" "$(jq .mmio_exits <<<"$truth")" "$(sum .mmio.vmm_handled)"
expect_eq "kernel_handled summed" "$(jq .ioeventfd_writes <<<"$truth")" \
	"$(sum .mmio.kernel_handled)"
expect_eq "dropped over all intervals" 0 "$(jq -s 'map(.dropped) | add' "$work/report")"
