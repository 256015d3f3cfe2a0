#!/usr/bin/env bash
# The 6.12 series on a powernv10 host (POWER10, radix host, HPT guest):
# MMIO through prefixed instructions (the "prefixed" run, test-vmm -x:
# one vcpu, a store, a pstw, a plwz and a load to page 0).
# kvmppc_hv_emulate_mmio() takes is_prefixed from SRR1_PREFIXED in HSRR1
# and, when the word at the guest pc disagrees (a prefix word, but the
# bit clear), returns RESUME_GUEST: the guest retries the instruction.
# QEMU 7.2's POWER10 never sets SRR1_PREFIXED on an HDSI, so KVM retries
# every pstw/plwz until the VMM skips it. The series emits a
# kvm_hv_mmio_dispatch on that early return: each HDSI at such an
# instruction (kvm_guest_exit at its pc with SRR1_PREFIXED clear) must be
# one kvm_hv_hdsi mmio_cache at its ea followed by one dispatch "to none
# len 0 result RESUME_GUEST" carrying that HDSI's exit_ns, with no
# completion and no kvm_mmio; and the store and load around them exact
# as in the traced run. An emulator that sets SRR1_PREFIXED makes KVM
# emulate them instead: the VMM then reports them as ordinary MMIO exits
# ("emulated"), checked like every other access (not seen here).
set -euo pipefail
export KMT_PPC_BASE=6.12
. "$(dirname "$0")/lib.sh"
series_present || ppc_skip "kernel-patches/6.12/series not present"
need_qemu_machine powernv10
log=$("$ppc_dir/run-boot.sh" powernv10 | tail -n 1)
n=$(grep -c '^KMT prefixed run=prefixed ' "$log" || true)
if ((n != 2)); then
	echo "powernv10: $n prefixed instructions in the VMM's ground truth, not 2 (did /init see a POWER10?)"
	grep -E '^KMT (cpuinfo|vmm|vmm-exit|error)' "$log" || true
	exit 1
fi
grep '^KMT prefixed run=prefixed ' "$log" | sed 's/^KMT /powernv10: /'
"$ppc_dir/check-console.sh" new powernv10 "$log" prefixed
