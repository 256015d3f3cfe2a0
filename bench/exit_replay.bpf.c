// SPDX-License-Identifier: GPL-2.0
/*
 * For bench/exit_replay: the kernel address of one thread's syscall
 * registers. raw_tp/sys_enter takes a struct pt_regs * that must point into
 * the kernel, so a replayed sys_enter borrows the registers of a thread
 * blocked in a syscall whose arguments look like ioctl(fd, KVM_RUN).
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
