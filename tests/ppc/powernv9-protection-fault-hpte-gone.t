#!/usr/bin/env bash
# The 6.1 series on a powernv9 host (virtual-mode HDSI path (POWER9, radix host, HPT guest)), the
# "gone" run (test-vmm -r): one vcpu H_ENTERs and H_REMOVEs a read-only
# HPTE in a loop while the other makes 1000 stores to its page, each
# followed by an exit. Every store must end in one DSI the guest counts,
# and every kvm_hv_hdsi of the storer be a DSI reflected (HPTE not found,
# or a protection fault), a not-found fault retried because the HPTE is
# valid again ("valid"), or a protection fault retried because its HPTE
# was removed before KVM looked it up ("gone", lookup valid 0x1 index -1),
# at least one "gone" (else the race was not provoked, and the test
# fails: there would be nothing to show). Records lost to a full HDSI
# record buffer (POWER8 retries in real mode) are retries, not DSIs.
set -euo pipefail
export KMT_PPC_BASE=6.1
. "$(dirname "$0")/lib.sh"
series_present || ppc_skip "kernel-patches/6.1/series not present"
log=$("$ppc_dir/run-boot.sh" powernv9 | tail -n 1)
"$ppc_dir/check-gone.sh" powernv9 "$log"
