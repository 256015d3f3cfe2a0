#!/usr/bin/env bash
# Where tracefs is mounted, KVM_RUN re-entry is seen through the cheap
# syscalls:sys_enter_ioctl event, and the VMM part is timed on every exit.
source "$(dirname "$0")/lib.sh"
require_live
tracefs_in_namespace mounted
expect_vmm_part_timed "(^| )sys_enter_ioctl=tracepoint( |$)"
