/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The few kernel types our BPF programs touch, declared for CO-RE.
 *
 * We do not commit a generated vmlinux.h: the programs read scalar
 * tracepoint arguments, the syscall registers of raw_syscalls:sys_enter,
 * the few fields that lead from a vCPU fd to its VM's MMU lock and those
 * that tell one process from another on the same pid, so this
 * header is all the build needs and it cannot pick up layout details
 * of the build host's running kernel. preserve_access_index makes every
 * pt_regs field access a CO-RE relocation resolved against the target
 * kernel's BTF at load time.
 */
#ifndef KMT_KERNEL_TYPES_H
#define KMT_KERNEL_TYPES_H

/* Makes bpf_tracing.h use the kernel's pt_regs field names. */
#define __VMLINUX_H__

typedef unsigned char __u8;
typedef unsigned short __u16;
typedef unsigned int __u32;
typedef unsigned long long __u64;
typedef signed int __s32;
typedef signed long long __s64;
typedef __u16 __be16;
typedef __u32 __be32;
typedef __u32 __wsum;
typedef _Bool bool;
#define true 1
#define false 0

enum bpf_map_type {
	BPF_MAP_TYPE_HASH = 1,
	BPF_MAP_TYPE_ARRAY = 2,
	BPF_MAP_TYPE_PERCPU_HASH = 5,
	BPF_MAP_TYPE_PERCPU_ARRAY = 6,
	BPF_MAP_TYPE_LRU_HASH = 9,
	BPF_MAP_TYPE_QUEUE = 22,
};

enum {
	BPF_F_MMAPABLE = (1U << 10),
};

enum {
	BPF_ANY = 0,
	BPF_NOEXIST = 1,
	BPF_EXIST = 2,
};

/* The record of syscalls:sys_enter_ioctl, as its tracefs format gives it. */
struct kmt_syscall_enter_ioctl {
	__u64 common;		/* common_type, _flags, _preempt_count, _pid */
	__s32 syscall_nr;
	__u32 pad;
	__u64 fd;
	__u64 cmd;
	__u64 arg;
};

/*
 * The path from a vCPU thread's KVM_RUN fd to its VM's MMU lock:
 * current->files->fdt->fd[fd] is the vCPU's file, whose private_data is its
 * struct kvm_vcpu, whose kvm is the VM. Only the fields read are declared;
 * CO-RE finds them in the running kernel (kvm's types in vmlinux BTF, or in
 * the kvm module's).
 */
struct qstr {
	const unsigned char *name;
} __attribute__((preserve_access_index));

struct dentry {
	struct qstr d_name;
} __attribute__((preserve_access_index));

struct path {
	struct dentry *dentry;
} __attribute__((preserve_access_index));

struct file {
	struct path f_path;
	void *private_data;
} __attribute__((preserve_access_index));

struct fdtable {
	unsigned int max_fds;
	struct file **fd;
} __attribute__((preserve_access_index));

struct files_struct {
	struct fdtable *fdt;
} __attribute__((preserve_access_index));

struct task_struct {
	struct files_struct *files;
	struct task_struct *group_leader;
	int tgid;
	__u64 start_boottime;
} __attribute__((preserve_access_index));

/* spinlock_t or rwlock_t, depending on the arch: a struct either way for CO-RE. */
struct kmt_mmu_lock {
	int raw;
};

struct kvm {
	struct kmt_mmu_lock mmu_lock;	/* only its address is used */
} __attribute__((preserve_access_index));

struct kvm_vcpu {
	struct kvm *kvm;
} __attribute__((preserve_access_index));

/*
 * The tracefs records of kernel-patches/' kvm_hv events, as tracepoint
 * programs see them: only the fields read, found by name (CO-RE) wherever
 * the running kernel puts them. A kernel whose record lacks one fails the
 * load, and the tool falls back to the typed arguments (tp_btf, raw_tp).
 */
struct trace_event_raw_kvm_hv_mmio_dispatch {
	__u64 exit_ns;
	__u32 dest;
} __attribute__((preserve_access_index));

struct trace_event_raw_kvm_hv_mmio_complete {
	__u64 exit_ns;
} __attribute__((preserve_access_index));

struct trace_event_raw_kvm_hv_find_lock_hpte {
	__u32 spins;
} __attribute__((preserve_access_index));

#if defined(__TARGET_ARCH_x86)
struct pt_regs {
	unsigned long di;
	unsigned long si;
	unsigned long dx;
	unsigned long r10;
	unsigned long orig_ax;
} __attribute__((preserve_access_index));
#elif defined(__TARGET_ARCH_powerpc)
struct pt_regs {
	unsigned long gpr[32];
	unsigned long orig_gpr3;
} __attribute__((preserve_access_index));
#elif defined(__TARGET_ARCH_arm64)
struct user_pt_regs {
	__u64 regs[31];
} __attribute__((preserve_access_index));

struct pt_regs {
	struct user_pt_regs user_regs;
	__u64 orig_x0;
} __attribute__((preserve_access_index));
#else
#error "kvm-mmio-trace: unsupported BPF target architecture"
#endif

#endif /* KMT_KERNEL_TYPES_H */
