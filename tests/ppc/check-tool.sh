#!/usr/bin/env bash
# Compare what the project's own kvm-mmio-top reported from inside a test
# bed host (its BPF backend, run by /init around the "bpf" VMM run) with
# the test VMM's ground truth of that same run.
#
#   tests/ppc/check-tool.sh MACHINE CONSOLE_LOG
#
# The test VMM runs all its guests in one process, and the tool accounts
# per process (a "guest" is a VMM pid), so the guests' totals are summed:
#   reads, writes, exits      loads, stores and all MMIO accesses
#   vmm_handled, kernel_handled  all accesses, none: KVM-HV sends every one
#                             of them to user space (to=user, check-console.sh)
#   kernel_latency_ns.count   one per access: each gets a kvm_hv_mmio_dispatch
#                             / kvm_hv_mmio_complete pair
#                             (docs/kvm_hv-tracepoints.md)
#   locks[hpte].acquired      one per vcpu: only its first access misses the
#                             vcpu's MMIO HPTE cache (as check-console.sh)
# and per vcpu thread (tid) its reads and writes. Also: backend kvm_hv,
# the kvm_hv events read by field name (tracepoint programs, not the
# positional tp_btf/raw_tp arguments), nothing dropped, the tool and the
# VMM exited 0.
set -euo pipefail

machine=$1 log=$2
[[ -r $log ]] || { echo "check-tool: no console log $log" >&2; exit 1; }
fail() {
	echo "check-tool: $machine: $*" >&2
	grep -E '^(KMT (tool|vmm run=bpf|vmm-exit run=bpf|error))' "$log" | cut -c1-400 >&2 || tail -n 30 "$log" >&2
	exit 1
}

grep -q '^KMT tool-begin run=bpf' "$log" || fail "/init did not run kvm-mmio-top (no tool-begin)"
grep -q '^KMT vmm run=bpf .*result=ok' "$log" || fail "the VMM run under kvm-mmio-top did not succeed"
grep -q '^KMT tool-exit status=0' "$log" || fail "kvm-mmio-top did not exit 0"
json=$(sed -n 's/^KMT tool-json //p' "$log")
[[ $(printf '%s\n' "$json" | grep -c .) == 1 ]] || fail "expected exactly one JSON report"
vmm_pid=$(sed -n 's/^KMT vmm-pid run=bpf pid=//p' "$log")
[[ -n $vmm_pid ]] || fail "/init did not print the VMM's pid"

# Ground truth, from the VMM's own lines of the bpf run.
truth=$(gawk '
/^KMT mmio run=bpf / {
	exits++
	if ($7 == "store") writes++; else reads++
	if ($6 == "seq=0") lookups++
}
/^KMT vcpu run=bpf / {
	for (i = 1; i <= NF; i++) { split($i, kv, "="); f[kv[1]] = kv[2] }
	vcpus[f["tid"]] = f["loads"] " " f["stores"]
}
END {
	printf "reads %d\nwrites %d\nexits %d\nvmm_handled %d\nkernel_handled 0\n", reads, writes, exits, exits
	printf "kernel_latency_ns.count %d\nlocks[hpte].acquired %d\n", exits, lookups
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
while read -r key; do
	[[ -n $key ]] || continue
	e=$(echo "$truth" | awk -v k="$key " 'index($0, k) == 1 { print $NF }')
	s=$(echo "$seen" | awk -v k="$key " 'index($0, k) == 1 { print $NF }')
	row "$key" "${e:-none}" "${s:-none}"
done <<<"$keys"
if ((rc)); then
	echo "check-tool: $machine: kvm-mmio-top's report differs from the VMM's ground truth; its JSON:" >&2
	printf '%s\n' "$json" >&2
fi
exit $rc
