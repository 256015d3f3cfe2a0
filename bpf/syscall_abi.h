/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Per-architecture numbers the BPF side needs to recognise a vCPU thread
 * re-entering KVM_RUN from raw_syscalls:sys_enter. They are part of the
 * user-space ABI, so they are fixed per architecture and need no CO-RE.
 */
#ifndef KMT_SYSCALL_ABI_H
#define KMT_SYSCALL_ABI_H

/* KVM_RUN is _IO(KVMIO, 0x80); powerpc encodes _IOC_NONE as 1 << 29. */
#if defined(__TARGET_ARCH_x86)
#define KMT_NR_IOCTL 16
#define KMT_KVM_RUN 0xae80U
#elif defined(__TARGET_ARCH_arm64)
#define KMT_NR_IOCTL 29
#define KMT_KVM_RUN 0xae80U
#elif defined(__TARGET_ARCH_powerpc)
#define KMT_NR_IOCTL 54
#define KMT_KVM_RUN 0x2000ae80U
#else
#error "kvm-mmio-trace: unsupported BPF target architecture"
#endif

#endif /* KMT_SYSCALL_ABI_H */
