#!/usr/bin/env bash
# kvm-mmio-top's own cost at fleet scale (issue 14): CPU per refresh and
# peak RSS with 1, 100 and 1,000 guests x 8 vCPUs, in each output mode:
#   table     -b, to /dev/null
#   json      --json, to /dev/null
#   live      the live view in a 200x50 tmux pane
#   exporter  --listen (scraped once a second with curl) and --textfile-dir
#   http      --listen alone, scraped once a second    (not in the default MODES:
#   textfile  --textfile-dir alone                      what either output costs)
# This host cannot run 1,000 guests: bench/scale_fill starts that many
# long-lived dummy processes named like QEMU guests ("-name guest=scale-N")
# and writes their entries (VCPUS vCPUs, both histograms, the MMU lock
# series, REGIONS pages each) into the running tool's BPF maps, every
# counter grown every second, so every refresh has work. The maps are
# sized for the largest N (--max-guests, --max-vcpus, --max-regions);
# scale_fill says when one is too small.
#
# Each (guests, mode) runs every tool of TOOLS in turn (interleaved: the
# machine is noisy), ROUNDS times, each round starting with another tool,
# measuring the CPU time of all the tool's threads (schedstat, in ns) over
# REFRESHES refreshes at --interval INTERVAL after a warm-up, and VmHWM;
# medians are printed, with the CPU's spread over the rounds.
#   TOOLS="before=/tmp/old/build/kvm-mmio-top after=build/kvm-mmio-top" bench/scale.sh
# Each tool is filled by the bench/scale_fill of its own build directory:
# the map values are its tree's contract with its BPF programs.
# `make bench` runs it after the replay; alone: `make bench-scale` (about 7
# minutes with one tool and the defaults).
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
guest_counts=${GUESTS:-"1 100 1000"}
modes=${MODES:-"table json live exporter"}
refreshes=${REFRESHES:-30}
interval=${INTERVAL:-1}
warmup=${WARMUP:-3}
vcpus=${VCPUS:-8}
regions=${REGIONS:-4}
rounds=${ROUNDS:-1}
tools=${TOOLS:-"kvm-mmio-top=$BUILD/kvm-mmio-top"}
port=${PORT:-19464}
((EUID == 0)) || { echo "bench: needs root (BPF)" >&2; exit 1; }
for tool in tmux curl; do
	command -v $tool >/dev/null || { echo "bench: $tool not installed (make deps)" >&2; exit 1; }
done
# fill_of TOOL: the scale_fill built with it.
fill_of() { echo "$(dirname "$1")/bench/scale_fill"; }
for t in $tools; do
	fill=$(fill_of "${t#*=}")
	[[ -x $fill ]] || { echo "bench: $fill not built (make bench-scale)" >&2; exit 1; }
done

max=0
for n in $guest_counts; do ((n > max)) && max=$n; done
# Room for the host's real guests too (other VMs may run here).
room=$((max + 64))
sizes=(--max-guests "$room" --max-vcpus $((room * vcpus)) --max-regions $((room * (regions + 1))))

tmp=$(mktemp -d)
top_pid='' fill_pid='' scrape_pid=''
stop_run() {
	if [[ -n $scrape_pid ]]; then kill "$scrape_pid"; wait "$scrape_pid" || true; fi 2>/dev/null
	if [[ -n $fill_pid ]]; then kill "$fill_pid"; wait "$fill_pid" || true; fi 2>/dev/null
	if [[ -n $top_pid ]]; then kill "$top_pid" || true; fi 2>/dev/null
	tmux -S "$tmp/tmux.sock" kill-server 2>/dev/null || true
	[[ -n $top_pid ]] && while kill -0 "$top_pid" 2>/dev/null; do sleep 0.05; done
	top_pid='' fill_pid='' scrape_pid=''
	return 0
}
trap 'stop_run; rm -rf "$tmp"' EXIT

# cpu_ns PID: CPU time of the process's threads so far (schedstat's first field).
cpu_ns() { cat /proc/"$1"/task/*/schedstat | awk '{ ns += $1 } END { printf "%.0f", ns }'; }
# mib PID FIELD: VmHWM (peak) or VmRSS (now) in MiB.
mib() { awk -v f="$2:" '$1 == f { printf "%.1f", $2 / 1024 }' /proc/"$1"/status; }

# start TOOL MODE: the tool in MODE, returned once it traces; its pid in top_pid.
start() {
	local tool=$1 mode=$2 args=("${sizes[@]}" --interval "$interval")
	: >"$tmp/err"
	case $mode in
	table) "$tool" "${args[@]}" -b >/dev/null 2>"$tmp/err" & top_pid=$! ;;
	json) "$tool" "${args[@]}" --json >/dev/null 2>"$tmp/err" & top_pid=$! ;;
	exporter | http | textfile)
		local out=()
		mkdir -p "$tmp/prom"
		[[ $mode == textfile ]] || out+=(--listen "127.0.0.1:$port")
		[[ $mode == http ]] || out+=(--textfile-dir "$tmp/prom")
		"$tool" "${args[@]}" "${out[@]}" >/dev/null 2>"$tmp/err" &
		top_pid=$! ;;
	live)
		rm -f "$tmp/top.pid"
		tmux -S "$tmp/tmux.sock" -f /dev/null new-session -d -s view -x 200 -y 50 \
			"env TERM=xterm-256color LANG=C.UTF-8 sh -c 'echo \$\$ >$tmp/top.pid; exec $(printf '%q ' "$tool" "${args[@]}")' 2>$tmp/err"
		until [[ -s $tmp/top.pid ]]; do sleep 0.05; done
		top_pid=$(cat "$tmp/top.pid") ;;
	esac
	until grep -q "kvm-mmio-top: tracing" "$tmp/err"; do
		kill -0 "$top_pid" 2>/dev/null || { echo "bench: $tool failed: $(cat "$tmp/err")" >&2; exit 1; }
		sleep 0.05
	done
	if [[ $mode == exporter || $mode == http ]]; then
		while :; do curl -sf -o /dev/null "http://127.0.0.1:$port/metrics" || true; sleep 1; done &
		scrape_pid=$!
	fi
}

# measure TOOL MODE GUESTS: sets ms (CPU ms per refresh), peak and rss (RSS at the end, MiB).
measure() {
	local cpu0 cpu1 t0 t1
	start "$1" "$2"
	: >"$tmp/fill.err"
	"$(fill_of "$1")" "$top_pid" "$3" "$vcpus" "$regions" 2>"$tmp/fill.err" &
	fill_pid=$!
	until grep -q "filled" "$tmp/fill.err"; do
		kill -0 "$fill_pid" 2>/dev/null || { echo "bench: scale_fill failed: $(cat "$tmp/fill.err")" >&2; exit 1; }
		sleep 0.1
	done
	sleep "$(awk -v w="$warmup" -v i="$interval" 'BEGIN { print w * i }')"
	cpu0=$(cpu_ns "$top_pid") t0=$(date +%s.%N)
	sleep "$(awk -v r="$refreshes" -v i="$interval" 'BEGIN { print r * i }')"
	cpu1=$(cpu_ns "$top_pid") t1=$(date +%s.%N)
	grep -v filled "$tmp/fill.err" >&2 || true
	ms=$(awk -v c0="$cpu0" -v c1="$cpu1" -v t0="$t0" -v t1="$t1" -v i="$interval" \
		'BEGIN { printf "%.2f", (c1 - c0) / 1e6 / ((t1 - t0) / i) }')
	peak=$(mib "$top_pid" VmHWM) rss=$(mib "$top_pid" VmRSS)
	stop_run
}

printf 'kvm-mmio-top at scale: %s vCPUs and %s pages per guest, %s refreshes at --interval %s, %s; median of %s rounds\n' \
	"$vcpus" "$regions" "$refreshes" "$interval" "${sizes[*]}" "$rounds"
printf '%-14s %7s %-9s %11s %15s %12s %9s %9s\n' tool guests mode "CPU ms/ref" "spread" "% core @1Hz" \
	"RSS MiB" "peak MiB"
read -ra tool_list <<<"$tools"
median() { sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
for n in $guest_counts; do
	for mode in $modes; do
		for ((r = 0; r < rounds; r++)); do
			for ((i = 0; i < ${#tool_list[@]}; i++)); do
				t=${tool_list[(i + r) % ${#tool_list[@]}]}
				measure "${t#*=}" "$mode" "$n"
				echo "$ms $rss $peak" >>"$tmp/result.${t%%=*}"
			done
		done
		for t in "${tool_list[@]}"; do
			f=$tmp/result.${t%%=*}
			ms=$(cut -d' ' -f1 "$f" | median)
			printf '%-14s %7s %-9s %11.2f %15s %12.2f %9.1f %9.1f\n' "${t%%=*}" "$n" "$mode" "$ms" \
				"$(cut -d' ' -f1 "$f" | sort -g | sed -n '1p;$p' | paste -sd' ' | awk '{ printf "%.1f..%.1f", $1, $2 }')" \
				"$(awk -v ms="$ms" 'BEGIN { print ms / 10 }')" \
				"$(cut -d' ' -f2 "$f" | median)" "$(cut -d' ' -f3 "$f" | median)"
			rm -f "$f"
		done
	done
done
