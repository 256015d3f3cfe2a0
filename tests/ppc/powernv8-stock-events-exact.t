#!/usr/bin/env bash
# On a powernv8 host (real-mode HDSI and hcall path (POWER8)), the stock KVM events
# kvm_hv:kvm_page_fault_enter, kvm_hv:kvm_guest_exit (HDSI) and
# kvm:kvm_userspace_exit count exactly the test VMM's MMIO accesses and
# exits, per guest and vcpu. Needs no kernel series: with none, the
# unpatched kernel is tested.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
log=$("$ppc_dir/run-boot.sh" powernv8 | tail -n 1)
"$ppc_dir/check-console.sh" stock powernv8 "$log"
