#!/usr/bin/env bash
# Debian's real node_exporter reads our textfile: every guest's
# kvm_mmio_exits_total per direction, and where the exits were completed
# (ioeventfd writes in the kernel), equal test-vmm's ground truth, the
# collector reports no scrape error, and promtool finds no problem in the
# textfile nor in the --listen endpoint.
source "$(dirname "$0")/common.sh"
NODE_EXPORTER=${NODE_EXPORTER:-/usr/bin/prometheus-node-exporter}
[[ -x $NODE_EXPORTER ]] || skip "$NODE_EXPORTER not installed (apt-get install prometheus-node-exporter)"

dir=$work/textfiles
mkdir "$dir"
listen_port=$(free_port)
start_exporter --textfile-dir "$dir" --listen "127.0.0.1:$listen_port" -i 0.2 --bpf-stats

# Guests linger so the tracer learns their names while they live.
"$VMM" --json --guests 3 --vcpus 2 --writes 1234 --reads 567 --ioeventfd-writes 89 \
	--linger-ms 600 >"$work/vmm.json" ||
	fail "test-vmm failed"
json=$(cat "$work/vmm.json")
[[ $(jq '.guests | length' <<<"$json") == 3 ]] || fail "test-vmm JSON: $json"

# The textfile has every guest's final counts within a few intervals.
all_written() {
	local pid
	for pid in $(jq -r '.guests[].pid' <<<"$json"); do
		[[ $(value "$dir/kvm_mmio.prom" kvm_mmio_exits_total pid="$pid" direction=read) == 1134 ]] ||
			return 1
	done
}
wait_for 10 "all guests' final counts in $dir/kvm_mmio.prom" all_written

node_port=$(free_port)
"$NODE_EXPORTER" --web.listen-address="127.0.0.1:$node_port" --collector.disable-defaults \
	--collector.textfile --collector.textfile.directory="$dir" 2>"$work/node.err" &
children+=($!)
wait_for 10 "node_exporter to serve on port $node_port" \
	curl -sf -o "$work/node.txt" "http://127.0.0.1:$node_port/metrics"

for g in 0 1 2; do
	pid=$(jq -r ".guests[$g].pid" <<<"$json")
	name=$(jq -r ".guests[$g].name" <<<"$json")
	expect_eq "guest $name (pid $pid) reads seen by node_exporter" \
		"$(jq -r ".guests[$g].reads" <<<"$json")" \
		"$(value "$work/node.txt" kvm_mmio_exits_total guest="$name" pid="$pid" direction=read)"
	expect_eq "guest $name (pid $pid) writes, ioeventfd ones included" \
		"$(jq -r ".guests[$g].writes + .guests[$g].ioeventfd_writes" <<<"$json")" \
		"$(value "$work/node.txt" kvm_mmio_exits_total guest="$name" pid="$pid" direction=write)"
	expect_eq "guest $name exits completed in the kernel (ioeventfd)" \
		"$(jq -r ".guests[$g].ioeventfd_writes" <<<"$json")" \
		"$(value "$work/node.txt" kvm_mmio_handled_total guest="$name" pid="$pid" where=kernel)"
	expect_eq "guest $name VMM-handled exits" "$(jq -r ".guests[$g].mmio_exits" <<<"$json")" \
		"$(value "$work/node.txt" kvm_mmio_handled_total guest="$name" pid="$pid" where=vmm)"
	expect_eq "guest $name VMM latency histogram count" \
		"$(jq -r ".guests[$g].mmio_exits" <<<"$json")" \
		"$(value "$work/node.txt" kvm_mmio_vmm_latency_seconds_count guest="$name" pid="$pid")"
done
# Our BPF programs' own cost (--bpf-stats) covers at least every exit.
runs=$(awk '/^kvm_mmio_exporter_bpf_prog_runs_total\{/ { n += $2 } END { print n + 0 }' "$work/node.txt")
exits=$(jq '[.guests[].mmio_exits] | add' <<<"$json")
((runs >= exits)) || fail "kvm_mmio_exporter_bpf_prog_runs_total: expected at least $exits runs in all, saw $runs"
expect_eq "node_textfile_scrape_error" 0 "$(awk '/^node_textfile_scrape_error /{print $2}' "$work/node.txt")"

cp "$dir/kvm_mmio.prom" "$work/file.txt"
promtool_clean "the textfile" "$work/file.txt"
curl -sf -o "$work/listen.txt" "http://127.0.0.1:$listen_port/metrics" || fail "GET /metrics failed"
promtool_clean "the --listen endpoint" "$work/listen.txt"
promtool_clean "node_exporter's exposition" "$work/node.txt"
no_complaints
echo "PASS: node_exporter shows exactly test-vmm's counts for 3 guests; promtool clean"
