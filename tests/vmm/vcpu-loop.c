// SPDX-License-Identifier: GPL-2.0
/*
 * The vCPU run loop: KVM_RUN until the guest program ends (arch_vcpu_done),
 * counting every MMIO exit and checking it is the access the guest program
 * was told to make.
 */
#include "guest.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <linux/kvm.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include "arch.h"

/* Byte pattern the guest's MMIO reads return. */
#define MMIO_READ_DATA	0xa5

uint64_t monotonic_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + ts.tv_nsec;
}

static void vcpu_error(struct vcpu *vcpu, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void vcpu_error(struct vcpu *vcpu, const char *fmt, ...)
{
	char msg[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	fprintf(stderr, "test-vmm[%s]: vcpu %u: %s\n", vcpu->guest_name,
		vcpu->index, msg);
	vcpu->failed = true;
}

/*
 * Spin rather than sleep: the delay models VMM work done on the exit path,
 * so the thread must stay on the CPU the way a busy device model would.
 */
static void busy_wait(struct vcpu *vcpu)
{
	uint64_t start = monotonic_ns(), now;
	uint64_t delay_ns = (uint64_t)vcpu->opts->delay_us * 1000;

	do
		now = monotonic_ns();
	while (now - start < delay_ns);
	vcpu->busy_ns += now - start;
}

/* Returns false when the access is not one the guest program makes. */
static bool handle_mmio(struct vcpu *vcpu)
{
	struct kvm_run *run = vcpu->run;
	const char *what = run->mmio.is_write ? "write" : "read";

	vcpu->mmio_exits++;
	if (run->mmio.phys_addr != vcpu->mmio_gpa || run->mmio.len != 1) {
		vcpu_error(vcpu, "unexpected MMIO %s of %u bytes at 0x%llx; expected 1 byte at 0x%" PRIx64,
			   what, run->mmio.len, (unsigned long long)run->mmio.phys_addr,
			   vcpu->mmio_gpa);
		return false;
	}
	if (run->mmio.is_write) {
		/* A runaway guest would loop forever: stop at the first extra. */
		if (++vcpu->writes > vcpu->opts->writes) {
			vcpu_error(vcpu, "MMIO write number %" PRIu64 " but only %" PRIu32 " expected",
				   vcpu->writes, vcpu->opts->writes);
			return false;
		}
	} else {
		if (++vcpu->reads > vcpu->opts->reads) {
			vcpu_error(vcpu, "MMIO read number %" PRIu64 " but only %" PRIu32 " expected",
				   vcpu->reads, vcpu->opts->reads);
			return false;
		}
		memset(run->mmio.data, MMIO_READ_DATA, sizeof(run->mmio.data));
	}
	if (vcpu->opts->delay_us)
		busy_wait(vcpu);
	return true;
}

static void report_exit(struct vcpu *vcpu)
{
	struct kvm_run *run = vcpu->run;

	switch (run->exit_reason) {
	case KVM_EXIT_FAIL_ENTRY:
		vcpu_error(vcpu, "KVM_EXIT_FAIL_ENTRY, hardware reason 0x%llx",
			   (unsigned long long)run->fail_entry.hardware_entry_failure_reason);
		break;
	case KVM_EXIT_INTERNAL_ERROR:
		vcpu_error(vcpu, "KVM_EXIT_INTERNAL_ERROR, suberror %u (1 = instruction emulation failed)",
			   run->internal.suberror);
		break;
	case KVM_EXIT_SHUTDOWN:
		vcpu_error(vcpu, "KVM_EXIT_SHUTDOWN (triple fault in the guest program)");
		break;
	case KVM_EXIT_SYSTEM_EVENT:
		vcpu_error(vcpu, "KVM_EXIT_SYSTEM_EVENT type %u (the guest program powered off or reset)",
			   run->system_event.type);
		break;
	default:
		vcpu_error(vcpu, "unexpected exit reason %u (see KVM_EXIT_* in linux/kvm.h)",
			   run->exit_reason);
		break;
	}
}

static void run_vcpu(struct vcpu *vcpu)
{
	for (;;) {
		if (ioctl(vcpu->fd, KVM_RUN, 0) < 0) {
			if (errno == EINTR || errno == EAGAIN)
				continue;
			vcpu_error(vcpu, "KVM_RUN: %s", strerror(errno));
			return;
		}
		if (vcpu->run->exit_reason == KVM_EXIT_MMIO) {
			if (!handle_mmio(vcpu))
				return;
			continue;
		}
		if (!arch_vcpu_done(vcpu))
			report_exit(vcpu);
		return;
	}
}

void *vcpu_thread(void *arg)
{
	struct vcpu *vcpu = arg;

	vcpu->tid = gettid();
	if (arch_vcpu_thread_start(vcpu) == 0)
		run_vcpu(vcpu);
	else
		vcpu_error(vcpu, "setting up the vCPU thread: %s", strerror(errno));
	arch_vcpu_thread_stop(vcpu);
	return NULL;
}
