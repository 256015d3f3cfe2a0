// SPDX-License-Identifier: GPL-2.0
/*
 * Per-guest MMIO accounting from the stock KVM tracepoints, aggregated in
 * the kernel: nothing is copied to user space per event.
 *
 * One MMIO access, as the tracepoints show it on x86 and arm64:
 *
 *   kvm_exit ............. guest exit (only where the arch's event fires)
 *   kvm_mmio ............. the access: WRITE, READ (satisfied in the kernel)
 *                          or READ_UNSATISFIED (going to the VMM)
 *   kvm_userspace_exit ... KVM_RUN returns KVM_EXIT_MMIO to the VMM
 *   sys_enter_ioctl ...... the vCPU thread calls KVM_RUN again (or, where the
 *                          syscall events are unusable, raw sys_enter)
 *   kvm_mmio READ ........ completion of a read the VMM answered
 *   kvm_entry ............ guest entry
 *
 * The VMM part is userspace_exit -> KVM_RUN; the kernel part is the rest of
 * kvm_exit -> kvm_entry. Exit reasons are never decoded: an exit is an MMIO
 * exit when a kvm_mmio event happened inside it, which holds for every MMIO
 * flavour (npf, EPT violation/misconfig, shadow-paging #PF, arm64 DABT).
 *
 * On POWER Book3S HV with our kernel series (kernel-patches/) powerpc emits
 * kvm_mmio too, and there are no kvm_exit/kvm_entry events: the guest exit
 * time arrives with kvm_hv_mmio_dispatch (exit_ns, on bpf_ktime_get_ns()'s
 * clock), and kvm_hv_mmio_complete ends the exit once the access is done.
 * kvm_hv_find_lock_hpte reports how often each HPT lookup had to retry the
 * HPTE lock: the hypervisor lock contention of the MMIO path.
 *
 * Each event has a tp_btf and a raw_tp entry point sharing one body; user
 * space loads whichever the running kernel supports.
 */
#include "kernel_types.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include "kvm_mmio.h"
#include "syscall_abi.h"

char LICENSE[] SEC("license") = "GPL";

/* Only this VMM process is traced when non-zero (kvm-mmio-top --pid). */
const volatile __u32 filter_tgid = 0;

#define ST_EXIT_TIMED	(1U << 0)	/* kvm_exit seen: this exit is being timed */
#define ST_MMIO		(1U << 1)	/* this exit performed an MMIO access */
#define ST_IN_VMM	(1U << 2)	/* KVM_EXIT_MMIO is with the VMM */
#define ST_READ_PENDING	(1U << 3)	/* a read awaits its completion event */

struct vcpu_state {
	__u64 guest_exit_ns;
	__u64 vmm_exit_ns;
	__u64 vmm_ns;		/* VMM time accumulated within this exit */
	__u64 last_gpa;
	__u32 flags;
};

/* Keyed by thread id: vCPU threads come and go, so LRU. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 16384);
	__type(key, __u32);
	__type(value, struct vcpu_state);
} vcpu_state SEC(".maps");

/* Each key is written by one vCPU thread only: plain increments are safe. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4096);
	__type(key, struct kmt_vcpu_key);
	__type(value, struct kmt_vcpu_stats);
} vcpu_stats SEC(".maps");

/*
 * Shared, updated with atomics: a histogram is 4 KiB, and a per-CPU copy per
 * guest would cost 4 KiB x CPUs x guests (0.5 GiB for 512 keys on a 256-CPU
 * host). Only the vCPUs of one guest touch one key, so contention stays low;
 * the hot per-event counters (per vCPU, and our own) do not share lines.
 */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 512);
	__type(key, struct kmt_hist_key);
	__type(value, struct kmt_hist);
} hists SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, struct kmt_region_key);
	__type(value, struct kmt_region_value);
} regions SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, KMT_COUNTERS);
	__type(key, __u32);
	__type(value, __u64);
} counters SEC(".maps");

/* Zeroed initial values: too large for the 512-byte BPF stack. */
static struct kmt_hist zero_hist;
static struct kmt_region_value zero_region;

static __always_inline void count(enum kmt_counter counter)
{
	__u32 key = counter;
	__u64 *value = bpf_map_lookup_elem(&counters, &key);

	if (value)
		*value += 1;
}

/* Look a key up, inserting its zero value first when it is new. */
static __always_inline void *lookup_or_init(void *map, const void *key, const void *zero,
					    enum kmt_counter drop)
{
	void *value = bpf_map_lookup_elem(map, key);

	if (value)
		return value;
	bpf_map_update_elem(map, key, zero, BPF_NOEXIST);
	value = bpf_map_lookup_elem(map, key);
	if (!value)
		count(drop);
	return value;
}

static __always_inline void hist_add(struct kmt_hist *hist, __u64 ns)
{
	__u32 slot = kmt_hist_slot(ns);
	__u64 max;
	int i;

	/* Keep clang from checking a copy of slot the verifier cannot relate. */
	barrier_var(slot);
	if (slot >= KMT_HIST_SLOTS)
		return;
	__sync_fetch_and_add(&hist->slots[slot], 1);
	__sync_fetch_and_add(&hist->count, 1);
	__sync_fetch_and_add(&hist->sum_ns, ns);
	/* Racing vCPUs of one guest: a bounded compare-and-swap keeps max exact. */
	for (i = 0; i < 4; i++) {
		max = hist->max_ns;
		if (ns <= max || __sync_val_compare_and_swap(&hist->max_ns, max, ns) == max)
			break;
	}
}

static __always_inline void record(__u32 tgid, enum kmt_hist_kind kind, __u64 value)
{
	struct kmt_hist_key key = { .tgid = tgid, .kind = kind };
	struct kmt_hist *hist = lookup_or_init(&hists, &key, &zero_hist, KMT_DROP_HIST);

	if (hist)
		hist_add(hist, value);
}

static __always_inline struct kmt_region_value *region_of(__u32 tgid, __u64 gpa)
{
	struct kmt_region_key key = { .tgid = tgid, .gpa_page = gpa >> KMT_REGION_SHIFT };

	return lookup_or_init(&regions, &key, &zero_region, KMT_DROP_REGION);
}

static __always_inline struct kmt_vcpu_stats *stats_of(__u32 tgid, __u32 tid)
{
	struct kmt_vcpu_key key = { .tgid = tgid, .tid = tid };
	static const struct kmt_vcpu_stats zero;

	return lookup_or_init(&vcpu_stats, &key, &zero, KMT_DROP_STATS);
}

static __always_inline struct vcpu_state *state_of(__u32 tid)
{
	static const struct vcpu_state zero;

	return lookup_or_init(&vcpu_state, &tid, &zero, KMT_DROP_VCPU_STATE);
}

static __always_inline bool traced(__u32 tgid)
{
	return !filter_tgid || tgid == filter_tgid;
}

static __always_inline int on_access(__u64 gpa, bool write)
{
	__u64 id = bpf_get_current_pid_tgid();
	__u32 tgid = id >> 32, tid = (__u32)id;
	struct kmt_vcpu_stats *stats;
	struct kmt_region_value *region;
	struct vcpu_state *st;

	if (!traced(tgid))
		return 0;
	st = state_of(tid);
	if (st) {
		st->flags |= ST_MMIO;
		st->last_gpa = gpa;
	}
	stats = stats_of(tgid, tid);
	if (stats) {
		if (write)
			stats->writes += 1;
		else
			stats->reads += 1;
	}
	region = region_of(tgid, gpa);
	if (region)
		__sync_fetch_and_add(&region->exits, 1);
	return 0;
}

static __always_inline int on_kvm_mmio(int type, __u64 gpa)
{
	struct vcpu_state *st;
	__u32 tid;

	switch (type) {
	case KMT_TRACE_MMIO_WRITE:
		return on_access(gpa, true);
	case KMT_TRACE_MMIO_READ_UNSATISFIED:
		on_access(gpa, false);
		tid = (__u32)bpf_get_current_pid_tgid();
		st = bpf_map_lookup_elem(&vcpu_state, &tid);
		if (st)
			st->flags |= ST_READ_PENDING;
		return 0;
	case KMT_TRACE_MMIO_READ:
		/* The completion of a read counted when it went to the VMM. */
		tid = (__u32)bpf_get_current_pid_tgid();
		st = bpf_map_lookup_elem(&vcpu_state, &tid);
		if (st && (st->flags & ST_READ_PENDING)) {
			st->flags &= ~ST_READ_PENDING;
			return 0;
		}
		return on_access(gpa, false);
	}
	return 0;
}

static __always_inline int on_userspace_exit(__u32 reason, int err)
{
	__u64 id = bpf_get_current_pid_tgid();
	__u32 tgid = id >> 32, tid = (__u32)id;
	struct kmt_vcpu_stats *stats;
	struct vcpu_state *st;

	if (reason != KMT_KVM_EXIT_MMIO || err < 0 || !traced(tgid))
		return 0;
	st = bpf_map_lookup_elem(&vcpu_state, &tid);
	if (!st || !(st->flags & ST_MMIO)) {
		count(KMT_DROP_UNPAIRED);
		return 0;
	}
	st->vmm_exit_ns = bpf_ktime_get_ns();
	st->flags |= ST_IN_VMM;
	stats = stats_of(tgid, tid);
	if (stats)
		stats->vmm_exits += 1;
	return 0;
}

static __always_inline void region_latency(__u32 tgid, __u64 gpa, __u64 ns)
{
	struct kmt_region_value *region = region_of(tgid, gpa);

	if (region)
		hist_add(&region->lat, ns);
}

/* A vCPU thread whose MMIO exit is with the VMM calls an ioctl: KVM_RUN ends the VMM part. */
static __always_inline int on_ioctl(struct vcpu_state *st, __u64 id, __u32 cmd)
{
	__u64 now, vmm_ns;
	__u32 tgid;

	if (cmd != KMT_KVM_RUN)
		return 0;
	now = bpf_ktime_get_ns();
	tgid = id >> 32;
	vmm_ns = now - st->vmm_exit_ns;
	st->flags &= ~ST_IN_VMM;
	st->vmm_ns += vmm_ns;
	record(tgid, KMT_HIST_VMM, vmm_ns);
	if (!(st->flags & ST_EXIT_TIMED)) {
		/* No kvm_exit/kvm_entry here: the VMM part is all we can time. */
		region_latency(tgid, st->last_gpa, vmm_ns);
		st->flags &= ~ST_MMIO;
	}
	return 0;
}

static __always_inline struct vcpu_state *in_vmm(__u64 id)
{
	__u32 tid = (__u32)id;
	struct vcpu_state *st = bpf_map_lookup_elem(&vcpu_state, &tid);

	return st && (st->flags & ST_IN_VMM) ? st : NULL;
}

/* raw_syscalls:sys_enter runs for every syscall on the host: leave early. */
static __always_inline int on_sys_enter(struct pt_regs *regs, long nr)
{
	__u64 id;
	struct vcpu_state *st;

	if (nr != KMT_NR_IOCTL)
		return 0;
	id = bpf_get_current_pid_tgid();
	st = in_vmm(id);
	if (!st)
		return 0;
	return on_ioctl(st, id, (__u32)PT_REGS_PARM2_CORE_SYSCALL(regs));
}

/*
 * syscalls:sys_enter_ioctl is preferred: ftrace filters by syscall number
 * before any BPF runs, which halves what other processes' syscalls pay
 * (bench/RESULTS.md). The record layout is the tracefs format of syscall
 * entry events, unchanged since they exist.
 */
SEC("tracepoint/syscalls/sys_enter_ioctl")
int sys_enter_ioctl(struct kmt_syscall_enter_ioctl *ctx)
{
	__u64 id = bpf_get_current_pid_tgid();
	struct vcpu_state *st = in_vmm(id);

	return st ? on_ioctl(st, id, (__u32)ctx->cmd) : 0;
}

static __always_inline int on_kvm_exit(void)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	struct vcpu_state *st;

	if (!traced(bpf_get_current_pid_tgid() >> 32))
		return 0;
	count(KMT_CNT_GUEST_EXIT);
	st = state_of(tid);
	if (!st)
		return 0;
	st->guest_exit_ns = bpf_ktime_get_ns();
	st->vmm_ns = 0;
	st->flags = ST_EXIT_TIMED | (st->flags & ST_READ_PENDING);
	return 0;
}

/* The guest runs again (or its access is complete): close a timed MMIO exit. */
static __always_inline void end_exit(struct vcpu_state *st, __u32 tgid, __u32 tid)
{
	struct kmt_vcpu_stats *stats;
	__u64 total, kernel;

	if ((st->flags & (ST_EXIT_TIMED | ST_MMIO)) == (ST_EXIT_TIMED | ST_MMIO)) {
		total = bpf_ktime_get_ns() - st->guest_exit_ns;
		kernel = total > st->vmm_ns ? total - st->vmm_ns : 0;
		record(tgid, KMT_HIST_KERNEL, kernel);
		region_latency(tgid, st->last_gpa, total);
		stats = stats_of(tgid, tid);
		if (stats)
			stats->timed_exits += 1;
	}
	st->flags &= ST_READ_PENDING;
}

static __always_inline int on_kvm_entry(void)
{
	__u64 id = bpf_get_current_pid_tgid();
	__u32 tid = (__u32)id;
	struct vcpu_state *st = bpf_map_lookup_elem(&vcpu_state, &tid);

	if (st)
		end_exit(st, id >> 32, tid);
	return 0;
}

/* POWER: the access of an HDSI is handed to MMIO emulation; exit_ns is the HDSI's time. */
static __always_inline int on_hv_mmio_dispatch(__u32 dest, __u64 exit_ns)
{
	__u64 id = bpf_get_current_pid_tgid();
	struct vcpu_state *st;

	if (!traced(id >> 32))
		return 0;
	count(KMT_CNT_HV_MMIO);
	/* 0: no exit time known (radix guest); none: not emulated, no access made. */
	if (!exit_ns || dest == KMT_HV_DEST_NONE)
		return 0;
	st = state_of((__u32)id);
	if (!st)
		return 0;
	count(KMT_CNT_GUEST_EXIT);
	st->guest_exit_ns = exit_ns;
	st->vmm_ns = 0;
	/* kvm_mmio may come before or after this event within the same exit. */
	st->flags |= ST_EXIT_TIMED | ST_MMIO;
	return 0;
}

/* POWER: the access is complete (in-kernel device, or load data from the VMM delivered). */
static __always_inline int on_hv_mmio_complete(__u64 exit_ns)
{
	__u64 id = bpf_get_current_pid_tgid();
	__u32 tid = (__u32)id;
	struct vcpu_state *st = bpf_map_lookup_elem(&vcpu_state, &tid);

	if (st && exit_ns && st->guest_exit_ns == exit_ns)
		end_exit(st, id >> 32, tid);
	return 0;
}

/* POWER: one HPT lookup; spins is how often HPTE_V_HVLOCK was found held. */
static __always_inline int on_hpte_lookup(__u32 spins)
{
	__u64 id = bpf_get_current_pid_tgid();
	__u32 tgid = id >> 32;
	struct kmt_vcpu_stats *stats;

	if (!traced(tgid))
		return 0;
	stats = stats_of(tgid, (__u32)id);
	if (stats) {
		stats->hpte_lookups += 1;
		if (spins)
			stats->hpte_contended += 1;
	}
	if (spins)
		record(tgid, KMT_HIST_HPTE_SPINS, spins);
	return 0;
}

#define KMT_PROG(event, call, args...)					\
	SEC("tp_btf/" #event)						\
	int BPF_PROG(event##_btf, ##args) { return call; }		\
	SEC("raw_tp/" #event)						\
	int BPF_PROG(event##_raw, ##args) { return call; }

KMT_PROG(kvm_mmio, on_kvm_mmio(type, gpa), int type, int len, __u64 gpa)
/* VMX's fast path for zero-length ioeventfds: a write that never reaches kvm_mmio. */
KMT_PROG(kvm_fast_mmio, on_access(gpa, true), __u64 gpa)
KMT_PROG(kvm_userspace_exit, on_userspace_exit(reason, err), __u32 reason, int err)
KMT_PROG(sys_enter, on_sys_enter(regs, nr), struct pt_regs *regs, long nr)
KMT_PROG(kvm_exit, on_kvm_exit())
KMT_PROG(kvm_entry, on_kvm_entry())
KMT_PROG(kvm_hv_mmio_dispatch, on_hv_mmio_dispatch(dest, exit_ns), __u64 lpid, __u32 vcpu_id,
	 __u64 gpa, __u64 ea, __u32 len, __u32 is_write, __u32 dest, __s32 result, __u64 exit_ns)
KMT_PROG(kvm_hv_mmio_complete, on_hv_mmio_complete(exit_ns), __u64 lpid, __u32 vcpu_id,
	 __u64 gpa, __u32 len, __u32 is_write, __u32 dest, __u64 exit_ns)
KMT_PROG(kvm_hv_find_lock_hpte, on_hpte_lookup(spins), __u64 lpid, __u32 vcpu_id, __u64 ea,
	 __u64 slb_v, __u64 valid, __s64 index, __u64 hpte_v, __u64 hpte_r, __u32 spins)
