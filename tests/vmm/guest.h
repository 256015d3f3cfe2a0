/* SPDX-License-Identifier: GPL-2.0 */
/* One KVM guest: its VM, vCPUs and the ground truth they produce. */
#ifndef TEST_VMM_GUEST_H
#define TEST_VMM_GUEST_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include <time.h>

#include "options.h"

struct kvm_run;

struct vcpu {
	const struct vmm_options *opts;
	const char *guest_name;
	unsigned int index;
	int fd;
	struct kvm_run *run;
	size_t run_size;
	int eventfd;			/* -1 without ioeventfd writes */
	uint64_t mmio_gpa;
	uint64_t ioeventfd_gpa;

	/* What this vCPU's thread saw. */
	pid_t tid;
	uint64_t writes;
	uint64_t reads;
	uint64_t mmio_exits;
	uint64_t ioeventfd_writes;	/* read back from the eventfd */
	uint64_t busy_ns;		/* spent in --delay-us waits */
	bool failed;			/* KVM error or unexpected exit */
	timer_t wfi_timer;		/* arm64 --wfi: wakes a blocked WFI */
	bool has_wfi_timer;
};

struct guest {
	const struct vmm_options *opts;
	pid_t pid;
	int kvm_fd;
	int vm_fd;
	uint8_t *ram;
	uint8_t *touch_ram;		/* --touch-pages memslot, or NULL */
	struct vcpu vcpus[MAX_VCPUS];
	uint64_t elapsed_ns;		/* release of the vCPUs to last halt */
};

/* Create the VM and its vCPUs without running them. 0 or -1 (reported). */
int guest_create(struct guest *guest, const struct vmm_options *opts);

/*
 * Wait for --wait-file, run every vCPU to its hlt, collect the ioeventfd
 * counts and compare all counts with what was asked. Returns 0 when every
 * vCPU saw exactly that, -1 otherwise (each difference reported).
 */
int guest_run(struct guest *guest);

void guest_destroy(struct guest *guest);

/* The vCPU thread: KVM_RUN until hlt or an error. */
void *vcpu_thread(void *vcpu);

uint64_t monotonic_ns(void);

/* Report "what: errno text" for this guest on stderr. Returns -1. */
int kvm_error(const struct guest *guest, const char *what);

#endif
