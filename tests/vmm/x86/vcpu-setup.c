// SPDX-License-Identifier: GPL-2.0
/*
 * x86: the guest program runs in real mode from CS:IP = 0:code offset and
 * ends with hlt (KVM_EXIT_HLT).
 */
#include <linux/kvm.h>
#include <string.h>
#include <sys/ioctl.h>

#include "arch.h"
#include "guest-code.h"
#include "guest.h"

/*
 * Without unrestricted guest (common under nested KVM) Intel runs real mode
 * in vm86 and needs a TSS; put it where QEMU does, far above our GPAs.
 */
#define GUEST_TSS_ADDR		0xfffbd000u

const bool arch_has_hypercalls_and_wfi = false;
const bool arch_can_touch_pages = true;

int arch_vm_init(struct guest *guest)
{
	if (ioctl(guest->vm_fd, KVM_SET_TSS_ADDR, GUEST_TSS_ADDR) < 0)
		return kvm_error(guest, "KVM_SET_TSS_ADDR");
	return 0;
}

/* Real mode at CS:IP = 0:code offset, interrupts off. */
int arch_vcpu_init(struct guest *guest, struct vcpu *vcpu)
{
	struct kvm_sregs sregs;
	struct kvm_regs regs;

	if (ioctl(vcpu->fd, KVM_GET_SREGS, &sregs) < 0)
		return kvm_error(guest, "KVM_GET_SREGS");
	sregs.cs.selector = 0;
	sregs.cs.base = 0;
	if (ioctl(vcpu->fd, KVM_SET_SREGS, &sregs) < 0)
		return kvm_error(guest, "KVM_SET_SREGS");

	memset(&regs, 0, sizeof(regs));
	regs.rip = guest_code_offset(vcpu->index);
	regs.rflags = 0x2;	/* bit 1 is reserved and must be set */
	if (ioctl(vcpu->fd, KVM_SET_REGS, &regs) < 0)
		return kvm_error(guest, "KVM_SET_REGS");
	return 0;
}

bool arch_vcpu_done(const struct vcpu *vcpu)
{
	return vcpu->run->exit_reason == KVM_EXIT_HLT;
}

int arch_vcpu_thread_start(struct vcpu *vcpu)
{
	(void)vcpu;
	return 0;
}

void arch_vcpu_thread_stop(struct vcpu *vcpu)
{
	(void)vcpu;
}
