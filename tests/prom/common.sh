# Shared by tests/prom/*.t (sourced, not run): the exporter under test, the
# test VMM, free loopback ports, polling with a deadline, sample lookup and
# cleanup of everything a test started.
# shellcheck shell=bash

set -u
cd "$(dirname "$0")/../.." || exit 1
BUILD=${BUILD:-build}
TOP=$BUILD/kvm-mmio-top
VMM=$BUILD/test-vmm

skip() {
	echo "SKIP: $*"
	exit 77
}

fail() {
	echo "FAIL: $*"
	exit 1
}

[[ -x $TOP ]] || fail "$TOP not built; run: make"
[[ -x $VMM ]] || fail "$VMM not built; run: make $VMM"
for tool in jq curl promtool; do
	command -v $tool >/dev/null || skip "$tool not installed (make deps)"
done
((EUID == 0)) || skip "loading BPF programs needs root"
[[ -c /dev/kvm && -r /dev/kvm && -w /dev/kvm ]] || skip "/dev/kvm not available"

# A work directory on the build's file system (fsync means something there).
WORK=$(mktemp -d "$PWD/$BUILD/prom-test.XXXXXX")
PIDS=()

cleanup() {
	local pid i
	{
		for pid in "${PIDS[@]}"; do
			kill "$pid"
		done
		for ((i = 0; i < 40; i++)); do
			[[ -z $(jobs -rp) ]] && break
			sleep 0.05
		done
		for pid in $(jobs -rp); do
			kill -9 "$pid"
		done
		wait
	} 2>/dev/null
	rm -rf "$WORK"
}
trap cleanup EXIT

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

# start_exporter ARGS...: starts kvm-mmio-top ARGS in the background
# (stderr in $WORK/top.err), waits until it traces; its pid is in $TOP_PID.
start_exporter() {
	: >"$WORK/top.err"
	"$TOP" "$@" 2>"$WORK/top.err" &
	TOP_PID=$!
	PIDS+=("$TOP_PID")
	wait_for 10 "kvm-mmio-top to attach (stderr: $(cat "$WORK/top.err"))" \
		grep -q "kvm-mmio-top: tracing" "$WORK/top.err"
}

# value FILE METRIC LABEL=VALUE...: the value of the one sample of METRIC
# carrying all those labels (in any order); empty when there is none.
value() {
	local file=$1 metric=$2 lines
	shift 2
	lines=$(grep "^$metric{" "$file")
	for l in "$@"; do
		lines=$(grep -F "${l%%=*}=\"${l#*=}\"" <<<"$lines")
	done
	[[ $(grep -c . <<<"$lines") -le 1 ]] || fail "several $metric samples match $*"
	awk '{ print $2 }' <<<"$lines"
}

# expect_eq WHAT EXPECTED SEEN (numerically, so "1e+06" equals 1000000)
expect_eq() {
	awk -v a="$2" -v b="$3" 'BEGIN { exit !(a != "" && b != "" && a + 0 == b + 0) }' ||
		fail "$1: expected $2, saw ${3:-nothing}"
}

# no_complaints: the exporter said nothing on stderr but that it traces.
no_complaints() {
	if grep -v "^kvm-mmio-top: tracing" "$WORK/top.err" | grep -q .; then
		fail "the exporter complained: $(cat "$WORK/top.err")"
	fi
}

# promtool_clean WHAT FILE: promtool check metrics reports no problem.
promtool_clean() {
	local out
	out=$(promtool check metrics <"$2" 2>&1) || fail "promtool check metrics failed on $1: $out"
	[[ -z $out ]] || fail "promtool check metrics found problems in $1: $out"
}
