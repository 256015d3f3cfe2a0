#!/usr/bin/env bash
# Compare what the project's own kvm-mmio-top reported from inside a test
# bed host (its BPF backend, run by /init around a VMM run) with the test
# VMM's ground truth of that same run.
#
#   tests/ppc/check-tool.sh MACHINE CONSOLE_LOG [RUN]
#
# RUN is "bpf" (default: every tracefs event off) or "contend" (the HPTE
# lock contention run of a host with several CPUs, see init.c: the last of
# its attempts contend1, contend2, ..., the first that showed contention
# or the last one allowed).
# The test VMM runs all its guests in one process, and the tool accounts
# per process (a "guest" is a VMM pid), so the guests' totals are summed:
#   reads, writes, exits      loads, stores and all MMIO accesses
#   vmm_handled, kernel_handled  all accesses, none: KVM-HV sends every one
#                             of them to user space (to=user, check-console.sh)
#   kernel_latency_ns.count   one per access: each gets a kvm_hv_mmio_dispatch
#                             / kvm_hv_mmio_complete pair
#                             (docs/kvm_hv-tracepoints.md)
#   locks[hpte].acquired      one per vcpu: only its first access misses the
#                             vcpu's MMIO HPTE cache (as check-console.sh);
#                             with the contention program (test-vmm -c) one
#                             per access: each misses the cache
# and per vcpu thread (tid) its reads and writes. Also: backend kvm_hv,
# the kvm_hv events read by field name (tracepoint programs, not the
# positional tp_btf/raw_tp arguments), nothing dropped, the tool and the
# VMM exited 0.
#
# When tracefs recorded kvm_hv_find_lock_hpte during the run too (run
# contend), the tool's HPTE lock series must equal what the trace says of
# the same lookups by the VMM's vcpu threads: lookups, contended lookups
# (spins > 0), their total and largest spins. The trace must show
# contention (some lookup with spins > 0): without it, there is nothing to
# compare.
set -euo pipefail

machine=$1 log=$2 run=${3:-bpf}
[[ -r $log ]] || { echo "check-tool: no console log $log" >&2; exit 1; }
fail() {
	echo "check-tool: $machine: $*" >&2
	grep -E "^(KMT (tool|vmm run=$run|vmm-exit run=$run|error))" "$log" | cut -c1-400 >&2 || tail -n 30 "$log" >&2
	exit 1
}

if [[ $run == contend ]]; then
	run=$(sed -n 's/^KMT run-begin run=\(contend[0-9]*\) .*/\1/p' "$log" | tail -n 1)
	[[ -n $run ]] || fail "/init did not make the contention run (one host CPU?)"
	echo "check-tool: $machine: contention run $run"
fi
grep -q "^KMT tool-begin run=$run\$" "$log" || fail "/init did not run kvm-mmio-top (no tool-begin run=$run)"
grep -q "^KMT vmm run=$run .*result=ok" "$log" || fail "the VMM run under kvm-mmio-top did not succeed"
# The tool's lines of this run
tool=$(sed -n "/^KMT tool-begin run=$run\$/,/^KMT tool-end run=$run\$/p" "$log")
grep -q '^KMT tool-exit status=0' <<<"$tool" || fail "kvm-mmio-top did not exit 0"
json=$(sed -n 's/^KMT tool-json //p' <<<"$tool")
[[ $(printf '%s\n' "$json" | grep -c .) == 1 ]] || fail "expected exactly one JSON report"
vmm_pid=$(sed -n "s/^KMT vmm-pid run=$run pid=//p" "$log")
[[ -n $vmm_pid ]] || fail "/init did not print the VMM's pid"

# Ground truth, from the VMM's own lines of the run.
truth=$(gawk -v run="$run" '
$1 == "KMT" && $3 == "run=" run && $2 == "mmio" {
	exits++
	if ($7 == "store") writes++; else reads++
	if ($6 == "seq=0") firsts++
}
$1 == "KMT" && $3 == "run=" run && $2 == "vmm" && / program=contend / { contend = 1 }
$1 == "KMT" && $3 == "run=" run && $2 == "vcpu" {
	for (i = 1; i <= NF; i++) { split($i, kv, "="); f[kv[1]] = kv[2] }
	vcpus[f["tid"]] = f["loads"] " " f["stores"]
}
END {
	printf "reads %d\nwrites %d\nexits %d\nvmm_handled %d\nkernel_handled 0\n", reads, writes, exits, exits
	printf "kernel_latency_ns.count %d\nlocks[hpte].acquired %d\n", exits, contend ? exits : firsts
	for (t in vcpus) { split(vcpus[t], lw, " "); printf "vcpu %s reads %d\nvcpu %s writes %d\n", t, lw[1], t, lw[2] }
}' "$log" | sort)
[[ $(echo "$truth" | awk '$1 == "exits" { print $2 }') -gt 0 ]] || fail "no MMIO access in the ground truth"

seen=$(printf '%s\n' "$json" | jq -r --argjson pid "$vmm_pid" '
	(.guests | map(select(.pid == $pid))) as $g
	| if ($g | length) != 1 then "guest-entries-for-vmm-pid \($g | length)" else
	  ($g[0] | "reads \(.mmio.reads)", "writes \(.mmio.writes)", "exits \(.mmio.exits)",
	   "vmm_handled \(.mmio.vmm_handled)", "kernel_handled \(.mmio.kernel_handled)",
	   "kernel_latency_ns.count \(.mmio.kernel_latency_ns.count)",
	   "locks[hpte].acquired \(.locks[] | select(.lock == "hpte") | .acquired)",
	   (.per_vcpu[] | "vcpu \(.tid) reads \(.reads)", "vcpu \(.tid) writes \(.writes)"))
	  end' | sort)
lock_seen=$(printf '%s\n' "$json" | jq -r --argjson pid "$vmm_pid" '
	.guests[] | select(.pid == $pid) | .locks[] | select(.lock == "hpte")
	| "acquired \(.acquired)", "contended \(.contended)", "wait.sum \(.wait.sum // 0)",
	  "wait.max \(.wait.max // 0)"')

# The run's HPT lookups in tracefs, by the VMM's vcpu threads; "traced 0"
# when tracefs did not record them.
lock_trace=$(gawk -v run="$run" '
function after(word,   i) { for (i = 1; i < NF; i++) if ($i == word) return $(i + 1) }
$1 == "KMT" && $2 == "vcpu" && $3 == "run=" run { split($6, kv, "="); tids[kv[2]] = 1 }
$0 == "KMT trace-begin run=" run { intrace = 1; traced = 1; next }
$0 == "KMT trace-end run=" run { intrace = 0; next }
$1 == "KMT" && $2 == "trace-stats" && $3 == "run=" run && /overrun: [1-9]/ { overrun = 1 }
intrace && / kvm_hv_find_lock_hpte: / {
	match($0, /-([0-9]+) +\[/, m)
	if (!(m[1] in tids)) { foreign++; next }
	n++; spins = after("spins")
	if (spins > 0) { contended++; sum += spins; if (spins > max) max = spins }
}
END {
	printf "traced %d\noverrun %d\nforeign %d\n", traced, overrun, foreign
	printf "acquired %d\ncontended %d\nwait.sum %d\nwait.max %d\n", n, contended, sum, max
}' "$log")
head=$(printf '%s\n' "$json" | jq -r '"backend \(.backend)", "dropped \(.dropped)", "guests \(.guests | length)",
	(.probes | split(" ")[] | select(startswith("kvm_hv_")) | sub("="; " "))')

rc=0
printf '%-8s %-36s %10s %10s\n' machine quantity expected seen
row() {
	local mark=ok
	[[ $2 == "$3" ]] || { mark=DIFFERENT; rc=1; }
	printf '%-8s %-36s %10s %10s  %s\n' "$machine" "$1" "$2" "$3" "$mark"
}
row backend kvm_hv "$(echo "$head" | awk '$1 == "backend" { print $2 }')"
row dropped 0 "$(echo "$head" | awk '$1 == "dropped" { print $2 }')"
# Only the VMM has guests on this host: its process is the one reported.
row guests 1 "$(echo "$head" | awk '$1 == "guests" { print $2 }')"
for event in kvm_hv_mmio_dispatch kvm_hv_mmio_complete kvm_hv_find_lock_hpte; do
	row "$event" tracepoint "$(echo "$head" | awk -v e="$event" '$1 == e { print $2 }')"
done
keys=$(printf '%s\n%s\n' "$truth" "$seen" | awk '{ $NF = ""; print }' | sort -u)
value() { echo "$1" | awk -v k="$2 " 'index($0, k) == 1 { print $NF }'; }
while read -r key; do
	[[ -n $key ]] || continue
	e=$(value "$truth" "$key")
	s=$(value "$seen" "$key")
	row "$key" "${e:-none}" "${s:-none}"
done <<<"$keys"
if [[ $(value "$lock_trace" traced) == 1 ]]; then
	row "tracefs: trace overrun" 0 "$(value "$lock_trace" overrun)"
	row "tracefs: lookups by other threads" 0 "$(value "$lock_trace" foreign)"
	row "tracefs: lookups (ground truth)" "$(value "$truth" "locks[hpte].acquired")" \
		"$(value "$lock_trace" acquired)"
	contended=$(value "$lock_trace" contended)
	mark=ok
	((contended > 0)) || { mark="NONE: no HPTE lock contention, nothing to compare"; rc=1; }
	printf '%-8s %-36s %10s %10s  %s\n' "$machine" "tracefs: contended lookups" ">0" "$contended" "$mark"
	for key in acquired contended wait.sum wait.max; do
		row "locks[hpte].$key (tracefs)" "$(value "$lock_trace" "$key")" \
			"$(value "$lock_seen" "$key")"
	done
fi
if ((rc)); then
	echo "check-tool: $machine: kvm-mmio-top's report differs from the VMM's ground truth or the trace, or the trace shows no contention; its JSON:" >&2
	printf '%s\n' "$json" >&2
fi
exit $rc
