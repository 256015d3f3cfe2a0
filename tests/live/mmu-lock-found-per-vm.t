#!/usr/bin/env bash
# The lock series need each vCPU thread's own VM's kvm->mmu_lock, which the
# BPF side finds at KVM_RUN from the vCPU fd (file -> kvm_vcpu -> kvm, with
# CO-RE). On this host's kernel: every vCPU thread of two 2-vCPU guests has
# it (non-zero), a guest's vCPUs agree, the two guests differ. (This host
# never contends on it; tests/x86-kvm proves the waits themselves.)
source "$(dirname "$0")/lib.sh"
require_live
command -v bpftool >/dev/null || skip "bpftool not installed (make deps)"

# Traces until the end: its maps must outlive the guests, however slow the host.
start_tracer "$work/report" --interval 1 --json
# This tracer's map (other tracers may run): the maps its fds hold.
map=
for id in $(grep -h '^map_id:' /proc/"$tracer_pid"/fdinfo/* 2>/dev/null | awk '{ print $2 }'); do
	[[ $(bpftool map show id "$id" -j | jq -r .name) == vcpu_state ]] && map=$id
done
[[ -n $map ]] || fail "kvm-mmio-top (pid $tracer_pid) holds no vcpu_state map"
start_guest "$work/guest" --guests 2 --vcpus 2 --writes 2000 --wait-file "$work/go" \
	--linger-ms 1500 -name guest=lockid
touch "$work/go"
# A thread's state goes when it exits: dump the map while the guests run.
# Plain output: the JSON form's numbers lose digits in jq (doubles).
dumps=0
# A dump fails when an entry goes between its key and its lookup (a thread
# exited): that one is taken again.
while kill -0 "$guest_pid" 2>/dev/null; do
	bpftool map dump id "$map" >"$work/dump.$dumps" 2>/dev/null && dumps=$((dumps + 1))
	sleep 0.1
done
wait_guest "$guest_pid" "$work/guest"
tids=$(jq -r '.guests[] | .pid as $p | .vcpus[] | "\($p) \(.tid)"' "$work/guest")
[[ $(grep -c . <<<"$tids") == 4 ]] || fail "expected 4 vCPU threads, got: $tids"
# The last dump that holds all four vCPU threads (they ran at once: --wait-file).
for ((d = dumps - 1; d >= 0; d--)); do
	all=1
	for tid in $(awk '{ print $2 }' <<<"$tids"); do
		grep -q "\"key\": $tid," "$work/dump.$d" || all=0
	done
	((all)) && break
done
((d >= 0)) || fail "no dump of $dumps held all four vCPU threads' state"
cp "$work/dump.$d" "$work/state.txt"
declare -A lock_of_guest
while read -r pid tid; do
	lock=$(awk -v tid="$tid" '$1 == "\"key\":" { key = $2; sub(/,$/, "", key) }
		$1 == "\"mmu_lock\":" && key == tid { v = $2; sub(/,$/, "", v); print v }' "$work/state.txt")
	[[ -n $lock && $lock != 0 ]] || fail "vCPU thread $tid of guest $pid: no MMU lock found ($lock)"
	if [[ -n ${lock_of_guest[$pid]:-} ]]; then
		expect_eq "guest $pid: its vCPUs' MMU lock" "${lock_of_guest[$pid]}" "$lock"
	fi
	lock_of_guest[$pid]=$lock
done <<<"$tids"
locks=$(printf '%s\n' "${lock_of_guest[@]}" | sort -u | grep -c .)
expect_eq "distinct MMU locks of the two guests" 2 "$locks"
kill -INT "$tracer_pid"
wait_tracer
