/*
 * One vcpu's thread: KVM_RUN until the guest's "done" hcall, serving its
 * MMIO exits and recording them as ground truth.
 */
#ifndef KMT_PPC_VCPU_RUN_H
#define KMT_PPC_VCPU_RUN_H

#include <pthread.h>

#include "kvm-vm.h"
#include "scenario.h"

struct vcpu_ctx {
	struct vcpu vcpu;
	struct vcpu_plan plan;
	struct vcpu_truth truth;
	uint8_t *block;			/* the parameter block, host view */
	pthread_barrier_t *phase;	/* shared by the vcpus of one VM */
};

/* Returns when the guest is done; exits the process on any failure. */
void *vcpu_thread(void *ctx);

#endif
