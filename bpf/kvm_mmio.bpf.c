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
 * An access is counted when it is known who completed it: by the VMM when
 * kvm_userspace_exit reports KVM_EXIT_MMIO right after it, else by the
 * kernel, which the vCPU's next event shows (any other return to the VMM,
 * the next access, guest entry or exit, POWER's completion event).
 *
 * On POWER Book3S HV with our kernel series (kernel-patches/) powerpc emits
 * kvm_mmio too, and there are no kvm_exit/kvm_entry events: the guest exit
 * time arrives with kvm_hv_mmio_dispatch (exit_ns, on bpf_ktime_get_ns()'s
 * clock), and kvm_hv_mmio_complete ends the exit once the access is done.
 * kvm_hv_find_lock_hpte reports how often each HPT lookup had to retry the
 * HPTE lock: the hypervisor lock contention of the MMIO path.
 *
 * A guest is a process, not a pid: every key holds the VMM's tgid and start
 * time. A process is registered in procs by its first vCPU thread's first
 * event and marked gone when its group leader is freed
 * (sched_process_free), after which its counts are final and user space
 * reaps its keys; a thread's state goes when it exits (sched_process_exit).
 * Its execs are counted (sched_process_exec): user space names it again
 * only then, instead of reading /proc for every guest at every refresh.
 *
 * Each event has a tp_btf and a raw_tp entry point sharing one body; user
 * space loads whichever the running kernel supports. Both take the
 * arguments by position, and tracepoint arguments are no ABI: the kvm_hv
 * events of our series also have tracepoint entry points that read the
 * tracefs record's fields by name (CO-RE), preferred where tracefs lists
 * the event.
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
/* vCPU threads' lock waits are recorded (a lock series was chosen). */
const volatile bool lock_waits = false;

/* KVM names a vCPU's anonymous file "kvm-vcpu:<id>": proof that an fd is a vCPU's. */
#define VCPU_FILE_PREFIX "kvm-vcpu:"

/* When set, only the VMM processes in traced_tgids are (kvm-mmio-top -p A,B). */
const volatile bool filter_tgids = false;

/* Keys: the tgids -p names; user space fills it between load and attach. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, KMT_MAX_PIDS);
	__type(key, __u32);
	__type(value, __u8);
} traced_tgids SEC(".maps");

#define ST_EXIT_TIMED	(1U << 0)	/* kvm_exit seen: this exit is being timed */
#define ST_MMIO		(1U << 1)	/* this exit performed an MMIO access */
#define ST_IN_VMM	(1U << 2)	/* KVM_EXIT_MMIO is with the VMM */
#define ST_READ_PENDING	(1U << 3)	/* a read awaits its completion event */
#define ST_OPEN_READ	(1U << 4)	/* a read not counted yet: who completes it is unknown */
#define ST_OPEN_WRITE	(1U << 5)	/* a write not counted yet */
#define ST_OPEN		(ST_OPEN_READ | ST_OPEN_WRITE)
/* An access whose page is counted where its exit's latency is recorded. */
#define ST_REGION_OWED	(1U << 6)

/* Keyed by thread id: vCPU threads come and go, so LRU. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, KMT_VCPU_STATE_ENTRIES);
	__type(key, __u32);
	__type(value, struct kmt_vcpu_state);
} vcpu_state SEC(".maps");

/*
 * Per-vCPU counters (struct kmt_vcpu_slot), found by the index kept in the
 * thread's state rather than hashed at each access, and read by user space
 * through mmap, without a system call. Each slot is written by one vCPU
 * thread only: plain increments are safe.
 */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(map_flags, BPF_F_MMAPABLE);
	__uint(max_entries, KMT_DEFAULT_MAX_VCPUS);
	__type(key, __u32);
	__type(value, struct kmt_vcpu_slot);
} vcpu_slots SEC(".maps");

/* Slots user space handed back, zeroed, once their process's final counts were read. */
struct {
	__uint(type, BPF_MAP_TYPE_QUEUE);
	__uint(max_entries, KMT_DEFAULT_MAX_VCPUS);
	__type(value, __u32);
} free_vcpu_slots SEC(".maps");

/* vcpu_slots' max_entries, as user space sized it. */
const volatile __u32 nr_vcpu_slots = KMT_DEFAULT_MAX_VCPUS;

/*
 * Slots never handed out lie at and above this index. User space reads the
 * slots below it; it can pass nr_vcpu_slots by as many as CPUs race for
 * the last slot.
 */
__u64 vcpu_slots_used = 0;

/*
 * Shared, updated with atomics: a histogram is up to 4 KiB in chunks, and a
 * per-CPU copy per guest would cost 4 KiB x CPUs x guests (0.5 GiB for 512
 * keys on a 256-CPU host). Only the vCPUs of one guest touch one key, so
 * contention stays low; the hot per-event counters (per vCPU, and our own) do
 * not share lines. Room for every chunk of every series: a guest whose
 * latencies spread never crowds out another.
 */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, KMT_DEFAULT_MAX_GUESTS * KMT_HIST_KINDS * KMT_HIST_CHUNKS);
	__type(key, struct kmt_hist_key);
	__type(value, struct kmt_hist_chunk);
} hists SEC(".maps");

/* Shared and updated with atomics, for the reason given for hists. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, KMT_DEFAULT_MAX_GUESTS * KMT_LOCK_KINDS * KMT_HIST_CHUNKS);
	__type(key, struct kmt_lock_key);
	__type(value, struct kmt_lock_stats);
} locks SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, KMT_DEFAULT_MAX_REGIONS * KMT_HIST_CHUNKS);
	__type(key, struct kmt_region_key);
	__type(value, struct kmt_region_value);
} regions SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, KMT_DEFAULT_MAX_GUESTS * KMT_PROCS_PER_GUEST);
	__type(key, struct kmt_proc_key);
	__type(value, struct kmt_proc_state);
} procs SEC(".maps");

/*
 * Bumped after every change to procs but user space's reaping (a process
 * registered, gone, or exec'd): user space reads it through the mmapped
 * .bss and walks procs to name guests only when it moved.
 */
__u64 procs_changes = 0;

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, KMT_DROPS);
	__type(key, __u32);
	__type(value, __u64);
} drops SEC(".maps");

/* Zeroed initial values: too large for the 512-byte BPF stack. */
static struct kmt_hist_chunk zero_hist;
static struct kmt_region_value zero_region;
static struct kmt_lock_stats zero_lock;

static __always_inline void drop(enum kmt_drop reason)
{
	__u32 key = reason;
	__u64 *value = bpf_map_lookup_elem(&drops, &key);

	if (value)
		*value += 1;
}

/* Look a key up, inserting its zero value first when it is new. */
static __always_inline void *lookup_or_init(void *map, const void *key, const void *zero,
					    enum kmt_drop reason)
{
	void *value = bpf_map_lookup_elem(map, key);

	if (value)
		return value;
	bpf_map_update_elem(map, key, zero, BPF_NOEXIST);
	value = bpf_map_lookup_elem(map, key);
	if (!value)
		drop(reason);
	return value;
}

/* The chunk of slot kmt_hist_slot(value) (kmt_hist_chunk in kvm_mmio.h). */
static __always_inline __u32 hist_chunk(__u32 slot)
{
	return slot / KMT_HIST_CHUNK_SLOTS;
}

/*
 * value is in the histogram's unit: ns for latencies, retries for HPTE lock
 * waits; hist is the chunk of its slot, kmt_hist_slot(value), computed once
 * by the caller for both.
 */
static __always_inline void hist_add(struct kmt_hist_chunk *hist, __u32 value_slot, __u64 value)
{
	__u32 slot = value_slot % KMT_HIST_CHUNK_SLOTS;
	__u64 max;
	int i;

	/* Keep clang from checking a copy of slot the verifier cannot relate. */
	barrier_var(slot);
	if (slot >= KMT_HIST_CHUNK_SLOTS)
		return;
	__sync_fetch_and_add(&hist->slots[slot], 1);
	__sync_fetch_and_add(&hist->sum, value);
	/* Racing vCPUs of one guest: a bounded compare-and-swap keeps max exact. */
	for (i = 0; i < 4; i++) {
		max = hist->max;
		if (value <= max || __sync_val_compare_and_swap(&hist->max, max, value) == max)
			break;
	}
}

static __always_inline void record(const struct kmt_vcpu_state *st, enum kmt_hist_kind kind,
				   __u64 value)
{
	__u32 slot = kmt_hist_slot(value);
	struct kmt_hist_key key = {
		.tgid = st->tgid, .kind = kind, .chunk = hist_chunk(slot), .start = st->start,
	};
	struct kmt_hist_chunk *hist = lookup_or_init(&hists, &key, &zero_hist, KMT_DROP_HIST);

	if (hist)
		hist_add(hist, slot, value);
}

/* The page of the vCPU's last access: the entry of its latency histogram's chunk. */
static __always_inline struct kmt_region_value *region_of(const struct kmt_vcpu_state *st,
							   __u32 chunk)
{
	struct kmt_region_key key = {
		.tgid = st->tgid,
		.chunk = chunk,
		.start = st->start,
		.gpa_page = st->last_gpa >> KMT_REGION_SHIFT,
	};

	return lookup_or_init(&regions, &key, &zero_region, KMT_DROP_REGION);
}

/*
 * A slot for a vCPU thread's counters: one handed back, else a new one.
 * The thread's state keeps its index; a thread whose state was taken over
 * or evicted gets another slot, which user space adds to the first by tid.
 */
static __always_inline struct kmt_vcpu_slot *take_slot(struct kmt_vcpu_state *st, __u32 tid)
{
	struct kmt_vcpu_slot *slot;
	__u32 index;

	if (bpf_map_pop_elem(&free_vcpu_slots, &index)) {
		if (vcpu_slots_used >= nr_vcpu_slots)
			return NULL;
		index = __sync_fetch_and_add(&vcpu_slots_used, 1);
	}
	slot = bpf_map_lookup_elem(&vcpu_slots, &index);
	if (!slot)
		return NULL;
	slot->start = st->start;
	slot->tid = tid;
	slot->tgid = st->tgid;
	st->vcpu_slot = index + 1;
	return slot;
}

static __always_inline struct kmt_vcpu_stats *stats_of(struct kmt_vcpu_state *st, __u32 tid)
{
	__u32 index = st->vcpu_slot - 1;
	struct kmt_vcpu_slot *slot;

	slot = st->vcpu_slot ? bpf_map_lookup_elem(&vcpu_slots, &index) : take_slot(st, tid);
	if (!slot) {
		drop(KMT_DROP_STATS);
		return NULL;
	}
	return &slot->stats;
}

/*
 * The current thread's state, or NULL. A thread's entry goes when it exits
 * (on_thread_exit); the check is for entries of threads that exited before
 * attach.
 */
static __always_inline struct kmt_vcpu_state *state_get(__u64 id)
{
	__u32 tid = (__u32)id;
	struct kmt_vcpu_state *st = bpf_map_lookup_elem(&vcpu_state, &tid);

	return st && st->tgid == id >> 32 ? st : NULL;
}

/*
 * Registers the current process in procs (tgid, and the start time that
 * tells it from earlier processes on the same pid) unless it is known. A
 * process that cannot be registered is not counted: nothing would tell
 * user space when its keys' values are final.
 */
static __always_inline bool register_proc(__u32 tgid, __u64 start)
{
	struct kmt_proc_key key = { .tgid = tgid, .start = start };
	static const struct kmt_proc_state alive;

	if (bpf_map_lookup_elem(&procs, &key))
		return true;
	if (!bpf_map_update_elem(&procs, &key, &alive, BPF_NOEXIST)) {
		__sync_fetch_and_add(&procs_changes, 1);
		return true;
	}
	if (!bpf_map_lookup_elem(&procs, &key)) {
		drop(KMT_DROP_PROC);
		return false;
	}
	return true;
}

/* The current thread's state, created (or taken over from a dead thread) when missing. */
static __always_inline struct kmt_vcpu_state *state_of(__u64 id)
{
	static const struct kmt_vcpu_state zero;
	struct task_struct *task;
	__u32 tid = (__u32)id;
	struct kmt_vcpu_state *st = bpf_map_lookup_elem(&vcpu_state, &tid);
	__u64 start;

	if (st && st->tgid == id >> 32)
		return st;
	/* A new vCPU thread: read its process's start time once, here. */
	task = bpf_get_current_task_btf();
	start = task->group_leader->start_boottime;
	if (!register_proc(id >> 32, start))
		return NULL;
	st = st ?: lookup_or_init(&vcpu_state, &tid, &zero, KMT_DROP_VCPU_STATE);
	if (st) {
		__builtin_memset(st, 0, sizeof(*st));
		st->tgid = id >> 32;
		st->start = start;
	}
	return st;
}

static __always_inline bool traced(__u32 tgid)
{
	if (filter_tgids)
		return bpf_map_lookup_elem(&traced_tgids, &tgid);
	return !filter_tgid || tgid == filter_tgid;
}

/*
 * Counts the vCPU's open access, if any, as completed by the VMM or by the
 * kernel. Only the vCPU thread itself gets here, so plain increments are safe.
 * Its page is counted here when no latency will be recorded for it
 * (region_now, never for the VMM's); else it is owed to region_latency(),
 * which looks the page up anyway: one region lookup per exit, not two.
 */
static __always_inline void count_access(struct kmt_vcpu_state *st, __u64 id, bool by_vmm,
					 bool region_now)
{
	__u32 open = st->flags & ST_OPEN;
	struct kmt_region_value *region;
	struct kmt_vcpu_stats *stats;

	if (!open)
		return;
	st->flags &= ~ST_OPEN;
	if (by_vmm || !region_now) {
		st->flags |= ST_REGION_OWED;
	} else {
		region = region_of(st, 0);
		if (region)
			__sync_fetch_and_add(&region->exits, 1);
	}
	stats = stats_of(st, (__u32)id);
	if (!stats)
		return;
	if (open & ST_OPEN_WRITE) {
		if (by_vmm)
			stats->vmm_writes += 1;
		else
			stats->kernel_writes += 1;
	} else {
		if (by_vmm)
			stats->vmm_reads += 1;
		else
			stats->kernel_reads += 1;
	}
}

static __always_inline struct kmt_vcpu_state *access(__u64 gpa, bool write)
{
	__u64 id = bpf_get_current_pid_tgid();
	struct kmt_vcpu_state *st;

	if (!traced(id >> 32))
		return NULL;
	st = state_of(id);
	if (!st)
		return NULL;
	/* No return to the VMM since the previous access: the kernel completed it. */
	count_access(st, id, false, true);
	st->flags |= ST_MMIO | (write ? ST_OPEN_WRITE : ST_OPEN_READ);
	st->last_gpa = gpa;
	return st;
}

static __always_inline int on_access(__u64 gpa, bool write)
{
	access(gpa, write);
	return 0;
}

static __always_inline int on_kvm_mmio(int type, __u64 gpa)
{
	struct kmt_vcpu_state *st;

	switch (type) {
	case KMT_TRACE_MMIO_WRITE:
		return on_access(gpa, true);
	case KMT_TRACE_MMIO_READ_UNSATISFIED:
		st = access(gpa, false);
		if (st)
			st->flags |= ST_READ_PENDING;
		return 0;
	case KMT_TRACE_MMIO_READ:
		/* The completion of a read counted when it went to the VMM. */
		st = state_get(bpf_get_current_pid_tgid());
		if (st && (st->flags & ST_READ_PENDING)) {
			st->flags &= ~ST_READ_PENDING;
			return 0;
		}
		return on_access(gpa, false);
	}
	return 0;
}

/* KVM_RUN returns to the VMM: with KVM_EXIT_MMIO the VMM completes the open access. */
static __always_inline int on_userspace_exit(__u32 reason, int err)
{
	__u64 id = bpf_get_current_pid_tgid();
	struct kmt_vcpu_state *st;

	if (!traced(id >> 32))
		return 0;
	st = state_get(id);
	if (reason != KMT_KVM_EXIT_MMIO || err < 0) {
		if (st)
			count_access(st, id, false, true);
		return 0;
	}
	if (!st || !(st->flags & ST_OPEN)) {
		drop(KMT_DROP_UNPAIRED);
		return 0;
	}
	count_access(st, id, true, false);
	st->vmm_exit_ns = bpf_ktime_get_ns();
	st->flags |= ST_IN_VMM;
	return 0;
}

/* The latency of the exit whose access hit last_gpa, and that access if owed. */
static __always_inline void region_latency(struct kmt_vcpu_state *st, __u64 ns)
{
	__u32 slot = kmt_hist_slot(ns);
	struct kmt_region_value *region = region_of(st, hist_chunk(slot));
	bool owed = st->flags & ST_REGION_OWED;

	st->flags &= ~ST_REGION_OWED;
	if (!region)
		return;
	if (owed)
		__sync_fetch_and_add(&region->exits, 1);
	hist_add(&region->lat, slot, ns);
}

/* A vCPU thread whose MMIO exit is with the VMM calls KVM_RUN: the VMM part ends. */
static __always_inline int on_ioctl(struct kmt_vcpu_state *st, __u32 cmd)
{
	__u64 now, vmm_ns;

	if (cmd != KMT_KVM_RUN)
		return 0;
	now = bpf_ktime_get_ns();
	vmm_ns = now - st->vmm_exit_ns;
	st->flags &= ~ST_IN_VMM;
	st->vmm_ns += vmm_ns;
	record(st, KMT_HIST_VMM, vmm_ns);
	if (!(st->flags & ST_EXIT_TIMED)) {
		/* No kvm_exit/kvm_entry here: the VMM part is all we can time. */
		region_latency(st, vmm_ns);
		st->flags &= ~ST_MMIO;
	}
	return 0;
}

static __always_inline bool is_vcpu_file(struct file *file)
{
	const unsigned char *name = BPF_CORE_READ(file, f_path.dentry, d_name.name);
	char prefix[sizeof(VCPU_FILE_PREFIX)] = {};

	if (bpf_probe_read_kernel_str(prefix, sizeof(prefix), name) < 0)
		return false;
	for (int i = 0; i < (int)sizeof(VCPU_FILE_PREFIX) - 1; i++)
		if (prefix[i] != VCPU_FILE_PREFIX[i])
			return false;
	return true;
}

/*
 * The address of the MMU lock of the VM whose vCPU file is fd in the current
 * task, or 0 when fd is not a vCPU's or the kernel's BTF lacks kvm's types.
 */
static __always_inline __u64 vm_mmu_lock(__u32 fd)
{
	struct task_struct *task = (void *)bpf_get_current_task();
	struct fdtable *fdt = BPF_CORE_READ(task, files, fdt);
	struct file **fds, *file = NULL;
	struct kvm_vcpu *vcpu;
	struct kvm *kvm;

	if (!bpf_core_type_exists(struct kvm_vcpu) || !bpf_core_field_exists(struct kvm, mmu_lock) ||
	    !fdt || fd >= BPF_CORE_READ(fdt, max_fds))
		return 0;
	fds = BPF_CORE_READ(fdt, fd);
	if (bpf_core_read(&file, sizeof(file), &fds[fd]) || !file || !is_vcpu_file(file))
		return 0;
	vcpu = BPF_CORE_READ(file, private_data);
	kvm = BPF_CORE_READ(vcpu, kvm);
	return kvm ? (__u64)__builtin_preserve_access_index(&kvm->mmu_lock) : 0;
}

/* A vCPU thread enters KVM_RUN: learn its VM's MMU lock once per vCPU fd; end a VMM part. */
static __always_inline int on_kvm_ioctl(__u64 id, __u32 fd, __u32 cmd)
{
	struct kmt_vcpu_state *st;

	if (cmd != KMT_KVM_RUN)
		return 0;
	st = state_get(id);
	if (lock_waits && traced(id >> 32) && (!st || st->locks.vcpu_fd != fd + 1)) {
		st = st ?: state_of(id);
		if (!st)
			return 0;
		st->locks.mmu_lock = vm_mmu_lock(fd);
		st->locks.vcpu_fd = fd + 1;
	}
	return st && (st->flags & ST_IN_VMM) ? on_ioctl(st, cmd) : 0;
}

/*
 * raw_syscalls:sys_enter runs for every syscall on the host: leave early.
 * tp_btf's regs are typed and read directly (typed is a constant: the
 * other branch is compiled out); raw_tp's need bpf_probe_read.
 */
static __always_inline int on_sys_enter(struct pt_regs *regs, long nr, bool typed)
{
	__u32 fd, cmd;

	if (nr != KMT_NR_IOCTL)
		return 0;
	fd = typed ? KMT_SYSCALL_ARG1(regs) : PT_REGS_PARM1_CORE_SYSCALL(regs);
	cmd = typed ? KMT_SYSCALL_ARG2(regs) : PT_REGS_PARM2_CORE_SYSCALL(regs);
	return on_kvm_ioctl(bpf_get_current_pid_tgid(), fd, cmd);
}

SEC("tp_btf/sys_enter")
int BPF_PROG(sys_enter_btf, struct pt_regs *regs, long nr)
{
	return on_sys_enter(regs, nr, true);
}

SEC("raw_tp/sys_enter")
int BPF_PROG(sys_enter_raw, struct pt_regs *regs, long nr)
{
	return on_sys_enter(regs, nr, false);
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
	return on_kvm_ioctl(bpf_get_current_pid_tgid(), (__u32)ctx->fd, (__u32)ctx->cmd);
}

static __always_inline int on_kvm_exit(void)
{
	__u64 id = bpf_get_current_pid_tgid();
	struct kmt_vcpu_state *st;

	if (!traced(id >> 32))
		return 0;
	st = state_of(id);
	if (!st)
		return 0;
	/* The guest ran again since its last access: the kernel completed it. */
	count_access(st, id, false, true);
	st->guest_exit_ns = bpf_ktime_get_ns();
	st->vmm_ns = 0;
	st->flags = ST_EXIT_TIMED | (st->flags & ST_READ_PENDING);
	return 0;
}

/* The guest runs again (or its access is complete): close a timed MMIO exit. */
static __always_inline void end_exit(struct kmt_vcpu_state *st, __u64 id)
{
	struct kmt_vcpu_stats *stats;
	bool timed = (st->flags & (ST_EXIT_TIMED | ST_MMIO)) == (ST_EXIT_TIMED | ST_MMIO);
	__u64 total, kernel;

	count_access(st, id, false, !timed);
	if (timed) {
		total = bpf_ktime_get_ns() - st->guest_exit_ns;
		kernel = total > st->vmm_ns ? total - st->vmm_ns : 0;
		record(st, KMT_HIST_KERNEL, kernel);
		region_latency(st, total);
		stats = stats_of(st, (__u32)id);
		if (stats)
			stats->timed_exits += 1;
	}
	st->flags &= ST_READ_PENDING;
}

static __always_inline int on_kvm_entry(void)
{
	__u64 id = bpf_get_current_pid_tgid();
	struct kmt_vcpu_state *st = state_get(id);

	if (st)
		end_exit(st, id);
	return 0;
}

/* POWER: the access of an HDSI is handed to MMIO emulation; exit_ns is the HDSI's time. */
static __always_inline int on_hv_mmio_dispatch(__u32 dest, __u64 exit_ns)
{
	__u64 id = bpf_get_current_pid_tgid();
	struct kmt_vcpu_state *st;

	if (!traced(id >> 32))
		return 0;
	/* 0: no exit time known (radix guest); none: not emulated, no access made. */
	if (!exit_ns || dest == KMT_HV_DEST_NONE)
		return 0;
	st = state_of(id);
	if (!st)
		return 0;
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
	struct kmt_vcpu_state *st = state_get(id);

	if (st && exit_ns && st->guest_exit_ns == exit_ns)
		end_exit(st, id);
	return 0;
}

/* POWER: one HPT lookup; spins is how often HPTE_V_HVLOCK was found held. */
static __always_inline int on_hpte_lookup(__u32 spins)
{
	__u64 id = bpf_get_current_pid_tgid();
	__u32 slot = kmt_hist_slot(spins);
	struct kmt_lock_key key = {
		.tgid = id >> 32, .lock = KMT_LOCK_HPTE, .chunk = spins ? hist_chunk(slot) : 0,
	};
	struct kmt_vcpu_state *st;
	struct kmt_lock_stats *lock;

	if (!traced(id >> 32))
		return 0;
	st = state_of(id);
	if (!st)
		return 0;
	key.start = st->start;
	lock = lookup_or_init(&locks, &key, &zero_lock, KMT_DROP_LOCK);
	if (!lock)
		return 0;
	__sync_fetch_and_add(&lock->acquired, 1);
	if (spins)
		hist_add(&lock->wait, slot, spins);
	return 0;
}

/*
 * lock:contention_begin fires for every contended lock of the host: leave
 * at once unless a known vCPU thread waits.
 */
static __always_inline int on_contention_begin(__u64 lock)
{
	struct kmt_vcpu_state *st = state_get(bpf_get_current_pid_tgid());
	struct kmt_vcpu_locks *l;

	if (!st || !st->locks.vcpu_fd)
		return 0;
	l = &st->locks;
	/* A lock taken while waiting for another is part of the outer wait. */
	if (l->depth++)
		return 0;
	l->waiting_for = lock;
	l->wait_begin_ns = bpf_ktime_get_ns();
	return 0;
}

static __always_inline int on_contention_end(__u64 lock)
{
	__u64 id = bpf_get_current_pid_tgid();
	struct kmt_vcpu_state *st = state_get(id);
	struct kmt_lock_key key = { .tgid = id >> 32 };
	struct kmt_lock_stats *series;
	struct kmt_vcpu_locks *l;
	__u64 now, wait;
	__u32 slot;

	if (!st || !st->locks.vcpu_fd)
		return 0;
	/* The wait ended with the event, not after our lookups below. */
	now = bpf_ktime_get_ns();
	l = &st->locks;
	if (!l->depth) {
		drop(KMT_DROP_LOCK_UNPAIRED);
		return 0;
	}
	if (--l->depth)
		return 0;
	if (lock != l->waiting_for) {
		drop(KMT_DROP_LOCK_UNPAIRED);
		return 0;
	}
	wait = now - l->wait_begin_ns;
	key.lock = l->mmu_lock && lock == l->mmu_lock ? KMT_LOCK_MMU : KMT_LOCK_OTHER;
	slot = kmt_hist_slot(wait);
	key.chunk = hist_chunk(slot);
	key.start = st->start;
	series = lookup_or_init(&locks, &key, &zero_lock, KMT_DROP_LOCK);
	if (series)
		hist_add(&series->wait, slot, wait);
	return 0;
}

/* A thread exits: its state goes with it, so a new thread on its id starts afresh. */
static __always_inline int on_thread_exit(void)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid();

	bpf_map_delete_elem(&vcpu_state, &tid);
	return 0;
}

/* The registration of task's process, if it has one. */
static __always_inline struct kmt_proc_state *proc_of(struct task_struct *task, bool typed)
{
	struct kmt_proc_key key = {};

	if (typed) {
		key.tgid = task->tgid;
		key.start = task->group_leader->start_boottime;
	} else {
		key.tgid = BPF_CORE_READ(task, tgid);
		key.start = BPF_CORE_READ(task, group_leader, start_boottime);
	}
	return bpf_map_lookup_elem(&procs, &key);
}

/*
 * A task is freed. A group leader is freed last, once every thread of its
 * process has exited and it was reaped: a registered process's counts are
 * final from here on. (A thread that exec'd took over its leader's role:
 * the old leader is no longer its own group leader.)
 */
static __always_inline int on_task_free(struct task_struct *task, bool typed)
{
	struct kmt_proc_state *proc;

	if ((typed ? task->group_leader : BPF_CORE_READ(task, group_leader)) != task)
		return 0;
	proc = proc_of(task, typed);
	if (proc) {
		proc->gone = 1;
		__sync_fetch_and_add(&procs_changes, 1);
	}
	return 0;
}

/*
 * execve() keeps the process (its pid and its leader's start time: a thread
 * that execs takes the leader's) and changes its command line, where the
 * guest's name is.
 */
static __always_inline int on_exec(struct task_struct *task, bool typed)
{
	struct kmt_proc_state *proc = proc_of(task, typed);

	if (proc) {
		__sync_fetch_and_add(&proc->execs, 1);
		__sync_fetch_and_add(&procs_changes, 1);
	}
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
KMT_PROG(kvm_exit, on_kvm_exit())
KMT_PROG(sched_process_exit, on_thread_exit())
KMT_PROG(kvm_entry, on_kvm_entry())
KMT_PROG(kvm_hv_mmio_dispatch, on_hv_mmio_dispatch(dest, exit_ns), __u64 lpid, __u32 vcpu_id,
	 __u64 gpa, __u64 ea, __u32 len, __u32 is_write, __u32 dest, __s32 result, __u64 exit_ns)
KMT_PROG(kvm_hv_mmio_complete, on_hv_mmio_complete(exit_ns), __u64 lpid, __u32 vcpu_id,
	 __u64 gpa, __u32 len, __u32 is_write, __u32 dest, __u64 exit_ns)
KMT_PROG(kvm_hv_find_lock_hpte, on_hpte_lookup(spins), __u64 lpid, __u32 vcpu_id, __u64 ea,
	 __u64 slb_v, __u64 valid, __s64 index, __u64 hpte_v, __u64 hpte_r, __u32 spins)
/* The kvm_hv events' fields by name: see trace_event_raw_kvm_hv_* in kernel_types.h. */
SEC("tracepoint/kvm_hv/kvm_hv_mmio_dispatch")
int kvm_hv_mmio_dispatch_tp(struct trace_event_raw_kvm_hv_mmio_dispatch *ctx)
{
	return on_hv_mmio_dispatch(ctx->dest, ctx->exit_ns);
}

SEC("tracepoint/kvm_hv/kvm_hv_mmio_complete")
int kvm_hv_mmio_complete_tp(struct trace_event_raw_kvm_hv_mmio_complete *ctx)
{
	return on_hv_mmio_complete(ctx->exit_ns);
}

SEC("tracepoint/kvm_hv/kvm_hv_find_lock_hpte")
int kvm_hv_find_lock_hpte_tp(struct trace_event_raw_kvm_hv_find_lock_hpte *ctx)
{
	return on_hpte_lookup(ctx->spins);
}

KMT_PROG(contention_begin, on_contention_begin((__u64)lock), void *lock, unsigned int flags)
KMT_PROG(contention_end, on_contention_end((__u64)lock), void *lock, int ret)

/*
 * A sched event whose argument is a task: read directly through BTF, or
 * with CO-RE probe reads from raw_tp.
 */
#define KMT_TASK_PROG(event, fn)						\
	SEC("tp_btf/" #event)							\
	int BPF_PROG(event##_btf, struct task_struct *task) { return fn(task, true); }	\
	SEC("raw_tp/" #event)							\
	int BPF_PROG(event##_raw, struct task_struct *task) { return fn(task, false); }

KMT_TASK_PROG(sched_process_free, on_task_free)
KMT_TASK_PROG(sched_process_exec, on_exec)
