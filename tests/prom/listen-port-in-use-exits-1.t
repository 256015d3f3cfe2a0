#!/usr/bin/env bash
# A second exporter on a port already in use exits 1 at start with a message
# naming the port and the cause (nothing could be served). The first one
# serves GET /metrics only: other paths are 404, other methods 405.
# shellcheck disable=SC2034 # read by common.sh: no guest runs here
KMT_PROM_NO_KVM=1
source "$(dirname "$0")/common.sh"

port=$(free_port)
start_exporter --listen "$port" -i 0.2

code=$(curl -s -o "$work/m.txt" -w '%{http_code} %{content_type}' "http://127.0.0.1:$port/metrics")
[[ $code == "200 text/plain; version=0.0.4; charset=utf-8" ]] || fail "GET /metrics: expected 200 text/plain; version=0.0.4, saw $code"
grep -q '^kvm_mmio_exporter_errors_total{op="serve"} 0$' "$work/m.txt" ||
	fail "GET /metrics lacks the self metrics: $(head -c 400 "$work/m.txt")"
code=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/")
[[ $code == 404 ]] || fail "GET /: expected 404, saw $code"
code=$(curl -s -o /dev/null -w '%{http_code}' -X POST "http://127.0.0.1:$port/metrics")
[[ $code == 405 ]] || fail "POST /metrics: expected 405, saw $code"

rc=0
timeout 10 "$TOP" --listen "127.0.0.1:$port" -i 0.2 2>"$work/second.err" || rc=$?
[[ $rc == 1 ]] || fail "second exporter on port $port: expected exit 1, saw $rc ($(cat "$work/second.err"))"
grep -q "cannot listen on 127.0.0.1 port $port: Address already in use" "$work/second.err" ||
	fail "second exporter's message: $(cat "$work/second.err")"
kill -0 "$TOP_PID" || fail "the first exporter died"
echo "PASS: port in use: exit 1 with '$(cat "$work/second.err")'; /metrics 200, / 404, POST 405"
