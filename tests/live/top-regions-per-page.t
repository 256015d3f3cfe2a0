#!/usr/bin/env bash
# Each vCPU hits its own page: the top regions are those pages with exact
# counts, busiest first, limited by --top, with a p99 each.
source "$(dirname "$0")/lib.sh"
require_live

trace_released_guest 6 --top 2 -- --vcpus 3 --writes 50 --reads 25 --vcpu-stride 0x1000 -name guest=pages
seen=$(report_guest "$work/report" "$guest_pid")
expect_eq "regions listed" 2 "$(jq '.mmio.top_regions | length' <<<"$seen")"
# Equal counts rank by address: the two lowest pages.
expect_eq "regions" '[{"gpa":"0xd0000","exits":75},{"gpa":"0xd1000","exits":75}]' \
	"$(jq -c '[.mmio.top_regions[] | {gpa, exits}]' <<<"$seen")"
expect_eq "every region has a p99" true "$(jq '[.mmio.top_regions[].p99_ns | . > 0] | all' <<<"$seen")"
