#!/usr/bin/env bash
# The same proof as npf-mmio-exits-exact-and-latency-split.t on a KVM host
# without nested paging: kvm_amd uses shadow paging (npt=N) and MMIO exits are
# "PF excp" kvm_exits, mixed with page faults that are not MMIO at all.
. "$(dirname "$0")/lib.sh"
run_mmio_scenario shadow
