#!/usr/bin/env bash
# kill -9 of the exporter at a random moment of its write loop (10 ms
# intervals), 30 times: kvm_mmio.prom is always a complete exposition that
# promtool accepts and that ends with the last family and a newline; no more
# than one temporary file is ever left behind.
source "$(dirname "$0")/common.sh"

dir=$work/textfiles
mkdir "$dir"
# A guest in the maps for the whole loop makes the file bigger than a page.
"$VMM" --vcpus 4 --writes 200 --linger-ms 20000 2>/dev/null &
children+=($!)

mid_write=0
for ((i = 0; i < 30; i++)); do
	# The first file is written before "tracing" is said: kill after that.
	start_exporter --textfile-dir "$dir" -i 0.01 --per-vcpu --per-region
	sleep "0.0$((RANDOM % 10))$((RANDOM % 10))"
	kill -9 "$TOP_PID"
	wait "$TOP_PID" 2>/dev/null || true
	f=$dir/kvm_mmio.prom
	[[ -e $f ]] || fail "no kvm_mmio.prom after kill -9 number $((i + 1))"
	cp "$f" "$work/seen.prom"
	promtool_clean "kvm_mmio.prom after kill -9 number $((i + 1))" "$work/seen.prom"
	[[ $(tail -c 1 "$work/seen.prom" | od -An -c | tr -d ' ') == '\n' ]] ||
		fail "kvm_mmio.prom after kill -9 number $((i + 1)) does not end with a newline"
	[[ $(tail -n 1 "$work/seen.prom") =~ ^kvm_mmio_exporter_last_write_timestamp_seconds\ [0-9.]+$ ]] ||
		fail "kvm_mmio.prom after kill -9 number $((i + 1)) ends with: $(tail -n 1 "$work/seen.prom")"
	tmps=$(find "$dir" -name '*.tmp' | wc -l)
	((tmps <= 1)) || fail "$tmps temporary files after kill -9 number $((i + 1)): $(ls "$dir")"
	mid_write=$((mid_write + tmps))
done
echo "PASS: 30 kill -9s ($mid_write of them during a write), the file was complete every time"
