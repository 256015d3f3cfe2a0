#!/usr/bin/env bash
# Without --json a readable table: a header and one row per guest with its
# name and exact read and write counts.
source "$(dirname "$0")/lib.sh"
require_live

start_tracer "$work/table" --once --interval 5
start_guest "$work/guest" --writes 77 --reads 33 -name guest=tabled --wait-file "$work/go" --linger-ms 400
touch "$work/go"
wait_guest "$guest_pid" "$work/guest"
wait_tracer
cat "$work/table"
grep -qE '^PID +NAME +VCPUS +EXITS/s +READS +WRITES' "$work/table" || fail "no table header"
grep -qE "^$guest_pid +tabled +1 +[0-9]+ +33 +77 " "$work/table" ||
	fail "no row for pid $guest_pid with 33 reads and 77 writes"
