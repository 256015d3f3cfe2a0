#!/usr/bin/env bash
# On a powernv8 host (real-mode HDSI and hcall path (POWER8)): one vcpu,
# and while its first load has been served by user space but not yet
# completed by KVM_RUN, the VMM stops and /init disables every event and
# enables them again. That access has its kvm_hv_hdsi and
# kvm_hv_mmio_dispatch (before) but no kvm_hv_mmio_complete (the epoch
# reset drops it: its exit time is from the earlier trace); every other
# event of the run is exact, as in the traced run.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
series_present || ppc_skip "kernel-patches/$base/series not present"
log=$("$ppc_dir/run-boot.sh" powernv8 | tail -n 1)
"$ppc_dir/check-console.sh" new powernv8 "$log" stale
