/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Drawing the live view with ncurses: the guest table, one guest's page
 * (vCPUs, busiest pages, histograms as bars), the help. It draws what the
 * model derived and the view's state says; it reads no keys and owns no loop.
 */
#ifndef KMT_LIVE_DRAW_H
#define KMT_LIVE_DRAW_H

#include <stdbool.h>
#include <stdint.h>
#include "live_model.h"

enum kmt_live_screen {
	KMT_SCREEN_LIST,
	KMT_SCREEN_GUEST,
	KMT_SCREEN_HELP,
};

enum kmt_live_prompt {
	KMT_PROMPT_NONE,
	KMT_PROMPT_NAME,
	KMT_PROMPT_PID,
	KMT_PROMPT_INTERVAL,
};

struct kmt_live_ui {
	struct kmt_live_model *model;
	enum kmt_live_screen screen, back;	/* back: where Esc leaves help for */
	uint32_t selected;			/* the guest under the cursor, by pid */
	size_t cursor, scroll;			/* its row, and the first row shown */
	enum kmt_live_prompt prompt;
	char input[64];
	char message[160];			/* an error or a hint, until the next key */
	double interval_s;
	const char *cli_filter;			/* -p/-g as given, shown in the header */
	bool bpf_cost_known;
	double bpf_ms_per_s, cpu_percent;	/* the tool's own cost in the last interval */
	bool utf8;
	/* Filled by the last draw: the table's sortable columns, left to right. */
	enum kmt_live_col shown[KMT_LIVE_COLS];
	size_t nr_shown;
	size_t page_rows;			/* guest rows that fit */
};

/* Draws the whole screen for ui (erase, draw, refresh: no flicker). */
void kmt_live_draw(struct kmt_live_ui *ui);

#endif /* KMT_LIVE_DRAW_H */
