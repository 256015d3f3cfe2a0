#!/usr/bin/env bash
# Soak (not CI): kvm-mmio-top traces for SOAK_MINUTES (default 60) while
# short-lived test-vmm guests come and go (one at a time, GUEST_EVERY
# seconds apart, each with a known number of exits; with
# SOAK_FORCE_PID_REUSE=1 every fourth takes the previous guest's pid through
# /proc/sys/kernel/ns_last_pid, which also hands recycled pids to whatever
# else forks on the host: only on a host of your own). Every
# SAMPLE_EVERY seconds the tool's RSS, open fds and the entries of each of
# its BPF maps are sampled. At the end the exits of all soak guests summed
# over every JSON report must equal what the guests counted themselves (no
# drift, nothing lost or doubled), and RSS and map entries must be flat.
#
#   sudo bench/soak.sh                     # an hour
#   SOAK_SECONDS=60 sudo bench/soak.sh     # a quick look
#   tests/x86-kvm/run-in-svm-host.sh --timeout 4000 --results DIR -- \
#       env SOAK_FORCE_PID_REUSE=1 OUT=/run/kmt-results/soak.csv bench/soak.sh
#                                          # a host of its own: the SVM test bed
#
# Prints a summary; the samples go to $OUT (default build/soak.csv).
# No errexit: a failed sample must be seen in the log, not end the soak silently.
set -uo pipefail
cd "$(dirname "$0")/.." || exit 1
BUILD=${BUILD:-build}
minutes=${SOAK_MINUTES:-60}
duration=${SOAK_SECONDS:-$((minutes * 60))}
every=${GUEST_EVERY:-1}
sample_every=${SAMPLE_EVERY:-60}
out=${OUT:-$BUILD/soak.csv}
((EUID == 0)) || { echo "soak: needs root (BPF, ns_last_pid)" >&2; exit 1; }
[[ -x $BUILD/kvm-mmio-top && -x $BUILD/test-vmm ]] || { echo "soak: run make first" >&2; exit 1; }

tmp=$(mktemp -d /tmp/kmt-soak.XXXXXX)
tracer=
cleanup() {
	[[ -n $tracer ]] && kill "$tracer" 2>/dev/null && wait "$tracer" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT

"$BUILD/kvm-mmio-top" --json -i 10 >"$tmp/reports" 2>"$tmp/err" &
tracer=$!
until grep -q "kvm-mmio-top: tracing" "$tmp/err"; do sleep 0.05; done

# sample T: seconds since start, RSS kB, fds, then entries per map (id:count).
sample() {
	local maps=() id
	for id in $(cat /proc/"$tracer"/fdinfo/* 2>/dev/null | sed -n 's/^map_id:[[:space:]]*//p' | sort -un); do
		maps+=("$id:$(bpftool -j map dump id "$id" 2>/dev/null | jq length 2>/dev/null || echo "?")")
	done
	echo "$1,$(awk '/^VmRSS:/ { print $2 }' /proc/"$tracer"/status),$(ls /proc/"$tracer"/fd | wc -l),${maps[*]}"
}

echo "seconds,rss_kb,fds,map_entries(id:count ...)" >"$out"
start=$SECONDS next_sample=0 guests=0 reused=0 want_exits=0 last_pid=
while ((SECONDS - start < duration)); do
	if ((SECONDS - start >= next_sample)); then
		kill -0 "$tracer" 2>/dev/null || { echo "soak: FAIL: kvm-mmio-top died: $(cat "$tmp/err")" >&2; exit 1; }
		sample $((SECONDS - start)) | tee -a "$out"
		next_sample=$((next_sample + sample_every))
	fi
	# Every fourth guest asks for the previous guest's pid again.
	if [[ ${SOAK_FORCE_PID_REUSE:-0} == 1 ]] && ((guests % 4 == 3)) && [[ -n $last_pid ]]; then
		echo $((last_pid - 1)) >/proc/sys/kernel/ns_last_pid 2>/dev/null || true
	fi
	writes=$((50 + guests % 50)) reads=$((guests % 30))
	"$BUILD/test-vmm" --json --vcpus $((1 + guests % 2)) --writes "$writes" --reads "$reads" \
		-name "guest=soak-$guests" --linger-ms 300 >"$tmp/g" || { echo "soak: test-vmm failed" >&2; exit 1; }
	pid=$(jq '.guests[0].pid' "$tmp/g") || { echo "soak: test-vmm's JSON: $(cat "$tmp/g")" >&2; exit 1; }
	[[ $pid == "$last_pid" ]] && reused=$((reused + 1))
	echo "$pid" >>"$tmp/pids"
	want_exits=$((want_exits + $(jq '.guests[0] | .reads + .writes' "$tmp/g")))
	last_pid=$pid
	guests=$((guests + 1))
	sleep "$every"
done
sleep 12	# the last guest's final interval
sample $((SECONDS - start)) >>"$out"
kill -INT "$tracer"
wait "$tracer" || echo "soak: kvm-mmio-top exited $?: $(cat "$tmp/err")" >&2
tracer=

pids=$(sort -un "$tmp/pids" | jq -s .)
# Exits of the soak's pids, whatever name they carry: on a host of its own
# this equals the sum under soak-* names.
seen=$(jq -s --argjson pids "$pids" '[.[].guests[] | select(.pid as $p | $pids | index($p)) | .mmio.exits] | add // 0' "$tmp/reports")
by_name=$(jq -s '[.[].guests[] | select(.name // "" | startswith("soak-")) | .mmio.exits] | add // 0' "$tmp/reports")
cp "$tmp/reports" "${out%.csv}.reports.json"
misnamed=$(jq -s --argjson pids "$pids" '[.[].guests[] | select(.pid as $p | $pids | index($p)) | select(.mmio.exits > 0 and (.name // "" | startswith("soak-") | not))] | length' "$tmp/reports")
dropped=$(jq -s '[.[].dropped] | add // 0' "$tmp/reports")
rss_first=$(sed -n 2p "$out" | cut -d, -f2)
rss_last=$(tail -n 1 "$out" | cut -d, -f2)
rss_max=$(tail -n +2 "$out" | cut -d, -f2 | sort -n | tail -n 1)
echo "soak: $duration s, $guests guests ($reused reusing the previous guest's pid), $(wc -l <"$tmp/reports") reports"
echo "soak: exits counted by the guests $want_exits, reported on their pids $seen, under soak-* names $by_name, dropped $dropped"
echo "soak: RSS first $rss_first kB, last $rss_last kB, max $rss_max kB; rows with exits under another name: $misnamed"
echo "soak: map entries first: $(sed -n 2p "$out" | cut -d, -f4-)"
echo "soak: map entries last:  $(tail -n 1 "$out" | cut -d, -f4-)"
echo "soak: samples in $out"
((guests > 0)) || { echo "soak: FAIL: no guest ran" >&2; exit 1; }
# Other VMMs on the host may later hold a soak guest's pid: on a shared host
# the pid sum can only be higher; the name sum is the one to trust there.
[[ $by_name == "$want_exits" ]] || { echo "soak: FAIL: reported exits drift from the guests' own counts" >&2; exit 1; }
echo "soak: PASS"
