// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <linux/kvm.h>
#include <sys/syscall.h>
#include "kvm_run_regs.h"
#include "tests/bpf/kvm_run_regs.skel.h"

struct kmt_kvm_run_regs {
	pthread_t thread;
	int go[2];	/* the thread waits here until the capture is attached */
	int block[2];	/* ... then blocks reading here */
	volatile pid_t tid;
};

static void *blocker(void *arg)
{
	struct kmt_kvm_run_regs *r = arg;
	char *fake_buf = (char *)(uintptr_t)KVM_RUN, go;

	r->tid = (pid_t)syscall(SYS_gettid);
	while (read(r->go[0], &go, 1) < 0 && errno == EINTR)
		;
	while (read(r->block[0], fake_buf, 1) < 0 && errno == EINTR)
		;
	return NULL;
}

static void sleep_ms(long ms)
{
	struct timespec ts = { .tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

/* Whether the thread is in the blocking read, by its syscall and arguments in /proc. */
static bool blocked(const struct kmt_kvm_run_regs *r)
{
	char path[64], line[256];
	unsigned long nr, fd, arg2;
	bool in_read = false;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/self/task/%d/syscall", (int)r->tid);
	f = fopen(path, "r");
	if (f && fgets(line, sizeof(line), f) &&
	    sscanf(line, "%lu 0x%lx 0x%lx", &nr, &fd, &arg2) == 3)
		in_read = nr == SYS_read && fd == (unsigned long)r->block[0] && arg2 == KVM_RUN;
	if (f)
		fclose(f);
	return in_read;
}

static struct kmt_kvm_run_regs *fail(struct kmt_kvm_run_regs *r, const char *what, int err)
{
	fprintf(stderr, "kvm_run_regs: %s: %s\n", what, strerror(err < 0 ? -err : err));
	kmt_kvm_run_regs_stop(r);
	return NULL;
}

struct kmt_kvm_run_regs *kmt_kvm_run_regs_start(uint64_t *regs)
{
	struct kmt_kvm_run_regs *r = calloc(1, sizeof(*r));
	struct kvm_run_regs *cap;
	int err;

	if (!r)
		return fail(NULL, "calloc", ENOMEM);
	r->go[0] = r->go[1] = r->block[0] = r->block[1] = -1;
	if (pipe(r->go) || pipe(r->block))
		return fail(r, "pipe", errno);
	err = pthread_create(&r->thread, NULL, blocker, r);
	if (err) {
		r->tid = -1;
		return fail(r, "pthread_create", err);
	}
	while (!r->tid)
		sleep_ms(1);
	cap = kvm_run_regs__open();
	if (!cap)
		return fail(r, "open the register capture", errno);
	cap->rodata->target_tid = (uint32_t)r->tid;
	err = kvm_run_regs__load(cap) ?: kvm_run_regs__attach(cap);
	if (err) {
		kvm_run_regs__destroy(cap);
		return fail(r, "load or attach the register capture (root?)", err);
	}
	if (write(r->go[1], "", 1) != 1)
		err = errno;
	for (int i = 0; !err && i < 5000 && !blocked(r); i++)
		sleep_ms(1);
	*regs = cap->bss->regs_addr;
	kvm_run_regs__destroy(cap);
	if (err || !blocked(r) || !*regs)
		return fail(r, "the thread never blocked in its read", err ?: ETIMEDOUT);
	return r;
}

void kmt_kvm_run_regs_stop(struct kmt_kvm_run_regs *r)
{
	if (!r)
		return;
	if (r->go[1] >= 0)
		close(r->go[1]);	/* a thread still waiting for go sees EOF too */
	if (r->block[1] >= 0)
		close(r->block[1]);
	if (r->tid > 0)
		pthread_join(r->thread, NULL);
	if (r->go[0] >= 0)
		close(r->go[0]);
	if (r->block[0] >= 0)
		close(r->block[0]);
	free(r);
}
