// SPDX-License-Identifier: GPL-2.0
/*
 * For tests/bpf/kvm_run_regs.c: the kernel address of one thread's syscall
 * registers, seen at its next syscall.
 */
#include "kernel_types.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

char LICENSE[] SEC("license") = "GPL";

const volatile __u32 target_tid;
__u64 regs_addr;

SEC("raw_tp/sys_enter")
int BPF_PROG(capture_regs, struct pt_regs *regs, long nr)
{
	if ((__u32)bpf_get_current_pid_tgid() == target_tid)
		regs_addr = (__u64)regs;
	return 0;
}
