#!/usr/bin/env bash
# The fleet view against Debian's real Prometheus server: three "hosts" on
# this machine, each a kvm-mmio-top tracing only its own test-vmm guests
# (--name fa-*, fb-*, fc-*):
#   127.0.0.1  kvm-mmio-top --listen 127.0.0.1:PORT       (job kvm-mmio-top)
#   127.0.0.2  kvm-mmio-top --listen 127.0.0.2:PORT       (job kvm-mmio-top)
#   127.0.0.3  kvm-mmio-top --textfile-dir + node_exporter on 127.0.0.3 (job node)
# The server runs contrib/prometheus/prometheus.yml with only the global
# scrape and evaluation intervals shortened (15 s -> 500 ms and 1 s) and
# loads the shipped rule files themselves (symlinks). It proves:
#   - the relabelling keeps the host: instance is the address without port;
#   - per host and guest, increase() of the read exits over the guest's life
#     equals test-vmm's reads exactly, and the latest samples its writes and
#     in-kernel (ioeventfd) completions: each exporter saw only its guests;
#   - the recorded VMM p50/p99 of a guest whose VMM waits 150 us per exit
#     are at least 150 us, and the guest without delay has p50 below that;
#   - every shipped rule evaluates without error; the storm baseline, which
#     needs a day of history, is computed by the server from a day of the
#     rate1h recording backfilled for two guests (promtool tsdb
#     create-blocks-from openmetrics, as the server would have recorded it:
#     fa-storm at 5/s, fb-busy at 3000/s); the storm alert's expression (as
#     the server loaded it) selects fa-storm (above 500/s, 200x its
#     baseline) and no other: not fb-busy (above 500/s too, but below 10x
#     its baseline), not the guests without a baseline (below 500/s). The
#     alert is pending for fa-storm (for: 10m is longer than this test:
#     tests/fleet/rules-unit-tested.t proves the production timing);
#   - every PromQL query of docs/grafana-dashboard.json returns data, but
#     lock panels when no kvm_lock_* series exist, and kernel-part panels
#     when no kernel part is measured here (kvm_exit/kvm_entry never fire),
#     each said in the output;
#   - once 127.0.0.1's exporter is stopped, the exporter-down alert is
#     pending for that host and no other.
# Why increase() is exact here: a counter's first sample is not an increase
# for Prometheus, so the test checks the direction whose series starts at 0
# (reads come after a write phase that spans several scrapes) and evaluates
# increase() at a scrape's own timestamp with a window reaching back before
# the series began: Prometheus extrapolates at neither end then.
source "$(dirname "$0")/../prom/common.sh"
PROMETHEUS=${PROMETHEUS:-/usr/bin/prometheus}
NODE_EXPORTER=${NODE_EXPORTER:-/usr/bin/prometheus-node-exporter}
[[ -x $PROMETHEUS ]] || skip "$PROMETHEUS not installed (apt-get install prometheus)"
[[ -x $NODE_EXPORTER ]] || skip "$NODE_EXPORTER not installed (apt-get install prometheus-node-exporter)"
contrib=$PWD/contrib/prometheus
dash=$PWD/docs/grafana-dashboard.json
t0=$(date +%s)

# Ports, all different.
ports=()
while ((${#ports[@]} < 4)); do
	p=$(free_port)
	[[ " ${ports[*]} " == *" $p "* ]] || ports+=("$p")
done
port_a=${ports[0]} port_b=${ports[1]} port_c=${ports[2]} port_prom=${ports[3]}

# --- the server: shipped config, shorter global intervals, shipped rules ---
mkdir -p "$work/prom/targets"
sed -e 's/^\(  scrape_interval:\) 15s/\1 500ms/' -e 's/^\(  evaluation_interval:\) 15s/\1 1s/' \
	"$contrib/prometheus.yml" >"$work/prom/prometheus.yml"
changed=$(diff "$contrib/prometheus.yml" "$work/prom/prometheus.yml" | grep -c '^>' || true)
expect_eq "lines of the shipped prometheus.yml changed for the test (the 2 global intervals)" 2 "$changed"
ln -s "$contrib/kvm-mmio-rules.yml" "$contrib/kvm-mmio-alerts.yml" "$work/prom/"
echo "[{\"targets\": [\"127.0.0.3:$port_c\"]}]" >"$work/prom/targets/node.json"
echo "[{\"targets\": [\"127.0.0.1:$port_a\", \"127.0.0.2:$port_b\"]}]" >"$work/prom/targets/kvm-mmio-top.json"
# A day of history for the storm baseline: the rate1h recording of fa-storm
# (5/s) and fb-busy (3000/s) every 5 minutes from 26 h to 1 h ago.
now=$(date +%s)
{
	echo '# TYPE instance_guest:kvm_mmio_exits:rate1h gauge'
	for series in '{instance="127.0.0.1",guest="fa-storm"} 5' '{instance="127.0.0.2",guest="fb-busy"} 3000'; do
		for ((ts = now - 26 * 3600; ts <= now - 3600; ts += 300)); do
			echo "instance_guest:kvm_mmio_exits:rate1h$series $ts"
		done
	done
	echo '# EOF'
} >"$work/history.om"
out=$(promtool tsdb create-blocks-from openmetrics "$work/history.om" "$work/prom/data" 2>&1) ||
	fail "backfilling the baseline history failed: $out"
nice -n 5 "$PROMETHEUS" --config.file="$work/prom/prometheus.yml" --storage.tsdb.path="$work/prom/data" \
	--web.listen-address="127.0.0.1:$port_prom" --log.level=warn 2>"$work/prom.err" &
children+=($!)

# --- the three hosts (started together: loading BPF takes a while) --------
mkdir "$work/textfiles"
exporter_pid=()
# start_exporter_bg INDEX ARGS...: kvm-mmio-top ARGS in the background.
start_exporter_bg() {
	local i=$1
	shift
	"$TOP" "$@" >"$work/top-$i" 2>"$work/top-$i.err" &
	exporter_pid[i]=$!
	children+=($!)
}
# --bpf-stats: the dashboard's BPF run time panel must have data too.
start_exporter_bg 0 --listen "127.0.0.1:$port_a" -i 0.2 --name 'fa-*' --bpf-stats
start_exporter_bg 1 --listen "127.0.0.2:$port_b" -i 0.2 --name 'fb-*' --bpf-stats
start_exporter_bg 2 --textfile-dir "$work/textfiles" -i 0.2 --name 'fc-*' --bpf-stats
exporters_tracing() {
	local i
	for i in 0 1 2; do
		kill -0 "${exporter_pid[$i]}" 2>/dev/null ||
			fail "kvm-mmio-top (exporter $i) exited: $(cat "$work/top-$i.err")"
		grep -q "kvm-mmio-top: tracing" "$work/top-$i.err" || return 1
	done
}
"$NODE_EXPORTER" --web.listen-address="127.0.0.3:$port_c" --collector.disable-defaults \
	--collector.textfile --collector.textfile.directory="$work/textfiles" 2>"$work/node.err" &
children+=($!)

api() {
	local path=$1
	shift
	curl -sf --max-time 5 --get "http://127.0.0.1:$port_prom/api/v1/$path" "$@"
}
# query EXPR [TIME]: the result array of an instant query.
query() {
	local args=(--data-urlencode "query=$1") out
	[[ -n ${2:-} ]] && args+=(--data-urlencode "time=$2")
	out=$(api query "${args[@]}") || fail "query failed: $1 ($(tail -n 3 "$work/prom.err"))"
	jq -c '.data.result' <<<"$out"
}
targets_up() {
	[[ $(api targets | jq '[.data.activeTargets[] | select(.health == "up")] | length') == 3 ]]
}
wait_for 30 "the 3 exporters to trace" exporters_tracing
echo "info: exporters tracing after $(($(date +%s) - t0)) s"
wait_for 20 "Prometheus to be ready" curl -sf -o /dev/null "http://127.0.0.1:$port_prom/-/ready"
wait_for 20 "Prometheus to scrape all 3 targets" targets_up
expect_eq "instance labels of the 3 targets (host kept, port dropped)" \
	'["127.0.0.1","127.0.0.2","127.0.0.3"]' \
	"$(api targets | jq -c '[.data.activeTargets[].labels.instance] | sort')"

# --- the guests ------------------------------------------------------------
declare -A host vmm_args guest_pid
host=([fa-storm]=127.0.0.1 [fa-calm]=127.0.0.1 [fb-slow]=127.0.0.2 [fb-busy]=127.0.0.2
	[fb-calm]=127.0.0.2 [fc-one]=127.0.0.3)
# fa-storm and fb-busy: 300000 exits within seconds, so above the storm
# alert's 500/s over 5 m even if their first scrape came 0.7 s (an exporter
# interval and a scrape interval) into the storm; the others make at most
# 35000: below it. Each of the others writes for at least 1.5 s (the VMM's
# busy-wait per exit), longer than the 0.7 s it takes for a guest's series
# to reach Prometheus, so its read series starts at 0 before its reads.
vmm_args=(
	[fa-storm]="--writes 300000 --reads 2000"
	[fa-calm]="--writes 5000 --reads 700 --ioeventfd-writes 300 --delay-us 300"
	[fb-slow]="--writes 10000 --reads 500 --delay-us 150"
	[fb-busy]="--writes 300000 --reads 900"
	[fb-calm]="--writes 30000 --reads 400 --delay-us 50"
	[fc-one]="--writes 30000 --reads 800 --ioeventfd-writes 500 --delay-us 50"
)
guests=(fa-storm fa-calm fb-slow fb-busy fb-calm fc-one)
for g in "${guests[@]}"; do
	# shellcheck disable=SC2086 # word splitting of the options is intended
	nice -n 5 "$VMM" --json ${vmm_args[$g]} -name "guest=$g" --wait-file "$work/go" \
		--linger-ms 1500 >"$work/$g.json" 2>"$work/$g.json.err" &
	guest_pid[$g]=$!
	children+=($!)
done
echo "info: releasing the guests after $(($(date +%s) - t0)) s"
touch "$work/go"
for g in "${guests[@]}"; do
	wait_guest "${guest_pid[$g]}" "$work/$g.json"
done
echo "guests done after $(($(date +%s) - t0)) s"

truth() { jq -r ".guests[0].$2" "$work/$1.json"; }
sel() { echo "instance=\"${host[$1]}\",guest=\"$1\",pid=\"${guest_pid[$1]}\""; }
latest() { query "$1" | jq -r '.[0].value[1] // empty'; }
final_counts_scraped() {
	local g
	for g in "${guests[@]}"; do
		[[ $(latest "kvm_mmio_exits_total{$(sel "$g"),direction=\"read\"}") == "$(truth "$g" reads)" ]] || return 1
	done
}
wait_for 20 "Prometheus to scrape every guest's final counts" final_counts_scraped
sleep 2 # two more rule evaluations over the final samples

# --- counts: each host sees its own guests, increase() is exact -------------
expect_eq "(instance, guest) pairs in Prometheus" \
	"127.0.0.1/fa-calm 127.0.0.1/fa-storm 127.0.0.2/fb-busy 127.0.0.2/fb-calm 127.0.0.2/fb-slow 127.0.0.3/fc-one" \
	"$(query 'group by (instance, guest) (kvm_mmio_exits_total)' |
		jq -r '[.[] | "\(.metric.instance)/\(.metric.guest)"] | sort | join(" ")')"

# exact_increase GUEST SERIES EXPECTED WHAT
exact_increase() {
	local g=$1 series=$2 want=$3 what=$4 samples first last_ts
	samples=$(query "${series}[5m]")
	first=$(jq -r '.[0].values[0][1]' <<<"$samples")
	last_ts=$(jq -r '.[0].values[-1][0]' <<<"$samples")
	[[ $first == 0 ]] || fail "$g: $series starts at $first, not 0: its write phase was shorter than a scrape, increase() cannot count the first sample"
	expect_eq "${host[$g]} $g: increase($what) at its last scrape" "$want" \
		"$(query "increase(${series}[5m])" "$last_ts" | jq -r '.[0].value[1]')"
}
for g in "${guests[@]}"; do
	exact_increase "$g" "kvm_mmio_exits_total{$(sel "$g"),direction=\"read\"}" \
		"$(truth "$g" reads)" "read exits"
	# In-kernel completions are exits minus VMM completions, which may run
	# ahead by an access in flight at a read (docs/prometheus.md) until
	# ioeventfd writes pass it: exact at the end for guests that make them.
	if (($(truth "$g" ioeventfd_writes) > 0)); then
		expect_eq "${host[$g]} $g: exits completed in the kernel (latest sample)" \
			"$(truth "$g" ioeventfd_writes)" "$(latest "kvm_mmio_handled_total{$(sel "$g"),where=\"kernel\"}")"
	fi
	expect_eq "${host[$g]} $g: write exits (latest sample)" "$(truth "$g" "writes + .guests[0].ioeventfd_writes")" \
		"$(latest "kvm_mmio_exits_total{$(sel "$g"),direction=\"write\"}")"
done
expect_eq "node_textfile_scrape_error on 127.0.0.3" 0 \
	"$(latest 'node_textfile_scrape_error{instance="127.0.0.3"}')"

# --- latency: the recorded quantiles respect the injected delay -------------
# at_least WHAT MIN VALUE / below WHAT MAX VALUE (seconds, as floats)
at_least() {
	awk -v v="$3" -v m="$2" 'BEGIN { exit !(v != "" && v + 0 >= m + 0) }' ||
		fail "$1: expected at least $2 s, saw '$3'"
	echo "ok: $1 = $3 s >= $2 s"
}
below() {
	awk -v v="$3" -v m="$2" 'BEGIN { exit !(v != "" && v + 0 < m + 0) }' ||
		fail "$1: expected below $2 s, saw '$3'"
	echo "ok: $1 = $3 s < $2 s"
}
delay=$(truth fb-slow delay_us)
at_least "fb-slow (VMM waits $delay us per exit): recorded VMM p99" "0.000$delay" \
	"$(latest 'instance_guest:kvm_mmio_vmm_latency_seconds:p99_5m{instance="127.0.0.2",guest="fb-slow"}')"
at_least "fb-slow: recorded VMM p50" "0.000$delay" \
	"$(latest 'instance_guest:kvm_mmio_vmm_latency_seconds:p50_5m{instance="127.0.0.2",guest="fb-slow"}')"
below "fa-storm (no delay): recorded VMM p50" "0.000$delay" \
	"$(latest 'instance_guest:kvm_mmio_vmm_latency_seconds:p50_5m{instance="127.0.0.1",guest="fa-storm"}')"

# --- rules: all healthy; the storm alert selects the storm guest only -------
rules=$(api rules) || fail "GET /api/v1/rules failed"
expect_eq "rules the server loaded from the shipped files" \
	"$(grep -chE '^\s+- (record|alert): ' "$contrib/kvm-mmio-rules.yml" "$contrib/kvm-mmio-alerts.yml" | paste -sd+ | bc)" \
	"$(jq '[.data.groups[].rules[]] | length' <<<"$rules")"
unhealthy=$(jq -r '.data.groups[].rules[] | select(.health != "ok") | "\(.name): \(.health) \(.lastError // "")"' <<<"$rules")
[[ -z $unhealthy ]] || fail "rules not evaluated cleanly: $unhealthy"
echo "ok: every rule evaluates without error"
storm_expr=$(jq -r '.data.groups[].rules[] | select(.type == "alerting" and .name == "KvmMmioStorm") | .query' <<<"$rules")
[[ -n $storm_expr ]] || fail "the server has no KvmMmioStorm alert"
echo "info: 5 m exit rates: $(query 'instance_guest:kvm_mmio_exits:rate5m' |
	jq -r '[.[] | "\(.metric.instance)/\(.metric.guest) \(.value[1] | tonumber | floor)/s"] | sort | join(", ")')"
expect_eq "storm baselines the server computed from the backfilled day" \
	"127.0.0.1/fa-storm=5 127.0.0.2/fb-busy=3000" \
	"$(query 'instance_guest:kvm_mmio_exits:baseline_rate1d' |
		jq -r '[.[] | "\(.metric.instance)/\(.metric.guest)=\(.value[1])"] | sort | join(" ")')"
expect_eq "guests above the storm floor of 500/s" "127.0.0.1/fa-storm 127.0.0.2/fb-busy" \
	"$(query 'instance_guest:kvm_mmio_exits:rate5m > 500' |
		jq -r '[.[] | "\(.metric.instance)/\(.metric.guest)"] | sort | join(" ")')"
expect_eq "guests the KvmMmioStorm expression selects" "127.0.0.1/fa-storm" \
	"$(query "$storm_expr" | jq -r '[.[] | "\(.metric.instance)/\(.metric.guest)"] | sort | join(" ")')"
expect_eq "KvmMmioStorm alerts (pending: for: $(jq -r '.data.groups[].rules[] | select(.name == "KvmMmioStorm") | .duration' <<<"$rules") s)" \
	"127.0.0.1/fa-storm/pending" \
	"$(query 'ALERTS{alertname="KvmMmioStorm"}' |
		jq -r '[.[] | "\(.metric.instance)/\(.metric.guest)/\(.metric.alertstate)"] | sort | join(" ")')"

# --- the dashboard: every query returns data ---------------------------------
lock_series=$(query 'count({__name__=~"kvm_lock_.+"})' | jq -r '.[0].value[1] // 0')
kernel_series=$(query 'count(kvm_mmio_kernel_latency_seconds_bucket)' | jq -r '.[0].value[1] // 0')
kvm_exit_runs=$(query 'sum(kvm_mmio_exporter_bpf_prog_runs_total{prog=~"kvm_exit_.*"})' | jq -r '.[0].value[1] // 0')
checked=0 empty_ok=0
while IFS=$'\t' read -r title q; do
	pq=$(sed -E 's/^label_values\((.*), *[a-z_]+\)$/\1/' <<<"$q")
	pq=${pq//\$__rate_interval/1m}
	pq=${pq//\$host/.*}
	pq=${pq//\$guest/.*}
	n=$(query "$pq" | jq length)
	checked=$((checked + 1))
	if ((n > 0)); then
		echo "ok: $title: $n series: $q"
	elif [[ $q == *kvm_lock_* && $lock_series == 0 ]]; then
		echo "allowed empty: lock panel \"$title\": no kvm_lock_* series on this server yet: $q"
		empty_ok=$((empty_ok + 1))
	elif [[ $q == *kvm_mmio_kernel_latency* && $kernel_series == 0 && $kvm_exit_runs == 0 ]]; then
		echo "allowed empty: kernel-part panel \"$title\": kvm_exit never fired on this host, no kernel part measured: $q"
		empty_ok=$((empty_ok + 1))
	else
		fail "dashboard panel \"$title\" returns no data: $q (as run: $pq)"
	fi
done < <(jq -r '(.templating.list[] | select(.definition) | ["variable " + .name, .definition]),
	(.panels[] | select(.targets) | .title as $t | .targets[] | [$t, .expr]) | @tsv' "$dash")
# --- an exporter that stops: the down alert names its host only -------------
kill "${exporter_pid[0]}"
down_alerts() {
	query 'ALERTS{alertname="KvmMmioExporterDown"}' |
		jq -r '[.[] | "\(.metric.instance)/\(.metric.alertstate)"] | sort | join(" ")'
}
host_a_down() { [[ -n $(down_alerts) ]]; }
wait_for 10 "KvmMmioExporterDown for 127.0.0.1 after its exporter stopped" host_a_down
expect_eq "KvmMmioExporterDown alerts after 127.0.0.1's exporter stopped (pending: for: 5m)" \
	"127.0.0.1/pending" "$(down_alerts)"

echo "PASS: 3 hosts, 6 guests exact through Prometheus, p99 >= injected delay, storm alert on fa-storm only," \
	"$checked dashboard queries run ($empty_ok allowed empty), $(($(date +%s) - t0)) s"
