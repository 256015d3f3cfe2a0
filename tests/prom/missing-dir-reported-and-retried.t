#!/usr/bin/env bash
# A missing textfile directory: the exporter keeps tracing, says so once
# (not every interval), counts the failures in
# kvm_mmio_exporter_errors_total{op="write"}, and writes the file as soon as
# the directory appears.
# shellcheck disable=SC2034 # read by common.sh: no guest runs here
KMT_PROM_NO_KVM=1
source "$(dirname "$0")/common.sh"

dir=$work/not-yet
start_exporter --textfile-dir "$dir" -i 0.05
sleep 1
kill -0 "$TOP_PID" || fail "the exporter exited: $(cat "$TOP_ERR")"
said=$(grep -c "cannot write $dir/kvm_mmio.prom (create failed: No such file or directory; does the directory exist?)" "$TOP_ERR" || true)
[[ $said == 1 ]] || fail "expected the error said once in 1 s of 50 ms intervals, saw $said times: $(cat "$TOP_ERR")"

mkdir "$dir"
wait_for 5 "$dir/kvm_mmio.prom after the directory appeared" test -s "$dir/kvm_mmio.prom"
cp "$dir/kvm_mmio.prom" "$work/seen.prom"
errors=$(value "$work/seen.prom" kvm_mmio_exporter_errors_total op=write)
((errors >= 10)) || fail "kvm_mmio_exporter_errors_total{op=\"write\"}: expected 10 or more, saw $errors"
wait_for 2 "the recovery message" grep -q "writing the textfile works again" "$TOP_ERR"
promtool_clean "the textfile" "$work/seen.prom"
echo "PASS: said once, counted $errors failures, wrote the file once the directory existed"
