#!/usr/bin/env bash
# The kernel's BPF run-time statistics are global: while they are on, every
# BPF program of the host pays two clock reads per run. The exporter turns
# them on only with --bpf-stats. Without it the kernel counts no run of its
# programs and the kvm_mmio_exporter_bpf_prog_* families are absent; with it
# they are exported and count the runs of sched_process_exit, which every
# exiting process fires (no guest needed). Without CAP_SYS_ADMIN,
# --bpf-stats says that it is needed and the rest is exported.
# shellcheck disable=SC2034 # read by common.sh: no guest runs here
KMT_PROM_NO_KVM=1
source "$(dirname "$0")/common.sh"
command -v bpftool >/dev/null || skip "bpftool not installed (make deps)"
command -v setpriv >/dev/null || skip "setpriv not installed (util-linux)"
[[ $(sysctl -n kernel.bpf_stats_enabled) == 0 ]] ||
	skip "kernel.bpf_stats_enabled is 1: the host counts every program's runs already"

# Programs loaded after the exporter started are its own.
last_prog_id() { bpftool prog show --json | jq '[.[].id] | max // 0'; }
# progs_after ID FILTER: jq FILTER over the sched_process_* programs newer than ID.
progs_after() {
	bpftool prog show --json | jq --argjson id "$1" \
		"[.[] | select(.id > \$id and (.name | startswith(\"sched_process\")))] | $2"
}
# runs_after ID: runs the kernel counted for them.
runs_after() { progs_after "$1" '[.[].run_cnt // 0] | add // 0'; }
exit_processes() {
	local i
	for ((i = 0; i < 200; i++)); do
		/bin/true
	done
}
stop_exporter() {
	kill "$TOP_PID"
	wait_tracer
}

# --- without --bpf-stats --------------------------------------------------
before=$(last_prog_id)
mkdir "$work/off"
start_exporter --textfile-dir "$work/off" -i 0.1
ours=$(progs_after "$before" length)
((ours > 0)) || fail "bpftool shows no sched_process_* program loaded by the exporter"
exit_processes
sleep 0.5
expect_eq "runs the kernel counted for the exporter's $ours sched_process_* programs" 0 \
	"$(runs_after "$before")"
cp "$work/off/kvm_mmio.prom" "$work/off.prom"
if grep -q '^kvm_mmio_exporter_bpf_prog_' "$work/off.prom"; then
	fail "kvm_mmio_exporter_bpf_prog_* exported without --bpf-stats"
fi
if grep -q "run-time statistics" "$TOP_ERR"; then
	fail "asked for no statistics, the exporter still tried: $(cat "$TOP_ERR")"
fi
stop_exporter
echo "ok: without --bpf-stats no run counted, no bpf_prog family"

# --- with --bpf-stats ------------------------------------------------------
before=$(last_prog_id)
mkdir "$work/on"
start_exporter --textfile-dir "$work/on" -i 0.1 --bpf-stats
exit_processes
# Conditions are functions: wait_for runs them at each poll.
counted() { (($(runs_after "$before") >= 200)); }
wait_for 10 "200 runs of the exporter's sched_process_* programs counted by the kernel" counted
runs_in_file() {
	cp "$work/on/kvm_mmio.prom" "$work/on.prom"
	awk '/^kvm_mmio_exporter_bpf_prog_runs_total\{prog="sched_process_exit/ { n += $2 }
		END { print n + 0 }' "$work/on.prom"
}
exported() { (($(runs_in_file) >= 200)); }
wait_for 10 "200 sched_process_exit runs in kvm_mmio_exporter_bpf_prog_runs_total" exported
grep -q '^kvm_mmio_exporter_bpf_prog_run_seconds_total{prog="sched_process_exit' "$work/on.prom" ||
	fail "no kvm_mmio_exporter_bpf_prog_run_seconds_total for sched_process_exit"
promtool_clean "the textfile with --bpf-stats" "$work/on.prom"
if grep -q "run-time statistics" "$TOP_ERR"; then
	fail "the statistics were refused as root: $(cat "$TOP_ERR")"
fi
stop_exporter
echo "ok: with --bpf-stats $(runs_in_file) sched_process_exit runs exported"

# --- with --bpf-stats, without CAP_SYS_ADMIN --------------------------------
mkdir "$work/nocap"
rc=0
setpriv --inh-caps=-sys_admin --bounding-set=-sys_admin \
	"$TOP" --textfile-dir "$work/nocap" -i 0.1 -n 2 --bpf-stats 2>"$work/nocap.err" || rc=$?
expect_eq "exit status with --bpf-stats and no CAP_SYS_ADMIN" 0 "$rc"
grep -q "cannot enable BPF run-time statistics (Operation not permitted; CAP_SYS_ADMIN is needed)" \
	"$work/nocap.err" || fail "no word of CAP_SYS_ADMIN: $(cat "$work/nocap.err")"
grep -q '^kvm_mmio_exporter_dropped_events_total{' "$work/nocap/kvm_mmio.prom" ||
	fail "nothing exported without CAP_SYS_ADMIN: $(head -c 300 "$work/nocap/kvm_mmio.prom")"
if grep -q '^kvm_mmio_exporter_bpf_prog_' "$work/nocap/kvm_mmio.prom"; then
	fail "kvm_mmio_exporter_bpf_prog_* exported though the statistics could not be enabled"
fi
echo "PASS: statistics only with --bpf-stats; without CAP_SYS_ADMIN it says so and exports the rest"
