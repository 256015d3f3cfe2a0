/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What differs between the architectures the test VMM runs on: how a VM and
 * its vCPUs are set up before the first KVM_RUN and which exit ends a vCPU's
 * program. Each architecture implements this in tests/vmm/<arch>/ (x86,
 * arm64), next to its guest code (guest-code.h); mk/vmm.mk builds the files
 * of the architecture the compiler targets.
 */
#ifndef TEST_VMM_ARCH_H
#define TEST_VMM_ARCH_H

#include <stdbool.h>

struct guest;
struct vcpu;

/* After KVM_CREATE_VM, before memory and vCPUs. 0 or -1 (reported). */
int arch_vm_init(struct guest *guest);

/* After KVM_CREATE_VCPU: registers so that the vCPU starts its program. */
int arch_vcpu_init(struct guest *guest, struct vcpu *vcpu);

/*
 * In the vCPU thread before its first KVM_RUN and after its last. 0 or -1
 * (errno set).
 */
int arch_vcpu_thread_start(struct vcpu *vcpu);
void arch_vcpu_thread_stop(struct vcpu *vcpu);

/* The exit in vcpu->run is the one the program ends with (x86 hlt, arm64 brk). */
bool arch_vcpu_done(const struct vcpu *vcpu);

/* Whether the guest program can make in-kernel hypercalls and WFIs. */
extern const bool arch_has_hypercalls_and_wfi;

/* Whether the guest program can store into --touch-pages pages. */
extern const bool arch_can_touch_pages;

#endif
