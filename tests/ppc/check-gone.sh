#!/usr/bin/env bash
# Check the "gone" run of a POWER test bed console log (test-vmm -r,
# guest-gone.S): one vcpu enters and removes a read-only HPTE in a loop
# while the other stores to its page, every store ending in one DSI.
#
#   tests/ppc/check-gone.sh MACHINE CONSOLE_LOG
#
# Only kvm_hv_hdsi and kvm_hv_find_lock_hpte were on. Each HDSI of the
# storer must be one of (its lookup is the kvm_hv_find_lock_hpte record
# traced just before it, same ea):
#   reflect, DSISR not-found (0x40000000), lookup valid 0x21 index -1
#   reflect, DSISR protection (0x08000000), lookup valid 0x1, an index
#   valid,   DSISR not-found, lookup valid 0x21, an index (entered again)
#   gone,    no not-found bit, lookup valid 0x1 index -1: a protection
#            fault whose HPTE was removed before KVM looked it up
# with DSISR's store bit, at the page's ea; reflect events = DSIs the
# guest counted; no trace overrun; and at least one "gone": else the race
# was not provoked and the test fails (there is nothing to show).
# POWER7/8 retry in real mode, and a store retried more than three times
# before its DSI overflows the vcpu's four HDSI records: the newest
# replaces the fourth and counts it in lost (seen: 1 and 57 of ~1400).
# Such lost records are retries ("valid" or "gone"), never the reflect
# that ends a store: it is the newest record when the store's hcall
# exits, so it is always kept and the reflect count stays exact.
set -euo pipefail

machine=$1 log=$2
[[ -r $log ]] || { echo "check-gone: no console log $log" >&2; exit 1; }
grep -q '^KMT vmm run=gone .*result=ok' "$log" ||
	{ echo "check-gone: $machine: the gone VMM run did not succeed:" >&2
	  grep -E '^(KMT (vmm|vmm-exit|error|gone)|test-vmm:)' "$log" >&2 || tail -n 30 "$log" >&2; exit 1; }

gawk -v machine="$machine" '
function after(word,   i) {
	for (i = 1; i < NF; i++)
		if ($i == word)
			return $(i + 1)
	return ""
}
function field(name,   i) {
	for (i = 1; i <= NF; i++)
		if (index($i, name "=") == 1)
			return substr($i, length(name) + 2)
	return ""
}
/^KMT gone run=gone / && field("role") == "storer" {
	storer = field("vcpu"); stores = field("stores"); dsis = field("dsis") + 0; ea = sprintf("0x%x", strtonum(field("ea")))
}
/^KMT gone run=gone / && field("role") == "remover" { rounds = field("rounds") }
/^KMT trace-stats run=gone .*overrun: [1-9]/ { overruns++ }
/^KMT trace-begin run=gone$/ { intrace = 1; next }
/^KMT trace-end run=gone$/ { intrace = 0; next }
intrace && / kvm_hv_find_lock_hpte: / && after("vcpu") == storer {
	look_ea = sprintf("0x%x", strtonum(after("ea"))); look_valid = after("valid"); look_index = after("index")
	have_lookup = 1
	next
}
intrace && / kvm_hv_hdsi: / && after("vcpu") == storer {
	dsisr = strtonum(after("dsisr")); outcome = $(NF - 2); lost = $NF + 0
	dar = sprintf("0x%x", strtonum(after("dar")))
	nf = and(dsisr, 0x40000000) != 0; prot = and(dsisr, 0x08000000) != 0
	store = and(dsisr, 0x02000000) != 0
	total++
	lost_sum += lost
	if (!have_lookup || look_ea != dar)
		kind = "no lookup before it"
	else if (dar != ea || !store)
		kind = "dar " dar " dsisr " after("dsisr")
	else if (outcome == "reflect" && nf && !prot && look_valid == "0x21" && look_index == -1)
		kind = "reflect (not found)"
	else if (outcome == "reflect" && prot && !nf && look_valid == "0x1" && look_index >= 0)
		kind = "reflect (protection)"
	else if (outcome == "valid" && nf && look_valid == "0x21" && look_index >= 0)
		kind = "valid (entered again)"
	else if (outcome == "gone" && !nf && look_valid == "0x1" && look_index == -1)
		kind = "gone (protection fault, HPTE removed)"
	else
		kind = "UNEXPECTED " outcome " dsisr " after("dsisr") " lookup valid " look_valid " index " look_index
	kinds[kind]++
	if (kind ~ /^reflect/)
		reflects++
	have_lookup = 0
}
END {
	bad = 0
	printf "%s gone: storer vcpu %s, %s stores ending in %d DSIs, remover rounds %s\n", machine, storer, stores, dsis, rounds
	n = asorti(kinds, names)
	for (i = 1; i <= n; i++) {
		printf "  %-40s %6d\n", names[i], kinds[names[i]]
		if (names[i] !~ /^(reflect|valid|gone)/)
			bad = 1
	}
	printf "  %-40s %6d\n", "kvm_hv_hdsi of the storer", total
	printf "  %-40s %6d\n", "records lost", lost_sum
	if (overruns) { print machine ": the trace buffer overran"; bad = 1 }
	if (reflects != dsis) { printf "%s: %d reflect events, but the guest took %d DSIs\n", machine, reflects, dsis; bad = 1 }
	if (!kinds["gone (protection fault, HPTE removed)"]) {
		print machine ": no protection fault found its HPTE gone in this run: not provoked"
		bad = 1
	}
	exit bad
}
' "$log"
