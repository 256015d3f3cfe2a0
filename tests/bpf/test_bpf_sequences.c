// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The real BPF programs, through the real verifier and JIT, fed synthetic
 * tracepoint sequences with BPF_PROG_TEST_RUN. The programs see this test's
 * own pid and tid as the "vCPU thread", and the real clock: latencies are
 * bounded by the sleeps injected between events.
 *
 * The POWER programs (kvm_hv_* tracepoints of kernel-patches/) load and run
 * here too: raw_tp programs name their tracepoint only when attached.
 *
 * sys_enter's pt_regs argument must be a kernel pointer: KVM_RUN re-entry,
 * where the VMM part ends, is fed with the registers of a thread blocked in
 * a syscall that reads as ioctl(fd, KVM_RUN) (kvm_run_regs.h).
 */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <cmocka.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "kvm_mmio.skel.h"
#include "guest_name.h"
#include "kvm_run_regs.h"
#include "hist.h"
#include "map_reader.h"
#include "model.h"

#define EXIT_SKIP 77
#define GPA_A 0xd0040ULL
#define GPA_B 0xe1000ULL

static uint32_t my_pid, my_tid;

/* The programs, with room for nr_vcpu_slots vCPU threads' counters (0: the default). */
static struct kvm_mmio *load_sized(uint32_t filter_tgid, uint32_t nr_vcpu_slots)
{
	struct kvm_mmio *skel = kvm_mmio__open();
	struct bpf_program *prog;

	assert_non_null(skel);
	skel->rodata->filter_tgid = filter_tgid;
	if (nr_vcpu_slots) {
		assert_int_equal(bpf_map__set_max_entries(skel->maps.vcpu_slots, nr_vcpu_slots), 0);
		assert_int_equal(bpf_map__set_max_entries(skel->maps.free_vcpu_slots,
							  nr_vcpu_slots), 0);
		skel->rodata->nr_vcpu_slots = nr_vcpu_slots;
	}
	/* Test-run needs raw_tp: load only those. */
	bpf_object__for_each_program(prog, skel->obj)
		bpf_program__set_autoload(prog, strstr(bpf_program__name(prog), "_raw") != NULL);
	assert_int_equal(kvm_mmio__load(skel), 0);
	return skel;
}

static struct kvm_mmio *load(uint32_t filter_tgid)
{
	return load_sized(filter_tgid, 0);
}

static void run_args(struct bpf_program *prog, const uint64_t *args, size_t n)
{
	LIBBPF_OPTS(bpf_test_run_opts, opts, .ctx_in = args, .ctx_size_in = n * sizeof(*args));

	assert_int_equal(bpf_prog_test_run_opts(bpf_program__fd(prog), &opts), 0);
	assert_int_equal(opts.retval, 0);
}

static void run(struct bpf_program *prog, uint64_t a0, uint64_t a1, uint64_t a2)
{
	const uint64_t args[3] = { a0, a1, a2 };

	run_args(prog, args, 3);
}

/* kvm_hv_mmio_dispatch(lpid, vcpu_id, gpa, ea, len, is_write, dest, result, exit_ns) */
static void hv_dispatch(struct kvm_mmio *s, uint32_t dest, uint64_t exit_ns)
{
	const uint64_t args[9] = { 1, 0, GPA_A, 0x10000040, 4, 1, dest, 0, exit_ns };

	run_args(s->progs.kvm_hv_mmio_dispatch_raw, args, 9);
}

/* kvm_hv_mmio_complete(lpid, vcpu_id, gpa, len, is_write, dest, exit_ns) */
static void hv_complete(struct kvm_mmio *s, uint32_t dest, uint64_t exit_ns)
{
	const uint64_t args[7] = { 1, 0, GPA_A, 4, 1, dest, exit_ns };

	run_args(s->progs.kvm_hv_mmio_complete_raw, args, 7);
}

/* kvm_hv_find_lock_hpte(lpid, vcpu_id, ea, slb_v, valid, index, hpte_v, hpte_r, spins) */
static void hpte_lookup(struct kvm_mmio *s, uint32_t spins)
{
	const uint64_t args[9] = { 1, 0, 0x10000040, 0x1234000, 0x21, 42, 0x1234021, 0x80000000,
				   spins };

	run_args(s->progs.kvm_hv_find_lock_hpte_raw, args, 9);
}

static uint64_t monotonic_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

static void mmio(struct kvm_mmio *s, int type, uint64_t gpa)
{
	run(s->progs.kvm_mmio_raw, (uint64_t)type, 4, gpa);
}

static void userspace_exit(struct kvm_mmio *s, uint32_t reason, int err)
{
	run(s->progs.kvm_userspace_exit_raw, reason, (uint64_t)(int64_t)err, 0);
}

/*
 * Process pid's registration in procs: its key, and its state unless proc
 * is NULL. False when it has none.
 */
static bool proc_of(struct kvm_mmio *s, pid_t pid, struct kmt_proc_key *found,
		    struct kmt_proc_state *proc)
{
	struct kmt_proc_key key, next;
	bool first = true;

	while (!bpf_map_get_next_key(bpf_map__fd(s->maps.procs), first ? NULL : &key, &next)) {
		if (next.tgid == (uint32_t)pid) {
			*found = next;
			return !proc || !bpf_map_lookup_elem(bpf_map__fd(s->maps.procs), &next, proc);
		}
		key = next;
		first = false;
	}
	return false;
}

/*
 * This process's start time as the programs registered it in procs (the
 * first event of a thread registers its process), or 0 before that.
 */
static uint64_t my_start(struct kvm_mmio *s)
{
	struct kmt_proc_key key;

	return proc_of(s, (pid_t)my_pid, &key, NULL) ? key.start : 0;
}

/* The maps as the map reader takes them, the vCPU slots mapped: fds_put() unmaps them. */
static struct kmt_map_fds fds_of(struct kvm_mmio *s)
{
	const struct bpf_map *slots = s->maps.vcpu_slots;
	struct kmt_map_fds fds = {
		.vcpu_slots = mmap(NULL, bpf_map__value_size(slots) * bpf_map__max_entries(slots),
				   PROT_READ | PROT_WRITE, MAP_SHARED, bpf_map__fd(slots), 0),
		.nr_vcpu_slots = bpf_map__max_entries(slots),
		.vcpu_slots_used = &s->bss->vcpu_slots_used,
		.free_vcpu_slots = bpf_map__fd(s->maps.free_vcpu_slots),
		.hists = bpf_map__fd(s->maps.hists),
		.locks = bpf_map__fd(s->maps.locks),
		.regions = bpf_map__fd(s->maps.regions),
		.drops = bpf_map__fd(s->maps.drops),
		.procs = bpf_map__fd(s->maps.procs),
	};

	assert_ptr_not_equal(fds.vcpu_slots, MAP_FAILED);
	return fds;
}

static void fds_put(struct kmt_map_fds *fds)
{
	munmap(fds->vcpu_slots, fds->nr_vcpu_slots * sizeof(*fds->vcpu_slots));
}

/*
 * The guest of process (my_pid, start) as user space reads it, with the
 * real map reader (a histogram's chunks joined, a thread's vCPU slots
 * added up): a copy the caller frees with kmt_guest_free(), empty when the
 * maps have nothing of it.
 */
static struct kmt_guest guest_read(struct kvm_mmio *s, uint64_t start)
{
	struct kmt_map_fds fds = fds_of(s);
	struct kmt_guest copy = { .pid = my_pid, .start = start };
	struct kmt_batch batch = { 0 };
	struct kmt_snapshot snap;

	assert_int_equal(kmt_snapshot_read(&snap, &fds, &batch), 0);
	kmt_batch_free(&batch);
	fds_put(&fds);
	for (size_t i = 0; i < snap.nr_guests; i++) {
		const struct kmt_guest *g = &snap.guests[i];

		if (g->pid != my_pid || g->start != start)
			continue;
		copy.vcpus = calloc(g->nr_vcpus + 1, sizeof(*copy.vcpus));
		assert_non_null(copy.vcpus);
		for (size_t v = 0; v < g->nr_vcpus; v++)
			copy.vcpus[v] = g->vcpus[v];
		copy.nr_vcpus = g->nr_vcpus;
		for (int k = 0; k < KMT_HIST_KINDS; k++)
			assert_int_equal(kmt_hist_copy(&copy.hist[k], &g->hist[k], NULL), 0);
		for (int l = 0; l < KMT_LOCK_KINDS; l++) {
			copy.locks[l].acquired = g->locks[l].acquired;
			assert_int_equal(kmt_hist_copy(&copy.locks[l].wait, &g->locks[l].wait, NULL), 0);
		}
		copy.regions = calloc(g->nr_regions + 1, sizeof(*copy.regions));
		assert_non_null(copy.regions);
		for (size_t r = 0; r < g->nr_regions; r++) {
			copy.regions[r].gpa = g->regions[r].gpa;
			copy.regions[r].exits = g->regions[r].exits;
			assert_int_equal(kmt_hist_copy(&copy.regions[r].lat, &g->regions[r].lat, NULL),
					 0);
		}
		copy.nr_regions = g->nr_regions;
	}
	kmt_snapshot_free(&snap);
	return copy;
}

/* What user space derives from this thread's counters. */
static struct kmt_mmio_counts counts_of(struct kvm_mmio *s)
{
	struct kmt_guest g = guest_read(s, my_start(s));
	struct kmt_vcpu_stats stats = { 0 };

	for (size_t i = 0; i < g.nr_vcpus; i++)
		if (g.vcpus[i].tid == my_tid)
			stats = g.vcpus[i].stats;
	kmt_guest_free(&g);
	return kmt_vcpu_counts(&stats);
}

/* The exits counted on gpa's page; its pages appear once each. */
static uint64_t region_exits(struct kvm_mmio *s, uint64_t gpa)
{
	struct kmt_guest g = guest_read(s, my_start(s));
	uint64_t exits = 0;
	int found = 0;

	for (size_t r = 0; r < g.nr_regions; r++) {
		if (g.regions[r].gpa != (gpa & ~((1ULL << KMT_REGION_SHIFT) - 1)))
			continue;
		exits = g.regions[r].exits;
		found++;
	}
	assert_true(found <= 1);
	kmt_guest_free(&g);
	return exits;
}

/* The guest's histogram of kind, as the model decodes it: false when it has none. */
static bool hist_of(struct kvm_mmio *s, enum kmt_hist_kind kind, struct kmt_hist *hist)
{
	struct kmt_guest g = guest_read(s, my_start(s));

	kmt_hist_free(hist);
	*hist = g.hist[kind];
	memset(&g.hist[kind], 0, sizeof(g.hist[kind]));
	kmt_guest_free(&g);
	return hist->count != 0;
}

static uint64_t dropped(struct kvm_mmio *s, enum kmt_drop which)
{
	uint64_t values[1024] = { 0 }, sum = 0;
	uint32_t key = which;
	int ncpus = libbpf_num_possible_cpus();

	assert_true(ncpus > 0 && ncpus <= 1024);
	assert_int_equal(bpf_map_lookup_elem(bpf_map__fd(s->maps.drops), &key, values), 0);
	for (int i = 0; i < ncpus; i++)
		sum += values[i];
	return sum;
}

static void sleep_ns(long ns)
{
	struct timespec ts = { .tv_sec = ns / 1000000000L, .tv_nsec = ns % 1000000000L };

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

/*
 * An access is counted once it is known who completes it, so a read of the
 * maps between the access and its exit to the VMM sees neither: the figures
 * of every interval agree with each other however the interval cuts.
 */
static void access_is_counted_when_its_completer_is_known(void **state)
{
	struct kvm_mmio *s = load(0);
	struct kmt_mmio_counts c;

	(void)state;
	mmio(s, KMT_TRACE_MMIO_WRITE, GPA_A);
	c = counts_of(s);
	assert_int_equal(c.exits, 0);
	userspace_exit(s, KMT_KVM_EXIT_MMIO, 0);
	c = counts_of(s);
	assert_int_equal(c.exits, 1);
	assert_int_equal(c.writes, 1);
	assert_int_equal(c.vmm_handled, 1);
	assert_int_equal(c.kernel_handled, 0);
	/* Any other return to the VMM: the kernel completed the open access. */
	mmio(s, KMT_TRACE_MMIO_READ, GPA_B);
	assert_int_equal(counts_of(s).exits, 1);
	userspace_exit(s, 5 /* KVM_EXIT_HLT */, 0);
	c = counts_of(s);
	assert_int_equal(c.exits, 2);
	assert_int_equal(c.reads, 1);
	assert_int_equal(c.kernel_handled, 1);
	assert_int_equal(region_exits(s, GPA_B), 1);
	kvm_mmio__destroy(s);
}

/* Accesses with no return to the VMM between them: each earlier one was kernel-handled. */
static void kernel_handled_accesses_are_counted_per_region(void **state)
{
	struct kvm_mmio *s = load(0);
	struct kmt_mmio_counts c;

	(void)state;
	for (int i = 0; i < 3; i++)
		mmio(s, KMT_TRACE_MMIO_WRITE, GPA_A);
	mmio(s, KMT_TRACE_MMIO_READ, GPA_B);
	mmio(s, KMT_TRACE_MMIO_READ, GPA_B + 8);
	c = counts_of(s);
	assert_int_equal(c.writes, 3);
	assert_int_equal(c.reads, 1);	/* the last read is still open */
	run(s->progs.kvm_entry_raw, 0, 0, 0);	/* the guest runs again: it is done */
	c = counts_of(s);
	assert_int_equal(c.reads, 2);
	assert_int_equal(c.kernel_handled, 5);
	assert_int_equal(c.vmm_handled, 0);
	assert_int_equal(region_exits(s, GPA_A), 3);
	assert_int_equal(region_exits(s, GPA_B), 2);
	kvm_mmio__destroy(s);
}

/*
 * A read answered by the VMM shows as UNSATISFIED, then READ on completion:
 * one read. Its page is counted with the exit's latency, at guest entry.
 */
static void read_through_the_vmm_counts_once(void **state)
{
	struct kvm_mmio *s = load(0);
	struct kmt_mmio_counts c;

	(void)state;
	run(s->progs.kvm_exit_raw, 0, 0, 0);
	mmio(s, KMT_TRACE_MMIO_READ_UNSATISFIED, GPA_A);
	userspace_exit(s, KMT_KVM_EXIT_MMIO, 0);
	mmio(s, KMT_TRACE_MMIO_READ, GPA_A);
	c = counts_of(s);
	assert_int_equal(c.reads, 1);
	assert_int_equal(c.vmm_handled, 1);
	assert_int_equal(region_exits(s, GPA_A), 0);
	run(s->progs.kvm_entry_raw, 0, 0, 0);
	assert_int_equal(region_exits(s, GPA_A), 1);
	/* The next satisfied read is a new access again. */
	mmio(s, KMT_TRACE_MMIO_READ, GPA_A);
	run(s->progs.kvm_entry_raw, 0, 0, 0);
	assert_int_equal(counts_of(s).reads, 2);
	assert_int_equal(region_exits(s, GPA_A), 2);
	kvm_mmio__destroy(s);
}

static void exit_to_vmm_without_access_is_an_unpaired_drop(void **state)
{
	struct kvm_mmio *s = load(0);

	(void)state;
	userspace_exit(s, KMT_KVM_EXIT_MMIO, 0);
	assert_int_equal(dropped(s, KMT_DROP_UNPAIRED), 1);
	assert_int_equal(counts_of(s).vmm_handled, 0);
	/* Other exit reasons and failed KVM_RUNs are not MMIO exits to the VMM. */
	mmio(s, KMT_TRACE_MMIO_WRITE, GPA_A);
	userspace_exit(s, 5 /* KVM_EXIT_HLT */, 0);
	mmio(s, KMT_TRACE_MMIO_WRITE, GPA_A);
	userspace_exit(s, KMT_KVM_EXIT_MMIO, -EINTR);
	assert_int_equal(counts_of(s).vmm_handled, 0);
	assert_int_equal(counts_of(s).kernel_handled, 2);
	assert_int_equal(dropped(s, KMT_DROP_UNPAIRED), 1);
	kvm_mmio__destroy(s);
}

/* kvm_exit -> in-kernel write -> kvm_entry: the kernel part is the whole exit. */
static void kernel_part_is_bounded_by_the_injected_delay(void **state)
{
	const long delay_ns = 3000000;
	struct kvm_mmio *s = load(0);
	static struct kmt_hist hist;

	(void)state;
	run(s->progs.kvm_exit_raw, 0, 0, 0);
	mmio(s, KMT_TRACE_MMIO_WRITE, GPA_A);
	sleep_ns(delay_ns);
	run(s->progs.kvm_entry_raw, 0, 0, 0);
	assert_true(hist_of(s, KMT_HIST_KERNEL, &hist));
	assert_int_equal(hist.count, 1);
	assert_true(hist.max >= (uint64_t)delay_ns);
	assert_true(hist.max < (uint64_t)delay_ns + 50000000);	/* a loaded 2-core box */
	assert_int_equal(kmt_hist_quantile(&hist, 0.5), hist.max);
	assert_int_equal(counts_of(s).timed_exits, 1);
	assert_int_equal(counts_of(s).kernel_handled, 1);
	kvm_mmio__destroy(s);
}

/*
 * kvm_mmio -> KVM_EXIT_MMIO -> the VMM's work -> KVM_RUN: the VMM part, the
 * only one timed where kvm_exit/kvm_entry do not fire, is bounded by the
 * delay injected before re-entry; it is the page's latency too.
 */
static void vmm_part_is_bounded_by_the_injected_delay(void **state)
{
	const long delay_ns = 3000000;
	struct kvm_mmio *s = load(0);
	struct kmt_kvm_run_regs *run_regs;
	struct kmt_guest g;
	uint64_t regs;

	(void)state;
	run_regs = kmt_kvm_run_regs_start(&regs);
	assert_non_null(run_regs);
	mmio(s, KMT_TRACE_MMIO_WRITE, GPA_A);
	userspace_exit(s, KMT_KVM_EXIT_MMIO, 0);
	sleep_ns(delay_ns);
	run(s->progs.sys_enter_raw, regs, SYS_ioctl, 0);
	/* A second KVM_RUN with no exit to the VMM before it ends nothing. */
	run(s->progs.sys_enter_raw, regs, SYS_ioctl, 0);
	kmt_kvm_run_regs_stop(run_regs);
	g = guest_read(s, my_start(s));
	assert_int_equal(g.hist[KMT_HIST_VMM].count, 1);
	assert_true(g.hist[KMT_HIST_VMM].max >= (uint64_t)delay_ns);
	assert_true(g.hist[KMT_HIST_VMM].max < (uint64_t)delay_ns + 50000000);
	assert_int_equal(g.hist[KMT_HIST_KERNEL].count, 0);
	assert_int_equal(g.nr_regions, 1);
	assert_int_equal(g.regions[0].exits, 1);
	assert_int_equal(g.regions[0].lat.count, 1);
	assert_int_equal(g.regions[0].lat.max, g.hist[KMT_HIST_VMM].max);
	assert_int_equal(counts_of(s).vmm_handled, 1);
	kmt_guest_free(&g);
	kvm_mmio__destroy(s);
}

/* Timer interrupts, hlt and the like: exits with no kvm_mmio inside are not MMIO. */
static void exit_without_mmio_is_not_timed(void **state)
{
	struct kvm_mmio *s = load(0);
	static struct kmt_hist hist;

	(void)state;
	for (int i = 0; i < 5; i++) {
		run(s->progs.kvm_exit_raw, 0, 0, 0);
		run(s->progs.kvm_entry_raw, 0, 0, 0);
	}
	assert_false(hist_of(s, KMT_HIST_KERNEL, &hist));
	assert_int_equal(counts_of(s).timed_exits, 0);
	assert_int_equal(counts_of(s).exits, 0);
	kvm_mmio__destroy(s);
}

static void other_processes_are_filtered_in_the_kernel(void **state)
{
	struct kvm_mmio *s = load(my_pid + 1);

	(void)state;
	run(s->progs.kvm_exit_raw, 0, 0, 0);
	mmio(s, KMT_TRACE_MMIO_WRITE, GPA_A);
	run(s->progs.kvm_entry_raw, 0, 0, 0);
	userspace_exit(s, KMT_KVM_EXIT_MMIO, 0);
	hpte_lookup(s, 3);
	assert_int_equal(counts_of(s).exits, 0);
	assert_int_equal(region_exits(s, GPA_A), 0);
	assert_int_equal(dropped(s, KMT_DROP_UNPAIRED), 0);
	kvm_mmio__destroy(s);
}

/* A syscall other than ioctl never ends the VMM part (the only sys_enter input we can feed). */
static void non_ioctl_syscall_does_not_end_vmm_part(void **state)
{
	struct kvm_mmio *s = load(0);
	static struct kmt_hist hist;

	(void)state;
	mmio(s, KMT_TRACE_MMIO_WRITE, GPA_A);
	userspace_exit(s, KMT_KVM_EXIT_MMIO, 0);
	run(s->progs.sys_enter_raw, 0, SYS_read, 0);
	assert_false(hist_of(s, KMT_HIST_VMM, &hist));
	kvm_mmio__destroy(s);
}

/* POWER: the kernel part runs from the HDSI's exit_ns to the completion event. */
static void power_kernel_part_runs_from_hdsi_to_completion(void **state)
{
	const long delay_ns = 3000000;
	struct kvm_mmio *s = load(0);
	static struct kmt_hist hist;
	uint64_t exit_ns;

	(void)state;
	exit_ns = monotonic_ns();
	mmio(s, KMT_TRACE_MMIO_WRITE, GPA_A);
	hv_dispatch(s, 1 /* in-kernel device */, exit_ns);
	sleep_ns(delay_ns);
	hv_complete(s, 1, exit_ns);
	assert_true(hist_of(s, KMT_HIST_KERNEL, &hist));
	assert_int_equal(hist.count, 1);
	assert_true(hist.max >= (uint64_t)delay_ns);
	assert_true(hist.max < (uint64_t)delay_ns + 50000000);
	assert_int_equal(counts_of(s).writes, 1);
	assert_int_equal(counts_of(s).kernel_handled, 1);
	assert_int_equal(counts_of(s).timed_exits, 1);
	kvm_mmio__destroy(s);
}

/* No exit time (radix guest), no access made, or another exit's completion: not timed. */
static void power_untimed_dispatches_record_nothing(void **state)
{
	struct kvm_mmio *s = load(0);
	static struct kmt_hist hist;
	uint64_t exit_ns = monotonic_ns();

	(void)state;
	hv_dispatch(s, 2, 0);
	hv_complete(s, 2, 0);
	hv_dispatch(s, 0 /* not emulated */, exit_ns);
	hv_complete(s, 0, exit_ns);
	hv_dispatch(s, 1, exit_ns);
	hv_complete(s, 1, exit_ns + 1);
	assert_false(hist_of(s, KMT_HIST_KERNEL, &hist));
	assert_int_equal(counts_of(s).timed_exits, 0);
	kvm_mmio__destroy(s);
}

/* POWER: the HPTE lock series per guest: lookups, contended ones, retry distribution. */
static void power_hpte_lock_spins_are_counted(void **state)
{
	struct kvm_mmio *s = load(0);
	struct kmt_guest g;

	(void)state;
	hpte_lookup(s, 0);
	hpte_lookup(s, 5);
	hpte_lookup(s, 2);
	hpte_lookup(s, 1000);	/* another chunk of the histogram than the others */
	assert_true(my_start(s));
	g = guest_read(s, my_start(s));
	assert_int_equal(g.locks[KMT_LOCK_HPTE].acquired, 4);
	assert_int_equal(g.locks[KMT_LOCK_HPTE].wait.count, 3);
	assert_int_equal(g.locks[KMT_LOCK_HPTE].wait.sum, 1007);
	assert_int_equal(g.locks[KMT_LOCK_HPTE].wait.max, 1000);
	assert_int_equal(g.locks[KMT_LOCK_HPTE].wait.nr, 3);
	kmt_guest_free(&g);
	kvm_mmio__destroy(s);
}

#define MMU_LOCK 0xffff888100002000ULL
#define OTHER_LOCK 0xffff888100003000ULL

static void contention(struct kvm_mmio *s, bool begin, uint64_t lock)
{
	if (begin)
		run(s->progs.contention_begin_raw, lock, 0, 0);
	else
		run(s->progs.contention_end_raw, lock, 0, 0);
}

#define FAKE_START 12345ULL

/*
 * The wait histogram of a lock series of the process FAKE_START stands for
 * (the state the test wrote), as the model decodes it; the caller frees it.
 */
static struct kmt_hist lock_wait(struct kvm_mmio *s, enum kmt_lock_kind kind)
{
	struct kmt_guest g = guest_read(s, FAKE_START);
	struct kmt_hist wait = g.locks[kind].wait;

	memset(&g.locks[kind].wait, 0, sizeof(wait));
	kmt_guest_free(&g);
	return wait;
}

/*
 * A vCPU thread's waits: on its VM's MMU lock (as KVM_RUN would have found
 * it), with a lock taken inside the wait belonging to it, and on another
 * lock; bounded by the injected delays. Threads that are not vCPUs, and ends
 * without a begin, record nothing.
 */
static void vcpu_lock_waits_are_split_by_lock(void **state)
{
	const long delay_ns = 2000000;
	struct kvm_mmio *s = load(0);
	/* What KVM_RUN on fd 5 of a VM whose MMU lock is MMU_LOCK leaves. */
	struct kmt_vcpu_state known = { .tgid = my_pid, .start = FAKE_START,
					.locks = { .mmu_lock = MMU_LOCK, .vcpu_fd = 6 } };
	/* The same, left by a dead vCPU thread of another process whose id we reuse. */
	struct kmt_vcpu_state stale = { .tgid = my_pid + 1,
					.locks = { .mmu_lock = MMU_LOCK, .vcpu_fd = 6 } };
	struct kmt_hist mmu, other;

	(void)state;
	contention(s, true, MMU_LOCK);	/* not known as a vCPU thread yet */
	contention(s, false, MMU_LOCK);
	assert_int_equal(bpf_map_update_elem(bpf_map__fd(s->maps.vcpu_state), &my_tid, &stale,
					     BPF_ANY), 0);
	contention(s, true, MMU_LOCK);	/* another process's thread's state: not ours */
	contention(s, false, MMU_LOCK);
	mmu = lock_wait(s, KMT_LOCK_MMU);
	assert_int_equal(mmu.count, 0);
	kmt_hist_free(&mmu);
	assert_int_equal(dropped(s, KMT_DROP_LOCK_UNPAIRED), 0);
	assert_int_equal(bpf_map_update_elem(bpf_map__fd(s->maps.vcpu_state), &my_tid, &known,
					     BPF_ANY), 0);
	contention(s, true, MMU_LOCK);
	contention(s, true, MMU_LOCK + 8);	/* the rwlock's own wait_lock */
	contention(s, false, MMU_LOCK + 8);
	sleep_ns(delay_ns);
	contention(s, false, MMU_LOCK);
	contention(s, true, OTHER_LOCK);
	contention(s, false, OTHER_LOCK);
	contention(s, false, OTHER_LOCK);	/* no begin: unpaired */
	mmu = lock_wait(s, KMT_LOCK_MMU);
	other = lock_wait(s, KMT_LOCK_OTHER);
	assert_int_equal(mmu.count, 1);
	assert_true(mmu.max >= (uint64_t)delay_ns);
	assert_true(mmu.max < (uint64_t)delay_ns + 50000000);
	assert_int_equal(other.count, 1);
	assert_true(other.max < (uint64_t)delay_ns);
	kmt_hist_free(&mmu);
	kmt_hist_free(&other);
	assert_int_equal(dropped(s, KMT_DROP_LOCK_UNPAIRED), 1);
	kvm_mmio__destroy(s);
}

/*
 * A thread's first event registers its process by tgid and start time, the
 * one /proc shows (in ticks there); its exit forgets its state, and the
 * thread is new again on its next event.
 */
static void process_registered_by_start_time_and_thread_exit_forgets_state(void **state)
{
	struct kvm_mmio *s = load(0);
	struct kmt_proc_key key = { .tgid = my_pid };
	struct kmt_vcpu_state st;
	struct kmt_proc_state proc = { .gone = 1 };

	(void)state;
	assert_int_equal(my_start(s), 0);
	mmio(s, KMT_TRACE_MMIO_WRITE, GPA_A);
	key.start = my_start(s);
	assert_true(key.start);
	assert_int_equal(s->bss->procs_changes, 1);
	/* /proc has it in clock ticks: equal to that precision. */
	assert_int_equal(key.start - key.start % (1000000000ULL / (uint64_t)sysconf(_SC_CLK_TCK)),
			 kmt_proc_start(getpid()));
	assert_int_equal(bpf_map_lookup_elem(bpf_map__fd(s->maps.procs), &key, &proc), 0);
	assert_int_equal(proc.gone, 0);	/* alive */
	assert_int_equal(proc.execs, 0);
	assert_int_equal(bpf_map_lookup_elem(bpf_map__fd(s->maps.vcpu_state), &my_tid, &st), 0);
	assert_int_equal(st.start, key.start);
	run(s->progs.sched_process_exit_raw, 0, 0, 0);
	assert_int_not_equal(bpf_map_lookup_elem(bpf_map__fd(s->maps.vcpu_state), &my_tid, &st), 0);
	/* The open write went with the state: never counted, as for a dead thread. */
	userspace_exit(s, KMT_KVM_EXIT_MMIO, 0);
	assert_int_equal(counts_of(s).exits, 0);
	assert_int_equal(dropped(s, KMT_DROP_UNPAIRED), 1);
	kvm_mmio__destroy(s);
}

/*
 * A registered process's execs are counted (sched_process_exec, attached
 * for real): a child registers itself by an event, then becomes sh, which
 * becomes true. Two execs, on the child's registration. Once reaped, it is
 * gone (sched_process_free, attached for real, after an RCU grace period).
 * Each of these four changes to procs moves procs_changes, which user space
 * reads to know when to name guests again.
 */
static void execs_and_end_of_a_registered_process_are_seen(void **state)
{
	struct kvm_mmio *s = load(0);
	struct bpf_link *exec = bpf_program__attach(s->progs.sched_process_exec_raw);
	struct bpf_link *gone = bpf_program__attach(s->progs.sched_process_free_raw);
	struct kmt_proc_state proc = { 0 };
	struct kmt_proc_key key;
	int status, waited_ms;
	pid_t child;

	(void)state;
	assert_non_null(exec);
	assert_non_null(gone);
	assert_int_equal(s->bss->procs_changes, 0);
	child = fork();
	assert_true(child >= 0);
	if (!child) {
		const uint64_t args[3] = { KMT_TRACE_MMIO_WRITE, 4, GPA_A };
		LIBBPF_OPTS(bpf_test_run_opts, opts, .ctx_in = args, .ctx_size_in = sizeof(args));

		if (bpf_prog_test_run_opts(bpf_program__fd(s->progs.kvm_mmio_raw), &opts))
			_exit(2);
		execl("/bin/sh", "sh", "-c", "exec /bin/true", (char *)NULL);
		_exit(3);
	}
	/* Exited, not reaped yet: the zombie leader is not freed. */
	assert_int_equal(waitid(P_PID, (id_t)child, NULL, WEXITED | WNOWAIT), 0);
	assert_true(proc_of(s, child, &key, &proc));
	assert_int_equal(proc.execs, 2);
	assert_int_equal(proc.gone, 0);
	assert_int_equal(s->bss->procs_changes, 3);
	assert_int_equal(waitpid(child, &status, 0), child);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
	/*
	 * The leader is freed from an RCU callback queued when it was reaped,
	 * and the kernel bounds that delay by nothing: 5 s once ran out in CI.
	 */
	for (waited_ms = 0; waited_ms < 30000 && !proc.gone; waited_ms += 10) {
		sleep_ns(10000000);
		assert_true(proc_of(s, child, &key, &proc));
	}
	if (!proc.gone)
		fail_msg("process %d not seen gone %d ms after it was reaped", (int)child, waited_ms);
	assert_int_equal(proc.gone, 1);
	assert_int_equal(s->bss->procs_changes, 4);
	bpf_link__destroy(gone);
	bpf_link__destroy(exec);
	kvm_mmio__destroy(s);
}

/* One access of this thread, completed by the VMM: counted, so it takes a vCPU slot. */
static void vmm_write(struct kvm_mmio *s)
{
	mmio(s, KMT_TRACE_MMIO_WRITE, GPA_A);
	userspace_exit(s, KMT_KVM_EXIT_MMIO, 0);
}

/*
 * A thread's counters live in a vCPU slot: another slot when its state was
 * lost (an LRU eviction), added up by thread in user space; once the
 * process is gone and read, its slots go back zeroed and are taken again.
 */
static void vcpu_slots_are_added_by_thread_and_handed_back(void **state)
{
	struct kvm_mmio *s = load(0);
	struct kmt_map_fds fds = fds_of(s);
	struct kmt_proc_state gone = { .gone = 1 };
	struct kmt_proc_key key = { .tgid = my_pid };
	struct kmt_batch batch = { 0 };
	struct kmt_snapshot snap;
	struct kmt_guest g;

	(void)state;
	vmm_write(s);
	assert_int_equal(s->bss->vcpu_slots_used, 1);
	assert_int_equal(bpf_map_delete_elem(bpf_map__fd(s->maps.vcpu_state), &my_tid), 0);
	vmm_write(s);
	vmm_write(s);
	assert_int_equal(s->bss->vcpu_slots_used, 2);
	g = guest_read(s, my_start(s));
	assert_int_equal(g.nr_vcpus, 1);
	assert_int_equal(g.vcpus[0].tid, my_tid);
	assert_int_equal(kmt_vcpu_counts(&g.vcpus[0].stats).vmm_handled, 3);
	kmt_guest_free(&g);

	key.start = my_start(s);
	assert_int_equal(bpf_map_update_elem(bpf_map__fd(s->maps.procs), &key, &gone, BPF_EXIST), 0);
	assert_int_equal(kmt_snapshot_read(&snap, &fds, &batch), 0);
	assert_int_equal(kmt_reap_exited(&fds, &snap), 1);
	kmt_snapshot_free(&snap);
	kmt_batch_free(&batch);
	assert_int_equal(fds.vcpu_slots[0].tgid, 0);
	assert_int_equal(fds.vcpu_slots[1].tgid, 0);
	assert_int_equal(kmt_vcpu_counts(&fds.vcpu_slots[1].stats).exits, 0);

	/* A new thread (the state gone with the old one) takes a slot handed back. */
	assert_int_equal(bpf_map_delete_elem(bpf_map__fd(s->maps.vcpu_state), &my_tid), 0);
	vmm_write(s);
	assert_int_equal(s->bss->vcpu_slots_used, 2);
	assert_int_equal(counts_of(s).exits, 1);
	fds_put(&fds);
	kvm_mmio__destroy(s);
}

/* With every slot taken, a thread's accesses are counted as drops, nowhere else. */
static void vcpu_slots_full_is_a_drop(void **state)
{
	struct kvm_mmio *s = load_sized(0, 1);

	(void)state;
	vmm_write(s);
	assert_int_equal(bpf_map_delete_elem(bpf_map__fd(s->maps.vcpu_state), &my_tid), 0);
	vmm_write(s);
	vmm_write(s);
	assert_int_equal(counts_of(s).exits, 1);
	assert_int_equal(dropped(s, KMT_DROP_STATS), 2);
	assert_int_equal(s->bss->vcpu_slots_used, 1);
	kvm_mmio__destroy(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(access_is_counted_when_its_completer_is_known),
		cmocka_unit_test(execs_and_end_of_a_registered_process_are_seen),
		cmocka_unit_test(kernel_handled_accesses_are_counted_per_region),
		cmocka_unit_test(read_through_the_vmm_counts_once),
		cmocka_unit_test(exit_to_vmm_without_access_is_an_unpaired_drop),
		cmocka_unit_test(kernel_part_is_bounded_by_the_injected_delay),
		cmocka_unit_test(vmm_part_is_bounded_by_the_injected_delay),
		cmocka_unit_test(exit_without_mmio_is_not_timed),
		cmocka_unit_test(other_processes_are_filtered_in_the_kernel),
		cmocka_unit_test(non_ioctl_syscall_does_not_end_vmm_part),
		cmocka_unit_test(power_kernel_part_runs_from_hdsi_to_completion),
		cmocka_unit_test(power_untimed_dispatches_record_nothing),
		cmocka_unit_test(power_hpte_lock_spins_are_counted),
		cmocka_unit_test(vcpu_lock_waits_are_split_by_lock),
		cmocka_unit_test(process_registered_by_start_time_and_thread_exit_forgets_state),
		cmocka_unit_test(vcpu_slots_are_added_by_thread_and_handed_back),
		cmocka_unit_test(vcpu_slots_full_is_a_drop),
	};
	int rc;

	if (geteuid() != 0) {
		puts("SKIP: BPF_PROG_TEST_RUN needs root to load BPF programs");
		return EXIT_SKIP;
	}
	/* Only the host's ability is probed: our object failing to load is a failure. */
	rc = libbpf_probe_bpf_prog_type(BPF_PROG_TYPE_RAW_TRACEPOINT, NULL);
	if (rc != 1) {
		printf("SKIP: this kernel cannot load raw_tp BPF programs (probe: %d)\n", rc);
		return EXIT_SKIP;
	}
	my_pid = (uint32_t)getpid();
	my_tid = (uint32_t)syscall(SYS_gettid);
	return cmocka_run_group_tests_name("bpf_sequences", tests, NULL, NULL);
}
