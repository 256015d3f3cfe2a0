// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* The live view's model: totals, history, sort, filters, sparkline and bar math. */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "live_model.h"
#include "model_fixture.h"
#include "select_fixture.h"

#define SEC 1000000000ULL

/* An interval of guests with these pids; each guest's figures times scale. */
static void interval_of(struct kmt_snapshot *snap, struct kmt_interval *iv, const uint32_t *pids,
			size_t n, uint64_t scale, const struct kmt_selection *sel)
{
	make_snapshot(snap, pids, n, scale);
	snap->backends = sel;
	*iv = (struct kmt_interval){ .delta = snap, .seconds = 1.0, .probes = "p" };
}

static uint32_t row_pid(const struct kmt_live_model *m, size_t i)
{
	assert_true(i < m->nr_rows);
	return m->rows[i].guest->pid;
}

static void totals_add_up_and_reset_keeps_history(void **state)
{
	const uint32_t pids[] = { 10, 20 };
	struct kmt_snapshot a, b;
	struct kmt_interval ia, ib;
	struct kmt_selection sel;
	struct kmt_live_model m;

	(void)state;
	assert_int_equal(select_for(&sel, EVS_STOCK, "x86_64"), 0);
	kmt_live_init(&m, 0);
	interval_of(&a, &ia, pids, 2, 1, &sel);
	interval_of(&b, &ib, pids, 1, 2, &sel);
	assert_int_equal(kmt_live_update(&m, &ia, 1 * SEC), 0);
	assert_int_equal(kmt_live_update(&m, &ib, 2 * SEC), 0);
	assert_int_equal(kmt_live_rows(&m), 0);
	/* 35 exits per scale: guest 10 had 35 + 70, guest 20 only 35 (and none last). */
	assert_int_equal(m.nr_rows, 2);
	assert_int_equal(row_pid(&m, 0), 10);
	assert_int_equal(m.rows[0].n.exits, 105);
	assert_true(m.rows[0].rate == 70.0);
	assert_int_equal(m.rows[1].n.exits, 35);
	assert_true(m.rows[1].rate == 0.0);
	assert_int_equal(m.rows[0].vmm.count, 90);
	/* t: the last interval only. */
	m.per_interval = true;
	assert_int_equal(kmt_live_rows(&m), 0);
	assert_int_equal(m.nr_rows, 1);
	assert_int_equal(m.rows[0].n.exits, 70);
	m.per_interval = false;

	kmt_live_reset(&m, 5);
	assert_int_equal(kmt_live_rows(&m), 0);
	assert_int_equal(m.nr_rows, 0);
	assert_ptr_equal(m.total.backends, &sel);
	assert_int_equal(kmt_live_history_of(&m, 10)->len, 2);
	assert_int_equal(kmt_live_history_of(&m, 20)->len, 2);

	kmt_live_free(&m);
	kmt_snapshot_free(&a);
	kmt_snapshot_free(&b);
}

static void history_is_a_ring_of_the_last_minute(void **state)
{
	const uint32_t pid[] = { 7 };
	struct kmt_live_model m;
	struct kmt_snapshot s;
	struct kmt_interval iv;
	unsigned char levels[8];
	const struct kmt_live_history *h;

	(void)state;
	kmt_live_init(&m, 0);
	/* 70 intervals with 35*k exits in interval k (k = 1..70). */
	for (uint64_t k = 1; k <= 70; k++) {
		interval_of(&s, &iv, pid, 1, k, NULL);
		assert_int_equal(kmt_live_update(&m, &iv, k * SEC), 0);
		kmt_snapshot_free(&s);
	}
	h = kmt_live_history_of(&m, 7);
	assert_non_null(h);
	assert_int_equal(h->len, KMT_LIVE_HISTORY);
	assert_true(h->rate[h->head] == 35.0 * 11);
	assert_true(h->rate[(h->head + KMT_LIVE_HISTORY - 1) % KMT_LIVE_HISTORY] == 35.0 * 70);
	/* The last 8 samples (63..70) scaled to the largest: 70 is full height. */
	assert_int_equal(kmt_live_sparkline(h, 8, levels), 8);
	assert_int_equal(levels[7], 8);
	assert_int_equal(levels[0], (unsigned char)(63.0 / 70 * 8 + 0.5));
	kmt_live_free(&m);
}

static void sparkline_pads_left_and_shows_any_exit(void **state)
{
	struct kmt_live_history h = { .pid = 1, .rate = { 1000, 1, 0 }, .len = 3 };
	unsigned char levels[6];

	(void)state;
	assert_int_equal(kmt_live_sparkline(&h, 6, levels), 3);
	assert_memory_equal(levels, ((unsigned char[]){ 0, 0, 0, 8, 1, 0 }), 6);
	assert_int_equal(kmt_live_sparkline(NULL, 6, levels), 0);
	assert_memory_equal(levels, ((unsigned char[]){ 0, 0, 0, 0, 0, 0 }), 6);
}

static void idle_exited_guest_leaves_after_a_history(void **state)
{
	const uint32_t pid[] = { 9 };
	struct kmt_live_model m;
	struct kmt_snapshot s, empty = { 0 };
	struct kmt_interval iv, idle = { .delta = &empty, .seconds = 1.0 };

	(void)state;
	kmt_live_init(&m, 0);
	interval_of(&s, &iv, pid, 1, 1, NULL);
	s.guests[0].exited = true;
	assert_int_equal(kmt_live_update(&m, &iv, 1 * SEC), 0);
	assert_true(kmt_live_history_of(&m, 9)->exited);
	for (uint64_t k = 2; k <= KMT_LIVE_HISTORY; k++)
		assert_int_equal(kmt_live_update(&m, &idle, k * SEC), 0);
	assert_non_null(kmt_snapshot_latest(&m.total, 9));
	for (uint64_t k = KMT_LIVE_HISTORY + 1; k <= KMT_LIVE_HISTORY + 2; k++)
		assert_int_equal(kmt_live_update(&m, &idle, k * SEC), 0);
	assert_null(kmt_snapshot_latest(&m.total, 9));
	assert_null(kmt_live_history_of(&m, 9));
	kmt_live_free(&m);
	kmt_snapshot_free(&s);
}

static void sort_by_column_and_reverse(void **state)
{
	const uint32_t pids[] = { 1, 2, 3 };
	const uint64_t scale[] = { 3, 1, 2 };
	struct kmt_live_model m;
	struct kmt_snapshot s;
	struct kmt_interval iv;

	(void)state;
	kmt_live_init(&m, 0);
	make_snapshot(&s, pids, 3, 1);
	for (size_t i = 0; i < 3; i++) {
		kmt_guest_free(&s.guests[i]);
		make_guest(&s.guests[i], pids[i], scale[i]);
	}
	strcpy(s.guests[0].name, "web-b");
	strcpy(s.guests[1].name, "db");
	strcpy(s.guests[2].name, "web-a");
	iv = (struct kmt_interval){ .delta = &s, .seconds = 1.0 };
	assert_int_equal(kmt_live_update(&m, &iv, SEC), 0);

	/* Default: busiest first. */
	assert_int_equal(kmt_live_rows(&m), 0);
	assert_int_equal(row_pid(&m, 0), 1);
	assert_int_equal(row_pid(&m, 1), 3);
	assert_int_equal(row_pid(&m, 2), 2);
	/* Names A to Z; the same column again reverses. */
	kmt_live_sort_by(&m, KMT_COL_NAME);
	assert_int_equal(kmt_live_rows(&m), 0);
	assert_string_equal(m.rows[0].guest->name, "db");
	assert_string_equal(m.rows[2].guest->name, "web-b");
	kmt_live_sort_by(&m, KMT_COL_NAME);
	assert_true(m.reverse);
	assert_int_equal(kmt_live_rows(&m), 0);
	assert_string_equal(m.rows[0].guest->name, "web-b");
	/* Another column starts in its natural direction; pid ascending. */
	kmt_live_sort_by(&m, KMT_COL_PID);
	assert_false(m.reverse);
	assert_int_equal(kmt_live_rows(&m), 0);
	assert_int_equal(row_pid(&m, 0), 1);
	assert_int_equal(row_pid(&m, 2), 3);
	/* The history column is not a sort key. */
	kmt_live_sort_by(&m, KMT_COL_HISTORY);
	assert_int_equal(m.sort, KMT_COL_PID);
	kmt_live_free(&m);
	kmt_snapshot_free(&s);
}

static void filters_by_name_and_pid(void **state)
{
	const uint32_t pids[] = { 1, 2, 3 };
	struct kmt_live_model m;
	struct kmt_snapshot s;
	struct kmt_interval iv;

	(void)state;
	kmt_live_init(&m, 0);
	interval_of(&s, &iv, pids, 3, 1, NULL);
	strcpy(s.guests[0].name, "web-1");
	strcpy(s.guests[1].name, "db-1");
	strcpy(s.guests[2].name, "web-2");
	assert_int_equal(kmt_live_update(&m, &iv, SEC), 0);
	kmt_live_sort_by(&m, KMT_COL_PID);

	kmt_live_filter_name(&m, "web*");
	assert_int_equal(kmt_live_rows(&m), 0);
	assert_int_equal(m.nr_rows, 2);
	/* Without glob characters: a substring. */
	kmt_live_filter_name(&m, "b-");
	assert_int_equal(kmt_live_rows(&m), 0);
	assert_int_equal(m.nr_rows, 3);
	kmt_live_filter_name(&m, "db");
	assert_int_equal(kmt_live_rows(&m), 0);
	assert_int_equal(m.nr_rows, 1);
	assert_int_equal(row_pid(&m, 0), 2);
	kmt_live_filter_name(&m, "");

	assert_int_equal(kmt_live_filter_pids(&m, "3, 1"), 0);
	assert_int_equal(kmt_live_rows(&m), 0);
	assert_int_equal(m.nr_rows, 2);
	assert_int_equal(row_pid(&m, 0), 1);
	assert_int_equal(row_pid(&m, 1), 3);
	/* A bad list changes nothing. */
	assert_int_equal(kmt_live_filter_pids(&m, "2,x"), -EINVAL);
	assert_int_equal(kmt_live_filter_pids(&m, "0"), -EINVAL);
	assert_int_equal(m.nr_pid_filter, 2);
	assert_int_equal(kmt_live_filter_pids(&m, ""), 0);
	assert_int_equal(kmt_live_rows(&m), 0);
	assert_int_equal(m.nr_rows, 3);
	kmt_live_free(&m);
	kmt_snapshot_free(&s);
}

static void lock_p99_from_ns_series_only(void **state)
{
	const uint32_t pid[] = { 5 };
	const struct kmt_backend ns_lock = { .name = "spin", .role = KMT_ROLE_LOCK,
					     .lock = KMT_LOCK_HPTE, .wait_unit = "ns" };
	struct kmt_selection sel;
	struct kmt_live_model m;
	struct kmt_snapshot s;
	struct kmt_interval iv;

	(void)state;
	assert_int_equal(select_for(&sel, EVS_POWER, "ppc64le"), 0);
	assert_int_equal(sel.nr_locks, 1);
	kmt_live_init(&m, 0);
	interval_of(&s, &iv, pid, 1, 1, &sel);
	hist_fill(&s.guests[0].locks[KMT_LOCK_HPTE].wait, 3, 10);
	assert_int_equal(kmt_live_update(&m, &iv, SEC), 0);
	assert_int_equal(kmt_live_rows(&m), 0);
	/* The POWER HPTE lock waits in retries: no ns figure to show. */
	assert_false(m.rows[0].lock_waited);
	sel.locks[0] = &ns_lock;
	assert_int_equal(kmt_live_rows(&m), 0);
	assert_true(m.rows[0].lock_waited);
	assert_int_equal(m.rows[0].lock_p99, 3);
	kmt_live_free(&m);
	kmt_snapshot_free(&s);
}

static void bar_length_scales_and_shows_any_count(void **state)
{
	(void)state;
	assert_int_equal(kmt_live_bar_len(0, 100, 40), 0);
	assert_int_equal(kmt_live_bar_len(100, 100, 40), 40);
	assert_int_equal(kmt_live_bar_len(50, 100, 40), 20);
	assert_int_equal(kmt_live_bar_len(1, 1000000, 40), 1);
	assert_int_equal(kmt_live_bar_len(5, 0, 40), 0);
	assert_int_equal(kmt_live_bar_len(5, 5, 0), 0);
}

static uint64_t row_sum(const struct kmt_live_bars *b, size_t h)
{
	uint64_t sum = 0;

	for (size_t r = 0; r < b->nr_rows; r++)
		sum += b->count[h][r];
	return sum;
}

static void bars_add_up_to_the_count_at_any_height(void **state)
{
	static struct kmt_live_bars bars;
	struct kmt_hist vmm = { 0 }, krn = { 0 };
	const struct kmt_hist *both[2] = { &vmm, &krn };

	(void)state;
	hist_fill(&vmm, 2000, 100);
	hist_fill(&vmm, 2100, 7);
	hist_fill(&vmm, 30000000, 3);
	hist_fill(&vmm, 1ULL << 40, 1);	/* beyond the last bound: the last slot */
	hist_fill(&krn, 700, 50);
	for (size_t max_rows = 1; max_rows <= 40; max_rows++) {
		kmt_live_bars(&bars, both, 2, max_rows);
		assert_true(bars.nr_rows >= 1 && bars.nr_rows <= max_rows);
		assert_int_equal(row_sum(&bars, 0), vmm.count);
		assert_int_equal(row_sum(&bars, 1), krn.count);
		/* Rows are aligned power-of-two steps, bounds increasing. */
		assert_int_equal(bars.first_slot % bars.step, 0);
		for (size_t r = 1; r < bars.nr_rows; r++)
			assert_true(bars.upper[r] > bars.upper[r - 1]);
	}
	/* With room, one slot per row: 2000 and 2100 ns apart, 700 ns first. */
	kmt_live_bars(&bars, both, 2, KMT_HIST_SLOTS);
	assert_int_equal(bars.step, 1);
	assert_int_equal(bars.first_slot, kmt_hist_slot(700));
	assert_int_equal(bars.count[1][0], 50);
	assert_int_equal(bars.upper[0], kmt_hist_slot_upper(kmt_hist_slot(700)));
	assert_int_equal(bars.max, 100);
	/* Nothing at all: no rows. */
	kmt_hist_free(&vmm);
	kmt_hist_free(&krn);
	kmt_live_bars(&bars, both, 2, 10);
	assert_int_equal(bars.nr_rows, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(totals_add_up_and_reset_keeps_history),
		cmocka_unit_test(history_is_a_ring_of_the_last_minute),
		cmocka_unit_test(sparkline_pads_left_and_shows_any_exit),
		cmocka_unit_test(idle_exited_guest_leaves_after_a_history),
		cmocka_unit_test(sort_by_column_and_reverse),
		cmocka_unit_test(filters_by_name_and_pid),
		cmocka_unit_test(lock_p99_from_ns_series_only),
		cmocka_unit_test(bar_length_scales_and_shows_any_count),
		cmocka_unit_test(bars_add_up_to_the_count_at_any_height),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
