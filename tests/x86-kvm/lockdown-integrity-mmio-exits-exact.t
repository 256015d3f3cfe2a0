#!/usr/bin/env bash
# Proves that kernel lockdown in integrity mode (lockdown=integrity on the
# kernel command line, as Secure Boot sets it) costs kvm-mmio-top nothing:
# the bed is in that mode (/sys/kernel/security/lockdown) and every
# assertion of the nested-paging MMIO scenario holds (mmio-scenario.sh,
# check-scenario.sh): kvm_exit backend, exact counts per guest and vCPU,
# kernel and VMM parts. Integrity forbids writing to the kernel (unsigned
# modules, bpf_probe_write_user); the tool only reads.
. "$(dirname "$0")/lib.sh"
run_mmio_scenario npt integrity
