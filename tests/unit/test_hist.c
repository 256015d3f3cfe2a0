// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Histogram layout shared with BPF: seams, monotonicity, resolution, quantiles. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include "hist.h"
#include "hist_fill.h"

/* A value exactly on a bucket's upper bound lands in that bucket, one more in the next. */
static void every_bound_lands_in_its_own_bucket(void **state)
{
	(void)state;
	for (uint32_t s = 0; s + 1 < KMT_HIST_SLOTS; s++) {
		uint64_t upper = kmt_hist_slot_upper(s);

		assert_int_equal(kmt_hist_slot(upper), s);
		assert_int_equal(kmt_hist_slot(upper + 1), s + 1);
	}
}

static void bounds_increase_and_cover_ten_seconds(void **state)
{
	(void)state;
	for (uint32_t s = 1; s < KMT_HIST_SLOTS; s++)
		assert_true(kmt_hist_slot_upper(s) > kmt_hist_slot_upper(s - 1));
	assert_true(kmt_hist_slot_upper(KMT_HIST_SLOTS - 1) >= 10000000000ULL);
	assert_int_equal(kmt_hist_slot_upper(KMT_HIST_SLOTS - 1), 1ULL << KMT_HIST_MAX_EXP);
}

static void small_and_huge_values(void **state)
{
	(void)state;
	assert_int_equal(kmt_hist_slot(0), 0);
	assert_int_equal(kmt_hist_slot(1), 0);
	assert_int_equal(kmt_hist_slot(2), 1);
	assert_int_equal(kmt_hist_slot(16), 15);
	assert_int_equal(kmt_hist_slot(17), 16);
	assert_int_equal(kmt_hist_slot(UINT64_MAX), KMT_HIST_SLOTS - 1);
	assert_int_equal(kmt_hist_slot(1ULL << 40), KMT_HIST_SLOTS - 1);
}

/* Any value above 100 ns is reported at most 1/16 above itself. */
static void resolution_is_one_sixteenth_from_100ns(void **state)
{
	(void)state;
	for (uint64_t v = 100; v < 20000000000ULL; v = v * 1.01 + 1) {
		uint64_t upper = kmt_hist_slot_upper(kmt_hist_slot(v));

		if (v > (1ULL << KMT_HIST_MAX_EXP))
			break;
		assert_true(upper >= v);
		assert_true((double)(upper - v) <= v / 16.0);
	}
}


static void quantiles_pick_the_ranked_bucket(void **state)
{
	static struct kmt_hist h;

	(void)state;
	hist_fill(&h, 1000, 90);	/* 90 values of 1 us */
	hist_fill(&h, 200000, 9);	/* 9 values of 200 us */
	hist_fill(&h, 5000000, 1);	/* one of 5 ms */
	assert_int_equal(kmt_hist_quantile(&h, 0.50), kmt_hist_slot_upper(kmt_hist_slot(1000)));
	assert_int_equal(kmt_hist_quantile(&h, 0.90), kmt_hist_slot_upper(kmt_hist_slot(1000)));
	assert_int_equal(kmt_hist_quantile(&h, 0.91), kmt_hist_slot_upper(kmt_hist_slot(200000)));
	assert_int_equal(kmt_hist_quantile(&h, 0.99), kmt_hist_slot_upper(kmt_hist_slot(200000)));
	/* The top bucket's bound is capped by the exact max. */
	assert_int_equal(kmt_hist_quantile(&h, 0.999), 5000000);
	assert_int_equal(kmt_hist_quantile(&h, 1.0), 5000000);
	kmt_hist_free(&h);
}

static void empty_histogram_has_no_quantile(void **state)
{
	static struct kmt_hist h;
	struct kmt_latency_summary s;

	(void)state;
	s = kmt_hist_summary(&h);
	assert_int_equal(s.count, 0);
	assert_int_equal(s.p99, 0);
}

static void delta_and_merge_are_inverse(void **state)
{
	struct kmt_hist a = { 0 }, b = { 0 }, sum, back;

	(void)state;
	hist_fill(&a, 300, 5);
	hist_fill(&b, 70000, 3);
	hist_fill(&b, 300, 1);
	assert_int_equal(kmt_hist_copy(&sum, &a, NULL), 0);
	assert_int_equal(kmt_hist_merge(&sum, &b, NULL), 0);
	assert_int_equal(sum.count, 9);
	assert_int_equal(sum.max, 70000);
	assert_int_equal(sum.nr, 2);
	assert_int_equal(kmt_hist_delta(&back, &sum, &a, NULL), 0);
	assert_int_equal(back.nr, b.nr);
	for (uint32_t i = 0; i < b.nr; i++) {	/* field by field: a bucket has padding */
		assert_int_equal(back.buckets[i].slot, b.buckets[i].slot);
		assert_int_equal(back.buckets[i].count, b.buckets[i].count);
	}
	assert_int_equal(back.count, 4);
	assert_int_equal(back.sum, b.sum);
	kmt_hist_free(&back);
	assert_int_equal(kmt_hist_delta(&back, &a, &a, NULL), 0);
	assert_int_equal(back.count, 0);
	assert_int_equal(back.max, 0);
	assert_int_equal(back.nr, 0);
	kmt_hist_free(&back);
	kmt_hist_free(&a);
	kmt_hist_free(&b);
	kmt_hist_free(&sum);
}

static struct kmt_hist_chunk *chunk_of(struct kmt_hist_chunk *chunks, uint64_t value)
{
	return &chunks[kmt_hist_slot(value) / KMT_HIST_CHUNK_SLOTS];
}

static __u64 *slot_of(struct kmt_hist_chunk *chunks, uint64_t value)
{
	return &chunk_of(chunks, value)->slots[kmt_hist_slot(value) % KMT_HIST_CHUNK_SLOTS];
}

/*
 * delta(a + b, a) is b, bucket by bucket, for random sparse histograms; a
 * slot of prev that cur lacks (which growing counts never make) is passed
 * over, not subtracted from another.
 */
static void delta_subtracts_bucket_by_bucket(void **state)
{
	struct kmt_hist odd = { 0 }, back;

	(void)state;
	srand(14);
	for (int round = 0; round < 300; round++) {
		struct kmt_hist a = { 0 }, b = { 0 }, sum;

		for (int k = rand() % 24; k > 0; k--)
			hist_fill(&a, (__u64)rand() % 100000000, 1 + (__u64)(rand() % 5));
		for (int k = rand() % 24; k > 0; k--)
			hist_fill(&b, (__u64)rand() % 100000000, 1 + (__u64)(rand() % 5));
		assert_int_equal(kmt_hist_copy(&sum, &a, NULL), 0);
		assert_int_equal(kmt_hist_merge(&sum, &b, NULL), 0);
		assert_int_equal(kmt_hist_delta(&back, &sum, &a, NULL), 0);
		assert_int_equal(back.nr, b.nr);
		for (uint32_t i = 0; i < b.nr; i++) {
			assert_int_equal(back.buckets[i].slot, b.buckets[i].slot);
			assert_int_equal(back.buckets[i].count, b.buckets[i].count);
		}
		assert_int_equal(back.count, b.count);
		kmt_hist_free(&back);
		kmt_hist_free(&sum);
		kmt_hist_free(&b);
		kmt_hist_free(&a);
	}
	hist_fill(&odd, 300, 2);
	hist_fill(&odd, 70000, 5);
	{
		struct kmt_hist prev = { 0 };

		hist_fill(&prev, 300, 1);
		hist_fill(&prev, 5000, 1);	/* not in odd */
		hist_fill(&prev, 70000, 2);
		assert_int_equal(kmt_hist_delta(&back, &odd, &prev, NULL), 0);
		assert_int_equal(back.nr, 2);
		assert_int_equal(back.buckets[0].count, 1);
		assert_int_equal(back.buckets[1].count, 3);
		kmt_hist_free(&back);
		kmt_hist_free(&prev);
	}
	kmt_hist_free(&odd);
}

/*
 * A histogram's chunks, added in whatever order the map gives them, make
 * one histogram: the non-empty slots in order, their sum as count, the
 * chunks' sums added and their maxes' max.
 */
static void chunks_add_up_to_one_histogram(void **state)
{
	static struct kmt_hist_chunk c[KMT_HIST_CHUNKS];
	const uint32_t order[] = { KMT_HIST_CHUNKS - 1, 0, kmt_hist_slot(1000) / KMT_HIST_CHUNK_SLOTS };
	struct kmt_hist h = { 0 };

	(void)state;
	*slot_of(c, 1ULL << 40) = 2;
	chunk_of(c, 1ULL << 40)->sum = 2ULL << 40;
	chunk_of(c, 1ULL << 40)->max = 1ULL << 40;
	/* Past the last slot: no layout has it, so it is not counted. */
	c[KMT_HIST_CHUNKS - 1].slots[KMT_HIST_CHUNK_SLOTS - 1] = 5;
	*slot_of(c, 1000) = 7;
	chunk_of(c, 1000)->sum = 7000;
	chunk_of(c, 1000)->max = 1000;
	*slot_of(c, 1) = 1;
	chunk_of(c, 1)->sum = 1;
	chunk_of(c, 1)->max = 1;
	for (size_t i = 0; i < sizeof(order) / sizeof(order[0]); i++)
		assert_int_equal(kmt_hist_add_chunk(&h, &c[order[i]], order[i], NULL), 0);
	assert_int_equal(h.nr, 3);
	assert_int_equal(h.buckets[0].slot, 0);
	assert_int_equal(h.buckets[1].slot, kmt_hist_slot(1000));
	assert_int_equal(h.buckets[1].count, 7);
	assert_int_equal(h.buckets[2].slot, KMT_HIST_SLOTS - 1);
	assert_int_equal(h.count, 10);
	assert_int_equal(h.sum, (2ULL << 40) + 7001);
	assert_int_equal(h.max, 1ULL << 40);
	/* An empty chunk adds nothing. */
	assert_int_equal(kmt_hist_add_chunk(&h, &c[1 + order[2]], 1 + order[2], NULL), 0);
	assert_int_equal(h.nr, 3);
	assert_int_equal(h.count, 10);
	kmt_hist_free(&h);
}

/*
 * Histograms made in an arena (a snapshot's) are freed with it, not one by
 * one; merging one into a histogram of the heap copies its buckets.
 */
static void arena_histograms_go_with_their_arena(void **state)
{
	static struct kmt_hist_chunk c[KMT_HIST_CHUNKS];
	const uint32_t chunk = kmt_hist_slot(1000) / KMT_HIST_CHUNK_SLOTS;
	struct kmt_arena *arena = NULL;
	struct kmt_hist made[300] = { 0 }, total = { 0 };

	(void)state;
	/* Both in one chunk. */
	assert_ptr_equal(chunk_of(c, 1500), &c[chunk]);
	*slot_of(c, 1000) = 2;
	*slot_of(c, 1500) = 1;
	c[chunk].sum = 3500;
	c[chunk].max = 1500;
	/* Enough buckets for several blocks. */
	for (int i = 0; i < 300; i++) {
		assert_int_equal(kmt_hist_add_chunk(&made[i], &c[chunk], chunk, &arena), 0);
		assert_true(made[i].in_arena);
		assert_int_equal(made[i].nr, 2);
	}
	assert_int_equal(kmt_hist_delta(&made[0], &made[1], &made[2], &arena), 0);
	assert_int_equal(made[0].count, 0);
	assert_int_equal(kmt_hist_merge(&total, &made[299], NULL), 0);
	assert_int_equal(kmt_hist_merge(&total, &made[298], NULL), 0);
	assert_false(total.in_arena);
	kmt_hist_free(&made[1]);	/* the arena's: nothing freed here */
	kmt_arena_free(arena);
	arena = NULL;
	assert_int_equal(total.nr, 2);
	assert_int_equal(total.buckets[0].count, 4);
	assert_int_equal(total.count, 6);
	assert_int_equal(total.sum, 7000);
	kmt_hist_free(&total);
	assert_null(kmt_arena_alloc(&arena, SIZE_MAX - 8));
	assert_null(arena);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(every_bound_lands_in_its_own_bucket),
		cmocka_unit_test(bounds_increase_and_cover_ten_seconds),
		cmocka_unit_test(small_and_huge_values),
		cmocka_unit_test(resolution_is_one_sixteenth_from_100ns),
		cmocka_unit_test(quantiles_pick_the_ranked_bucket),
		cmocka_unit_test(empty_histogram_has_no_quantile),
		cmocka_unit_test(delta_and_merge_are_inverse),
		cmocka_unit_test(delta_subtracts_bucket_by_bucket),
		cmocka_unit_test(chunks_add_up_to_one_histogram),
		cmocka_unit_test(arena_histograms_go_with_their_arena),
	};

	return cmocka_run_group_tests_name("hist", tests, NULL, NULL);
}
