#!/usr/bin/env bash
# The 6.12 series on a powernv10 host (POWER10, radix host running HPT
# guests: the virtual-mode path, as on POWER9): every event fires exactly
# as often as the test VMM's ground truth implies, with the checks of
# powernv9-6.12-event-counts-exact.t.
set -euo pipefail
export KMT_PPC_BASE=6.12
. "$(dirname "$0")/lib.sh"
series_present || ppc_skip "kernel-patches/6.12/series not present"
need_qemu_machine powernv10
log=$("$ppc_dir/run-boot.sh" powernv10 | tail -n 1)
"$ppc_dir/check-console.sh" new powernv10 "$log"
