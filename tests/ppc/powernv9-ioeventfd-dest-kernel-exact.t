#!/usr/bin/env bash
# On a powernv9 host (virtual-mode path (POWER9, radix host, HPT guests)), with every store of the
# guests going to an in-kernel ioeventfd (KVM_IOEVENTFD, test-vmm -k): each
# store is a kvm_hv_mmio_dispatch to kernel (RESUME_GUEST_NV) and a
# kvm_hv_mmio_complete by kernel with the exit_ns of its kvm_hv_hdsi, and
# no KVM_EXIT_MMIO; each ioeventfd was signalled exactly once; the loads
# still go to user space; every other event as in the traced run.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
series_present || ppc_skip "kernel-patches/$base/series not present"
log=$("$ppc_dir/run-boot.sh" powernv9 | tail -n 1)
"$ppc_dir/check-console.sh" new powernv9 "$log" kernel
