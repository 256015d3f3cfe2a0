#!/usr/bin/env bash
# On a powernv9 host (virtual-mode path (POWER9, radix host, HPT guests)), every event of the kernel
# series (kvm_hv:kvm_hv_*, and kvm:kvm_mmio) fires exactly as often as the
# test VMM's ground truth implies, with the right guest (lpid), vcpu,
# addresses, hcall, return code and outcome.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
series_present || ppc_skip "kernel-patches/6.1/series not present"
log=$("$ppc_dir/run-boot.sh" powernv9 | tail -n 1)
"$ppc_dir/check-console.sh" new powernv9 "$log"
