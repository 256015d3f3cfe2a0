#!/usr/bin/env bash
# What tracing costs, measured side by side in one run (this machine is
# noisy): each round runs, untraced and then traced in each mode,
#   - a guest's MMIO exit throughput (test-vmm, one vCPU, writes),
#   - a syscall loop of an unrelated process (bench/syscall_rate), and
#   - mmap/munmap of two threads of an unrelated process, which contend on
#     its mmap_lock (bench/lock_churn): what the lock series cost,
# and the medians and their ratios to untraced are printed. The modes: the
# default (syscalls:sys_enter_ioctl as the KVM_RUN re-entry hook, tracefs
# mounted, lock series on), the same with --no-locks, and the
# raw_syscalls:sys_enter fallback (forced by hiding tracefs in a private
# mount namespace). `make bench` runs it.
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
rounds=${ROUNDS:-5}
writes=${WRITES:-100000}
((EUID == 0)) || { echo "bench: needs root (BPF)" >&2; exit 1; }
[[ -c /dev/kvm ]] || { echo "bench: $(basename "$0") drives real guests and this host has no /dev/kvm; make bench-replay times the BPF programs' part of an exit without it" >&2; exit 1; }

median() { sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

exit_rate() {
	"$BUILD/test-vmm" --writes "$writes" --json | jq '.guests[0] | .mmio_exits / (.elapsed_ns / 1e9)'
}

# tracer_start default|no_locks|raw_sys_enter
tracer_start() {
	local setup='mountpoint -q /sys/kernel/tracing || mount -t tracefs tracefs /sys/kernel/tracing'
	local args=(--interval 3600 --json)
	[[ $1 == raw_sys_enter ]] &&
		setup='for d in /sys/kernel/tracing /sys/kernel/debug; do mount -t tmpfs none "$d"; done'
	[[ $1 == no_locks ]] && args+=(--no-locks)
	: >"$tmp/err"
	unshare -m --propagation private bash -c "$setup && exec \"\$0\" \"\$@\"" \
		"$BUILD/kvm-mmio-top" "${args[@]}" >/dev/null 2>"$tmp/err" &
	tracer=$!
	until grep -q "kvm-mmio-top: tracing" "$tmp/err"; do sleep 0.05; done
}

tmp=$(mktemp -d)
# bpf_stats times every program run with two clock reads: what it adds is
# not the tool's cost (cost.sh turns it on for its own table).
stats_was=$(sysctl -n kernel.bpf_stats_enabled)
sysctl -q kernel.bpf_stats_enabled=0
trap 'kill "${tracer:-}" 2>/dev/null || true; sysctl -q kernel.bpf_stats_enabled="$stats_was"; rm -rf "$tmp"' EXIT
measure() { # SUFFIX
	exit_rate >>"$tmp/exits.$1"
	"$BUILD/bench/syscall_rate" 1 >>"$tmp/sys.$1"
	"$BUILD/bench/lock_churn" 1 2 >>"$tmp/locks.$1"
}

modes=(default no_locks raw_sys_enter)
for ((r = 1; r <= rounds; r++)); do
	measure off
	for m in "${modes[@]}"; do
		tracer_start "$m"
		measure "$m"
		kill "$tracer"
		wait "$tracer" 2>/dev/null || true
	done
done
declare -A what=([exits]="guest MMIO exits/s" [sys]="other process syscalls/s"
	[locks]="other process mmap+munmap/s")
printf '%-30s %12s %14s %7s %14s %7s %14s %7s\n' "median of $rounds rounds" untraced \
	default ratio --no-locks ratio raw_sys_enter ratio
for w in exits sys locks; do
	off=$(median <"$tmp/$w.off")
	line=$(printf '%-30s %12.0f' "${what[$w]}" "$off")
	for m in "${modes[@]}"; do
		on=$(median <"$tmp/$w.$m")
		line+=$(printf ' %14.0f %7.3f' "$on" "$(echo "$on / $off" | bc -l)")
	done
	echo "$line"
done
