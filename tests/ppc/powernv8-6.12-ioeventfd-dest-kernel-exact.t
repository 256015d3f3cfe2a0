#!/usr/bin/env bash
# The 6.12 series on a powernv8 host (real-mode HDSI and hcall path (POWER8)), with every store of the
# guests going to an in-kernel ioeventfd (KVM_IOEVENTFD, test-vmm -k): each
# store is a kvm_hv_mmio_dispatch to kernel (RESUME_GUEST_NV) and a
# kvm_hv_mmio_complete by kernel with the exit_ns of its kvm_hv_hdsi, and
# no KVM_EXIT_MMIO; each ioeventfd was signalled exactly once; the loads
# still go to user space; every other event as in the traced run.
set -euo pipefail
export KMT_PPC_BASE=6.12
. "$(dirname "$0")/lib.sh"
series_present || ppc_skip "kernel-patches/$base/series not present"
log=$("$ppc_dir/run-boot.sh" powernv8 | tail -n 1)
"$ppc_dir/check-console.sh" new powernv8 "$log" kernel
