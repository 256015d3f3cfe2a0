#!/usr/bin/env bash
# Guests that exit right after their last MMIO exit, while the exporter reads
# the maps every 10 ms and writes (fsyncs) its textfile in between: every exit
# is still counted. Reaping a guest found dead after a read would delete the
# exits it made between that read and its death.
source "$(dirname "$0")/common.sh"

dir=$work/textfiles
mkdir "$dir"
port=$(free_port)
start_exporter --textfile-dir "$dir" --listen "127.0.0.1:$port" -i 0.01
for round in 1 2 3; do
	"$VMM" --json --guests 8 --writes 3000 --reads 1000 -name guest=r$round \
		>"$work/r$round.json" || fail "test-vmm round $round failed"
done
sleep 0.5
curl -sf -o "$work/m.txt" "http://127.0.0.1:$port/metrics" || fail "GET /metrics failed"
for round in 1 2 3; do
	for pid in $(jq -r '.guests[].pid' "$work/r$round.json"); do
		for dirn in read write; do
			expect_eq "round $round guest pid $pid ${dirn}s" \
				"$(jq -r ".guests[] | select(.pid == $pid) | .${dirn}s" "$work/r$round.json")" \
				"$(value "$work/m.txt" kvm_mmio_exits_total pid="$pid" direction=$dirn)"
		done
	done
done
echo "PASS: 24 guests exiting right after their last exit, every exit counted"
