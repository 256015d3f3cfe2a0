#!/usr/bin/env bash
# On a powernv9 host with 2 CPUs (multi-threaded TCG; the virtual-mode HDSI path of POWER9, radix host),
# the 2 vcpus of one guest fault on one shared absent HPTE in lockstep:
# tracefs shows kvm_hv_find_lock_hpte lookups that retried the HPTE lock
# (spins > 0), and kvm-mmio-top, tracing the same run, reports exactly
# those lookups, contended lookups and retries (total and largest) for the
# guest, besides its exact MMIO counts (check-tool.sh).
set -euo pipefail
. "$(dirname "$0")/lib.sh"
series_present || ppc_skip "kernel-patches/$base/series not present (the HPTE lock series needs its events)"
log=$("$ppc_dir/run-boot.sh" powernv9 | tail -n 1)
"$ppc_dir/check-tool.sh" powernv9 "$log" contend
