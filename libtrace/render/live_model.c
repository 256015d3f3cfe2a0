// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <errno.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "live_model.h"
#include "pid_index.h"

static const char *const titles[KMT_LIVE_COLS] = {
	[KMT_COL_PID] = "PID",		[KMT_COL_NAME] = "NAME",
	[KMT_COL_VCPUS] = "VCPUS",	[KMT_COL_RATE] = "EXITS/s",
	[KMT_COL_EXITS] = "EXITS",	[KMT_COL_READS] = "READS",
	[KMT_COL_WRITES] = "WRITES",	[KMT_COL_KERNEL] = "KERNEL",
	[KMT_COL_VMM] = "VMM",		[KMT_COL_VMM_P50] = "VMM p50",
	[KMT_COL_VMM_P99] = "VMM p99",	[KMT_COL_VMM_MAX] = "VMM max",
	[KMT_COL_KRN_P50] = "KRN p50",	[KMT_COL_KRN_P99] = "KRN p99",
	[KMT_COL_LOCK_P99] = "LOCK p99", [KMT_COL_HISTORY] = "EXITS/s HISTORY",
};

const char *kmt_live_col_title(enum kmt_live_col col)
{
	return col < KMT_LIVE_COLS ? titles[col] : "?";
}

void kmt_live_init(struct kmt_live_model *m, uint64_t realtime_ns)
{
	memset(m, 0, sizeof(*m));
	m->sort = KMT_COL_RATE;
	m->reset_ns = realtime_ns;
}

void kmt_live_free(struct kmt_live_model *m)
{
	kmt_snapshot_free(&m->total);
	free(m->history);
	free(m->rows);
	memset(m, 0, sizeof(*m));
}

static size_t history_index(const struct kmt_live_model *m, uint32_t pid)
{
	return kmt_pid_index(m->history, m->nr_history, sizeof(*m->history),
			     offsetof(struct kmt_live_history, pid), pid);
}

const struct kmt_live_history *kmt_live_history_of(const struct kmt_live_model *m, uint32_t pid)
{
	size_t at = history_index(m, pid);

	return at < m->nr_history && m->history[at].pid == pid ? &m->history[at] : NULL;
}

static struct kmt_live_history *history_get(struct kmt_live_model *m, uint32_t pid)
{
	size_t at = history_index(m, pid);
	struct kmt_live_history *h;

	if (at < m->nr_history && m->history[at].pid == pid)
		return &m->history[at];
	h = realloc(m->history, (m->nr_history + 1) * sizeof(*h));
	if (!h)
		return NULL;
	m->history = h;
	memmove(&h[at + 1], &h[at], (m->nr_history - at) * sizeof(*h));
	m->nr_history++;
	memset(&h[at], 0, sizeof(*h));
	h[at].pid = pid;
	return &h[at];
}

static void history_push(struct kmt_live_history *h, double rate)
{
	unsigned int at = (h->head + h->len) % KMT_LIVE_HISTORY;

	h->rate[at] = rate;
	if (h->len < KMT_LIVE_HISTORY)
		h->len++;
	else
		h->head = (h->head + 1) % KMT_LIVE_HISTORY;
}

/* Idle for a whole history, and not in the totals: nothing left to show. */
static bool history_idle(const struct kmt_live_history *h)
{
	if (h->len < KMT_LIVE_HISTORY)
		return false;
	for (unsigned int i = 0; i < h->len; i++)
		if (h->rate[i] > 0)
			return false;
	return true;
}

int kmt_live_update(struct kmt_live_model *m, const struct kmt_interval *iv, uint64_t now_ns)
{
	const struct kmt_snapshot *d = iv->delta;
	size_t kept = 0;
	int rc;

	m->last = d;
	m->last_seconds = iv->seconds;
	m->intervals++;
	rc = kmt_snapshot_add(&m->total, d, now_ns);
	if (rc)
		return rc;
	for (size_t i = 0; i < d->nr_guests; i++)
		if (!history_get(m, d->guests[i].pid))
			return -ENOMEM;
	for (size_t i = 0; i < m->nr_history; i++) {
		struct kmt_live_history *h = &m->history[i];
		const struct kmt_guest *g = kmt_snapshot_latest(d, h->pid);
		double rate = 0;

		if (g) {
			rate = iv->seconds > 0 ? kmt_guest_counts(g).exits / iv->seconds : 0;
			h->exited = g->exited;
		}
		history_push(h, rate);
	}
	/* A guest idle for a whole history leaves the totals, then its history goes. */
	kmt_snapshot_expire(&m->total, now_ns, (uint64_t)(KMT_LIVE_HISTORY * iv->seconds * 1e9));
	for (size_t i = 0; i < m->nr_history; i++) {
		struct kmt_live_history *h = &m->history[i];

		if (history_idle(h) && !kmt_snapshot_latest(&m->total, h->pid))
			continue;
		m->history[kept++] = *h;
	}
	m->nr_history = kept;
	return 0;
}

void kmt_live_reset(struct kmt_live_model *m, uint64_t realtime_ns)
{
	const struct kmt_selection *backends = m->total.backends;

	kmt_snapshot_free(&m->total);
	memset(&m->total, 0, sizeof(m->total));
	m->total.backends = backends;
	m->reset_ns = realtime_ns;
	m->nr_rows = 0;
}

void kmt_live_sort_by(struct kmt_live_model *m, enum kmt_live_col col)
{
	if (col >= KMT_COL_HISTORY)
		return;
	if (m->sort == col)
		m->reverse = !m->reverse;
	else
		m->reverse = false;
	m->sort = col;
}

void kmt_live_filter_name(struct kmt_live_model *m, const char *text)
{
	snprintf(m->name_filter, sizeof(m->name_filter), "%s", text);
}

int kmt_live_filter_pids(struct kmt_live_model *m, const char *text)
{
	uint32_t pids[sizeof(m->pid_filter) / sizeof(m->pid_filter[0])];
	size_t n = 0;
	const char *p = text;

	while (*p) {
		unsigned long v;
		char *end;

		if (*p == ',' || *p == ' ') {
			p++;
			continue;
		}
		if (*p < '0' || *p > '9')
			return -EINVAL;
		errno = 0;
		v = strtoul(p, &end, 10);
		if (errno || !v || v > 4194304 || n == sizeof(pids) / sizeof(pids[0]))
			return -EINVAL;
		pids[n++] = (uint32_t)v;
		p = end;
	}
	memcpy(m->pid_filter, pids, n * sizeof(pids[0]));
	m->nr_pid_filter = n;
	return 0;
}

bool kmt_live_matches(const struct kmt_live_model *m, const struct kmt_guest *g)
{
	if (m->nr_pid_filter) {
		bool found = false;

		for (size_t i = 0; i < m->nr_pid_filter && !found; i++)
			found = m->pid_filter[i] == g->pid;
		if (!found)
			return false;
	}
	if (m->name_filter[0]) {
		if (strpbrk(m->name_filter, "*?["))
			return !fnmatch(m->name_filter, g->name, 0);
		return strstr(g->name, m->name_filter) != NULL;
	}
	return true;
}

/* Each lock series' p99 in its unit, and the worst of those measured in ns. */
static void lock_p99(struct kmt_live_row *r, const struct kmt_selection *sel)
{
	for (size_t i = 0; sel && i < sel->nr_locks; i++) {
		const struct kmt_backend *b = sel->locks[i];
		const struct kmt_hist *wait = &r->guest->locks[b->lock].wait;
		uint64_t p99 = kmt_hist_quantile(wait, 0.99);

		r->lock_p99_of[b->lock] = p99;
		if (strcmp(b->wait_unit, "ns") || !wait->count)
			continue;
		if (!r->lock_waited || p99 > r->lock_p99)
			r->lock_p99 = p99;
		r->lock_waited = true;
	}
}

static int cmp_u64(uint64_t a, uint64_t b)
{
	return a < b ? -1 : a > b;
}

/* Ascending by col; a figure not measured (no samples) sorts below any measured one. */
static int cmp_col(const struct kmt_live_row *a, const struct kmt_live_row *b,
		   enum kmt_live_col col)
{
	switch (col) {
	case KMT_COL_PID:
		return cmp_u64(a->guest->pid, b->guest->pid);
	case KMT_COL_NAME:
		return strcmp(a->guest->name, b->guest->name);
	case KMT_COL_VCPUS:
		return cmp_u64(a->guest->nr_vcpus, b->guest->nr_vcpus);
	case KMT_COL_RATE:
		return a->rate < b->rate ? -1 : a->rate > b->rate;
	case KMT_COL_EXITS:
		return cmp_u64(a->n.exits, b->n.exits);
	case KMT_COL_READS:
		return cmp_u64(a->n.reads, b->n.reads);
	case KMT_COL_WRITES:
		return cmp_u64(a->n.writes, b->n.writes);
	case KMT_COL_KERNEL:
		return cmp_u64(a->n.kernel_handled, b->n.kernel_handled);
	case KMT_COL_VMM:
		return cmp_u64(a->n.vmm_handled, b->n.vmm_handled);
	case KMT_COL_VMM_P50:
		return cmp_u64(a->vmm.count ? a->vmm.p50 + 1 : 0, b->vmm.count ? b->vmm.p50 + 1 : 0);
	case KMT_COL_VMM_P99:
		return cmp_u64(a->vmm.count ? a->vmm.p99 + 1 : 0, b->vmm.count ? b->vmm.p99 + 1 : 0);
	case KMT_COL_VMM_MAX:
		return cmp_u64(a->vmm.count ? a->vmm.max + 1 : 0, b->vmm.count ? b->vmm.max + 1 : 0);
	case KMT_COL_KRN_P50:
		return cmp_u64(a->krn.count ? a->krn.p50 + 1 : 0, b->krn.count ? b->krn.p50 + 1 : 0);
	case KMT_COL_KRN_P99:
		return cmp_u64(a->krn.count ? a->krn.p99 + 1 : 0, b->krn.count ? b->krn.p99 + 1 : 0);
	case KMT_COL_LOCK_P99:
		return cmp_u64(a->lock_waited ? a->lock_p99 + 1 : 0,
			       b->lock_waited ? b->lock_p99 + 1 : 0);
	default:
		return 0;
	}
}

/* Text columns read naturally A to Z; numbers biggest first, like top. */
static int cmp_rows(const void *pa, const void *pb, void *ctx)
{
	const struct kmt_live_model *sorting = ctx;
	const struct kmt_live_row *a = pa, *b = pb;
	enum kmt_live_col col = sorting->sort;
	bool ascending = col == KMT_COL_PID || col == KMT_COL_NAME;
	int c = cmp_col(a, b, col);

	if (!ascending)
		c = -c;
	if (sorting->reverse)
		c = -c;
	return c ? c : cmp_u64(a->guest->pid, b->guest->pid);
}

int kmt_live_rows(struct kmt_live_model *m)
{
	const struct kmt_snapshot *src = m->per_interval && m->last ? m->last : &m->total;

	m->nr_rows = 0;
	if (src->nr_guests > m->cap_rows) {
		struct kmt_live_row *rows = realloc(m->rows, src->nr_guests * sizeof(*rows));

		if (!rows)
			return -ENOMEM;
		m->rows = rows;
		m->cap_rows = src->nr_guests;
	}
	for (size_t i = 0; i < src->nr_guests; i++) {
		const struct kmt_guest *g = &src->guests[i];
		const struct kmt_guest *now = m->last ? kmt_snapshot_find(m->last, g->pid, g->start) :
					      NULL;
		struct kmt_live_row *r;

		if (!kmt_live_matches(m, g))
			continue;
		r = &m->rows[m->nr_rows++];
		memset(r, 0, sizeof(*r));
		r->guest = g;
		r->history = kmt_live_history_of(m, g->pid);
		r->rate = now && m->last_seconds > 0 ?
			kmt_guest_counts(now).exits / m->last_seconds : 0;
		r->n = kmt_guest_counts(g);
		r->vmm = kmt_hist_summary(&g->hist[KMT_HIST_VMM]);
		r->krn = kmt_hist_summary(&g->hist[KMT_HIST_KERNEL]);
		lock_p99(r, src->backends);
	}
	qsort_r(m->rows, m->nr_rows, sizeof(*m->rows), cmp_rows, m);
	return 0;
}

size_t kmt_live_sparkline(const struct kmt_live_history *h, size_t width, unsigned char *levels)
{
	size_t n = h ? (h->len < width ? h->len : width) : 0, pad = width - n;
	double max = 0;

	memset(levels, 0, width);
	for (size_t i = 0; i < n; i++) {
		double v = h->rate[(h->head + h->len - n + i) % KMT_LIVE_HISTORY];

		if (v > max)
			max = v;
	}
	for (size_t i = 0; i < n && max > 0; i++) {
		double v = h->rate[(h->head + h->len - n + i) % KMT_LIVE_HISTORY];
		unsigned int level = (unsigned int)(v / max * 8 + 0.5);

		levels[pad + i] = v > 0 && level == 0 ? 1 : (unsigned char)level;
	}
	return n;
}

unsigned int kmt_live_bar_len(uint64_t count, uint64_t max, unsigned int width)
{
	unsigned int len;

	if (!count || !max || !width)
		return 0;
	len = (unsigned int)(((double)count * width) / (double)max + 0.5);
	return len ? (len > width ? width : len) : 1;
}

void kmt_live_bars(struct kmt_live_bars *bars, const struct kmt_hist *const *hists, size_t n,
		   size_t max_rows)
{
	unsigned int first = KMT_HIST_SLOTS, last = 0, step = 1;

	memset(bars, 0, sizeof(*bars));
	if (n > KMT_LIVE_BARS_MAX)
		n = KMT_LIVE_BARS_MAX;
	for (size_t h = 0; h < n; h++) {
		if (!hists[h] || !hists[h]->nr)
			continue;
		if (hists[h]->buckets[0].slot < first)
			first = hists[h]->buckets[0].slot;
		if (hists[h]->buckets[hists[h]->nr - 1].slot > last)
			last = hists[h]->buckets[hists[h]->nr - 1].slot;
	}
	if (first == KMT_HIST_SLOTS || !max_rows)
		return;
	/* The finest power-of-two step whose aligned rows fit. */
	while (last / step - first / step + 1 > max_rows && step < KMT_HIST_SLOTS)
		step *= 2;
	first -= first % step;
	bars->first_slot = first;
	bars->step = step;
	bars->nr_rows = (last - first) / step + 1;
	for (size_t r = 0; r < bars->nr_rows; r++) {
		unsigned int top = first + (unsigned int)(r + 1) * step - 1;

		bars->upper[r] = kmt_hist_slot_upper(top < KMT_HIST_SLOTS ? top : KMT_HIST_SLOTS - 1);
	}
	for (size_t h = 0; h < n; h++)
		for (uint32_t b = 0; hists[h] && b < hists[h]->nr; b++) {
			const struct kmt_hist_bucket *bucket = &hists[h]->buckets[b];
			uint64_t *c = &bars->count[h][(bucket->slot - first) / step];

			*c += bucket->count;
			if (*c > bars->max)
				bars->max = *c;
		}
}
