#!/usr/bin/env bash
# With every kvm_hv event enabled, the POWER8 host runs the guests to the
# end and powers off: no event fires in real mode (where a tracepoint
# would hang the host). A hang fails run-boot.sh with the console tail.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
series_present || ppc_skip "kernel-patches/6.1/series not present"
log=$("$ppc_dir/run-boot.sh" powernv8 | tail -n 1)
enabled=$(grep -c '^KMT event-enabled kvm_hv/kvm_hv_' "$log" || true)
((enabled > 0)) || ppc_die "powernv8: no kvm_hv_* event was enabled: is the series applied?"
grep -q '^KMT vmm run=traced .*result=ok' "$log" ||
	ppc_die "powernv8: the guests did not finish with $enabled kvm_hv_* events enabled"
echo "powernv8: $enabled kvm_hv_* events enabled, guests finished, host powered off"
