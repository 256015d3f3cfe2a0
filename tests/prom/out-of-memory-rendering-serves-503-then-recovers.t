#!/usr/bin/env bash
# Out of memory while rendering the exposition (realloc() refused past
# 256 KiB by tests/prom/alloc_limit.c once 100 synthetic guests make it
# some 1 MB): scrapes get 503, not a truncated or stale page; the textfile
# keeps the previous exposition; the failure is said on stderr. Once memory
# is back, the next interval serves and writes every guest, says so, and
# counts the failed intervals in kvm_mmio_exporter_errors_total. Needs no
# /dev/kvm: bench/scale_fill writes the guests into the BPF maps.
# shellcheck disable=SC2034 # read by common.sh
KMT_PROM_NO_KVM=1
source "$(dirname "$0")/common.sh"
shim=$BUILD/tests/prom/alloc_limit.so
fill=$BUILD/bench/scale_fill
[[ -f $shim && -x $fill ]] || fail "$shim or $fill not built (make check builds them)"
guests=100
port=$(free_port)
url=http://127.0.0.1:$port/metrics
mkdir "$work/prom"

status() { curl -s -o "$work/scrape" -w '%{http_code}' "$url"; }
# guests_in FILE: how many scale_fill guests FILE has series of.
guests_in() { grep -o 'guest="scale-[0-9]*"' "$1" | sort -u | wc -l; }

KMT_ALLOC_LIMIT=$((256 << 10)) KMT_ALLOC_FAIL_IF=$work/no-memory LD_PRELOAD=$shim \
	start_exporter --listen "127.0.0.1:$port" --textfile-dir "$work/prom" -i 0.2
[[ $(status) == 200 ]] || fail "the first scrape, before any guest: HTTP $(status)"
# Not before: loading the BPF object reallocs megabytes of kernel BTF.
touch "$work/no-memory"

"$fill" "$TOP_PID" "$guests" 8 4 2>"$work/fill.err" &
children+=("$!")
wait_for 20 "scale_fill's $guests guests" grep -q filled "$work/fill.err"
wait_for 5 "the out-of-memory message" \
	grep -q "out of memory rendering the metrics; retrying next interval" "$TOP_ERR"
cp "$work/prom/kvm_mmio.prom" "$work/during.prom"
sleep 0.5	# a few more failed intervals
code=$(status)
[[ $code == 503 ]] || fail "a scrape while rendering runs out of memory: HTTP $code, not 503"
cmp -s "$work/prom/kvm_mmio.prom" "$work/during.prom" ||
	fail "the textfile changed while rendering ran out of memory"
promtool_clean "the textfile kept while out of memory" "$work/during.prom"
((n = $(grep -c "out of memory rendering" "$TOP_ERR"), n == 1)) ||
	fail "the failure was said $n times in 0.5 s, not once"
echo "ok: HTTP 503 and the textfile kept while out of memory"

rm "$work/no-memory"
wait_for 5 "the recovery message" grep -q "rendering the metrics works again" "$TOP_ERR"
# Conditions are functions: wait_for runs them at each poll.
serves() { [[ $(status) == 200 ]]; }
wait_for 5 "a scrape with HTTP 200" serves
status >/dev/null
n=$(guests_in "$work/scrape")
((n == guests)) || fail "/metrics has $n of the $guests guests after recovery"
written() { [[ $(guests_in "$work/prom/kvm_mmio.prom") == "$guests" ]]; }
wait_for 5 "the textfile with every guest" written
promtool_clean "/metrics after recovery" "$work/scrape"
promtool_clean "the textfile after recovery" "$work/prom/kvm_mmio.prom"
for op in serve write; do
	errors=$(value "$work/scrape" kvm_mmio_exporter_errors_total op=$op)
	((errors >= 2)) || fail "kvm_mmio_exporter_errors_total{op=\"$op\"} after failed intervals: $errors"
done
echo "PASS: 503 while out of memory, every guest served and written after, failures counted"
