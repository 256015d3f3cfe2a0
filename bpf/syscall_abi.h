/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Per-architecture numbers the BPF side needs to recognise a vCPU thread
 * re-entering KVM_RUN from raw_syscalls:sys_enter. They are part of the
 * user-space ABI, so they are fixed per architecture and need no CO-RE.
 */
#ifndef KMT_SYSCALL_ABI_H
#define KMT_SYSCALL_ABI_H

/*
 * KVM_RUN is _IO(KVMIO, 0x80); powerpc encodes _IOC_NONE as 1 << 29.
 * KMT_SYSCALL_ARG1/2(regs) are the first two syscall arguments in a typed
 * (tp_btf) struct pt_regs *, read directly: unlike libbpf's *_CORE_SYSCALL
 * they need no bpf_probe_read, which lockdown=confidentiality refuses.
 * The field offsets are still CO-RE (kernel_types.h).
 */
#if defined(__TARGET_ARCH_x86)
#define KMT_NR_IOCTL 16
#define KMT_KVM_RUN 0xae80U
#define KMT_SYSCALL_ARG1(regs) ((regs)->di)
#define KMT_SYSCALL_ARG2(regs) ((regs)->si)
#elif defined(__TARGET_ARCH_arm64)
#define KMT_NR_IOCTL 29
#define KMT_KVM_RUN 0xae80U
#define KMT_SYSCALL_ARG1(regs) ((regs)->orig_x0)
#define KMT_SYSCALL_ARG2(regs) ((regs)->user_regs.regs[1])
#elif defined(__TARGET_ARCH_powerpc)
#define KMT_NR_IOCTL 54
#define KMT_KVM_RUN 0x2000ae80U
#define KMT_SYSCALL_ARG1(regs) ((regs)->orig_gpr3)
#define KMT_SYSCALL_ARG2(regs) ((regs)->gpr[4])
#else
#error "kvm-mmio-trace: unsupported BPF target architecture"
#endif

#endif /* KMT_SYSCALL_ABI_H */
