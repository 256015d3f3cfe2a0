// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "backend.h"

static const char *const event_names[KMT_EVENTS] = {
	[KMT_EV_MMIO] = "kvm_mmio",
	[KMT_EV_FAST_MMIO] = "kvm_fast_mmio",
	[KMT_EV_USER_EXIT] = "kvm_userspace_exit",
	[KMT_EV_SYS_ENTER] = "sys_enter",
	[KMT_EV_EXIT] = "kvm_exit",
	[KMT_EV_ENTRY] = "kvm_entry",
	[KMT_EV_HV_DISPATCH] = "kvm_hv_mmio_dispatch",
	[KMT_EV_HV_COMPLETE] = "kvm_hv_mmio_complete",
	[KMT_EV_HPTE_LOOKUP] = "kvm_hv_find_lock_hpte",
	[KMT_EV_LOCK_BEGIN] = "contention_begin",
	[KMT_EV_LOCK_END] = "contention_end",
	[KMT_EV_THREAD_EXIT] = "sched_process_exit",
	[KMT_EV_PROC_FREE] = "sched_process_free",
	[KMT_EV_PROC_EXEC] = "sched_process_exec",
};

const char *kmt_event_name(enum kmt_event event)
{
	return event < KMT_EVENTS ? event_names[event] : "?";
}

const char *kmt_capability_name(enum kmt_capability cap)
{
	switch (cap) {
	case KMT_CAP_COUNTS:
		return "counts";
	case KMT_CAP_VMM_PART:
		return "vmm_part";
	case KMT_CAP_KERNEL_PART:
		return "kernel_part";
	case KMT_CAP_REGIONS:
		return "regions";
	case KMT_CAP_LOCK_ACQUIRED:
		return "lock_acquisitions";
	}
	return "?";
}

/*
 * What every MMIO backend needs: the access, the return to the VMM, KVM_RUN
 * again, the ends of threads and processes (when a guest's counts are
 * final, and that a pid or thread id seen again is another task's), and
 * execs (when a guest's name may have changed).
 */
#define STOCK (KMT_EV(KMT_EV_MMIO) | KMT_EV(KMT_EV_USER_EXIT) | KMT_EV(KMT_EV_SYS_ENTER) | \
	       KMT_EV(KMT_EV_THREAD_EXIT) | KMT_EV(KMT_EV_PROC_FREE) | KMT_EV(KMT_EV_PROC_EXEC))
#define STOCK_CAPS (KMT_CAP_COUNTS | KMT_CAP_VMM_PART | KMT_CAP_REGIONS)
#define GUEST_EXITS (KMT_EV(KMT_EV_EXIT) | KMT_EV(KMT_EV_ENTRY))
/* Lock waits, and KVM_RUN to learn which lock is the vCPU's VM's. */
#define LOCK_WAITS (KMT_EV(KMT_EV_LOCK_BEGIN) | KMT_EV(KMT_EV_LOCK_END) | KMT_EV(KMT_EV_SYS_ENTER))

const struct kmt_backend kmt_backends[] = {
	{
		.name = "kvm_hv",
		.role = KMT_ROLE_MMIO,
		.needs = STOCK | KMT_EV(KMT_EV_HV_DISPATCH) | KMT_EV(KMT_EV_HV_COMPLETE),
		.caps = STOCK_CAPS | KMT_CAP_KERNEL_PART,
		.pairing = "POWER Book3S HV with the kvm_hv series: kernel part from the HDSI's "
			   "exit_ns (kvm_hv_mmio_dispatch) to kvm_hv_mmio_complete, minus the VMM part",
	},
	{
		.name = "arm64",
		.role = KMT_ROLE_MMIO,
		.machine = "aarch64",
		.needs = STOCK | GUEST_EXITS,
		.caps = STOCK_CAPS | KMT_CAP_KERNEL_PART,
		.pairing = "arm64: an MMIO exit is a data abort from the guest (kvm_exit, esr_ec "
			   "0x24) in which kvm_mmio fires; kernel part from kvm_exit to kvm_entry "
			   "minus the VMM part; a load's second kvm_mmio (its completion) is not "
			   "counted again",
	},
	{
		.name = "kvm_exit",
		.role = KMT_ROLE_MMIO,
		.needs = STOCK | GUEST_EXITS,
		.optional = KMT_EV(KMT_EV_FAST_MMIO),
		.caps = STOCK_CAPS | KMT_CAP_KERNEL_PART,
		.pairing = "kernel part from kvm_exit to kvm_entry, minus the VMM part, for exits in "
			   "which kvm_mmio fired (timed only where the kernel emits kvm_exit for them)",
	},
	{
		.name = "kvm_mmio",
		.role = KMT_ROLE_MMIO,
		.needs = STOCK,
		.optional = KMT_EV(KMT_EV_FAST_MMIO),
		.caps = STOCK_CAPS,
		.pairing = "counts from kvm_mmio; VMM part from kvm_userspace_exit(KVM_EXIT_MMIO) "
			   "to the vCPU thread's next KVM_RUN; no kernel part",
	},
	{
		.name = "hpte",
		.role = KMT_ROLE_LOCK,
		.needs = KMT_EV(KMT_EV_HPTE_LOOKUP),
		.caps = KMT_CAP_LOCK_ACQUIRED,
		.pairing = "POWER: every HPT lookup of the MMIO path (kvm_hv_find_lock_hpte) "
			   "acquires an HPTE lock; contended when it had to retry",
		.lock = KMT_LOCK_HPTE,
		.wait_unit = "retries",
		.column = "HPTE p99",
	},
	{
		.name = "mmu_lock",
		.role = KMT_ROLE_LOCK,
		.needs = LOCK_WAITS,
		.pairing = "lock:contention_begin to contention_end of a vCPU thread on its own VM's "
			   "kvm->mmu_lock, found at KVM_RUN from the vCPU fd (CO-RE: file, kvm_vcpu, "
			   "kvm); waits on locks taken inside the wait belong to it",
		.reads_kernel_memory = true,
		.lock = KMT_LOCK_MMU,
		.wait_unit = "ns",
		.column = "MMU p99",
	},
	{
		.name = "other",
		.role = KMT_ROLE_LOCK,
		.needs = LOCK_WAITS,
		.pairing = "lock:contention_begin to contention_end of a vCPU thread on any lock "
			   "but its VM's MMU lock",
		/* vCPU threads are known as such from the same KVM_RUN fd walk. */
		.reads_kernel_memory = true,
		.lock = KMT_LOCK_OTHER,
		.wait_unit = "ns",
		.column = "LOCK p99",
	},
};

const size_t kmt_nr_backends = sizeof(kmt_backends) / sizeof(kmt_backends[0]);

/* Appends the names of the events in bits to out, comma separated. */
static void list_events(char *out, size_t size, uint32_t bits)
{
	size_t used = 0;

	out[0] = '\0';
	for (int e = 0; e < KMT_EVENTS && used < size; e++)
		if (bits & KMT_EV(e))
			used += snprintf(out + used, size - used, "%s%s", used ? "," : "",
					 event_names[e]);
}

static uint32_t existing(const bool exists[KMT_EVENTS])
{
	uint32_t bits = 0;

	for (int e = 0; e < KMT_EVENTS; e++)
		if (exists[e])
			bits |= KMT_EV(e);
	return bits;
}

int kmt_backends_select(struct kmt_selection *sel, const bool exists[KMT_EVENTS],
			const struct kmt_host *host)
{
	uint32_t have = existing(exists);
	size_t used = 0;
	char names[256];

	memset(sel, 0, sizeof(*sel));
	for (size_t i = 0; i < kmt_nr_backends; i++) {
		const struct kmt_backend *b = &kmt_backends[i];
		uint32_t missing = b->needs & ~have;
		const char *verdict;

		if (b->role == KMT_ROLE_LOCK && host->no_locks) {
			snprintf(names, sizeof(names), "lock series turned off (--no-locks)");
			verdict = "not used";
		} else if (b->reads_kernel_memory && host->no_kernel_reads) {
			snprintf(names, sizeof(names), "kernel lockdown (confidentiality) forbids the "
				 "kernel memory reads it needs");
			verdict = "not used";
			sel->kernel_reads_refused |= !missing;
		} else if (b->machine && strcmp(b->machine, host->machine)) {
			snprintf(names, sizeof(names), "for %s hosts, this is %s", b->machine,
				 host->machine);
			verdict = "not used";
		} else if (missing) {
			list_events(names, sizeof(names), missing);
			verdict = "missing";
		} else if (b->role == KMT_ROLE_MMIO && sel->mmio) {
			snprintf(names, sizeof(names), "%s measures more", sel->mmio->name);
			verdict = "not used";
		} else {
			if (b->role == KMT_ROLE_MMIO)
				sel->mmio = b;
			else
				sel->locks[sel->nr_locks++] = b;
			sel->events |= b->needs | (b->optional & have);
			snprintf(names, sizeof(names), "%s", b->pairing);
			verdict = "chosen";
		}
		if (used < sizeof(sel->why))
			used += snprintf(sel->why + used, sizeof(sel->why) - used, "%s%s: %s: %s",
					 used ? "\n" : "", b->name, verdict, names);
	}
	return sel->mmio ? 0 : -ENOENT;
}

unsigned int kmt_selection_caps(const struct kmt_selection *sel)
{
	unsigned int caps = sel->mmio ? sel->mmio->caps : 0;

	for (size_t i = 0; i < sel->nr_locks; i++)
		caps |= sel->locks[i]->caps;
	return caps;
}

const struct kmt_backend *kmt_selection_lock(const struct kmt_selection *sel,
					     enum kmt_lock_kind lock)
{
	for (size_t i = 0; i < sel->nr_locks; i++)
		if (sel->locks[i]->lock == lock)
			return sel->locks[i];
	return NULL;
}
