#!/usr/bin/env bash
# Three concurrent guests with different vCPU counts, reads and writes: the
# report's per-guest and per-vCPU counts equal what each VMM saw, exactly.
source "$(dirname "$0")/lib.sh"
require_live

start_tracer "$work/report" --once --interval 8 --json
start_guest "$work/a" --vcpus 2 --writes 300 --reads 100 -name guest=alpha --wait-file "$work/go" --linger-ms 400
a=$guest_pid
start_guest "$work/b" --vcpus 1 --writes 150 --reads 250 -name guest=beta --wait-file "$work/go" --linger-ms 400
b=$guest_pid
start_guest "$work/c" --vcpus 3 --writes 500 --reads 0 -name guest=gamma --wait-file "$work/go" --linger-ms 400
c=$guest_pid
touch "$work/go"
wait_guest "$a" "$work/a"
wait_guest "$b" "$work/b"
wait_guest "$c" "$work/c"
wait_tracer

for g in a b c; do
	truth=$(jq -c '.guests[0]' "$work/$g")
	expect_counts_match "$truth" "$(report_guest "$work/report" "$(jq .pid <<<"$truth")")"
done
expect_eq "dropped" 0 "$(jq .dropped "$work/report")"
