// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Lifetime totals: sums of deltas, names, grace period, monotonic derivations. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>
#include "hist.h"
#include "hist_fill.h"
#include "prom_accumulator.h"

#define SEC 1000000000ULL

/* A one-guest delta: vcpu tid with the given counts, one region at gpa. */
struct delta {
	struct kmt_snapshot snap;
	struct kmt_guest guest;
	struct kmt_vcpu vcpu;
	struct kmt_gpa_region region;
};

static struct kmt_snapshot *delta_of(struct delta *d, uint32_t pid, const char *name, uint32_t tid,
				     uint64_t reads, uint64_t writes, uint64_t vmm)
{
	memset(d, 0, sizeof(*d));
	d->vcpu = (struct kmt_vcpu){ .tid = tid, .stats = { reads, writes, vmm, 0 } };
	d->region = (struct kmt_gpa_region){ .gpa = 0xd0000, .exits = reads + writes };
	hist_fill(&d->region.lat, 1000, reads + writes);
	d->guest.pid = pid;
	snprintf(d->guest.name, sizeof(d->guest.name), "%s", name);
	d->guest.vcpus = &d->vcpu;
	d->guest.nr_vcpus = 1;
	d->guest.regions = &d->region;
	d->guest.nr_regions = 1;
	d->guest.hist[KMT_HIST_VMM] = d->region.lat;
	d->snap.guests = &d->guest;
	d->snap.nr_guests = 1;
	d->snap.counters[KMT_DROP_UNPAIRED] = 1;
	return &d->snap;
}

static void test_deltas_add_up_per_guest_vcpu_and_region(void **state)
{
	struct kmt_acc acc = { 0 };
	struct delta d;

	(void)state;
	assert_int_equal(kmt_acc_add(&acc, delta_of(&d, 20, "b", 21, 1, 2, 3), 1 * SEC), 0);
	assert_int_equal(kmt_acc_add(&acc, delta_of(&d, 10, "a", 11, 5, 0, 5), 1 * SEC), 0);
	assert_int_equal(kmt_acc_add(&acc, delta_of(&d, 20, "b", 21, 10, 20, 30), 2 * SEC), 0);
	assert_int_equal(kmt_acc_add(&acc, delta_of(&d, 20, "b", 22, 100, 0, 100), 3 * SEC), 0);

	assert_int_equal(acc.nr_guests, 2);
	assert_int_equal(acc.guests[0].total.pid, 10);	/* kept in pid order */
	assert_int_equal(acc.guests[1].total.pid, 20);
	assert_int_equal(acc.guests[1].total.nr_vcpus, 2);
	assert_int_equal(acc.guests[1].total.vcpus[0].stats.reads, 11);
	assert_int_equal(acc.guests[1].total.vcpus[0].stats.writes, 22);
	assert_int_equal(acc.guests[1].total.vcpus[1].stats.reads, 100);
	assert_int_equal(acc.guests[1].total.nr_regions, 1);
	assert_int_equal(acc.guests[1].total.regions[0].exits, 133);
	assert_int_equal(acc.guests[1].total.regions[0].lat.slots[kmt_hist_slot(1000)], 133);
	assert_int_equal(acc.guests[1].total.hist[KMT_HIST_VMM].slots[kmt_hist_slot(1000)], 133);
	assert_int_equal(acc.counters[KMT_DROP_UNPAIRED], 4);
	assert_false(kmt_kernel_timed(acc.counters));
	kmt_acc_free(&acc);
}

/* A guest first seen before it was named keeps its totals once named. */
static void test_name_learnt_later_is_taken_and_kept(void **state)
{
	struct kmt_acc acc = { 0 };
	struct delta d;

	(void)state;
	kmt_acc_add(&acc, delta_of(&d, 7, "", 8, 1, 1, 2), 1 * SEC);
	assert_string_equal(acc.guests[0].total.name, "");
	kmt_acc_add(&acc, delta_of(&d, 7, "web", 8, 1, 1, 2), 2 * SEC);
	kmt_acc_add(&acc, delta_of(&d, 7, "", 8, 1, 1, 2), 3 * SEC);
	assert_string_equal(acc.guests[0].total.name, "web");
	assert_int_equal(acc.guests[0].total.vcpus[0].stats.reads, 3);
	kmt_acc_free(&acc);
}

static void test_exited_guest_dropped_only_after_grace(void **state)
{
	struct kmt_acc acc = { 0 };
	struct delta d;

	(void)state;
	kmt_acc_add(&acc, delta_of(&d, 1, "gone", 2, 1, 0, 1), 10 * SEC);
	kmt_acc_add(&acc, delta_of(&d, 3, "alive", 4, 1, 0, 1), 10 * SEC);
	kmt_acc_add(&acc, delta_of(&d, 3, "alive", 4, 0, 0, 0), 40 * SEC);
	assert_int_equal(kmt_acc_expire(&acc, 40 * SEC, 30 * SEC), 0);
	assert_int_equal(acc.nr_guests, 2);
	kmt_acc_add(&acc, delta_of(&d, 3, "alive", 4, 0, 0, 0), 41 * SEC);
	assert_int_equal(kmt_acc_expire(&acc, 41 * SEC, 30 * SEC), 1);
	assert_int_equal(acc.nr_guests, 1);
	assert_string_equal(acc.guests[0].total.name, "alive");
	kmt_acc_free(&acc);
}

/*
 * An access is counted a moment before its exit to the VMM is: exits - vmm
 * can shrink between reads, but the kernel-handled counter must not.
 */
static void test_kernel_handled_never_decreases(void **state)
{
	struct kmt_acc acc = { 0 };
	struct delta d;

	(void)state;
	kmt_acc_add(&acc, delta_of(&d, 1, "g", 2, 0, 10, 8), 1 * SEC);	/* 2 in flight */
	assert_int_equal(acc.guests[0].kernel_handled, 2);
	kmt_acc_add(&acc, delta_of(&d, 1, "g", 2, 0, 0, 2), 2 * SEC);	/* they reached the VMM */
	assert_int_equal(acc.guests[0].kernel_handled, 2);
	kmt_acc_add(&acc, delta_of(&d, 1, "g", 2, 0, 5, 0), 3 * SEC);	/* 5 in the kernel */
	assert_int_equal(acc.guests[0].kernel_handled, 5);
	kmt_acc_free(&acc);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_deltas_add_up_per_guest_vcpu_and_region),
		cmocka_unit_test(test_name_learnt_later_is_taken_and_kept),
		cmocka_unit_test(test_exited_guest_dropped_only_after_grace),
		cmocka_unit_test(test_kernel_handled_never_decreases),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
