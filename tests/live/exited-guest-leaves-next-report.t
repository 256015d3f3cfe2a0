#!/usr/bin/env bash
# A guest that exits during the first interval is in the first report with
# its exact counts and gone from the second; a guest still running stays.
source "$(dirname "$0")/lib.sh"
require_live

start_guest "$work/stay" --writes 10 -name guest=stay --wait-file "$work/never"
stay=$guest_pid
start_tracer "$work/report" --iterations 2 --interval 3 --json
start_guest "$work/gone" --writes 120 --reads 30 -name guest=gone --linger-ms 300
gone=$guest_pid
wait_guest "$gone" "$work/gone"
wait_tracer

expect_eq "reports" 2 "$(wc -l <"$work/report")"
expect_counts_match "$(jq -c '.guests[0]' "$work/gone")" "$(report_guest "$work/report" "$gone")"
second=$(sed -n 2p "$work/report" | jq -c --argjson pid "$gone" '[.guests[] | select(.pid == $pid)] | length')
expect_eq "exited guest in the second report" 0 "$second"
kill -0 "$stay" || fail "the waiting guest died"
