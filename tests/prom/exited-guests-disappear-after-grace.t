#!/usr/bin/env bash
# An exited guest's series stay for the --grace period (so its last counts
# are scraped) and then disappear, while a guest that lives on stays.
source "$(dirname "$0")/common.sh"

port=$(free_port)
start_exporter --listen "$port" -i 0.1 --grace 2
"$VMM" --json --writes 10 -name guest=short --linger-ms 300 >"$work/short.json" || fail "test-vmm failed"
"$VMM" --json --writes 10 -name guest=long --linger-ms 4000 >"$work/long.json" &
children+=($!)
short=$(jq -r '.guests[0].pid' "$work/short.json")

scrape() {
	curl -sf -o "$work/m.txt" "http://127.0.0.1:$port/metrics"
}
has_guest() {
	scrape && grep -q "^kvm_mmio_exits_total{guest=\"$1\"" "$work/m.txt"
}
lacks_guest() {
	scrape && ! grep -q "guest=\"$1\"" "$work/m.txt"
}
wait_for 3 "the long guest's series" has_guest long
has_guest short || fail "the short guest's series vanished before the 2 s grace period ended"
expect_eq "short guest's writes" 10 "$(value "$work/m.txt" kvm_mmio_exits_total pid="$short" direction=write)"
wait_for 6 "the short guest's series to disappear after the grace period" lacks_guest short
has_guest long || fail "the long-lived guest's series disappeared"
echo "PASS: exited guest kept through the grace period, then dropped; live guest kept"
