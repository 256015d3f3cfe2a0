#!/usr/bin/env bash
# A guest process that starts (not just runs) a second after the tracer
# attached is counted in full.
source "$(dirname "$0")/lib.sh"
require_live

start_tracer "$work/report" --once --interval 6 --json
sleep 1
start_guest "$work/late" --vcpus 2 --writes 222 --reads 111 -name guest=late --linger-ms 400
late=$guest_pid
wait_guest "$late" "$work/late"
wait_tracer
expect_counts_match "$(jq -c '.guests[0]' "$work/late")" "$(report_guest "$work/report" "$late")"
