#!/usr/bin/env bash
# On a powernv8 host (real-mode HDSI and hcall path (POWER8)): one vcpu
# ends with 6 loads from a page whose HPTE it removed; each is a DSI that
# KVM reflects to the guest (its handler counts 6). KVM
# reflects them in real mode, with no exit in between: the vcpu keeps
# four HDSI records, so kvm_hv_hdsi comes 4 times (reflect, at the next
# exit), the fourth with lost = the 2 records it replaced; one
# kvm_hv_find_lock_hpte (index -1) per record; every other event of the
# run as in the traced run.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
series_present || ppc_skip "kernel-patches/$base/series not present"
log=$("$ppc_dir/run-boot.sh" powernv8 | tail -n 1)
"$ppc_dir/check-console.sh" new powernv8 "$log" lost
