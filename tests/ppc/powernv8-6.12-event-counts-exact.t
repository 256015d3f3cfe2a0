#!/usr/bin/env bash
# The 6.12 series on a powernv8 host (real-mode HDSI and hcall path (POWER8)): every event
# fires exactly as often as the test VMM's ground truth implies, as
# powernv8-event-counts-exact.t checks for 6.1, with the same checks.
set -euo pipefail
export KMT_PPC_BASE=6.12
. "$(dirname "$0")/lib.sh"
series_present || ppc_skip "kernel-patches/6.12/series not present"
log=$("$ppc_dir/run-boot.sh" powernv8 | tail -n 1)
"$ppc_dir/check-console.sh" new powernv8 "$log"
