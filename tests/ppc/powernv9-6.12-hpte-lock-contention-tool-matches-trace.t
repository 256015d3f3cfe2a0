#!/usr/bin/env bash
# The 6.12 series on a powernv9 host with 2 CPUs: the HPTE lock contention
# run, with the same checks as powernv9-hpte-lock-contention-tool-matches-trace.t
# makes for 6.1 (tracefs shows retries; kvm-mmio-top agrees exactly).
set -euo pipefail
export KMT_PPC_BASE=6.12
. "$(dirname "$0")/lib.sh"
series_present || ppc_skip "kernel-patches/6.12/series not present"
log=$("$ppc_dir/run-boot.sh" powernv9 | tail -n 1)
"$ppc_dir/check-tool.sh" powernv9 "$log" contend
