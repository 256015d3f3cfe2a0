#!/usr/bin/env bash
# When a BPF map is full the events that do not fit are counted, and every
# output says so: with --max-vcpus 1 and a guest of 3 vCPUs, the JSON's
# drops.vcpu_stats_full and dropped (their sum) are non-zero, the table's
# title line shows the same kind of non-zero "dropped", and the exporter's
# kvm_mmio_exporter_dropped_events_total{reason="vcpu_stats_full"} is too.
# The one-shot runs read after 8 s: the guest runs once both are attached,
# which takes seconds in an emulated test bed.
source "$(dirname "$0")/../prom/common.sh"

mkdir "$work/textfiles"
start_exporter --textfile-dir "$work/textfiles" -i 0.2 --max-vcpus 1
start_tracer "$work/json" --once -i 8 --json --max-vcpus 1
json_pid=$tracer_pid
start_tracer "$work/table" --once -i 8 --max-vcpus 1
table_pid=$tracer_pid
"$VMM" --json --vcpus 3 --writes 200 -name guest=full --linger-ms 300 >"$work/vmm.json" ||
	fail "test-vmm failed"
wait "$json_pid" || fail "the JSON run failed: $(cat "$work/json.err")"
wait "$table_pid" || fail "the table run failed: $(cat "$work/table.err")"

full=$(jq .drops.vcpu_stats_full "$work/json")
expect_ge "JSON drops.vcpu_stats_full" 1 "$full"
expect_eq "JSON dropped is the sum of drops.*" "$(jq '[.drops[]] | add' "$work/json")" "$(jq .dropped "$work/json")"
table_dropped=$(sed -n 's/.*  dropped \([0-9]\+\)$/\1/p' "$work/table" | head -n 1)
expect_ge "table: dropped" 1 "${table_dropped:-0}"
file=$work/textfiles/kvm_mmio.prom
prom_full() { awk '/^kvm_mmio_exporter_dropped_events_total\{reason="vcpu_stats_full"\}/ { print $2 }' "$file"; }
wait_for 10 "vcpu_stats_full drops in the textfile" bash -c "(( \$(awk '/^kvm_mmio_exporter_dropped_events_total\\{reason=\"vcpu_stats_full\"\\}/ { print \$2 }' '$file') > 0 ))"
expect_ge "Prometheus dropped_events_total{reason=vcpu_stats_full}" 1 "$(prom_full)"
echo "PASS: a full vcpu_stats map is counted in the JSON ($full), the table ($table_dropped) and Prometheus ($(prom_full))"
