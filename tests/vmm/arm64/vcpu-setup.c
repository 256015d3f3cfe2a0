// SPDX-License-Identifier: GPL-2.0
/*
 * arm64: each vCPU is KVM's preferred CPU target with PSCI 0.2 (so an HVC
 * with a PSCI function id is answered by KVM), starts at EL1 with the MMU
 * off at its code offset in guest RAM, and ends its program with brk: with
 * software breakpoints routed to the VMM (KVM_SET_GUEST_DEBUG) that is a
 * KVM_EXIT_DEBUG of this vCPU alone. (PSCI SYSTEM_OFF, the usual way out,
 * stops every vCPU of the VM, including those still at work.) No interrupt
 * controller is created: the program keeps interrupts masked.
 *
 * A WFI with nothing pending traps to KVM, which blocks the vCPU thread until
 * it is runnable or a signal arrives. (With an interrupt pending, QEMU's TCG
 * completes WFI without trapping, so that cannot make the exits.) With --wfi
 * each vCPU thread therefore gets a signal every WFI_TICK_US from a timer of
 * its own: KVM_RUN then returns EINTR, the loop calls it again and the guest
 * goes on after the WFI.
 */
#include <linux/kvm.h>
#include <signal.h>
#include <stddef.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include "arch.h"
#include "guest-code.h"
#include "guest.h"

#define ESR_EC_SHIFT		26
#define ESR_EC_BRK64		0x3c

const bool arch_has_hypercalls_and_wfi = true;
const bool arch_can_touch_pages = false;

int arch_vm_init(struct guest *guest)
{
	(void)guest;
	return 0;
}

static int set_core_reg(struct guest *guest, struct vcpu *vcpu, size_t offset,
			uint64_t value, const char *what)
{
	struct kvm_one_reg reg = {
		.id = KVM_REG_ARM64 | KVM_REG_SIZE_U64 | KVM_REG_ARM_CORE |
		      offset / sizeof(uint32_t),
		.addr = (uintptr_t)&value,
	};

	if (ioctl(vcpu->fd, KVM_SET_ONE_REG, &reg) < 0)
		return kvm_error(guest, what);
	return 0;
}

int arch_vcpu_init(struct guest *guest, struct vcpu *vcpu)
{
	struct kvm_vcpu_init init = { 0 };
	struct kvm_guest_debug debug = {
		.control = KVM_GUESTDBG_ENABLE | KVM_GUESTDBG_USE_SW_BP,
	};

	if (ioctl(guest->vm_fd, KVM_ARM_PREFERRED_TARGET, &init) < 0)
		return kvm_error(guest, "KVM_ARM_PREFERRED_TARGET");
	init.features[0] |= 1u << KVM_ARM_VCPU_PSCI_0_2;
	if (ioctl(vcpu->fd, KVM_ARM_VCPU_INIT, &init) < 0)
		return kvm_error(guest, "KVM_ARM_VCPU_INIT");
	if (set_core_reg(guest, vcpu, offsetof(struct kvm_regs, regs.pc),
			 guest_code_offset(vcpu->index), "KVM_SET_ONE_REG pc"))
		return -1;
	if (ioctl(vcpu->fd, KVM_SET_GUEST_DEBUG, &debug) < 0)
		return kvm_error(guest, "KVM_SET_GUEST_DEBUG (brk ends the guest program)");
	return 0;
}

#define WFI_TICK_US	1000
#define WFI_SIGNAL	SIGUSR1

static void wfi_tick(int sig)
{
	(void)sig;
}

int arch_vcpu_thread_start(struct vcpu *vcpu)
{
	struct sigaction sa = { .sa_handler = wfi_tick };	/* no SA_RESTART */
	struct sigevent sev = {
		.sigev_notify = SIGEV_THREAD_ID,
		.sigev_signo = WFI_SIGNAL,
	};
	struct itimerspec tick = {
		.it_value.tv_nsec = WFI_TICK_US * 1000,
		.it_interval.tv_nsec = WFI_TICK_US * 1000,
	};

	if (!vcpu->opts->wfis)
		return 0;
	sev._sigev_un._tid = vcpu->tid;
	if (sigaction(WFI_SIGNAL, &sa, NULL) < 0 ||
	    timer_create(CLOCK_MONOTONIC, &sev, &vcpu->wfi_timer) < 0)
		return -1;
	vcpu->has_wfi_timer = true;
	return timer_settime(vcpu->wfi_timer, 0, &tick, NULL);
}

void arch_vcpu_thread_stop(struct vcpu *vcpu)
{
	if (vcpu->has_wfi_timer)
		timer_delete(vcpu->wfi_timer);
	vcpu->has_wfi_timer = false;
}

bool arch_vcpu_done(const struct vcpu *vcpu)
{
	return vcpu->run->exit_reason == KVM_EXIT_DEBUG &&
	       (vcpu->run->debug.arch.hsr >> ESR_EC_SHIFT) == ESR_EC_BRK64;
}
