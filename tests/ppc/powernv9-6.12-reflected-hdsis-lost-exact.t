#!/usr/bin/env bash
# The 6.12 series on a powernv9 host (virtual-mode path (POWER9, radix host, HPT guests)): one vcpu
# ends with 6 loads from a page whose HPTE it removed; each is a DSI that
# KVM reflects to the guest (its handler counts 6). KVM
# handles each in an exit of its own: 6 kvm_hv_hdsi (reflect) with lost 0;
# one
# kvm_hv_find_lock_hpte (index -1) per record; every other event of the
# run as in the traced run.
set -euo pipefail
export KMT_PPC_BASE=6.12
. "$(dirname "$0")/lib.sh"
series_present || ppc_skip "kernel-patches/$base/series not present"
log=$("$ppc_dir/run-boot.sh" powernv9 | tail -n 1)
"$ppc_dir/check-console.sh" new powernv9 "$log" lost
