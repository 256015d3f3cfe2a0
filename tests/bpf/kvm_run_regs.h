/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * A KVM_RUN re-entry for BPF_PROG_TEST_RUN, without KVM. The tool's
 * raw_tp/sys_enter program takes a struct pt_regs * that must point into
 * the kernel, and reads the syscall's fd and cmd from it. This gives one
 * that reads as ioctl(fd, KVM_RUN): the registers of a thread of this
 * process blocked in read(fd, (void *)KVM_RUN, 1) on a pipe nobody writes,
 * their address learnt by a raw_tp/sys_enter program at that call.
 */
#ifndef KMT_KVM_RUN_REGS_H
#define KMT_KVM_RUN_REGS_H

#include <stdint.h>

struct kmt_kvm_run_regs;

/*
 * Starts the blocked thread; *regs is then the address to pass as sys_enter's
 * first argument, valid until kmt_kvm_run_regs_stop(). NULL when it could
 * not be done (needs root), with the reason on stderr.
 */
struct kmt_kvm_run_regs *kmt_kvm_run_regs_start(uint64_t *regs);

/* Ends the thread's read (EOF, nothing copied) and frees r. */
void kmt_kvm_run_regs_stop(struct kmt_kvm_run_regs *r);

#endif /* KMT_KVM_RUN_REGS_H */
