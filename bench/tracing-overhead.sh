#!/usr/bin/env bash
# What tracing costs, measured side by side in one run (this machine is
# noisy): each round runs, untraced and then traced with each KVM_RUN
# re-entry hook,
#   - a guest's MMIO exit throughput (test-vmm, one vCPU, writes), and
#   - a syscall loop of an unrelated process (bench/syscall_rate),
# and the medians and their ratios to untraced are printed. The hooks:
# syscalls:sys_enter_ioctl (tracefs mounted, the default) and
# raw_syscalls:sys_enter (the fallback, forced by hiding tracefs in a
# private mount namespace). `make bench` runs it.
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
rounds=${ROUNDS:-5}
writes=${WRITES:-100000}
((EUID == 0)) || { echo "bench: needs root (BPF)" >&2; exit 1; }

median() { sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

exit_rate() {
	"$BUILD/test-vmm" --writes "$writes" --json | jq '.guests[0] | .mmio_exits / (.elapsed_ns / 1e9)'
}

# tracer_start syscall_event|raw_sys_enter
tracer_start() {
	local setup='mountpoint -q /sys/kernel/tracing || mount -t tracefs tracefs /sys/kernel/tracing'
	[[ $1 == raw_sys_enter ]] &&
		setup='for d in /sys/kernel/tracing /sys/kernel/debug; do mount -t tmpfs none "$d"; done'
	: >"$tmp/err"
	unshare -m --propagation private bash -c "$setup && exec \"\$0\" \"\$@\"" \
		"$BUILD/kvm-mmio-top" --interval 3600 --json >/dev/null 2>"$tmp/err" &
	tracer=$!
	until grep -q "kvm-mmio-top: tracing" "$tmp/err"; do sleep 0.05; done
}

tmp=$(mktemp -d)
trap 'kill "${tracer:-}" 2>/dev/null || true; rm -rf "$tmp"' EXIT
modes=(syscall_event raw_sys_enter)
for ((r = 1; r <= rounds; r++)); do
	exit_rate >>"$tmp/exits.off"
	"$BUILD/bench/syscall_rate" 1 >>"$tmp/sys.off"
	for m in "${modes[@]}"; do
		tracer_start "$m"
		exit_rate >>"$tmp/exits.$m"
		"$BUILD/bench/syscall_rate" 1 >>"$tmp/sys.$m"
		kill "$tracer"
		wait "$tracer" 2>/dev/null || true
	done
done
printf '%-26s %12s %14s %7s %14s %7s\n' "median of $rounds rounds" untraced \
	sys_enter_ioctl ratio raw_sys_enter ratio
for w in exits sys; do
	off=$(median <"$tmp/$w.off")
	line=$(printf '%-26s %12.0f' "$([[ $w == exits ]] && echo "guest MMIO exits/s" || echo "other process syscalls/s")" "$off")
	for m in "${modes[@]}"; do
		on=$(median <"$tmp/$w.$m")
		line+=$(printf ' %14.0f %7.3f' "$on" "$(echo "$on / $off" | bc -l)")
	done
	echo "$line"
done
