// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Descriptor selection: fake probe results -> chosen backends and capabilities. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include "select_fixture.h"

static void stock_kernel_without_exit_events_counts_and_times_the_vmm(void **state)
{
	struct kmt_selection sel;

	(void)state;
	assert_int_equal(select_for(&sel, EVS_STOCK, "x86_64"), 0);
	assert_string_equal(sel.mmio->name, "kvm_mmio");
	assert_int_equal(sel.nr_locks, 0);
	assert_int_equal(kmt_selection_caps(&sel),
			 KMT_CAP_COUNTS | KMT_CAP_VMM_PART | KMT_CAP_REGIONS);
	assert_int_equal(sel.events, EVS_STOCK);
	assert_non_null(strstr(sel.why, "kvm_exit: missing: kvm_exit,kvm_entry"));
	assert_non_null(strstr(sel.why, "kvm_mmio: chosen"));
}

/* The exit events decide by existing, not by having fired: x86 gets kvm_exit. */
static void exit_events_give_the_kernel_part(void **state)
{
	struct kmt_selection sel;

	(void)state;
	assert_int_equal(select_for(&sel, EVS_EXITS | KMT_EV(KMT_EV_FAST_MMIO), "x86_64"), 0);
	assert_string_equal(sel.mmio->name, "kvm_exit");
	assert_true(kmt_selection_caps(&sel) & KMT_CAP_KERNEL_PART);
	/* The optional event is attached where it exists. */
	assert_true(sel.events & KMT_EV(KMT_EV_FAST_MMIO));
	assert_non_null(strstr(sel.why, "arm64: not used: for aarch64 hosts, this is x86_64"));
	assert_non_null(strstr(sel.why, "kvm_mmio: not used: kvm_exit measures more"));
}

static void arm64_host_gets_its_own_descriptor(void **state)
{
	struct kmt_selection sel;

	(void)state;
	assert_int_equal(select_for(&sel, EVS_EXITS, "aarch64"), 0);
	assert_string_equal(sel.mmio->name, "arm64");
	assert_true(kmt_selection_caps(&sel) & KMT_CAP_KERNEL_PART);
	assert_false(sel.events & KMT_EV(KMT_EV_FAST_MMIO));
}

static void power_series_gives_kvm_hv_and_the_hpte_lock(void **state)
{
	struct kmt_selection sel;

	(void)state;
	assert_int_equal(select_for(&sel, EVS_POWER, "ppc64le"), 0);
	assert_string_equal(sel.mmio->name, "kvm_hv");
	assert_int_equal(sel.nr_locks, 1);
	assert_string_equal(sel.locks[0]->name, "hpte");
	assert_ptr_equal(kmt_selection_lock(&sel, KMT_LOCK_HPTE), sel.locks[0]);
	assert_true(kmt_selection_caps(&sel) & KMT_CAP_LOCK_ACQUIRED);
	assert_true(sel.events & KMT_EV(KMT_EV_HPTE_LOOKUP));
	/* Half the pair is no backend: the lookups alone still give the lock series. */
	assert_int_equal(select_for(&sel, EVS_STOCK | KMT_EV(KMT_EV_HV_DISPATCH) |
				    KMT_EV(KMT_EV_HPTE_LOOKUP), "ppc64le"), 0);
	assert_string_equal(sel.mmio->name, "kvm_mmio");
	assert_false(sel.events & KMT_EV(KMT_EV_HV_DISPATCH));
	assert_int_equal(sel.nr_locks, 1);
}

/* Lock waits: the VM's MMU lock and the vCPU threads' other locks, unless turned off. */
static void contention_events_give_two_lock_series(void **state)
{
	const struct kmt_host no_locks = { .machine = "x86_64", .no_locks = true };
	bool exists[KMT_EVENTS] = { false };
	struct kmt_selection sel;

	(void)state;
	assert_int_equal(select_for(&sel, EVS_EXITS | EVS_LOCKS, "x86_64"), 0);
	assert_int_equal(sel.nr_locks, 2);
	assert_string_equal(kmt_selection_lock(&sel, KMT_LOCK_MMU)->name, "mmu_lock");
	assert_string_equal(kmt_selection_lock(&sel, KMT_LOCK_OTHER)->name, "other");
	assert_string_equal(kmt_selection_lock(&sel, KMT_LOCK_MMU)->wait_unit, "ns");
	/* Contention events cannot tell uncontended acquisitions. */
	assert_false(kmt_selection_caps(&sel) & KMT_CAP_LOCK_ACQUIRED);
	assert_true(sel.events & KMT_EV(KMT_EV_LOCK_BEGIN));
	for (int e = 0; e < KMT_EVENTS; e++)
		exists[e] = (EVS_EXITS | EVS_LOCKS) & KMT_EV(e);
	assert_int_equal(kmt_backends_select(&sel, exists, &no_locks), 0);
	assert_int_equal(sel.nr_locks, 0);
	assert_false(sel.events & KMT_EV(KMT_EV_LOCK_BEGIN));
	assert_non_null(strstr(sel.why, "mmu_lock: not used: lock series turned off (--no-locks)"));
}

/*
 * lockdown=confidentiality: the series that find the VM's lock through
 * kernel pointers are not used, and say why; POWER's HPTE series reads
 * nothing but its event's arguments and stays.
 */
static void confidentiality_drops_only_the_series_that_read_kernel_memory(void **state)
{
	const struct kmt_host x86 = { .machine = "x86_64", .no_kernel_reads = true };
	const struct kmt_host power = { .machine = "ppc64le", .no_kernel_reads = true };
	struct kmt_selection sel;
	bool exists[KMT_EVENTS];

	(void)state;
	for (int e = 0; e < KMT_EVENTS; e++)
		exists[e] = (EVS_EXITS | EVS_LOCKS) & KMT_EV(e);
	assert_int_equal(kmt_backends_select(&sel, exists, &x86), 0);
	assert_string_equal(sel.mmio->name, "kvm_exit");
	assert_int_equal(sel.nr_locks, 0);
	assert_true(sel.kernel_reads_refused);
	assert_non_null(strstr(sel.why, "mmu_lock: not used: kernel lockdown (confidentiality)"));
	assert_non_null(strstr(sel.why, "other: not used: kernel lockdown (confidentiality)"));
	for (int e = 0; e < KMT_EVENTS; e++)
		exists[e] = (EVS_POWER | EVS_LOCKS) & KMT_EV(e);
	assert_int_equal(kmt_backends_select(&sel, exists, &power), 0);
	assert_int_equal(sel.nr_locks, 1);
	assert_non_null(kmt_selection_lock(&sel, KMT_LOCK_HPTE));
	assert_true(sel.kernel_reads_refused);
	/* Without contention events no series is lost to lockdown: nothing to say. */
	for (int e = 0; e < KMT_EVENTS; e++)
		exists[e] = EVS_POWER & KMT_EV(e);
	assert_int_equal(kmt_backends_select(&sel, exists, &power), 0);
	assert_false(sel.kernel_reads_refused);
}

static void no_kvm_events_no_backend(void **state)
{
	struct kmt_selection sel;

	(void)state;
	assert_int_equal(select_for(&sel, KMT_EV(KMT_EV_SYS_ENTER), "x86_64"), -ENOENT);
	assert_null(sel.mmio);
	assert_non_null(strstr(sel.why, "kvm_mmio: missing: kvm_mmio,kvm_userspace_exit"));
}

/* Every descriptor is well formed: an MMIO backend can count; a lock series has a unit. */
static void every_descriptor_is_complete(void **state)
{
	(void)state;
	for (size_t i = 0; i < kmt_nr_backends; i++) {
		const struct kmt_backend *b = &kmt_backends[i];

		assert_non_null(b->name);
		assert_non_null(b->pairing);
		assert_true(b->needs);
		if (b->role == KMT_ROLE_MMIO) {
			assert_true(b->caps & KMT_CAP_COUNTS);
		} else {
			assert_non_null(b->wait_unit);
			assert_true(b->lock < KMT_LOCK_KINDS);
		}
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(stock_kernel_without_exit_events_counts_and_times_the_vmm),
		cmocka_unit_test(exit_events_give_the_kernel_part),
		cmocka_unit_test(arm64_host_gets_its_own_descriptor),
		cmocka_unit_test(power_series_gives_kvm_hv_and_the_hpte_lock),
		cmocka_unit_test(contention_events_give_two_lock_series),
		cmocka_unit_test(confidentiality_drops_only_the_series_that_read_kernel_memory),
		cmocka_unit_test(no_kvm_events_no_backend),
		cmocka_unit_test(every_descriptor_is_complete),
	};

	return cmocka_run_group_tests_name("backend", tests, NULL, NULL);
}
