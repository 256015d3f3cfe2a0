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
	tr '\0' ' ' <"/proc/$1/cmdline"
}

# Single guest, default name, held by --wait-file.
"$VMM" --json --wait-file "$tmp/go" --linger-ms 1000 >"$tmp/one.json" &
pid=$!
sleep 0.3
kill -0 "$pid" 2>/dev/null || fail "test-vmm exited before --wait-file appeared"
[[ $(cmdline_of "$pid") == *"-name guest=vmm "* ]] ||
	fail "cmdline: expected '-name guest=vmm', saw '$(cmdline_of "$pid")'"
[[ -s $tmp/one.json ]] && fail "ground truth printed before --wait-file appeared"
threads=$(ls "/proc/$pid/task" | wc -l)
expect_eq "threads while waiting (no vCPU running yet)" 1 "$threads"

touch "$tmp/go"
sleep 0.5
kill -0 "$pid" 2>/dev/null || fail "test-vmm did not linger 1000 ms after the vCPUs halted"
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
sleep 0.3
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
