#!/usr/bin/env bash
# The nVHE proof again with tracefs hidden from kvm-mmio-top (a mount
# namespace of its own), so that it ends the VMM part from
# raw_syscalls:sys_enter: arm64's syscall number for ioctl (29) and its
# argument registers (bpf/syscall_abi.h, PT_REGS_PARM2_CORE_SYSCALL) must
# recognise the vCPU thread's KVM_RUN for every VMM part to be timed.
. "$(dirname "$0")/lib.sh"
run_mmio_scenario nvhe raw
