#!/usr/bin/env bash
# timeout: 60
# Batch mode, as top -b: -b -n COUNT prints COUNT table reports (and with
# --json COUNT JSON lines that parse), then exits 0; -p takes several pids
# (repeated, or a comma list) and keeps exactly those guests, filtered in
# the kernel.
source "$(dirname "$0")/lib.sh"
require_live

"$TOP" -b -n 2 -d 0.3 >"$work/tables" 2>"$work/tables.err" ||
	fail "-b -n 2 exited $?: $(cat "$work/tables.err")"
expect_eq "table reports for -b -n 2" 2 "$(grep -cE '^PID +NAME +VCPUS' "$work/tables")"
"$TOP" -b -n 3 -d 0.2 --json >"$work/json" 2>"$work/json.err" ||
	fail "-b -n 3 --json exited $?: $(cat "$work/json.err")"
expect_eq "JSON lines for -n 3" 3 "$(wc -l <"$work/json")"
expect_eq "every line parses as a report" 3 "$(jq -c 'select(.guests and .interval_s)' "$work/json" | wc -l)"

start_guest "$work/a" --writes 30 -name guest=plist-a --wait-file "$work/go" --linger-ms 400
a=$guest_pid
start_guest "$work/b" --writes 40 -name guest=plist-b --wait-file "$work/go" --linger-ms 400
b=$guest_pid
start_guest "$work/c" --writes 50 -name guest=plist-c --wait-file "$work/go" --linger-ms 400
c=$guest_pid
start_tracer "$work/report" -b -n 1 -d 4 --json -p "$a" -p "$c,$a"
touch "$work/go"
for g in a b c; do
	wait_guest "${!g}" "$work/$g"
done
wait_tracer
expect_eq "guests for -p $a -p $c,$a" "[$a,$c]" "$(jq -c '[.guests[].pid] | sort' "$work/report")"
expect_counts_match "$(jq -c '.guests[0]' "$work/a")" "$(report_guest "$work/report" "$a")"
expect_counts_match "$(jq -c '.guests[0]' "$work/c")" "$(report_guest "$work/report" "$c")"
