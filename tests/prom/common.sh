# shellcheck shell=bash
# Shared by tests/prom/*.t (sourced, not run), on top of the live tests'
# tests/live/lib.sh ($work, children, start_tracer, cleanup): the exporter
# under test, free loopback ports, polling with a deadline, sample lookup
# and promtool. A test that runs no guest, or only synthetic ones
# (bench/scale_fill), sets KMT_PROM_NO_KVM before sourcing it: it needs
# root, not /dev/kvm.
source "$(dirname "${BASH_SOURCE[0]}")/../live/lib.sh"
if [[ -n ${KMT_PROM_NO_KVM:-} ]]; then
	((EUID == 0)) || skip "loading BPF programs needs root"
else
	require_live
fi
for tool in jq curl promtool; do
	command -v $tool >/dev/null || skip "$tool not installed (make deps)"
done

# free_port: prints a loopback TCP port nobody listens on.
free_port() {
	local port i
	for ((i = 0; i < 50; i++)); do
		port=$((20000 + RANDOM % 30000))
		if [[ -z $(ss -Htln "sport = :$port") ]]; then
			echo "$port"
			return 0
		fi
	done
	fail "no free loopback port found in 50 tries"
}

# wait_for SECONDS WHAT COMMAND...: polls COMMAND every 0.05 s until it
# succeeds; fails the test naming WHAT after SECONDS.
wait_for() {
	local secs=$1 what=$2 i
	shift 2
	for ((i = 0; i < secs * 20; i++)); do
		"$@" && return 0
		sleep 0.05
	done
	fail "waited ${secs}s for $what"
}

# start_exporter ARGS...: kvm-mmio-top ARGS in the background, returns once
# it traces (its first textfile is written by then). Its pid is in
# $TOP_PID, its stderr in $TOP_ERR.
start_exporter() {
	start_tracer "$work/top.out" "$@"
	TOP_PID=$tracer_pid
	TOP_ERR=$work/top.out.err
}

# value FILE METRIC LABEL=VALUE...: the value, as an integer, of the one
# sample of METRIC carrying all those labels in any order (node_exporter
# writes 1000000 as 1e+06); empty when there is none.
value() {
	local file=$1 metric=$2 lines l
	shift 2
	lines=$(grep "^$metric{" "$file" || true)
	for l in "$@"; do
		lines=$(grep -F "${l%%=*}=\"${l#*=}\"" <<<"$lines" || true)
	done
	[[ $(grep -c . <<<"$lines") -le 1 ]] || fail "several $metric samples match $*"
	awk '{ printf "%.0f\n", $2 }' <<<"$lines"
}

# no_complaints: the exporter said nothing on stderr but that it traces.
no_complaints() {
	local other
	other=$(grep -v "^kvm-mmio-top: tracing" "$TOP_ERR" || true)
	[[ -z $other ]] || fail "the exporter complained: $other"
}

# promtool_clean WHAT FILE: promtool check metrics reports no problem.
promtool_clean() {
	local out
	out=$(promtool check metrics <"$2" 2>&1) || fail "promtool check metrics failed on $1: $out"
	[[ -z $out ]] || fail "promtool check metrics found problems in $1: $out"
}
