#!/usr/bin/env bash
# --pid keeps only that VMM (filtered in the kernel); --name keeps guests
# whose name matches the glob.
source "$(dirname "$0")/lib.sh"
require_live

start_guest "$work/a" --writes 40 -name guest=web-1 --wait-file "$work/go" --linger-ms 400
a=$guest_pid
start_guest "$work/b" --writes 60 -name guest=db-1 --wait-file "$work/go" --linger-ms 400
b=$guest_pid
start_tracer "$work/by-pid" --once --interval 5 --json --pid "$a"
by_pid_tracer=$tracer_pid
start_tracer "$work/by-name" --once --interval 5 --json --name 'db*'
touch "$work/go"
wait_guest "$a" "$work/a"
wait_guest "$b" "$work/b"
wait_tracer
tracer_pid=$by_pid_tracer tracer_out=$work/by-pid wait_tracer

expect_eq "--pid: guests" "[$a]" "$(jq -c '[.guests[].pid]' "$work/by-pid")"
expect_counts_match "$(jq -c '.guests[0]' "$work/a")" "$(report_guest "$work/by-pid" "$a")"
expect_eq "--name: guests" "[$b]" "$(jq -c '[.guests[].pid]' "$work/by-name")"
expect_counts_match "$(jq -c '.guests[0]' "$work/b")" "$(report_guest "$work/by-name" "$b")"
