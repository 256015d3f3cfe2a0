#!/usr/bin/env bash
# timeout: 90
# The live view in a real pty (tmux): guests of the test VMM appear with
# their exact counts, a guest started while it runs appears too, sort and
# filter keys change what is shown, the drill-down shows the guest's vCPU
# threads and a VMM-part histogram whose bars add up to its exits, and q
# exits 0 with the pty's mode restored.
source "$(dirname "$0")/lib.sh"
require_live
source "$(dirname "$0")/tmux.sh"

tag=lv$$
# expect_row TRUTH_FILE: the guest's row shows the VMM's own counts.
expect_row() {
	local truth pid name
	truth=$(jq -c '.guests[0]' "$1")
	pid=$(jq .pid <<<"$truth")
	name=$(jq -r .name <<<"$truth")
	expect_screen "^ *$pid +$name +$(jq '.vcpus | length' <<<"$truth") " 10 "$name has a row"
	# Totals are final once the guest's last exit was read: wait for it.
	wait_screen "^ *$pid .* $(jq '.reads + .writes + .ioeventfd_writes' <<<"$truth") " 5 || true
	expect_eq "$name EXITS" "$(jq '.reads + .writes + .ioeventfd_writes' <<<"$truth")" "$(field_of "$pid" EXITS)"
	expect_eq "$name READS" "$(jq .reads <<<"$truth")" "$(field_of "$pid" READS)"
	expect_eq "$name WRITES" "$(jq '.writes + .ioeventfd_writes' <<<"$truth")" "$(field_of "$pid" WRITES)"
	expect_eq "$name KERNEL" "$(jq .ioeventfd_writes <<<"$truth")" "$(field_of "$pid" KERNEL)"
	expect_eq "$name VMM" "$(jq .mmio_exits <<<"$truth")" "$(field_of "$pid" VMM)"
}

# names_shown: the guest names of the table's rows, top to bottom.
names_shown() {
	screen | awk -v tag="$tag" '$2 ~ "^" tag "-" { printf "%s ", $2 }'
}

start_guest "$work/web" --vcpus 2 --writes 300 --reads 100 -name "guest=$tag-web" \
	--wait-file "$work/go" --linger-ms 300
web=$guest_pid
start_guest "$work/db" --writes 50 --ioeventfd-writes 20 -name "guest=$tag-db" \
	--wait-file "$work/go" --linger-ms 300
db=$guest_pid
start_view 200 60 -g "$tag-*" -d 0.5
touch "$work/go"
wait_guest "$web" "$work/web"
wait_guest "$db" "$work/db"
expect_row "$work/web"
expect_row "$work/db"

# The header: the backend and what it measures, the interval, drops and the tool's own cost.
expect_screen "^kvm-mmio-top [0-9:]+ +every 0.5s +guests 2 +dropped [0-9]+ \\(total [0-9]+\\) +cost: BPF [0-9.]+ms/s, CPU [0-9.]+%" 5 "status line with the tool's cost"
expect_screen "^backend [a-z0-9_]+: counts vmm_part" 5 "backend and capabilities"
# A lock wait column per lock series chosen, none without.
if screen | grep -qE "^backend .*  locks: "; then
	expect_screen "^ +PID .* (MMU|LOCK|HPTE) p99" 5 "lock wait columns with lock series chosen"
else
	screen | grep -qE "(MMU|LOCK|HPTE) p99" && fail "lock wait column without a lock series"
	echo "ok: no lock wait column without a lock series"
fi
# The burst is over, and still in each guest's sparkline.
row_of "$web" | grep -q '[▁▂▃▄▅▆▇█]' || fail "no burst in the sparkline of $web: $(row_of "$web")"
echo "ok: the burst stays in the sparkline after it ended"

# A guest started while the view runs.
start_guest "$work/late" --writes 70 -name "guest=$tag-late" --linger-ms 600
late=$guest_pid
wait_guest "$late" "$work/late"
expect_row "$work/late"
screen

# Sort: '<' twice moves from EXITS/s to NAME (A to Z); R reverses it.
keys '<' '<'
expect_screen "NAME\\*" 5 "NAME is the sort column"
expect_eq "rows sorted by name" "$tag-db $tag-late $tag-web " "$(names_shown)"
keys R
expect_screen "NAME\\^" 5 "the sort is reversed"
expect_eq "rows sorted by name, reversed" "$tag-web $tag-late $tag-db " "$(names_shown)"

# Filters: by name (a substring), by pid, and cleared.
keys / w e b Enter
expect_screen "name: web" 5 "the name filter is shown"
expect_eq "name filter 'web'" "$tag-web " "$(names_shown)"
keys / Enter
expect_eq "name filter cleared" "$tag-web $tag-late $tag-db " "$(names_shown)"
keys p "$db,$late" Enter
expect_eq "pid filter $db,$late" "$tag-late $tag-db " "$(names_shown)"
keys p x Enter
expect_screen "invalid pid list 'x'" 5 "a bad pid list is refused"
keys p "$web" Enter
expect_eq "pid filter $web" "$tag-web " "$(names_shown)"

# Drill-down into the web guest: its vCPUs, and bars adding up to its exits.
keys Enter
expect_screen "^guest $tag-web +pid $web +vCPUs 2 " 5 "the drill-down shows the guest"
screen
for tid in $(jq '.guests[0].vcpus[].tid' "$work/web"); do
	want=$(jq --argjson t "$tid" '.guests[0].vcpus[] | select(.tid == $t) | .reads + .writes' "$work/web")
	expect_eq "vCPU $tid exits" "$want" "$(screen | awk -v t="$tid" '$1 == t { print $2; exit }')"
done
exits=$(jq '.guests[0].mmio_exits' "$work/web")
expect_screen "VMM part latency \\($exits exits\\)" 5 "the VMM histogram counts $exits exits"
bars=$(screen | awk '/VMM part latency/ { on = 1; next } /^lock / { on = 0 } on && $1 ~ /^<=/ { sum += $2 } END { print sum + 0 }')
expect_eq "sum of the VMM histogram's bars" "$exits" "$bars"
expect_screen "kernel part" 5 "the kernel part is drawn beside it"
keys Escape
expect_screen "^ +PID +NAME" 5 "Esc goes back to the table"

keys h
expect_screen "kvm-mmio-top: keys" 5 "h shows the keys"
keys Escape
# t: the last interval only (nothing happened in it); again: the totals.
keys t
expect_screen "showing: last interval" 5 "t shows the last interval"
expect_eq "guests in the last interval" "" "$(names_shown)"
keys t
expect_eq "totals again" "$tag-web " "$(names_shown)"
# s: a new interval; r: totals from zero.
keys s 2 Enter
expect_screen "^kvm-mmio-top [0-9:]+ +every 2s" 5 "s changes the interval"
keys r
expect_screen "totals reset" 5 "r resets the totals"
expect_eq "guests after the reset" "" "$(names_shown)"
keys q
wait_view_exit 10
expect_eq "exit status after q" 0 "$view_rc"
expect_terminal_restored
