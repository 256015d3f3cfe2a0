// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Histogram layout shared with BPF: seams, monotonicity, resolution, quantiles. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
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
	static struct kmt_hist a, b, sum, back;

	(void)state;
	hist_fill(&a, 300, 5);
	hist_fill(&b, 70000, 3);
	sum = a;
	kmt_hist_merge(&sum, &b);
	assert_int_equal(sum.count, 8);
	assert_int_equal(sum.max, 70000);
	kmt_hist_delta(&back, &sum, &a);
	assert_memory_equal(back.slots, b.slots, sizeof(b.slots));
	assert_int_equal(back.count, 3);
	assert_int_equal(back.sum, b.sum);
	kmt_hist_delta(&back, &a, &a);
	assert_int_equal(back.count, 0);
	assert_int_equal(back.max, 0);
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
	};

	return cmocka_run_group_tests_name("hist", tests, NULL, NULL);
}
