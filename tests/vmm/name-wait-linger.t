#!/usr/bin/env bash
# What a tracer relies on to find guests: each guest's own /proc/PID/cmdline
# carries "-name guest=NAME" (added when not given; NAME-i per child with
# --guests), --wait-file holds the vCPUs before their first KVM_RUN, and
# --linger-ms keeps the process alive after they halted.
source "$(dirname "$0")/common.sh"
need_kvm

tmp=$(mktemp -d)
trap 'kill "$pid" 2>/dev/null; rm -rf "$tmp"' EXIT

# cmdline_of PID: its argv joined by spaces.
cmdline_of() {
	tr '\0' ' ' <"/proc/$1/cmdline" 2>/dev/null
}

# wait_until WHAT COMMAND...: poll a loaded host for up to 10 s.
wait_until() {
	local what=$1 i
	shift
	for ((i = 0; i < 100; i++)); do
		"$@" && return 0
		sleep 0.1
	done
	fail "$what did not happen within 10 s"
}

has_name() {
	[[ $(cmdline_of "$1") == *"-name guest=$2 "* ]]
}

has_children() {
	(($(pgrep -c -P "$1") == $2)) && for c in $(pgrep -P "$1"); do
		[[ $(cmdline_of "$c") == *"-name guest="* ]] || return 1
	done
}

# Single guest, default name, held by --wait-file.
"$VMM" --json --wait-file "$tmp/go" --linger-ms 2000 >"$tmp/one.json" &
pid=$!
wait_until "'-name guest=vmm' on test-vmm's cmdline" has_name "$pid" vmm
sleep 0.3
kill -0 "$pid" 2>/dev/null || fail "test-vmm exited before --wait-file appeared"
[[ -s $tmp/one.json ]] && fail "ground truth printed before --wait-file appeared"
threads=$(ls "/proc/$pid/task" | wc -l)
expect_eq "threads while waiting (no vCPU running yet)" 1 "$threads"

touch "$tmp/go"
wait_until "ground truth printed after release" test -s "$tmp/one.json"
kill -0 "$pid" 2>/dev/null || fail "test-vmm did not linger 2000 ms after the vCPUs halted"
json=$(cat "$tmp/one.json")
expect_eq "writes (printed before lingering)" 100 "$(field '.guests[0].writes')"
expect_eq "pid in JSON" "$pid" "$(field '.guests[0].pid')"
wait "$pid" || fail "test-vmm exited $?, expected 0"

# QEMU's other spelling, -name NAME.
json=$("$VMM" --json --writes 1 -name plain) || fail "-name plain exited $?"
expect_eq "name from '-name plain'" plain "$(field '.guests[0].name')"

# --guests: every child carries its own name.
rm -f "$tmp/go"
"$VMM" --guests 2 --writes 1 --json --wait-file "$tmp/go" -name guest=web,debug-threads=on >"$tmp/two.json" &
pid=$!
wait_until "2 named child guests" has_children "$pid" 2
mapfile -t children < <(pgrep -P "$pid")
expect_eq "child guest processes" 2 "${#children[@]}"
names=$(for c in "${children[@]}"; do cmdline_of "$c" | grep -o -- '-name guest=[^ ]*'; done | sort | tr '\n' ' ')
expect_eq "children's -name" "-name guest=web-0 -name guest=web-1 " "$names"
touch "$tmp/go"
wait "$pid" || fail "test-vmm --guests 2 exited $?, expected 0"
json=$(cat "$tmp/two.json")
expect_eq "merged names" "web-0 web-1" "$(field '[.guests[].name] | join(" ")')"
expect_eq "merged pids are the children" "$(printf '%s\n' "${children[@]}" | sort -n | tr '\n' ' ')" \
	"$(field '[.guests[].pid] | sort | map(tostring) | join(" ")') "
echo "PASS: names on cmdlines, --wait-file held the vCPUs, --linger-ms kept the guest alive"
