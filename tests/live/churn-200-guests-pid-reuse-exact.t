#!/usr/bin/env bash
# 200 short-lived guests (batches of 40 at once) come and go while one
# kvm-mmio-top runs, and pids are reused for real: before each batch the
# host's /proc/sys/kernel/ns_last_pid is set so the batch's first guest
# gets the pid of the previous batch's first guest (what CRIU does). Every
# guest's exits, summed over all JSON reports under its own name, equal
# what it counted (no stale name on a reused pid, no merged or lost
# guest: exits under another name would be missing from its own sum);
# at the end none of
# their keys is left in the tool's maps and its RSS has not grown by more
# than 4 MiB. Other processes seen on the churned pids are listed, not
# failed: later VMMs of this test, or other VMMs of the host.
# timeout: 180
source "$(dirname "$0")/lib.sh"
require_live
[[ -w /proc/sys/kernel/ns_last_pid ]] || skip "/proc/sys/kernel/ns_last_pid not writable"
command -v bpftool >/dev/null || skip "bpftool not installed (make deps)"
batches=5 per=40

rss() { awk '/^VmRSS:/ { print $2 }' /proc/"$tracer_pid"/status; }
# our_keys: entries of the tool's hash maps, and slots of its vCPU slot
# array, whose tgid is one of our guests.
our_keys() {
	local id n=0 c where
	for id in $(cat /proc/"$tracer_pid"/fdinfo/* | sed -n 's/^map_id:[[:space:]]*//p' | sort -un); do
		case $(bpftool -j map show id "$id" | jq -r '.type + " " + .name') in
		"hash "*) where=key ;;
		"array vcpu_slots") where=value ;;
		*) continue ;;
		esac
		c=$(bpftool -j map dump id "$id" | jq --argjson pids "$(printf '%s\n' "${all_pids[@]}" | jq -s .)" \
			--arg where "$where" '[.[] | select(.formatted[$where].tgid as $t | $pids | index($t))] | length')
		n=$((n + c))
	done
	echo "$n"
}

start_tracer "$work/reports" --json -i 0.2
all_pids=()
truth=()
reused=0
prev_first=
for ((b = 0; b < batches; b++)); do
	((b == 1)) && rss_before=$(rss)
	if [[ -n $prev_first ]]; then
		echo $((prev_first - 1)) >/proc/sys/kernel/ns_last_pid
	fi
	pids=()
	for ((g = 0; g < per; g++)); do
		i=$((b * per + g))
		start_guest "$work/g$i" --vcpus $((1 + i % 2)) --writes $((3 + i)) --reads $((i % 7)) \
			-name "guest=churn-$i" --linger-ms 1500
		pids+=("$guest_pid")
	done
	[[ ${pids[0]} == "$prev_first" ]] && reused=$((reused + 1))
	for ((g = 0; g < per; g++)); do
		i=$((b * per + g))
		wait_guest "${pids[$g]}" "$work/g$i"
		truth+=("churn-$i $(jq '.guests[0] | .reads + .writes' "$work/g$i")")
		all_pids+=("${pids[$g]}")
	done
	prev_first=${pids[0]}
	sleep 0.45	# two reads: the batch is reported exited and its keys reaped
done
sleep 0.6
kill -INT "$tracer_pid"
wait_tracer

expect_ge "guests that reused the previous batch's pid" 1 "$reused"
distinct=$(printf '%s\n' "${all_pids[@]}" | sort -u | wc -l)
echo "ok: $((batches * per)) guests on $distinct distinct pids, $reused forced reuses"
jq -e . "$work/reports" >/dev/null || fail "invalid JSON in the reports"
pids_json=$(printf '%s\n' "${all_pids[@]}" | jq -s .)
jq -s --argjson pids "$pids_json" -r \
	'[.[].guests[] | select(.pid as $p | $pids | index($p)) | select(.name // "" | startswith("churn-"))] |
	 group_by(.name) | map("\(.[0].name) \(map(.mmio.exits) | add)") | .[]' "$work/reports" |
	sort >"$work/seen"
printf '%s\n' "${truth[@]}" | sort >"$work/truth"
if ! diff "$work/truth" "$work/seen" >"$work/diff"; then
	for name in $(sed -n 's/^< \(churn-[0-9]*\) .*/\1/p' "$work/diff"); do
		i=${name#churn-}
		echo "guest $name, pid $(jq '.guests[0].pid' "$work/g$i"): rows of that pid:"
		jq -c --argjson p "$(jq '.guests[0].pid' "$work/g$i")" '.guests[] | select(.pid == $p) | {name, exits: .mmio.exits}' "$work/reports"
	done
	fail "per-name exits differ from the guests' own counts (< truth, > reported): $(head -n 20 "$work/diff")"
fi
echo "ok: all $((batches * per)) guests' exits exact under their own names"
stale=$(jq -s --argjson pids "$pids_json" -c \
	'[.[].guests[] | select(.pid as $p | $pids | index($p)) | select(.name // "" | startswith("churn-") | not) | .name] | unique' \
	"$work/reports")
echo "note: other processes seen on the churned pids (not guests of this test): $stale"

# Memory: a fresh tracer over 160 more churning guests. Its RSS is taken
# once it has reported a first batch (libbpf's, libc's and the report
# buffers' first allocations are not growth), then again after three more
# batches; afterwards none of our guests' keys is left in its maps.
start_tracer "$work/reports2" --json -i 0.2
for ((b = 0; b < 4; b++)); do
	pids=()
	for ((g = 0; g < per; g++)); do
		start_guest "$work/h$b$g" --writes 50 -name "guest=again-$b-$g" --linger-ms 300
		pids+=("$guest_pid")
	done
	for ((g = 0; g < per; g++)); do
		wait_guest "${pids[$g]}" "$work/h$b$g"
		all_pids+=("${pids[$g]}")
	done
	sleep 0.45	# two reads: the batch is reported exited and its keys reaped
	((b == 0)) && rss0=$(rss)
done
sleep 1
expect_eq "map entries left of our exited guests" 0 "$(our_keys)"
rss1=$(rss)
(((rss1 - rss0) < 4096)) ||
	fail "RSS grew from $rss0 kB to $rss1 kB over $((3 * per)) guests after the first $per"
echo "ok: RSS $rss0 kB -> $rss1 kB over $((3 * per)) guests after the first $per (first tracer: $rss_before kB after its first batch)"
kill -INT "$tracer_pid"
wait_tracer
echo "PASS: 200 churning guests with forced pid reuse: exact per-name counts, no keys left, RSS bounded"
