#!/usr/bin/env bash
# What tracing costs a guest, side by side with the peers users would reach
# for, in one run (this machine is noisy: rounds interleave the tracers).
# Each round runs the same test-vmm workload (one vCPU, WRITES MMIO writes
# and READS MMIO reads) untraced and under each tracer:
#   floor         bench/floor: a BPF program that only counts, on kvm_mmio (and
#                 one that also reads the clock)
#   kvm-mmio-top  the tool, defaults (JSON once, at the end)
#   bpftrace      bench/kvm-mmio.bt: the same tracepoints, per-pid counts and
#                 the VMM part as a histogram
#   perf          perf record of the same three tracepoints
# and prints, per tracer, the median exit rate with its spread (min..max),
# its ratio to untraced and the time it adds to each exit; then the tool's
# BPF run time per program and per exit (bpf_stats), against the floor's
# run time per event from the same run; then lost events: the tool's
# `dropped` and perf's LOST count, over the rounds and at the highest exit
# rate (one vCPU per CPU). `make bench` runs it (and
# bench/tracing-overhead.sh: what other processes pay).
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
rounds=${ROUNDS:-5}
writes=${WRITES:-100000}
reads=${READS:-100000}
((EUID == 0)) || { echo "bench: needs root (BPF)" >&2; exit 1; }
[[ -c /dev/kvm ]] || { echo "bench: $(basename "$0") drives real guests and this host has no /dev/kvm; make bench-replay times the BPF programs' part of an exit without it" >&2; exit 1; }
# The syscall event and the peers need tracefs: mount it privately.
if [[ ${KMT_BENCH_NS:-} != 1 ]]; then
	exec env KMT_BENCH_NS=1 unshare -m --propagation private "$0" "$@"
fi
mountpoint -q /sys/kernel/tracing || mount -t tracefs tracefs /sys/kernel/tracing
for tool in jq bpftool bpftrace perf; do
	command -v $tool >/dev/null || { echo "bench: $tool not installed (make deps)" >&2; exit 1; }
done

tmp=$(mktemp -d)
tracer=
stats_was=$(sysctl -n kernel.bpf_stats_enabled)
cleanup() {
	[[ -n $tracer ]] && kill "$tracer" 2>/dev/null
	sysctl -q kernel.bpf_stats_enabled="$stats_was"
	rm -rf "$tmp"
}
trap cleanup EXIT
sysctl -q kernel.bpf_stats_enabled=1

median() { sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

# workload MODE: one test-vmm run; appends its exit rate and exit count.
workload() {
	"$BUILD/test-vmm" --writes "$writes" --reads "$reads" --json |
		jq -r '.guests[0] | "\(.mmio_exits / (.elapsed_ns / 1e9)) \(.mmio_exits)"' >"$tmp/last"
	cut -d' ' -f1 "$tmp/last" >>"$tmp/rate.$1"
}

# start MODE: the tracer of MODE in the background, returned once attached.
start() {
	: >"$tmp/err"
	case $1 in
	floor) "$BUILD/bench/floor" 2>"$tmp/err" & ready="floor: attached" ;;
	kvm-mmio-top)
		"$BUILD/kvm-mmio-top" --once --interval 3600 --json >"$tmp/top.json" 2>"$tmp/err" &
		ready="kvm-mmio-top: tracing" ;;
	bpftrace) bpftrace bench/kvm-mmio.bt >"$tmp/bt.out" 2>"$tmp/err" & ready="" ;;
	perf)
		perf record -q -a -o "$tmp/perf.data" -e kvm:kvm_mmio -e kvm:kvm_userspace_exit \
			-e syscalls:sys_enter_ioctl 2>"$tmp/err" & ready="" ;;
	esac
	tracer=$!
	if [[ $1 == bpftrace ]]; then
		until grep -q "^Attaching" "$tmp/bt.out" 2>/dev/null; do sleep 0.05; done
	elif [[ -n $ready ]]; then
		until grep -q "$ready" "$tmp/err"; do sleep 0.05; done
	else
		sleep 1	# perf says nothing when it is ready
	fi
}

# prog_stats PID: "name runs run_ns" of each BPF program PID holds open.
prog_stats() {
	local id
	for id in $(grep -h '^prog_id:' /proc/"$1"/fdinfo/* 2>/dev/null | awk '{ print $2 }' | sort -u); do
		bpftool prog show id "$id" -j | jq -r '"\(.name) \(.run_cnt // 0) \(.run_time_ns // 0)"'
	done
}

stop() { # MODE
	case $1 in
	floor) prog_stats "$tracer" >>"$tmp/floor.progs" ;;
	kvm-mmio-top)
		prog_stats "$tracer" >>"$tmp/top.progs"
		cut -d' ' -f2 "$tmp/last" >>"$tmp/top.exits" ;;
	esac
	kill -INT "$tracer"
	wait "$tracer" 2>/dev/null || true
	tracer=
	case $1 in
	kvm-mmio-top) jq '.dropped' "$tmp/top.json" >>"$tmp/top.dropped" ;;
	perf)
		perf report -i "$tmp/perf.data" --stats 2>/dev/null |
			awk '/LOST(_SAMPLES)? events:/ { n += $3 } END { print n + 0 }' >>"$tmp/perf.lost"
		rm -f "$tmp/perf.data" ;;
	esac
}

modes=(floor kvm-mmio-top bpftrace perf)
for ((r = 1; r <= rounds; r++)); do
	workload none
	for m in "${modes[@]}"; do
		start "$m"
		workload "$m"
		stop "$m"
	done
	echo "round $r of $rounds done" >&2
done

base=$(median <"$tmp/rate.none")
printf 'workload: test-vmm, 1 vCPU, %s writes + %s reads per run; median of %s rounds\n' \
	"$writes" "$reads" "$rounds"
printf '%-14s %12s %23s %8s %14s\n' tracer "exits/s" "spread (min..max)" ratio "added/exit"
for m in none "${modes[@]}"; do
	med=$(median <"$tmp/rate.$m")
	spread=$(sort -g "$tmp/rate.$m" | sed -n '1p;$p' | awk '{ printf "%s%.0f", (NR > 1 ? ".." : ""), $1 }')
	printf '%-14s %12.0f %23s %8.3f %11.0f ns\n' "$m" "$med" "$spread" \
		"$(echo "$med / $base" | bc -l)" "$(echo "1000000000 / $med - 1000000000 / $base" | bc -l)"
done
top_added=$(echo "1000000000 / $(median <"$tmp/rate.kvm-mmio-top") - 1000000000 / $base" | bc -l)
bt_added=$(echo "1000000000 / $(median <"$tmp/rate.bpftrace") - 1000000000 / $base" | bc -l)
printf 'kvm-mmio-top adds %.2f of what the bpftrace script adds per exit (goal: at most 0.33)\n' \
	"$(echo "$top_added / $bt_added" | bc -l)"

echo
echo "BPF run time (bpf_stats), summed over the rounds:"
floor_ns=$(awk '$1 == "floor_kvm_mmio" { runs += $2; ns += $3 } END { printf "%.1f", ns / runs }' "$tmp/floor.progs")
clock_ns=$(awk '$1 == "floor_clock" { runs += $2; ns += $3 } END { printf "%.1f", ns / runs }' "$tmp/floor.progs")
exits=$(paste -sd+ "$tmp/top.exits" | bc)
# Only the programs that run per exit: the contention ones run per contended lock.
awk -v floor="$floor_ns" -v clock="$clock_ns" -v exits="$exits" '
	{ runs[$1] += $2; ns[$1] += $3 }
	END {
		printf "  %-28s %10s %12s %12s\n", "program", "runs/exit", "ns/run", "ns/exit"
		for (p in runs) if (runs[p]) {
			printf "  %-28s %10.2f %12.1f %12.1f\n", p, runs[p] / exits, ns[p] / runs[p], ns[p] / exits
			if (p !~ /^contention_/) { total_ns += ns[p]; total_runs += runs[p] }
		}
		per_exit = total_ns / exits; events = total_runs / exits
		printf "  %-28s %10.2f %12s %12.1f\n", "per exit (all but contention_*)", events, "", per_exit
		printf "  floor (a counting program): %.1f ns/run; the tool: %.2f x (events/exit x floor); goal: at most 1.5\n",
			floor, per_exit / (events * floor)
		printf "  one clock read (floor with bpf_ktime_get_ns): %.1f ns more; timing the VMM part takes two per exit\n",
			clock - floor
	}' "$tmp/top.progs"

echo
printf 'lost events over %s rounds: kvm-mmio-top dropped %s; perf LOST %s\n' "$rounds" \
	"$(paste -sd+ "$tmp/top.dropped" | bc)" "$(paste -sd+ "$tmp/perf.lost" | bc)"

# The highest exit rate this host makes: one vCPU per CPU, each with as
# many accesses as the rounds' single vCPU, under the tool and then perf.
cpus=$(nproc)
rm -f "$tmp/top.dropped" "$tmp/perf.lost"
for m in kvm-mmio-top perf; do
	start "$m"
	"$BUILD/test-vmm" --vcpus "$cpus" --writes "$writes" --reads "$reads" --json |
		jq -r '.guests[0] | "\(.mmio_exits / (.elapsed_ns / 1e9)) \(.mmio_exits)"' >"$tmp/last"
	cut -d' ' -f1 "$tmp/last" >"$tmp/rate.max-$m"
	stop "$m"
done
printf 'at the highest rate (%s vCPUs): %.0f exits/s traced by kvm-mmio-top, dropped %s; %.0f exits/s under perf, LOST %s\n' \
	"$cpus" "$(cat "$tmp/rate.max-kvm-mmio-top")" "$(cat "$tmp/top.dropped")" \
	"$(cat "$tmp/rate.max-perf")" "$(cat "$tmp/perf.lost")"
