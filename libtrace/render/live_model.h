/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The live view's state, without a terminal: totals since start (or the
 * last reset), a short history of exits/s per guest, the sort column and
 * the filters, and the rows and histogram bars they yield. live_draw.c
 * draws what this derives; live_view.c drives both from the poller.
 */
#ifndef KMT_LIVE_MODEL_H
#define KMT_LIVE_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "hist.h"
#include "poller.h"

/* Samples of exits/s kept per guest: the last minute at the default interval. */
#define KMT_LIVE_HISTORY 60

/* Columns of the guest table, in the order they are shown. */
enum kmt_live_col {
	KMT_COL_PID,
	KMT_COL_NAME,
	KMT_COL_VCPUS,
	KMT_COL_RATE,		/* exits/s in the last interval */
	KMT_COL_EXITS,
	KMT_COL_READS,
	KMT_COL_WRITES,
	KMT_COL_KERNEL,		/* completed in the kernel */
	KMT_COL_VMM,		/* completed by the VMM */
	KMT_COL_VMM_P50,
	KMT_COL_VMM_P99,
	KMT_COL_VMM_MAX,
	KMT_COL_KRN_P50,
	KMT_COL_KRN_P99,
	KMT_COL_LOCK_P99,	/* one sub-column per lock series; sorts by the worst ns one */
	KMT_COL_HISTORY,	/* sparkline of exits/s; not sortable */
	KMT_LIVE_COLS,
};

/* The column's title as the table header shows it. */
const char *kmt_live_col_title(enum kmt_live_col col);

struct kmt_live_history {
	uint32_t pid;
	double rate[KMT_LIVE_HISTORY];	/* ring, oldest first from head */
	unsigned int len, head;
	bool exited;			/* the process has exited */
};

/* One guest as a table row: every figure derived once, here. */
struct kmt_live_row {
	const struct kmt_guest *guest;	/* in the totals or the last interval */
	const struct kmt_live_history *history;	/* NULL before its first interval */
	double rate;			/* exits/s in the last interval */
	struct kmt_mmio_counts n;
	struct kmt_latency_summary vmm, krn;
	uint64_t lock_p99;		/* the worst of the ns-unit lock series */
	bool lock_waited;		/* some ns-unit lock series waited */
	uint64_t lock_p99_of[KMT_LOCK_KINDS];	/* each series' p99, in its wait unit */
};

struct kmt_live_model {
	struct kmt_snapshot total;		/* since start or the last reset */
	const struct kmt_snapshot *last;	/* the last interval (the poller owns it) */
	double last_seconds;
	uint64_t reset_ns;			/* CLOCK_REALTIME of the last reset (or start) */
	uint64_t intervals;			/* read since start */
	struct kmt_live_history *history;	/* sorted by pid */
	size_t nr_history;
	/* What the user chose. */
	enum kmt_live_col sort;
	bool reverse;				/* the sort column's other direction */
	bool per_interval;			/* rows from the last interval, not the totals */
	char name_filter[64];			/* glob, or a substring when it has no glob chars */
	uint32_t pid_filter[64];
	size_t nr_pid_filter;
	/* Derived by kmt_live_rows(). */
	struct kmt_live_row *rows;
	size_t nr_rows, cap_rows;
};

void kmt_live_init(struct kmt_live_model *m, uint64_t realtime_ns);
void kmt_live_free(struct kmt_live_model *m);

/*
 * Takes one interval: adds it to the totals, pushes each guest's exits/s
 * into its history, forgets guests idle for a whole history. The interval
 * must stay valid until the next call (the poller keeps it so). Returns 0 or
 * -ENOMEM.
 */
int kmt_live_update(struct kmt_live_model *m, const struct kmt_interval *iv, uint64_t now_ns);

/* `r`: totals start again from zero; the history stays. */
void kmt_live_reset(struct kmt_live_model *m, uint64_t realtime_ns);

/* Sorting by col; the same column again flips the direction. */
void kmt_live_sort_by(struct kmt_live_model *m, enum kmt_live_col col);

/* "" clears the name filter. */
void kmt_live_filter_name(struct kmt_live_model *m, const char *text);

/* "4242", "1,2 3" or "" (clears). Returns 0, or -EINVAL with the model unchanged. */
int kmt_live_filter_pids(struct kmt_live_model *m, const char *text);

bool kmt_live_matches(const struct kmt_live_model *m, const struct kmt_guest *g);

/* Derives m->rows from the totals (or the last interval): filtered, sorted. -ENOMEM or 0. */
int kmt_live_rows(struct kmt_live_model *m);

/* The history of pid, or NULL. */
const struct kmt_live_history *kmt_live_history_of(const struct kmt_live_model *m, uint32_t pid);

/*
 * The last width samples of h as levels 0..8 (0: no exits; 1..8 scaled to
 * the largest sample shown, any non-zero sample at least 1), right-aligned
 * in levels[0..width). Returns how many samples there were (<= width).
 */
size_t kmt_live_sparkline(const struct kmt_live_history *h, size_t width, unsigned char *levels);

/* A bar of width cells for count out of max: 0 for 0, else at least 1. */
unsigned int kmt_live_bar_len(uint64_t count, uint64_t max, unsigned int width);

/* Histograms drawn as rows of bars, several histograms on the same rows. */
#define KMT_LIVE_BARS_MAX 2

struct kmt_live_bars {
	size_t nr_rows;
	unsigned int first_slot, step;	/* row r holds slots [first + r*step, first + (r+1)*step) */
	uint64_t upper[KMT_HIST_SLOTS];	/* row r's upper bound (the value kind's unit) */
	uint64_t count[KMT_LIVE_BARS_MAX][KMT_HIST_SLOTS];
	uint64_t max;			/* the largest count of any row: bars scale to it */
};

/*
 * Groups the slots of n histograms (n <= KMT_LIVE_BARS_MAX; NULL ones are
 * empty) into at most max_rows rows spanning every non-empty slot, as fine
 * as that allows (steps of a power of two slots, aligned). The counts of a
 * histogram's rows add up to its count.
 */
void kmt_live_bars(struct kmt_live_bars *bars, const struct kmt_hist *const *hists, size_t n,
		   size_t max_rows);

#endif /* KMT_LIVE_MODEL_H */
