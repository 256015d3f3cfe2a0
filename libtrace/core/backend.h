/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Backends as descriptors, the way perf's kvm-stat keeps one table of event
 * operations per architecture: each descriptor says which tracepoints it
 * needs, how their events pair, and what it can therefore measure. The
 * session picks descriptors by probing the running kernel; everything after
 * that (the model, the renderers, the exporter) reads capabilities, never a
 * backend's name. A new backend or lock series is one more table entry.
 */
#ifndef KMT_BACKEND_H
#define KMT_BACKEND_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "abi.h"

/* The tracepoints the BPF programs can attach to. */
enum kmt_event {
	KMT_EV_MMIO,		/* kvm:kvm_mmio */
	KMT_EV_FAST_MMIO,	/* kvm:kvm_fast_mmio (VMX zero-length ioeventfds) */
	KMT_EV_USER_EXIT,	/* kvm:kvm_userspace_exit */
	KMT_EV_SYS_ENTER,	/* the vCPU thread's next KVM_RUN: syscalls:sys_enter_ioctl or raw sys_enter */
	KMT_EV_EXIT,		/* kvm:kvm_exit */
	KMT_EV_ENTRY,		/* kvm:kvm_entry */
	KMT_EV_HV_DISPATCH,	/* kvm_hv:kvm_hv_mmio_dispatch (kernel-patches/) */
	KMT_EV_HV_COMPLETE,	/* kvm_hv:kvm_hv_mmio_complete */
	KMT_EV_HPTE_LOOKUP,	/* kvm_hv:kvm_hv_find_lock_hpte */
	KMT_EV_LOCK_BEGIN,	/* lock:contention_begin */
	KMT_EV_LOCK_END,	/* lock:contention_end */
	KMT_EV_THREAD_EXIT,	/* sched:sched_process_exit: a thread's exit state goes */
	KMT_EV_PROC_FREE,	/* sched:sched_process_free: a VMM process's counts are final */
	KMT_EV_PROC_EXEC,	/* sched:sched_process_exec: a VMM process may have a new name */
	KMT_EVENTS,
};

#define KMT_EV(e) (1U << (e))

/* The tracepoint's name, as in kallsyms' __traceiter_<name> and BTF's btf_trace_<name>. */
const char *kmt_event_name(enum kmt_event event);

enum kmt_capability {
	KMT_CAP_COUNTS = 1U << 0,	/* accesses per vCPU: reads, writes, kernel- or VMM-handled */
	KMT_CAP_VMM_PART = 1U << 1,	/* latency: KVM_EXIT_MMIO until KVM_RUN again */
	KMT_CAP_KERNEL_PART = 1U << 2,	/* latency: guest exit to entry (or completion) minus VMM */
	KMT_CAP_REGIONS = 1U << 3,	/* accesses and latency per guest-physical page */
	KMT_CAP_LOCK_ACQUIRED = 1U << 4, /* a lock series that counts every acquisition */
};

/* Capability names as the JSON report and -v spell them. */
const char *kmt_capability_name(enum kmt_capability cap);

enum kmt_role {
	KMT_ROLE_MMIO,	/* accounts MMIO exits: exactly one is chosen */
	KMT_ROLE_LOCK,	/* one lock's series: every one whose events exist is chosen */
};

struct kmt_backend {
	const char *name;
	enum kmt_role role;
	const char *machine;	/* uname's machine it is meant for; NULL: any */
	uint32_t needs;		/* KMT_EV() bits: all must exist */
	uint32_t optional;	/* attached too where they exist */
	unsigned int caps;	/* enum kmt_capability bits */
	const char *pairing;	/* how its events pair, for -v */
	/* Follows kernel pointers (bpf_probe_read), which lockdown=confidentiality refuses. */
	bool reads_kernel_memory;
	/* KMT_ROLE_LOCK only: */
	enum kmt_lock_kind lock;
	const char *wait_unit;	/* "retries" or "ns" */
	const char *column;	/* the table's header for its wait p99 */
};

/* Every descriptor, most capable MMIO backend first. */
extern const struct kmt_backend kmt_backends[];
extern const size_t kmt_nr_backends;

struct kmt_selection {
	const struct kmt_backend *mmio;
	const struct kmt_backend *locks[KMT_LOCK_KINDS];
	size_t nr_locks;
	uint32_t events;	/* KMT_EV() bits to attach */
	bool kernel_reads_refused; /* a descriptor was left out for lockdown=confidentiality */
	char why[1024];		/* a line per descriptor: chosen, or what it lacks */
};

/* What the host and the user allow, beside the tracepoints. */
struct kmt_host {
	const char *machine;		/* uname -m */
	bool no_locks;			/* --no-locks */
	bool no_kernel_reads;		/* lockdown=confidentiality: no bpf_probe_read */
};

/*
 * Chooses the descriptors for a kernel whose tracepoints are exists[] on
 * host. Returns 0, or -ENOENT when no MMIO backend fits; why then says what
 * each lacks or why it is not used.
 */
int kmt_backends_select(struct kmt_selection *sel, const bool exists[KMT_EVENTS],
			const struct kmt_host *host);

/* The union of the chosen descriptors' capabilities. */
unsigned int kmt_selection_caps(const struct kmt_selection *sel);

/* The lock series descriptor chosen for lock, or NULL. */
const struct kmt_backend *kmt_selection_lock(const struct kmt_selection *sel,
					     enum kmt_lock_kind lock);

#endif /* KMT_BACKEND_H */
