# shellcheck shell=bash
# Shared by the live tests: real KVM guests from build/test-vmm (the ground
# truth), traced by build/kvm-mmio-top. Source it; it cds to the repo root.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."

source tests/lib/assert.sh
BUILD=${BUILD:-build}
TOP=$BUILD/kvm-mmio-top
VMM=$BUILD/test-vmm
work=$(mktemp -d "${TMPDIR:-/tmp}/kmt-live.XXXXXX")
children=()

cleanup() {
	local pid
	for pid in "${children[@]}"; do
		kill "$pid" 2>/dev/null || true
	done
	wait 2>/dev/null || true
	rm -rf "$work"
}
trap cleanup EXIT

require_live() {
	[[ -x $TOP && -x $VMM ]] || fail "$TOP or $VMM not built (run make)"
	[[ -c /dev/kvm ]] || skip "/dev/kvm not available on this host"
	((EUID == 0)) || skip "loading BPF programs needs root"
}

# start_tracer OUT ARGS...: kvm-mmio-top in the background, returns once attached.
start_tracer() {
	tracer_out=$1
	shift
	"$TOP" "$@" >"$tracer_out" 2>"$tracer_out.err" &
	tracer_pid=$!
	children+=("$tracer_pid")
	for _ in $(seq 400); do
		grep -q "kvm-mmio-top: tracing" "$tracer_out.err" && return 0
		kill -0 "$tracer_pid" 2>/dev/null ||
			fail "kvm-mmio-top exited before attaching: $(cat "$tracer_out.err")"
		sleep 0.05
	done
	fail "kvm-mmio-top did not attach within 20 s"
}

wait_tracer() {
	local rc=0
	wait "$tracer_pid" || rc=$?
	((rc == 0)) || fail "kvm-mmio-top exited $rc: $(cat "$tracer_out.err")"
}

# tracefs_in_namespace mounted|hidden: from now on the tracer runs in a
# private mount namespace where tracefs is mounted, or hidden (so the
# syscalls:sys_enter_ioctl event cannot be attached), whatever the host has.
tracefs_in_namespace() {
	local setup
	if [[ $1 == mounted ]]; then
		setup='mountpoint -q /sys/kernel/tracing || mount -t tracefs tracefs /sys/kernel/tracing'
	else
		setup='for d in /sys/kernel/tracing /sys/kernel/debug; do mount -t tmpfs none "$d"; done'
	fi
	cat >"$work/top-$1" <<-WRAPPER
		#!/usr/bin/env bash
		exec unshare -m --propagation private bash -c '$setup && exec "\$0" "\$@"' "$PWD/$TOP" "\$@"
	WRAPPER
	chmod +x "$work/top-$1"
	TOP=$work/top-$1
}

# expect_vmm_part_timed PROBES_REGEX: with the tracer set up (see
# tracefs_in_namespace), a guest whose VMM waits 100 us on each of its 100
# exits gets exact counts and one VMM-part sample of at least 100 us per
# exit, and the probes the tracer reports match PROBES_REGEX.
expect_vmm_part_timed() {
	local delay_us=100 probes seen
	trace_released_guest 6 -v -- --writes 60 --reads 40 --delay-us $delay_us -name guest=hook
	probes=$(jq -r .probes "$work/report")
	grep -qE "$1" <<<"$probes" || fail "expected probes matching /$1/, saw: $probes"
	seen=$(report_guest "$work/report" "$guest_pid")
	expect_counts_match "$(jq -c '.guests[0]' "$work/guest")" "$seen"
	expect_eq "VMM latency samples" 100 "$(jq .mmio.vmm_latency_ns.count <<<"$seen")"
	expect_ge "VMM p50 (ns)" $((delay_us * 1000)) "$(jq .mmio.vmm_latency_ns.p50 <<<"$seen")"
}

# start_guest OUT ARGS...: one test-vmm run in the background; its pid in guest_pid.
start_guest() {
	local out=$1
	shift
	"$VMM" --json "$@" >"$out" 2>"$out.err" &
	guest_pid=$!
	children+=("$guest_pid")
}

wait_guest() {
	local rc=0
	wait "$1" || rc=$?
	((rc == 0)) || fail "test-vmm (pid $1) exited $rc: $(cat "$2.err")"
}

# trace_released_guest SECONDS [TRACER_ARGS...] -- [VMM_ARGS...]: attaches
# kvm-mmio-top --once --json for SECONDS, then releases one guest and waits for
# both. The report is in $work/report, the VMM's JSON in $work/guest, its pid
# in $guest_pid.
trace_released_guest() {
	local seconds=$1 tracer_args=()
	shift
	while (($#)) && [[ $1 != -- ]]; do
		tracer_args+=("$1")
		shift
	done
	shift
	start_tracer "$work/report" --once --interval "$seconds" --json "${tracer_args[@]}"
	start_guest "$work/guest" "$@" --wait-file "$work/go" --linger-ms 400
	touch "$work/go"
	wait_guest "$guest_pid" "$work/guest"
	wait_tracer
}

# report_guest REPORT PID: the guest object for PID from the (first) report line.
report_guest() {
	head -n 1 "$1" | jq -c --argjson pid "$2" '.guests[] | select(.pid == $pid)'
}

# expect_counts_match TRUTH_JSON GUEST_JSON: exits, reads, writes, vCPUs exact.
expect_counts_match() {
	local truth=$1 seen=$2 name
	[[ -n $seen ]] || fail "guest $(jq .pid <<<"$truth") is missing from the report"
	name=$(jq -r .name <<<"$truth")
	expect_eq "$name reads" "$(jq .reads <<<"$truth")" "$(jq .mmio.reads <<<"$seen")"
	expect_eq "$name writes" "$(jq ".writes + .ioeventfd_writes" <<<"$truth")" \
		"$(jq .mmio.writes <<<"$seen")"
	expect_eq "$name exits" "$(jq '.reads + .writes + .ioeventfd_writes' <<<"$truth")" \
		"$(jq .mmio.exits <<<"$seen")"
	expect_eq "$name vmm_handled" "$(jq .mmio_exits <<<"$truth")" \
		"$(jq .mmio.vmm_handled <<<"$seen")"
	expect_eq "$name kernel_handled" "$(jq .ioeventfd_writes <<<"$truth")" \
		"$(jq .mmio.kernel_handled <<<"$seen")"
	expect_eq "$name vcpus" "$(jq '.vcpus | length' <<<"$truth")" "$(jq .vcpus <<<"$seen")"
	expect_eq "$name name" "$name" "$(jq -r .name <<<"$seen")"
	expect_eq "$name per-vCPU exits by tid" \
		"$(jq -c '[.vcpus[] | {tid, exits: (.reads + .writes + .ioeventfd_writes)}] | sort_by(.tid)' <<<"$truth")" \
		"$(jq -c '[.per_vcpu[] | {tid, exits}] | sort_by(.tid)' <<<"$seen")"
}
