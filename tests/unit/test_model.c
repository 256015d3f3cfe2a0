// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The model's derivations: figures from counters, intervals from cumulative
 * reads (consistent by construction, summing to the total), lifetime totals.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "hist.h"
#include "model_fixture.h"
#include "pid_index.h"

#define SEC 1000000000ULL

static void figures_are_sums_of_the_counters(void **state)
{
	struct kmt_vcpu_stats s = { .kernel_reads = 1, .kernel_writes = 2, .vmm_reads = 4,
				    .vmm_writes = 8, .timed_exits = 15 };
	struct kmt_mmio_counts c = kmt_vcpu_counts(&s);
	const uint32_t pids[] = { 100 };
	struct kmt_snapshot snap;

	(void)state;
	assert_int_equal(c.reads, 5);
	assert_int_equal(c.writes, 10);
	assert_int_equal(c.kernel_handled, 3);
	assert_int_equal(c.vmm_handled, 12);
	assert_int_equal(c.exits, 15);
	assert_int_equal(c.timed_exits, 15);
	make_snapshot(&snap, pids, 1, 1);
	c = kmt_guest_counts(&snap.guests[0]);
	assert_int_equal(c.exits, 35);
	assert_int_equal(c.reads, 10);
	assert_int_equal(c.writes, 25);
	assert_int_equal(c.vmm_handled, 30);
	assert_int_equal(c.kernel_handled, 5);
	kmt_snapshot_free(&snap);
}

static void delta_subtracts_and_drops_vanished_guests(void **state)
{
	const uint32_t before[] = { 100, 200 }, after[] = { 200, 300 };
	struct kmt_snapshot prev, cur, delta;
	const struct kmt_guest *g;

	(void)state;
	make_snapshot(&prev, before, 2, 1);
	make_snapshot(&cur, after, 2, 3);
	assert_int_equal(kmt_snapshot_delta(&delta, &cur, &prev), 0);
	assert_int_equal(delta.nr_guests, 2);
	assert_null(kmt_snapshot_find(&delta, 100, 0));
	g = kmt_snapshot_find(&delta, 200, 0);	/* seen before: 3x - 1x */
	assert_non_null(g);
	assert_int_equal(kmt_guest_counts(g).writes, 50);
	assert_int_equal(g->hist[KMT_HIST_VMM].count, 60);
	assert_int_equal(g->regions[1].exits, 60);
	g = kmt_snapshot_find(&delta, 300, 0);	/* new: all of it */
	assert_int_equal(kmt_guest_counts(g).writes, 75);
	assert_int_equal(kmt_snapshot_dropped(&delta), 4);
	kmt_snapshot_free(&delta);
	kmt_snapshot_free(&cur);
	kmt_snapshot_free(&prev);
}

/* An exited guest is in the interval of its last events, not in later ones. */
static void exited_guest_without_news_leaves_the_delta(void **state)
{
	const uint32_t pids[] = { 100, 200 };
	struct kmt_snapshot prev, cur, delta;

	(void)state;
	make_snapshot(&prev, pids, 2, 1);
	make_snapshot(&cur, pids, 2, 1);
	cur.guests[0].exited = true;	/* nothing new since prev: gone */
	cur.guests[1].exited = true;	/* but new events: still reported */
	cur.guests[1].vcpus[0].stats.vmm_writes += 7;
	assert_int_equal(kmt_snapshot_delta(&delta, &cur, &prev), 0);
	assert_int_equal(delta.nr_guests, 1);
	assert_int_equal(delta.guests[0].pid, 200);
	assert_int_equal(kmt_guest_counts(&delta.guests[0]).writes, 7);
	kmt_snapshot_free(&delta);
	kmt_snapshot_free(&cur);
	kmt_snapshot_free(&prev);
}

/*
 * A process exits and another takes its pid within one interval: two
 * guests, the first with its last counts, the second with all of its own.
 */
static void two_processes_on_one_pid_stay_apart(void **state)
{
	const uint32_t pids[] = { 100 }, both[] = { 100, 100 };
	struct kmt_snapshot prev, cur, delta;
	const struct kmt_guest *g;

	(void)state;
	make_snapshot(&prev, pids, 1, 5);
	prev.guests[0].start = 1000;
	make_snapshot(&cur, both, 2, 5);
	kmt_guest_free(&cur.guests[1]);
	make_guest(&cur.guests[1], 100, 1);	/* the second process: counts of its own */
	cur.guests[0].start = 1000;
	cur.guests[0].exited = true;
	cur.guests[0].vcpus[0].stats.vmm_writes += 2;	/* its last two writes */
	cur.guests[1].start = 2000;
	assert_int_equal(kmt_snapshot_delta(&delta, &cur, &prev), 0);
	assert_int_equal(delta.nr_guests, 2);
	g = kmt_snapshot_find(&delta, 100, 1000);
	assert_non_null(g);
	assert_int_equal(kmt_guest_counts(g).exits, 2);
	assert_int_equal(g->hist[KMT_HIST_VMM].count, 0);
	g = kmt_snapshot_find(&delta, 100, 2000);
	assert_non_null(g);
	assert_int_equal(kmt_guest_counts(g).exits, 35);
	assert_int_equal(g->hist[KMT_HIST_VMM].count, 30);
	assert_ptr_equal(kmt_snapshot_latest(&delta, 100), g);
	kmt_snapshot_free(&delta);
	kmt_snapshot_free(&cur);
	kmt_snapshot_free(&prev);
}

/* vCPU counters that went down (a bad read) never yield a negative interval. */
static void recreated_key_is_new_not_negative(void **state)
{
	const uint32_t pids[] = { 100 };
	struct kmt_snapshot prev, cur, delta;
	struct kmt_mmio_counts c;

	(void)state;
	make_snapshot(&prev, pids, 1, 4);
	make_snapshot(&cur, pids, 1, 4);
	cur.guests[0].vcpus[1].stats = (struct kmt_vcpu_stats){ .vmm_writes = 3 };
	cur.guests[0].regions[0].exits = 1;
	assert_int_equal(kmt_snapshot_delta(&delta, &cur, &prev), 0);
	c = kmt_guest_counts(&delta.guests[0]);
	assert_int_equal(c.exits, 3);
	assert_int_equal(c.vmm_handled, 3);
	assert_int_equal(delta.guests[0].regions[0].exits, 1);
	kmt_snapshot_free(&delta);
	kmt_snapshot_free(&cur);
	kmt_snapshot_free(&prev);
}

/*
 * Cumulative reads cut at arbitrary moments, the access of a vCPU counted
 * only once it is known who completed it: every interval satisfies the
 * invariants and the intervals add up to the last read.
 */
static void intervals_are_consistent_and_sum_to_the_total(void **state)
{
	struct kmt_snapshot prev = { 0 }, cur, delta, total = { 0 };
	struct kmt_vcpu_stats truth = { 0 };
	struct kmt_mmio_counts c, t;

	(void)state;
	srand(11);
	for (int read = 0; read < 200; read++) {
		/* Between two reads, a random number of accesses completes. */
		for (int n = rand() % 50; n > 0; n--) {
			switch (rand() % 4) {
			case 0: truth.kernel_reads++; break;
			case 1: truth.kernel_writes++; break;
			case 2: truth.vmm_reads++; break;
			default: truth.vmm_writes++; break;
			}
		}
		memset(&cur, 0, sizeof(cur));
		cur.nr_guests = 1;
		cur.guests = calloc(1, sizeof(*cur.guests));
		cur.guests[0].pid = 7;
		cur.guests[0].nr_vcpus = 1;
		cur.guests[0].vcpus = calloc(1, sizeof(struct kmt_vcpu));
		cur.guests[0].vcpus[0] = (struct kmt_vcpu){ .tid = 8, .stats = truth };
		assert_int_equal(kmt_snapshot_delta(&delta, &cur, &prev), 0);
		for (size_t i = 0; i < delta.nr_guests; i++) {
			c = kmt_guest_counts(&delta.guests[i]);
			assert_int_equal(c.kernel_handled + c.vmm_handled, c.exits);
			assert_int_equal(c.reads + c.writes, c.exits);
			assert_true(c.exits < (1ULL << 32));
		}
		assert_int_equal(kmt_snapshot_add(&total, &delta, (uint64_t)read * SEC), 0);
		kmt_snapshot_free(&delta);
		kmt_snapshot_free(&prev);
		prev = cur;
	}
	c = kmt_guest_counts(&total.guests[0]);
	t = kmt_vcpu_counts(&truth);
	assert_int_equal(c.exits, t.exits);
	assert_int_equal(c.kernel_handled, t.kernel_handled);
	assert_int_equal(c.vmm_handled, t.vmm_handled);
	assert_int_equal(c.reads, t.reads);
	kmt_snapshot_free(&prev);
	kmt_snapshot_free(&total);
}

/* A one-guest interval: vcpu tid with the given counts, one region at 0xd0000. */
struct interval {
	struct kmt_snapshot snap;
	struct kmt_guest guest;
	struct kmt_vcpu vcpu;
	struct kmt_gpa_region region;
};

/* Frees the histograms the last interval_of() on d (zeroed first) made. */
static void interval_release(struct interval *d)
{
	kmt_hist_free(&d->region.lat);
	kmt_hist_free(&d->guest.hist[KMT_HIST_VMM]);
}

static struct kmt_snapshot *interval_of(struct interval *d, uint32_t pid, const char *name,
					uint32_t tid, uint64_t reads, uint64_t writes)
{
	interval_release(d);
	memset(d, 0, sizeof(*d));
	d->vcpu = (struct kmt_vcpu){ .tid = tid, .stats = { .vmm_reads = reads,
							    .vmm_writes = writes } };
	d->region = (struct kmt_gpa_region){ .gpa = 0xd0000, .exits = reads + writes };
	hist_fill(&d->region.lat, 1000, reads + writes);
	d->guest.pid = pid;
	snprintf(d->guest.name, sizeof(d->guest.name), "%s", name);
	d->guest.vcpus = &d->vcpu;
	d->guest.nr_vcpus = 1;
	d->guest.regions = &d->region;
	d->guest.nr_regions = 1;
	hist_fill(&d->guest.hist[KMT_HIST_VMM], 1000, reads + writes);
	d->guest.locks[KMT_LOCK_HPTE].acquired = reads;
	d->snap.guests = &d->guest;
	d->snap.nr_guests = 1;
	d->snap.drops[KMT_DROP_UNPAIRED] = 1;
	return &d->snap;
}

static void totals_add_up_per_guest_vcpu_region_and_lock(void **state)
{
	struct kmt_snapshot t = { 0 };
	struct interval d = { 0 };

	(void)state;
	assert_int_equal(kmt_snapshot_add(&t, interval_of(&d, 20, "b", 21, 1, 2), 1 * SEC), 0);
	assert_int_equal(kmt_snapshot_add(&t, interval_of(&d, 10, "a", 11, 5, 0), 1 * SEC), 0);
	assert_int_equal(kmt_snapshot_add(&t, interval_of(&d, 20, "b", 21, 10, 20), 2 * SEC), 0);
	assert_int_equal(kmt_snapshot_add(&t, interval_of(&d, 20, "b", 22, 100, 0), 3 * SEC), 0);

	assert_int_equal(t.nr_guests, 2);
	assert_int_equal(t.guests[0].pid, 10);	/* kept in pid order */
	assert_int_equal(t.guests[1].pid, 20);
	assert_int_equal(t.guests[1].nr_vcpus, 2);
	assert_int_equal(kmt_vcpu_counts(&t.guests[1].vcpus[0].stats).reads, 11);
	assert_int_equal(kmt_vcpu_counts(&t.guests[1].vcpus[0].stats).writes, 22);
	assert_int_equal(kmt_vcpu_counts(&t.guests[1].vcpus[1].stats).reads, 100);
	assert_int_equal(t.guests[1].nr_regions, 1);
	assert_int_equal(t.guests[1].regions[0].exits, 133);
	assert_int_equal(t.guests[1].regions[0].lat.nr, 1);
	assert_int_equal(t.guests[1].regions[0].lat.buckets[0].slot, kmt_hist_slot(1000));
	assert_int_equal(t.guests[1].regions[0].lat.buckets[0].count, 133);
	assert_int_equal(t.guests[1].hist[KMT_HIST_VMM].nr, 1);
	assert_int_equal(t.guests[1].hist[KMT_HIST_VMM].buckets[0].slot, kmt_hist_slot(1000));
	assert_int_equal(t.guests[1].hist[KMT_HIST_VMM].buckets[0].count, 133);
	assert_int_equal(t.guests[1].locks[KMT_LOCK_HPTE].acquired, 111);
	assert_int_equal(t.drops[KMT_DROP_UNPAIRED], 4);
	interval_release(&d);
	kmt_snapshot_free(&t);
}

/* A guest first seen before it was named keeps its totals once named. */
static void name_learnt_later_is_taken_and_kept(void **state)
{
	struct kmt_snapshot t = { 0 };
	struct interval d = { 0 };

	(void)state;
	kmt_snapshot_add(&t, interval_of(&d, 7, "", 8, 1, 1), 1 * SEC);
	assert_string_equal(t.guests[0].name, "");
	kmt_snapshot_add(&t, interval_of(&d, 7, "web", 8, 1, 1), 2 * SEC);
	kmt_snapshot_add(&t, interval_of(&d, 7, "", 8, 1, 1), 3 * SEC);
	assert_string_equal(t.guests[0].name, "web");
	assert_int_equal(kmt_vcpu_counts(&t.guests[0].vcpus[0].stats).reads, 3);
	interval_release(&d);
	kmt_snapshot_free(&t);
}

/* total += an interval of process (pid 5, start) named name: reads on vCPU 6. */
static void add_process(struct kmt_snapshot *total, uint64_t start, const char *name,
			uint64_t reads, uint64_t now)
{
	struct interval d = { 0 };
	struct kmt_snapshot *s = interval_of(&d, 5, name, 6, reads, 0);

	d.guest.start = start;
	assert_int_equal(kmt_snapshot_add(total, s, now), 0);
	interval_release(&d);
}

/*
 * Totals are kept per Prometheus series (pid and name): a later process on
 * the pid adds to them under the same name, and has its own under another.
 * One first seen before it was named has totals of its own; named later,
 * it adds to those with its name: never two series with the same labels.
 */
static void totals_follow_series_labels_across_processes(void **state)
{
	struct kmt_snapshot t = { 0 };

	(void)state;
	add_process(&t, 100, "web", 1, 1 * SEC);
	add_process(&t, 200, "web", 2, 2 * SEC);
	add_process(&t, 300, "db", 4, 3 * SEC);
	assert_int_equal(t.nr_guests, 2);
	assert_string_equal(t.guests[0].name, "web");
	assert_int_equal(kmt_vcpu_counts(&t.guests[0].vcpus[0].stats).reads, 3);
	assert_int_equal(t.guests[0].start, 200);
	assert_string_equal(t.guests[1].name, "db");
	assert_int_equal(kmt_vcpu_counts(&t.guests[1].vcpus[0].stats).reads, 4);
	add_process(&t, 400, "", 8, 4 * SEC);
	add_process(&t, 400, "web", 16, 5 * SEC);
	assert_int_equal(t.nr_guests, 3);
	assert_string_equal(t.guests[0].name, "web");
	assert_int_equal(kmt_vcpu_counts(&t.guests[0].vcpus[0].stats).reads, 19);
	assert_string_equal(t.guests[2].name, "");
	assert_int_equal(kmt_vcpu_counts(&t.guests[2].vcpus[0].stats).reads, 8);
	kmt_snapshot_free(&t);
}

static void exited_guest_dropped_only_after_grace(void **state)
{
	struct kmt_snapshot t = { 0 };
	struct interval d = { 0 };

	(void)state;
	kmt_snapshot_add(&t, interval_of(&d, 1, "gone", 2, 1, 0), 10 * SEC);
	kmt_snapshot_add(&t, interval_of(&d, 3, "alive", 4, 1, 0), 10 * SEC);
	kmt_snapshot_add(&t, interval_of(&d, 3, "alive", 4, 0, 0), 40 * SEC);
	assert_int_equal(kmt_snapshot_expire(&t, 40 * SEC, 30 * SEC), 0);
	assert_int_equal(t.nr_guests, 2);
	kmt_snapshot_add(&t, interval_of(&d, 3, "alive", 4, 0, 0), 41 * SEC);
	assert_int_equal(kmt_snapshot_expire(&t, 41 * SEC, 30 * SEC), 1);
	assert_int_equal(t.nr_guests, 1);
	assert_string_equal(t.guests[0].name, "alive");
	interval_release(&d);
	kmt_snapshot_free(&t);
}

/*
 * Searching from any index no later than the answer finds what a full
 * search finds, in sorted arrays with repeated pids, of every length.
 */
static void pid_search_from_a_known_lower_bound_agrees(void **state)
{
	const uint32_t pids[] = { 2, 3, 3, 3, 7, 8, 8, 20, 21, 22, 40, 41, 41, 60 };
	const size_t size = sizeof(pids[0]);

	(void)state;
	for (size_t nr = 0; nr <= sizeof(pids) / size; nr++) {
		for (uint32_t pid = 0; pid <= 61; pid++) {
			size_t at = kmt_pid_index(pids, nr, size, 0, pid);

			assert_true(at == nr || pids[at] >= pid);
			assert_true(at == 0 || pids[at - 1] < pid);
			for (size_t from = 0; from <= at; from++)
				assert_int_equal(kmt_pid_index_from(pids, nr, size, 0, pid, from), at);
		}
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(figures_are_sums_of_the_counters),
		cmocka_unit_test(delta_subtracts_and_drops_vanished_guests),
		cmocka_unit_test(exited_guest_without_news_leaves_the_delta),
		cmocka_unit_test(two_processes_on_one_pid_stay_apart),
		cmocka_unit_test(recreated_key_is_new_not_negative),
		cmocka_unit_test(intervals_are_consistent_and_sum_to_the_total),
		cmocka_unit_test(totals_add_up_per_guest_vcpu_region_and_lock),
		cmocka_unit_test(name_learnt_later_is_taken_and_kept),
		cmocka_unit_test(totals_follow_series_labels_across_processes),
		cmocka_unit_test(exited_guest_dropped_only_after_grace),
		cmocka_unit_test(pid_search_from_a_known_lower_bound_agrees),
	};

	return cmocka_run_group_tests_name("model", tests, NULL, NULL);
}
