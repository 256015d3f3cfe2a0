/* vcpu threads, see vcpu-run.h. */
#include "vcpu-run.h"

#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

static int on_mmio(struct vcpu_ctx *c)
{
	struct kvm_run *run = c->vcpu.run;
	struct access *a;

	if (c->truth.naccesses == sizeof(c->truth.access) / sizeof(c->truth.access[0])) {
		fprintf(stderr, "test-vmm: vm %u vcpu %u: more MMIO exits than planned\n",
			c->plan.vm, c->plan.vcpu);
		return -1;
	}
	a = &c->truth.access[c->truth.naccesses++];
	a->gpa = run->mmio.phys_addr;
	a->len = run->mmio.len;
	a->is_write = run->mmio.is_write;
	if (a->len > sizeof(a->data)) {
		fprintf(stderr, "test-vmm: vm %u vcpu %u: %u-byte MMIO access\n",
			c->plan.vm, c->plan.vcpu, a->len);
		return -1;
	}
	/* host and guest are both little endian: data[] is the value's
	 * bytes in memory order */
	if (a->is_write) {
		a->data = 0;
		memcpy(&a->data, run->mmio.data, a->len);
	} else {
		a->data = load_value(a->gpa);
		memcpy(run->mmio.data, &a->data, a->len);
	}
	return 0;
}

/* 1 when the guest is done, 0 to run on, -1 on failure. */
static int on_hcall(struct vcpu_ctx *c)
{
	struct kvm_run *run = c->vcpu.run;

	c->truth.hcall_exits++;
	run->papr_hcall.ret = 0;
	switch (run->papr_hcall.nr) {
	case VMM_HCALL_PHASE:
		pthread_barrier_wait(c->phase);
		return 0;
	case VMM_HCALL_DONE:
		return 1;
	default:
		fprintf(stderr, "test-vmm: vm %u vcpu %u: unexpected hcall 0x%llx in user space\n",
			c->plan.vm, c->plan.vcpu, (unsigned long long)run->papr_hcall.nr);
		return -1;
	}
}

void *vcpu_thread(void *arg)
{
	struct vcpu_ctx *c = arg;
	int r = 0;

	c->truth.tid = gettid();
	if (c->plan.pinned) {
		cpu_set_t cpus;

		CPU_ZERO(&cpus);
		CPU_SET(c->plan.vcpu % sysconf(_SC_NPROCESSORS_ONLN), &cpus);
		if (sched_setaffinity(0, sizeof(cpus), &cpus)) {
			fprintf(stderr, "test-vmm: vm %u vcpu %u: sched_setaffinity: %s\n",
				c->plan.vm, c->plan.vcpu, strerror(errno));
			exit(1);
		}
	}
	while (r == 0) {
		if (ioctl(c->vcpu.fd, KVM_RUN, 0) < 0) {
			if (errno == EINTR)
				continue;
			fprintf(stderr, "test-vmm: vm %u vcpu %u: KVM_RUN: %s\n",
				c->plan.vm, c->plan.vcpu, strerror(errno));
			r = -1;
			break;
		}
		switch (c->vcpu.run->exit_reason) {
		case KVM_EXIT_MMIO:
			r = on_mmio(c);
			/* The access is served but not complete in KVM until
			 * the next KVM_RUN: /init changes the trace events now
			 * and lets the VMM go on (SIGCONT). */
			if (r == 0 && c->truth.naccesses == c->plan.pause_after)
				raise(SIGSTOP);
			break;
		case KVM_EXIT_PAPR_HCALL:
			r = on_hcall(c);
			break;
		default:
			fprintf(stderr, "test-vmm: vm %u vcpu %u: unexpected exit reason %u\n",
				c->plan.vm, c->plan.vcpu, c->vcpu.run->exit_reason);
			r = -1;
		}
	}
	/* A vcpu that fails ends the VMM: the others could otherwise wait
	 * forever at the phase barrier. */
	if (r < 0)
		exit(1);
	return NULL;
}
