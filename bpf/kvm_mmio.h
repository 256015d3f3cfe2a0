/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The contract between the BPF programs (kvm_mmio.bpf.c) and libtrace: map
 * keys and values, and the latency histogram's bucket layout. Nothing here is
 * declared anywhere else.
 *
 * Includers provide __u32/__u64 first: bpf/kernel_types.h on the BPF side,
 * <linux/types.h> in user space.
 */
#ifndef KMT_KVM_MMIO_H
#define KMT_KVM_MMIO_H

/*
 * Log-linear latency histogram in nanoseconds: 16 linear sub-buckets per
 * power of two, so a percentile read off a bucket's upper bound is at most
 * 1/16 (6.25%) above the true value. Buckets are closed on the right, the
 * way Prometheus counts "le": slot s holds (upper(s - 1), upper(s)], so a
 * value exactly on a bound lands in the bucket that bound closes.
 * Slots 0..15 hold 0..16 ns one nanosecond apart; the last slot, whose upper
 * bound is 2^34 ns (17.2 s), also takes every larger value.
 */
#define KMT_HIST_SUB_BITS 4
#define KMT_HIST_SUB (1U << KMT_HIST_SUB_BITS)
#define KMT_HIST_MAX_EXP 34
#define KMT_HIST_SLOTS ((KMT_HIST_MAX_EXP - KMT_HIST_SUB_BITS + 1) * KMT_HIST_SUB)

/*
 * A histogram is kept in chunks of KMT_HIST_CHUNK_SLOTS consecutive slots,
 * a map entry each, made when a value first lands in it: a guest's
 * latencies fill one or two of the eight, and user space copies the maps
 * out at every refresh (at 4 KiB per dense histogram, a thousand guests were
 * 28 MiB per read). Each chunk keeps the sum and max of its own values: a
 * histogram's sum is its chunks' sum, its max their max, and its count the
 * sum of all its slots. Counts that come without a value (a page's exits, a
 * lock's acquisitions) go to chunk 0.
 */
#define KMT_HIST_CHUNK_SLOTS 64
#define KMT_HIST_CHUNKS ((KMT_HIST_SLOTS + KMT_HIST_CHUNK_SLOTS - 1) / KMT_HIST_CHUNK_SLOTS)

struct kmt_hist_chunk {
	__u64 slots[KMT_HIST_CHUNK_SLOTS];	/* slot chunk x KMT_HIST_CHUNK_SLOTS + i at i */
	__u64 sum;		/* in the unit of the values: ns, or lock retries */
	__u64 max;
};

/* Index of the highest set bit; x must be non-zero. Loop-free for BPF. */
static inline __u32 kmt_log2(__u64 x)
{
	__u32 r = 0, shift;

	shift = (x > 0xffffffffULL) << 5; x >>= shift; r |= shift;
	shift = (x > 0xffffU) << 4; x >>= shift; r |= shift;
	shift = (x > 0xffU) << 3; x >>= shift; r |= shift;
	shift = (x > 0xfU) << 2; x >>= shift; r |= shift;
	shift = (x > 0x3U) << 1; x >>= shift; r |= shift;
	return r | (__u32)(x >> 1);
}

static inline __u32 kmt_hist_slot(__u64 ns)
{
	/* Shift by one so that each bucket is closed on the right. */
	__u64 x = ns ? ns - 1 : 0;
	__u32 exp, slot;

	if (x < KMT_HIST_SUB)
		return (__u32)x;
	exp = kmt_log2(x);
	slot = (exp - KMT_HIST_SUB_BITS + 1) * KMT_HIST_SUB +
	       (__u32)((x >> (exp - KMT_HIST_SUB_BITS)) - KMT_HIST_SUB);
	return slot < KMT_HIST_SLOTS ? slot : KMT_HIST_SLOTS - 1;
}

/* The largest value slot s holds (its "le" bound), in nanoseconds. */
static inline __u64 kmt_hist_slot_upper(__u32 slot)
{
	__u32 group = slot / KMT_HIST_SUB, sub = slot % KMT_HIST_SUB;

	if (group == 0)
		return slot + 1;
	return (__u64)(KMT_HIST_SUB + sub + 1) << (group - 1);
}

/*
 * Default map sizes. User space may set others before load (--max-guests,
 * --max-vcpus, --max-regions); the help text quotes these.
 */
#define KMT_DEFAULT_MAX_GUESTS 256	/* guests with histograms and lock series at once */
#define KMT_DEFAULT_MAX_VCPUS 4096	/* vCPU threads counted at once, all guests together */
#define KMT_DEFAULT_MAX_REGIONS 1024	/* (guest, page) regions at once */
#define KMT_VCPU_STATE_ENTRIES 16384	/* per-thread exit state (LRU: vCPUs come and go) */
/* VMM processes registered per guest: room for as many again gone but not yet reaped. */
#define KMT_PROCS_PER_GUEST 2
#define KMT_MAX_PIDS 64			/* VMM processes -p can name at once */

enum kmt_hist_kind {
	KMT_HIST_VMM,		/* ns: KVM_EXIT_MMIO until the vCPU thread calls KVM_RUN again */
	KMT_HIST_KERNEL,	/* ns: guest exit to guest entry (or MMIO completion), minus VMM */
	KMT_HIST_KINDS,
};

/*
 * Every per-guest key names its VMM process by tgid and start time: a pid
 * is reused, and two processes on one pid within an interval must not add
 * up. start is the group leader's task start_boottime, in ns (what
 * /proc/PID/stat's field 22 shows in clock ticks).
 */
struct kmt_hist_key {
	__u32 tgid;
	__u16 kind;	/* enum kmt_hist_kind */
	__u16 chunk;
	__u64 start;
};

/*
 * Hypervisor locks a guest's vCPU threads wait on, one series each. A lock's
 * wait is measured in the unit its events allow (libtrace's lock descriptors
 * say which).
 */
enum kmt_lock_kind {
	KMT_LOCK_HPTE,		/* POWER: HPTE_V_HVLOCK of HPT lookups, wait in retries */
	KMT_LOCK_MMU,		/* the vCPU's own VM's kvm->mmu_lock, wait in ns */
	KMT_LOCK_OTHER,		/* every other lock a vCPU thread waits on, in ns */
	KMT_LOCK_KINDS,
};

/*
 * A vCPU thread's lock waits (lock:contention_begin/end): its VM's MMU lock,
 * found at KVM_RUN, and the wait in progress. Locks
 * taken while waiting for another (a queued rwlock's internal spinlock) are
 * part of the outer wait: depth counts them.
 */
struct kmt_vcpu_locks {
	__u64 mmu_lock;		/* address of its VM's kvm->mmu_lock; 0: not known */
	__u64 waiting_for;	/* the outermost lock being waited for */
	__u64 wait_begin_ns;
	__u32 vcpu_fd;		/* the KVM_RUN fd mmu_lock was found from, plus one */
	__u32 depth;		/* contention_begin events not yet ended */
};

struct kmt_lock_key {
	__u32 tgid;
	__u16 lock;	/* enum kmt_lock_kind */
	__u16 chunk;	/* of wait */
	__u64 start;
};

/* One guest's acquisitions of one lock; wait holds the contended ones only. */
struct kmt_lock_stats {
	__u64 acquired;
	struct kmt_hist_chunk wait;
};

/*
 * A vCPU thread's exit in progress, keyed by thread id: the BPF programs'
 * own state (flags are private to kvm_mmio.bpf.c), with its lock waits in
 * the same entry so that one lookup per event serves both.
 */
struct kmt_vcpu_state {
	__u64 guest_exit_ns;
	__u64 vmm_exit_ns;
	__u64 vmm_ns;		/* VMM time accumulated within this exit */
	__u64 last_gpa;
	__u64 start;		/* its process's start time, as in the keys */
	__u32 flags;
	__u32 tgid;		/* the thread's process */
	struct kmt_vcpu_locks locks;
	__u32 vcpu_slot;	/* its counters' index in vcpu_slots plus one; 0: none yet */
};

/*
 * The VMM processes with keys in the maps, registered by their first vCPU
 * thread's first event.
 */
struct kmt_proc_key {
	__u32 tgid;
	__u32 pad;
	__u64 start;
};

struct kmt_proc_state {
	/*
	 * Non-zero once the process is gone (its group leader freed: no
	 * thread of it runs any more), so its keys' values are final and user
	 * space can read and delete them.
	 */
	__u32 gone;
	/* execve()s since it was registered: its name may have changed (user space names it again). */
	__u32 execs;
};

/*
 * Each access is counted once, when its exit ends and it is known who
 * completed it: every figure user space shows (exits, reads, writes,
 * kernel- and VMM-handled) is a sum of these, so an interval's figures agree
 * with each other however the interval cuts an exit. Each counter has one
 * writer, the vCPU thread, and only grows.
 */
struct kmt_vcpu_stats {
	__u64 kernel_reads;
	__u64 kernel_writes;
	__u64 vmm_reads;	/* completed by the VMM (KVM_EXIT_MMIO) */
	__u64 vmm_writes;
	__u64 timed_exits;	/* MMIO exits timed from guest exit to guest entry */
};

/*
 * A vCPU thread's counters, in an array user space maps. A slot is taken by
 * a thread's first counted access and belongs to the thread's process until
 * user space has read the process's final counts and handed the slot back
 * (zeroed). The BPF programs fill tgid, tid and start once, before any
 * counter moves: a slot with any of them still 0 is free, or being taken.
 */
struct kmt_vcpu_slot {
	__u32 tgid;
	__u32 tid;
	__u64 start;
	struct kmt_vcpu_stats stats;
};

#define KMT_REGION_SHIFT 12	/* regions are guest-physical pages */

struct kmt_region_key {
	__u32 tgid;
	__u32 chunk;	/* of lat */
	__u64 start;
	__u64 gpa_page;		/* gpa >> KMT_REGION_SHIFT */
};

/* Latency per region: full exit where the kernel part is timed, else VMM part. */
struct kmt_region_value {
	__u64 exits;
	struct kmt_hist_chunk lat;
};

/* What could not be accounted, in a per-CPU array indexed by this enum. */
enum kmt_drop {
	KMT_DROP_VCPU_STATE,	/* vCPU state map full: access not counted, exit not timed */
	KMT_DROP_STATS,		/* no free per-vCPU counter slot: access not counted */
	KMT_DROP_HIST,		/* histogram map full: latency not recorded */
	KMT_DROP_REGION,	/* region map full: region not counted */
	KMT_DROP_LOCK,		/* lock map full: acquisition not counted */
	KMT_DROP_LOCK_UNPAIRED,	/* contention_end with no matching begin (e.g. began before attach) */
	KMT_DROP_UNPAIRED,	/* KVM_EXIT_MMIO with no MMIO access seen before it */
	KMT_DROP_PROC,		/* process map full: a new VMM process's events not counted */
	KMT_DROPS,
};

/* Generic kvm:kvm_mmio "type" argument (include/trace/events/kvm.h). */
#define KMT_TRACE_MMIO_READ_UNSATISFIED 0
#define KMT_TRACE_MMIO_READ 1
#define KMT_TRACE_MMIO_WRITE 2

#define KMT_KVM_EXIT_MMIO 6

/* kvm_hv_mmio_dispatch "dest" (kernel-patches/, docs/kvm_hv-tracepoints.md). */
#define KMT_HV_DEST_NONE 0

#endif /* KMT_KVM_MMIO_H */
