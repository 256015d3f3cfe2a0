#!/usr/bin/env bash
# Without tracefs the syscall event cannot be attached: raw_syscalls:sys_enter
# takes over, and the VMM part is still timed on every exit.
source "$(dirname "$0")/lib.sh"
require_live
tracefs_in_namespace hidden
expect_vmm_part_timed "(^| )sys_enter=(tp_btf|raw_tp)( |$)"
