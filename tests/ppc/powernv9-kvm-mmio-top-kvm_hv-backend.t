#!/usr/bin/env bash
# On a powernv9 host (virtual-mode HDSI path (POWER9, radix host)), the project's own kvm-mmio-top,
# cross-built for ppc64le and run by /init while the test VMM runs its HPT
# guests, reports the kvm_hv backend and exactly the VMM's ground truth:
# reads, writes, exits, one kernel-latency sample per dispatch/complete
# pair, one HPTE lookup per vcpu, per vcpu thread too, nothing dropped.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
series_present || ppc_skip "kernel-patches/6.1/series not present (the kvm_hv backend needs its events)"
log=$("$ppc_dir/run-boot.sh" powernv9 | tail -n 1)
"$ppc_dir/check-tool.sh" powernv9 "$log"
