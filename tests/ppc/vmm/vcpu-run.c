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

/* glibc before 2.37 names the thread of SIGEV_THREAD_ID only this way */
#ifndef sigev_notify_thread_id
#define sigev_notify_thread_id	_sigev_un._tid
#endif

static void on_timer_signal(int sig)
{
	(void)sig;
}

int vcpu_signal_setup(void)
{
	struct sigaction sa = { .sa_handler = on_timer_signal };

	/* no SA_RESTART: the signal must end KVM_RUN with EINTR */
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGUSR1, &sa, NULL)) {
		fprintf(stderr, "test-vmm: sigaction(SIGUSR1): %s\n", strerror(errno));
		return -1;
	}
	return 0;
}

/* Arm (ms > 0) or disarm (0) this vcpu thread's one-shot timer signal. */
static int prefixed_timer(struct vcpu_ctx *c, long ms)
{
	struct itimerspec its = {
		.it_value = { .tv_sec = ms / 1000, .tv_nsec = ms % 1000 * 1000000 },
	};

	if (timer_settime(c->prefixed_timer, 0, &its, NULL)) {
		fprintf(stderr, "test-vmm: vm %u vcpu %u: timer_settime: %s\n",
			c->plan.vm, c->plan.vcpu, strerror(errno));
		return -1;
	}
	return 0;
}

/*
 * guest-prefixed.S: KVM_RUN ended with EINTR (the timer signal, or
 * another). If the guest is still at the prefixed instruction the timer
 * was armed for, KVM kept resuming it there without emulating the
 * access: skip it (pc + 8) and record that. Else let the timer run again.
 */
static int on_intr(struct vcpu_ctx *c)
{
	unsigned int k = c->prefixed_next;
	struct kvm_regs regs;

	c->truth.intr_exits++;
	if (k >= GUEST_PREFIXED_INSNS)
		return 0;
	if (ioctl(c->vcpu.fd, KVM_GET_REGS, &regs)) {
		fprintf(stderr, "test-vmm: vm %u vcpu %u: KVM_GET_REGS: %s\n",
			c->plan.vm, c->plan.vcpu, strerror(errno));
		return -1;
	}
	if (regs.pc != c->plan.prefixed_pc[k])
		return prefixed_timer(c, VMM_PREFIXED_WAIT_MS);
	regs.pc += 8;
	if (ioctl(c->vcpu.fd, KVM_SET_REGS, &regs)) {
		fprintf(stderr, "test-vmm: vm %u vcpu %u: KVM_SET_REGS: %s\n",
			c->plan.vm, c->plan.vcpu, strerror(errno));
		return -1;
	}
	c->truth.skipped[k]++;
	c->prefixed_next = GUEST_PREFIXED_INSNS;
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
	case VMM_HCALL_NOP:
		return 0;
	case VMM_HCALL_PREFIXED:
		c->prefixed_next = run->papr_hcall.args[0];
		return prefixed_timer(c, c->prefixed_next < GUEST_PREFIXED_INSNS ?
					 VMM_PREFIXED_WAIT_MS : 0);
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
	c->prefixed_next = GUEST_PREFIXED_INSNS;
	if (c->plan.program == PROG_PREFIXED) {
		struct sigevent sev = {
			.sigev_notify = SIGEV_THREAD_ID,
			.sigev_signo = SIGUSR1,
		};

		sev.sigev_notify_thread_id = c->truth.tid;
		if (timer_create(CLOCK_MONOTONIC, &sev, &c->prefixed_timer)) {
			fprintf(stderr, "test-vmm: vm %u vcpu %u: timer_create: %s\n",
				c->plan.vm, c->plan.vcpu, strerror(errno));
			exit(1);
		}
	}
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
			if (errno == EINTR) {
				if (c->plan.program == PROG_PREFIXED)
					r = on_intr(c);
				continue;
			}
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
