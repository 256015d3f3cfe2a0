// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The live view's drawing on a virtual ncurses screen (no pty: output to
 * /dev/null, the screen read back with winnstr): columns follow the
 * backends' capabilities, narrow screens keep their layout, and the
 * drill-down draws lock-wait histograms, which only POWER hosts produce.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <curses.h>
#include "live_draw.h"
#include "model_fixture.h"
#include "select_fixture.h"

struct fixture {
	SCREEN *screen;
	FILE *out, *in;
	struct kmt_selection sel;
	struct kmt_snapshot snap;
	struct kmt_live_model model;
	struct kmt_live_ui ui;
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	f->out = fopen("/dev/null", "w");
	f->in = fopen("/dev/null", "r");
	f->screen = newterm("xterm", f->out, f->in);
	if (!f->screen)
		return -1;
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	endwin();
	delscreen(f->screen);
	fclose(f->out);
	fclose(f->in);
	kmt_live_free(&f->model);
	kmt_snapshot_free(&f->snap);
	free(f);
	return 0;
}

/* One guest "web" (pid 4242: 35 exits, 30 VMM-part samples) under the descriptors for bits. */
static void load(struct fixture *f, uint32_t bits, const char *machine)
{
	const uint32_t pid[] = { 4242 };
	struct kmt_interval iv = { .delta = &f->snap, .seconds = 1.0, .probes = "p" };

	assert_int_equal(select_for(&f->sel, bits, machine), 0);
	make_snapshot(&f->snap, pid, 1, 1);
	strcpy(f->snap.guests[0].name, "web");
	f->snap.backends = &f->sel;
	hist_fill(&f->snap.guests[0].hist[KMT_HIST_KERNEL], 500, 35);
	hist_fill(&f->snap.guests[0].locks[KMT_LOCK_HPTE].wait, 3, 10);
	f->snap.guests[0].locks[KMT_LOCK_HPTE].acquired = 40;
	hist_fill(&f->snap.guests[0].locks[KMT_LOCK_MMU].wait, 5000, 4);
	hist_fill(&f->snap.guests[0].locks[KMT_LOCK_OTHER].wait, 800, 6);
	kmt_live_init(&f->model, 0);
	assert_int_equal(kmt_live_update(&f->model, &iv, 1000000000ULL), 0);
	assert_int_equal(kmt_live_rows(&f->model), 0);
	f->ui = (struct kmt_live_ui){ .model = &f->model, .interval_s = 1.0, .selected = 4242 };
}

static void draw_at(struct fixture *f, int cols, int rows, enum kmt_live_screen screen)
{
	resizeterm(rows, cols);
	f->ui.screen = screen;
	kmt_live_draw(&f->ui);
}

static const char *line_at(int y)
{
	static char buf[512];

	mvwinnstr(stdscr, y, 0, buf, COLS < (int)sizeof(buf) - 1 ? COLS : (int)sizeof(buf) - 1);
	return buf;
}

/* The first line containing text, or -1. */
static int find_line(const char *text)
{
	for (int y = 0; y < LINES; y++)
		if (strstr(line_at(y), text))
			return y;
	return -1;
}

/* Sum of the counts of histogram rows ("<=bound count bar") from line y on, in the column at x. */
static uint64_t bar_sum(int y, int x)
{
	uint64_t sum = 0;

	for (y++; y < LINES - 1; y++) {
		const char *l = line_at(y) + x;
		char bound[32];
		unsigned long long n;

		if (sscanf(l, " %31s %llu", bound, &n) != 2 || strncmp(bound, "<=", 2))
			break;
		sum += n;
	}
	return sum;
}

static void columns_follow_capabilities(void **state)
{
	struct fixture *f = *state;

	load(f, EVS_STOCK, "x86_64");
	draw_at(f, 200, 60, KMT_SCREEN_LIST);
	assert_true(find_line("VMM max") == 3);
	/* Neither the kernel part nor a lock series is measured: no columns for them. */
	assert_int_equal(find_line("KRN p50"), -1);
	assert_int_equal(find_line("LOCK p99"), -1);
	assert_true(find_line("4242 web") > 3);
	kmt_live_free(&f->model);
	kmt_snapshot_free(&f->snap);

	load(f, EVS_POWER, "ppc64le");
	draw_at(f, 200, 60, KMT_SCREEN_LIST);
	assert_int_equal(find_line("KRN p50"), 3);
	/* One column per lock series, titled as in the batch table, in its unit. */
	assert_int_equal(find_line("HPTE p99"), 3);
	assert_int_equal(find_line("LOCK p99"), -1);
	assert_non_null(strstr(line_at(4), "       3 "));
	assert_true(find_line("backend kvm_hv: counts vmm_part kernel_part regions  locks: hpte (retries, all acquisitions)") == 1);
}

static void narrow_screen_keeps_rows_and_footer(void **state)
{
	struct fixture *f = *state;

	load(f, EVS_POWER, "ppc64le");
	draw_at(f, 80, 24, KMT_SCREEN_LIST);
	assert_int_equal(find_line("kvm-mmio-top "), 0);
	assert_int_equal(strncmp(line_at(3), "    PID NAME", 12), 0);
	assert_int_equal(strncmp(line_at(4), "   4242 web", 11), 0);
	assert_int_equal(strncmp(line_at(23), "h help", 6), 0);
	/* What cannot fit is left out whole, never cut. */
	assert_int_equal(find_line("VMM max"), -1);
	draw_at(f, 40, 10, KMT_SCREEN_LIST);
	assert_int_equal(strncmp(line_at(4), "   4242 web", 11), 0);
}

static void drill_down_draws_latency_and_lock_wait_bars(void **state)
{
	struct fixture *f = *state;
	int y;

	load(f, EVS_POWER, "ppc64le");
	draw_at(f, 200, 60, KMT_SCREEN_GUEST);
	assert_int_equal(find_line("guest web  pid 4242  vCPUs 2"), 1);
	y = find_line("VMM part latency (30 exits)");
	assert_true(y > 0);
	assert_int_equal(bar_sum(y, 0), 30);
	assert_non_null(strstr(line_at(y), "kernel part latency (35 exits)"));
	assert_int_equal(bar_sum(y, 100), 35);
	y = find_line("lock hpte wait p99 3 retries, 40 acquired (10 waits)");
	assert_true(y > 0);
	assert_int_equal(bar_sum(y, 0), 10);
	/* The same on 80x24. */
	draw_at(f, 80, 24, KMT_SCREEN_GUEST);
	y = find_line("VMM part latency (30 exits)");
	assert_true(y > 0);
	assert_int_equal(bar_sum(y, 0), 30);
	assert_true(find_line("lock hpte wait p99") > y);
	assert_int_equal(strncmp(line_at(23), "Esc back", 8), 0);
}

static void ns_lock_series_in_columns_and_side_by_side(void **state)
{
	struct fixture *f = *state;
	int y;

	load(f, EVS_EXITS | EVS_LOCKS, "x86_64");
	assert_int_equal(f->sel.nr_locks, 2);
	draw_at(f, 200, 60, KMT_SCREEN_LIST);
	assert_int_equal(find_line("MMU p99 LOCK p99"), 3);
	assert_non_null(strstr(line_at(4), "     5us    800ns "));
	draw_at(f, 200, 60, KMT_SCREEN_GUEST);
	y = find_line("lock mmu_lock wait p99 5us (4 waits)");
	assert_true(y > 0);
	assert_non_null(strstr(line_at(y), "lock other wait p99 800ns (6 waits)"));
	assert_int_equal(bar_sum(y, 0), 4);
	assert_int_equal(bar_sum(y, 100), 6);
}

/* Tiny terminals: nothing to assert but that drawing stays in bounds (ASan). */
static void tiny_screens_do_not_break(void **state)
{
	struct fixture *f = *state;
	const int sizes[][2] = { { 1, 1 }, { 10, 3 }, { 30, 6 }, { 300, 2 }, { 2, 100 } };

	load(f, EVS_EXITS | EVS_LOCKS, "x86_64");
	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++)
		for (int s = KMT_SCREEN_LIST; s <= KMT_SCREEN_HELP; s++)
			draw_at(f, sizes[i][0], sizes[i][1], (enum kmt_live_screen)s);
	f->ui.prompt = KMT_PROMPT_NAME;
	strcpy(f->ui.input, "a-very-long-filter-text-typed-in-a-narrow-terminal");
	draw_at(f, 10, 3, KMT_SCREEN_LIST);
}

static void help_lists_the_keys(void **state)
{
	struct fixture *f = *state;

	load(f, EVS_STOCK, "x86_64");
	draw_at(f, 80, 24, KMT_SCREEN_HELP);
	assert_int_equal(find_line("kvm-mmio-top: keys"), 0);
	assert_true(find_line("q             quit") > 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(columns_follow_capabilities, setup, teardown),
		cmocka_unit_test_setup_teardown(narrow_screen_keeps_rows_and_footer, setup, teardown),
		cmocka_unit_test_setup_teardown(drill_down_draws_latency_and_lock_wait_bars, setup,
						teardown),
		cmocka_unit_test_setup_teardown(ns_lock_series_in_columns_and_side_by_side, setup,
						teardown),
		cmocka_unit_test_setup_teardown(tiny_screens_do_not_break, setup, teardown),
		cmocka_unit_test_setup_teardown(help_lists_the_keys, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
