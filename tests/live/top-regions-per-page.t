#!/usr/bin/env bash
# Each vCPU hits its own page: the top regions are those pages with exact
# counts, busiest first, limited by --top, with a p99 each.
source "$(dirname "$0")/lib.sh"
require_live

start_tracer "$work/report" --once --interval 6 --json --top 2
start_guest "$work/g" --vcpus 3 --writes 50 --reads 25 --vcpu-stride 0x1000 -name guest=pages --wait-file "$work/go" --linger-ms 400
g=$guest_pid
touch "$work/go"
wait_guest "$g" "$work/g"
wait_tracer

seen=$(report_guest "$work/report" "$g")
expect_eq "regions listed" 2 "$(jq '.mmio.top_regions | length' <<<"$seen")"
# Equal counts rank by address: the two lowest pages.
expect_eq "regions" '[{"gpa":"0xd0000","exits":75},{"gpa":"0xd1000","exits":75}]' \
	"$(jq -c '[.mmio.top_regions[] | {gpa, exits}]' <<<"$seen")"
expect_eq "every region has a p99" true "$(jq '[.mmio.top_regions[].p99_ns | . > 0] | all' <<<"$seen")"
