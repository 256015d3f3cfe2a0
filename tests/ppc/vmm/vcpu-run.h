/*
 * One vcpu's thread: KVM_RUN until the guest's "done" hcall, serving its
 * MMIO exits and recording them as ground truth.
 */
#ifndef KMT_PPC_VCPU_RUN_H
#define KMT_PPC_VCPU_RUN_H

#include <pthread.h>
#include <time.h>

#include "kvm-vm.h"
#include "scenario.h"

struct vcpu_ctx {
	struct vcpu vcpu;
	struct vcpu_plan plan;
	struct vcpu_truth truth;
	uint8_t *block;			/* the parameter block, host view */
	pthread_barrier_t *phase;	/* shared by the vcpus of one VM */
	/* guest-prefixed.S: the prefixed instruction that comes next
	 * (GUEST_PREFIXED_*), and the timer that interrupts KVM_RUN if the
	 * guest does not get past it */
	unsigned int prefixed_next;
	timer_t prefixed_timer;
};

/* How long KVM_RUN may keep resuming the guest at a prefixed
 * instruction before the VMM skips it. */
#define VMM_PREFIXED_WAIT_MS	20

/* The (empty) handler of the timer signal, without SA_RESTART: 0, or -1
 * after printing why. */
int vcpu_signal_setup(void);

/* Returns when the guest is done; exits the process on any failure. */
void *vcpu_thread(void *ctx);

#endif
