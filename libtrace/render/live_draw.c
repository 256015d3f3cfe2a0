// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <curses.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include "human.h"
#include "live_draw.h"

#define HISTORY_MIN 12
#define VCPU_TABLE_W 53	/* the drill-down's vCPU table: TID and five counts */

/* Width of each column; NAME and HISTORY take what is left, within bounds. */
static const int col_width[KMT_LIVE_COLS] = {
	[KMT_COL_PID] = 7, [KMT_COL_NAME] = 16, [KMT_COL_VCPUS] = 5, [KMT_COL_RATE] = 9,
	[KMT_COL_EXITS] = 9, [KMT_COL_READS] = 9, [KMT_COL_WRITES] = 9, [KMT_COL_KERNEL] = 9,
	[KMT_COL_VMM] = 9, [KMT_COL_VMM_P50] = 8, [KMT_COL_VMM_P99] = 8, [KMT_COL_VMM_MAX] = 8,
	[KMT_COL_KRN_P50] = 8, [KMT_COL_KRN_P99] = 8, [KMT_COL_LOCK_P99] = 8,
	[KMT_COL_HISTORY] = HISTORY_MIN,
};

/* Which columns a narrow terminal keeps first. */
static const enum kmt_live_col priority[] = {
	KMT_COL_PID, KMT_COL_NAME, KMT_COL_RATE, KMT_COL_VMM_P99, KMT_COL_READS,
	KMT_COL_WRITES, KMT_COL_HISTORY, KMT_COL_VCPUS, KMT_COL_KRN_P99, KMT_COL_VMM_P50,
	KMT_COL_KRN_P50, KMT_COL_LOCK_P99, KMT_COL_KERNEL, KMT_COL_VMM, KMT_COL_VMM_MAX,
	KMT_COL_EXITS,
};

static const char *const spark_utf8[9] = { " ", "▁", "▂", "▃", "▄", "▅", "▆", "▇", "█" };
static const char spark_ascii[9] = { ' ', '_', '.', '-', '~', '=', '+', '*', '#' };

/* Counts exactly while they fit the column, then with a k/M/G suffix. */
static const char *human_count(uint64_t n, int width, char *buf, size_t size)
{
	const char *suffix = "kMGTP";
	double v = (double)n;

	snprintf(buf, size, "%" PRIu64, n);
	for (int i = 0; (int)strlen(buf) > width && suffix[i]; i++) {
		v /= 1000;
		snprintf(buf, size, "%.3g%c", v, suffix[i]);
	}
	return buf;
}

static const char *clock_of(uint64_t realtime_ns, char *buf, size_t size)
{
	time_t t = (time_t)(realtime_ns / 1000000000ULL);
	struct tm tm;

	localtime_r(&t, &tm);
	strftime(buf, size, "%H:%M:%S", &tm);
	return buf;
}

static bool col_applies(const struct kmt_snapshot *snap, enum kmt_live_col col)
{
	switch (col) {
	case KMT_COL_KRN_P50:
	case KMT_COL_KRN_P99:
		return kmt_snapshot_measures(snap, KMT_CAP_KERNEL_PART);
	case KMT_COL_LOCK_P99:
		return snap->backends && snap->backends->nr_locks;
	default:
		return true;
	}
}

/* A column's width; the lock column holds one sub-column per chosen lock series. */
static int col_w(const struct kmt_snapshot *snap, enum kmt_live_col c)
{
	if (c == KMT_COL_LOCK_P99 && snap->backends && snap->backends->nr_locks)
		return (int)snap->backends->nr_locks * (col_width[c] + 1) - 1;
	return col_width[c];
}

/* Chooses the columns that fit in cols; widths of NAME and HISTORY in *name_w, *hist_w. */
static size_t layout(const struct kmt_snapshot *snap, int cols, bool shown[KMT_LIVE_COLS],
		     int *name_w, int *hist_w)
{
	int used = 0;
	size_t n = 0;

	memset(shown, 0, KMT_LIVE_COLS * sizeof(bool));
	for (size_t i = 0; i < sizeof(priority) / sizeof(priority[0]); i++) {
		enum kmt_live_col c = priority[i];
		/* Reads and writes, kernel- and VMM-handled: shown in pairs or not at all. */
		enum kmt_live_col mate = c == KMT_COL_READS ? KMT_COL_WRITES :
					 c == KMT_COL_WRITES ? KMT_COL_READS :
					 c == KMT_COL_KERNEL ? KMT_COL_VMM :
					 c == KMT_COL_VMM ? KMT_COL_KERNEL : c;
		int w = c == KMT_COL_NAME ? 10 : col_w(snap, c);

		if (mate != c)
			w += col_width[mate] + 1;
		if (shown[c] || !col_applies(snap, c) || used + w + (n ? 1 : 0) > cols)
			continue;
		shown[c] = shown[mate] = true;
		used += w + (n ? 1 : 0);
		n += mate != c ? 2 : 1;
	}
	*name_w = shown[KMT_COL_NAME] ? 10 : 0;
	*hist_w = shown[KMT_COL_HISTORY] ? HISTORY_MIN : 0;
	/* Spare room: NAME up to 16, then HISTORY up to a whole history. */
	if (*name_w && cols - used > 0) {
		int more = cols - used < 6 ? cols - used : 6;

		*name_w += more;
		used += more;
	}
	if (*hist_w && cols - used > 0) {
		int more = cols - used < KMT_LIVE_HISTORY - HISTORY_MIN ? cols - used :
			   KMT_LIVE_HISTORY - HISTORY_MIN;

		*hist_w += more;
	}
	return n;
}

static void fill_line(int y, const char *text, attr_t attr)
{
	attron(attr);
	mvaddnstr(y, 0, text, COLS);
	for (int x = (int)strlen(text); x < COLS; x++)
		mvaddch(y, x, ' ');
	attroff(attr);
}

static void draw_status(const struct kmt_live_ui *ui)
{
	const struct kmt_live_model *m = ui->model;
	const struct kmt_snapshot *last = m->last;
	char line[512], cost[96], bpf[32], now[16];
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	if (ui->bpf_cost_known)
		snprintf(bpf, sizeof(bpf), "%.2fms/s", ui->bpf_ms_per_s);
	else
		snprintf(bpf, sizeof(bpf), "n/a");
	snprintf(cost, sizeof(cost), "BPF %s, CPU %.1f%%", bpf, ui->cpu_percent);
	snprintf(line, sizeof(line),
		 "kvm-mmio-top %s  every %gs  guests %zu  dropped %" PRIu64 " (total %" PRIu64
		 ")  cost: %s",
		 clock_of((uint64_t)ts.tv_sec * 1000000000ULL, now, sizeof(now)), ui->interval_s,
		 m->nr_rows, last ? kmt_snapshot_dropped(last) : 0,
		 kmt_snapshot_dropped(&m->total), cost);
	if ((int)strlen(line) > COLS)	/* the same, shorter */
		snprintf(line, sizeof(line),
			 "kvm-mmio-top %s every %gs guests %zu dropped %" PRIu64 "/%" PRIu64
			 " BPF %s CPU %.1f%%", now, ui->interval_s, m->nr_rows,
			 last ? kmt_snapshot_dropped(last) : 0, kmt_snapshot_dropped(&m->total),
			 bpf, ui->cpu_percent);
	mvaddnstr(0, 0, line, COLS);
}

/* "backends: kvm_mmio (counts vmm_part regions); lock hpte (wait in retries)" */
static void draw_backends(int y, const struct kmt_selection *sel)
{
	char line[512];
	size_t used;

	if (!sel) {
		mvaddnstr(y, 0, "backends: waiting for the first interval", COLS);
		return;
	}
	used = (size_t)snprintf(line, sizeof(line), "backend %s:", sel->mmio->name);
	for (unsigned int bit = 1; bit && bit <= sel->mmio->caps && used < sizeof(line); bit <<= 1)
		if (sel->mmio->caps & bit)
			used += (size_t)snprintf(line + used, sizeof(line) - used, " %s",
						 kmt_capability_name(bit));
	if (!(sel->mmio->caps & KMT_CAP_KERNEL_PART) && used < sizeof(line))
		used += (size_t)snprintf(line + used, sizeof(line) - used,
					 " (kernel part not measured here)");
	for (size_t i = 0; i < sel->nr_locks && used < sizeof(line); i++)
		used += (size_t)snprintf(line + used, sizeof(line) - used,
					 "%s %s (%s%s)", i ? "" : "  locks:", sel->locks[i]->name,
					 sel->locks[i]->wait_unit,
					 sel->locks[i]->caps & KMT_CAP_LOCK_ACQUIRED ?
					 ", all acquisitions" : "");
	mvaddnstr(y, 0, line, COLS);
}

static void draw_view_line(int y, const struct kmt_live_ui *ui)
{
	const struct kmt_live_model *m = ui->model;
	char line[512], since[16];
	size_t used;

	if (m->per_interval)
		used = (size_t)snprintf(line, sizeof(line), "showing: last interval (%.2fs)",
					m->last_seconds);
	else
		used = (size_t)snprintf(line, sizeof(line), "showing: totals since %s",
					clock_of(m->reset_ns, since, sizeof(since)));
	used += (size_t)snprintf(line + used, sizeof(line) - used, "  sort: %s %s",
				 kmt_live_col_title(m->sort), m->reverse ? "(reversed)" : "");
	if (m->name_filter[0] && used < sizeof(line))
		used += (size_t)snprintf(line + used, sizeof(line) - used, "  name: %s",
					 m->name_filter);
	for (size_t i = 0; i < m->nr_pid_filter && used < sizeof(line); i++)
		used += (size_t)snprintf(line + used, sizeof(line) - used, "%s%u",
					 i ? "," : "  pid: ", m->pid_filter[i]);
	if (ui->cli_filter && used < sizeof(line))
		snprintf(line + used, sizeof(line) - used, "  traced: %s", ui->cli_filter);
	mvaddnstr(y, 0, line, COLS);
}

static void draw_footer(const struct kmt_live_ui *ui)
{
	static const char *const asks[] = {
		[KMT_PROMPT_NAME] = "Show guests whose name matches (glob or text; empty: all): ",
		[KMT_PROMPT_PID] = "Show only pids (comma list; empty: all): ",
		[KMT_PROMPT_INTERVAL] = "Refresh every (seconds): ",
	};
	char line[256];

	if (ui->prompt != KMT_PROMPT_NONE) {
		snprintf(line, sizeof(line), "%s%s", asks[ui->prompt], ui->input);
		fill_line(LINES - 1, line, A_NORMAL);
		move(LINES - 1, (int)strlen(line) < COLS ? (int)strlen(line) : COLS - 1);
		return;
	}
	if (ui->message[0]) {
		fill_line(LINES - 1, ui->message, A_BOLD);
		return;
	}
	if (ui->screen == KMT_SCREEN_GUEST)
		fill_line(LINES - 1, "Esc back  q quit  r reset  t totals/interval  "
			  "s interval  h help", A_REVERSE);
	else
		fill_line(LINES - 1, "h help  q quit  Enter open  < > sort  R rev  / name  "
			  "p pid  r reset  s interval  t mode", A_REVERSE);
}

static void draw_sparkline(int y, int x, int width, const struct kmt_live_ui *ui,
			   const struct kmt_live_history *h)
{
	unsigned char levels[KMT_LIVE_HISTORY];

	if (width > KMT_LIVE_HISTORY)
		width = KMT_LIVE_HISTORY;
	kmt_live_sparkline(h, (size_t)width, levels);
	move(y, x);
	for (int i = 0; i < width; i++) {
		if (ui->utf8)
			addstr(spark_utf8[levels[i]]);
		else
			addch((chtype)spark_ascii[levels[i]]);
	}
}

static void draw_list(struct kmt_live_ui *ui)
{
	struct kmt_live_model *m = ui->model;
	const struct kmt_snapshot *snap = &m->total;
	bool shown[KMT_LIVE_COLS];
	int name_w, hist_w, x, top = 4;
	char cell[128], title[64];

	if (!snap->backends && m->last)
		snap = m->last;
	draw_status(ui);
	draw_backends(1, snap->backends);
	draw_view_line(2, ui);
	layout(snap, COLS, shown, &name_w, &hist_w);
	ui->nr_shown = 0;
	/* The header, the sort column marked. */
	attron(A_REVERSE);
	move(3, 0);
	for (int i = 0; i < COLS; i++)
		addch(' ');
	x = 0;
	for (int c = 0; c < KMT_LIVE_COLS; c++) {
		int w = c == KMT_COL_NAME ? name_w : c == KMT_COL_HISTORY ? hist_w :
			col_w(snap, (enum kmt_live_col)c);
		bool left = c == KMT_COL_NAME || c == KMT_COL_HISTORY;

		if (!shown[c])
			continue;
		if (c != KMT_COL_HISTORY)
			ui->shown[ui->nr_shown++] = (enum kmt_live_col)c;
		if (c == KMT_COL_LOCK_P99) {
			/* Each series under its own title, as the batch table has them. */
			for (size_t l = 0; l < snap->backends->nr_locks; l++) {
				snprintf(title, sizeof(title), "%s%s", snap->backends->locks[l]->column,
					 (int)m->sort == c && !l ? (m->reverse ? "^" : "*") : "");
				snprintf(cell, sizeof(cell), "%*.*s", col_width[c], col_width[c], title);
				mvaddnstr(3, x, cell, COLS - x);
				x += col_width[c] + 1;
			}
			continue;
		}
		snprintf(title, sizeof(title), "%s%s",
			 c == KMT_COL_HISTORY && w < 15 ? "HISTORY" :
			 kmt_live_col_title((enum kmt_live_col)c),
			 (int)m->sort == c ? (m->reverse ? "^" : "*") : "");
		snprintf(cell, sizeof(cell), left ? "%-*.*s" : "%*.*s", w, w, title);
		mvaddnstr(3, x, cell, COLS - x);
		x += w + 1;
	}
	attroff(A_REVERSE);

	ui->page_rows = LINES - top - 1 > 0 ? (size_t)(LINES - top - 1) : 0;
	if (ui->cursor >= m->nr_rows)
		ui->cursor = m->nr_rows ? m->nr_rows - 1 : 0;
	if (ui->cursor < ui->scroll)
		ui->scroll = ui->cursor;
	if (ui->page_rows && ui->cursor >= ui->scroll + ui->page_rows)
		ui->scroll = ui->cursor - ui->page_rows + 1;
	if (!m->nr_rows)
		mvaddnstr(top, 0, m->intervals ? "no guest with MMIO exits matches" :
			  "waiting for the first interval", COLS);
	for (size_t i = ui->scroll; i < m->nr_rows && i - ui->scroll < ui->page_rows; i++) {
		const struct kmt_live_row *r = &m->rows[i];
		int y = top + (int)(i - ui->scroll);
		char a[KMT_NAME_MAX + 8];

		attr_t attr = (i == ui->cursor ? A_REVERSE : 0) |
			      (r->history && r->history->exited ? A_DIM : 0);
		attron(attr);
		x = 0;
		for (int c = 0; c < KMT_LIVE_COLS; c++) {
			int w = c == KMT_COL_NAME ? name_w : c == KMT_COL_HISTORY ? hist_w :
				col_width[c];

			if (shown[c] && c == KMT_COL_LOCK_P99) {
				for (size_t l = 0; l < snap->backends->nr_locks; l++) {
					const struct kmt_backend *b = snap->backends->locks[l];

					if (!r->guest->locks[b->lock].wait.count)
						snprintf(a, sizeof(a), "-");
					else if (!strcmp(b->wait_unit, "ns"))
						kmt_human_ns(r->lock_p99_of[b->lock], true, a, sizeof(a));
					else
						snprintf(a, sizeof(a), "%" PRIu64, r->lock_p99_of[b->lock]);
					snprintf(cell, sizeof(cell), "%*.*s", w, w, a);
					mvaddnstr(y, x, cell, COLS - x);
					x += w + 1;
				}
				continue;
			}

			if (!shown[c])
				continue;
			switch (c) {
			case KMT_COL_PID:
				snprintf(a, sizeof(a), "%" PRIu32, r->guest->pid);
				break;
			case KMT_COL_NAME:
				snprintf(a, sizeof(a), "%s", r->guest->name[0] ? r->guest->name : "?");
				break;
			case KMT_COL_VCPUS:
				snprintf(a, sizeof(a), "%zu", r->guest->nr_vcpus);
				break;
			case KMT_COL_RATE:
				human_count((uint64_t)(r->rate + 0.5), w, a, sizeof(a));
				break;
			case KMT_COL_EXITS:
				human_count(r->n.exits, w, a, sizeof(a));
				break;
			case KMT_COL_READS:
				human_count(r->n.reads, w, a, sizeof(a));
				break;
			case KMT_COL_WRITES:
				human_count(r->n.writes, w, a, sizeof(a));
				break;
			case KMT_COL_KERNEL:
				human_count(r->n.kernel_handled, w, a, sizeof(a));
				break;
			case KMT_COL_VMM:
				human_count(r->n.vmm_handled, w, a, sizeof(a));
				break;
			case KMT_COL_VMM_P50:
				kmt_human_ns(r->vmm.p50, r->vmm.count, a, sizeof(a));
				break;
			case KMT_COL_VMM_P99:
				kmt_human_ns(r->vmm.p99, r->vmm.count, a, sizeof(a));
				break;
			case KMT_COL_VMM_MAX:
				kmt_human_ns(r->vmm.max, r->vmm.count, a, sizeof(a));
				break;
			case KMT_COL_KRN_P50:
				kmt_human_ns(r->krn.p50, r->krn.count, a, sizeof(a));
				break;
			case KMT_COL_KRN_P99:
				kmt_human_ns(r->krn.p99, r->krn.count, a, sizeof(a));
				break;
			case KMT_COL_HISTORY:
				draw_sparkline(y, x, w, ui, r->history);
				x += w + 1;
				continue;
			}
			snprintf(cell, sizeof(cell), c == KMT_COL_NAME ? "%-*.*s" : "%*.*s", w, w, a);
			mvaddnstr(y, x, cell, COLS - x);
			x += w + 1;
		}
		attroff(attr);
		if (i == ui->cursor)
			ui->selected = r->guest->pid;
	}
}

/* A histogram bound in its unit: latency in ns, or a plain count (retries). */
static const char *bound(uint64_t v, bool ns, char *buf, size_t size)
{
	char num[32];

	if (ns)
		kmt_human_ns(v, true, num, sizeof(num));
	else
		snprintf(num, sizeof(num), "%" PRIu64, v);
	snprintf(buf, size, "<=%s", num);
	return buf;
}

/*
 * n histograms side by side from row y, each in a column of width w:
 * "<=bound  count  bar". Returns the rows used.
 */
static int draw_hists(const struct kmt_live_ui *ui, int y, int rows, const char *const *titles,
		      const struct kmt_hist *const *hists, const bool *measured, size_t n, bool ns,
		      const char *unit)
{
	static struct kmt_live_bars bars;
	int w = COLS / (int)n;
	char cell[128], b[48];

	if (rows < 2)
		return 0;
	kmt_live_bars(&bars, hists, n, (size_t)rows - 1);
	for (size_t h = 0; h < n; h++) {
		attron(A_BOLD);
		snprintf(cell, sizeof(cell), "%s (%" PRIu64 " %s)", titles[h],
			 (uint64_t)(measured[h] && hists[h] ? hists[h]->count : 0), unit);
		mvaddnstr(y, (int)h * w, cell, w - 1);
		attroff(A_BOLD);
		if (!measured[h])
			mvaddnstr(y + 1, (int)h * w, "not measured by the backends in use", w - 1);
		else if (!hists[h]->count)
			mvaddnstr(y + 1, (int)h * w, "no samples", w - 1);
	}
	for (size_t r = 0; r < bars.nr_rows; r++) {
		for (size_t h = 0; h < n; h++) {
			int x = (int)h * w, bar_w = w - 10 - 1 - 9 - 2;
			unsigned int len;

			if (!measured[h] || !hists[h]->count)
				continue;
			len = kmt_live_bar_len(bars.count[h][r], bars.max, bar_w > 0 ? (unsigned)bar_w : 0);
			snprintf(cell, sizeof(cell), "%10s %9" PRIu64 " ",
				 bound(bars.upper[r], ns, b, sizeof(b)), bars.count[h][r]);
			mvaddnstr(y + 1 + (int)r, x, cell, w - 1);
			move(y + 1 + (int)r, x + 21);
			for (unsigned int i = 0; i < len; i++) {
				if (ui->utf8)
					addstr("█");
				else
					addch('#');
			}
		}
	}
	return 1 + (int)(bars.nr_rows ? bars.nr_rows : 1);
}

/* "lock mmu_lock wait, p99 12.9us" ("..., 40 acquired" where every acquisition is counted). */
static void lock_title(char *buf, size_t size, const struct kmt_backend *lb,
		       const struct kmt_lock_series *l)
{
	uint64_t p99 = kmt_hist_quantile(&l->wait, 0.99);
	char v[48], acq[48] = "";

	if (!l->wait.count)
		snprintf(v, sizeof(v), "-");
	else if (!strcmp(lb->wait_unit, "ns"))
		kmt_human_ns(p99, true, v, sizeof(v));
	else
		snprintf(v, sizeof(v), "%" PRIu64 " %s", p99, lb->wait_unit);
	if (lb->caps & KMT_CAP_LOCK_ACQUIRED)
		snprintf(acq, sizeof(acq), ", %" PRIu64 " acquired", (uint64_t)l->acquired);
	snprintf(buf, size, "lock %s wait p99 %s%s", lb->name, v, acq);
}

static void draw_guest(struct kmt_live_ui *ui)
{
	char lock_titles[2][128];
	const struct kmt_live_model *m = ui->model;
	const struct kmt_snapshot *snap = m->per_interval && m->last ? m->last : &m->total;
	const struct kmt_guest *g = kmt_snapshot_latest(snap, ui->selected);
	const struct kmt_gpa_region *top[32];
	char line[512], since[16], a[32];
	int y, list_rows, half = COLS / 2, px, py;
	size_t nr_top;
	bool side;

	draw_status(ui);
	if (!g) {
		snprintf(line, sizeof(line), "guest pid %u: no MMIO exits %s", ui->selected,
			 m->per_interval ? "in the last interval" : "since the last reset");
		mvaddnstr(2, 0, line, COLS);
		return;
	}
	struct kmt_mmio_counts n = kmt_guest_counts(g);

	snprintf(line, sizeof(line),
		 "guest %s  pid %" PRIu32 "  vCPUs %zu  %s %s  exits %" PRIu64 "  r/w %"
		 PRIu64 "/%" PRIu64 "  kernel/VMM %" PRIu64 "/%" PRIu64,
		 g->name[0] ? g->name : "?", g->pid, g->nr_vcpus,
		 m->per_interval ? "last interval" : "since",
		 m->per_interval ? "" : clock_of(m->reset_ns, since, sizeof(since)), n.exits,
		 n.reads, n.writes, n.kernel_handled, n.vmm_handled);
	attron(A_BOLD);
	mvaddnstr(1, 0, line, COLS);
	attroff(A_BOLD);

	/*
	 * vCPU threads on the left, busiest pages on the right; on a narrow
	 * terminal the pages go below the vCPUs.
	 */
	side = COLS >= 2 * VCPU_TABLE_W + 2;
	list_rows = (LINES - 8) / (side ? 3 : 5);
	nr_top = kmt_guest_top_regions(g, top, sizeof(top) / sizeof(top[0]));
	if ((size_t)list_rows > (g->nr_vcpus > nr_top ? g->nr_vcpus : nr_top))
		list_rows = (int)(g->nr_vcpus > nr_top ? g->nr_vcpus : nr_top);
	if (list_rows < 1)
		list_rows = 1;
	if (nr_top > (size_t)list_rows)
		nr_top = (size_t)list_rows;
	px = side ? half : 0;
	py = side ? 3 : 3 + list_rows + 1 + (g->nr_vcpus > (size_t)list_rows);
	attron(A_REVERSE);
	snprintf(line, sizeof(line), "%-8s %8s %8s %8s %8s %8s", "TID", "EXITS", "READS",
		 "WRITES", "KERNEL", "VMM");
	mvaddnstr(3, 0, line, side ? half - 1 : COLS);
	snprintf(line, sizeof(line), "%-18s %9s %8s", "PAGE (GPA)", "EXITS", "p99");
	mvaddnstr(py, px, line, COLS - px);
	attroff(A_REVERSE);
	for (int i = 0; i < list_rows; i++) {
		if ((size_t)i < g->nr_vcpus) {
			const struct kmt_vcpu *v = &g->vcpus[i];
			struct kmt_mmio_counts vc = kmt_vcpu_counts(&v->stats);

			snprintf(line, sizeof(line), "%-8" PRIu32 " %8" PRIu64 " %8" PRIu64 " %8"
				 PRIu64 " %8" PRIu64 " %8" PRIu64, v->tid, vc.exits, vc.reads,
				 vc.writes, vc.kernel_handled, vc.vmm_handled);
			mvaddnstr(4 + i, 0, line, side ? half - 1 : COLS);
		} else if (i == 0) {
			mvaddnstr(4, 0, "no vCPU thread", half - 1);
		}
		if ((size_t)i < nr_top) {
			snprintf(line, sizeof(line), "0x%-16" PRIx64 " %9" PRIu64 " %8s", top[i]->gpa,
				 top[i]->exits, kmt_human_ns(kmt_hist_quantile(&top[i]->lat, 0.99),
							 top[i]->lat.count, a, sizeof(a)));
			mvaddnstr(py + 1 + i, px, line, COLS - px);
		}
	}
	if (g->nr_vcpus > (size_t)list_rows) {
		snprintf(line, sizeof(line), "... %zu more vCPU threads",
			 g->nr_vcpus - (size_t)list_rows);
		mvaddnstr(4 + list_rows, 0, line, side ? half - 1 : COLS);
	}
	y = (side ? 4 + list_rows + (g->nr_vcpus > (size_t)list_rows) : py + 1 + list_rows) + 1;

	/* Latency: VMM and kernel part side by side; then each lock's wait. */
	{
		const char *titles[2] = { "VMM part latency", "kernel part latency" };
		const struct kmt_hist *hists[2] = { &g->hist[KMT_HIST_VMM],
						    &g->hist[KMT_HIST_KERNEL] };
		bool measured[2] = { kmt_snapshot_measures(snap, KMT_CAP_VMM_PART),
				     kmt_snapshot_measures(snap, KMT_CAP_KERNEL_PART) };
		const struct kmt_selection *sel = snap->backends;
		size_t nr_locks = sel ? sel->nr_locks : 0;
		int rows = LINES - 1 - y - (nr_locks ? (LINES - 1 - y) / 3 : 0);

		y += draw_hists(ui, y, rows, titles, hists, measured, 2, true, "exits") + 1;
		/* Lock series two by two, side by side when they share a unit. */
		for (size_t i = 0, n; i < nr_locks && y < LINES - 3; i += n) {
			const struct kmt_hist *wait[2];
			const bool yes[2] = { true, true };
			const char *t[2] = { lock_titles[0], lock_titles[1] };
			size_t groups = 0;
			bool ns = !strcmp(sel->locks[i]->wait_unit, "ns");

			n = i + 1 < nr_locks &&
			    !strcmp(sel->locks[i]->wait_unit, sel->locks[i + 1]->wait_unit) ? 2 : 1;
			for (size_t j = 0; j < n; j++) {
				const struct kmt_backend *lb = sel->locks[i + j];

				wait[j] = &g->locks[lb->lock].wait;
				lock_title(lock_titles[j], sizeof(lock_titles[j]), lb, &g->locks[lb->lock]);
			}
			for (size_t j = i; j < nr_locks; groups++)
				j += j + 1 < nr_locks && !strcmp(sel->locks[j]->wait_unit,
								 sel->locks[j + 1]->wait_unit) ? 2 : 1;
			y += draw_hists(ui, y, (LINES - 1 - y) / (int)groups, t, wait, yes, n, ns,
					"waits") + 1;
		}
	}
}

static void draw_help(void)
{
	static const char *const lines[] = {
		"kvm-mmio-top: keys",
		"",
		"  Up/Down j/k   select a guest (PgUp/PgDn, Home/End)",
		"  Enter, Right  open the guest: vCPU threads, busiest pages, histograms",
		"  Esc, Left     back to the guest table",
		"  < >           sort by the column left/right of the current one",
		"  R             reverse the sort",
		"  / or g        show guests whose name matches a glob (or contains a text)",
		"  p             show only some pids (comma list)",
		"  r             reset the totals (the history stays)",
		"  t             show totals since the reset, or the last interval only",
		"  s or d        change the refresh interval",
		"  Ctrl-L        redraw",
		"  q             quit",
		"",
		"Columns: EXITS/s in the last interval; counts and latency percentiles",
		"since the reset (t: the last interval). KERNEL: completed in the kernel",
		"(ioeventfd, in-kernel devices); VMM: completed by the VMM after",
		"KVM_EXIT_MMIO. KRN: the kernel part of an exit's latency, shown where the",
		"backends measure it. EXITS/s HISTORY: the last 60 intervals.",
		"",
		"Press any key to go back.",
	};

	for (size_t i = 0; i < sizeof(lines) / sizeof(lines[0]) && (int)i < LINES; i++)
		mvaddnstr((int)i, 0, lines[i], COLS);
}

void kmt_live_draw(struct kmt_live_ui *ui)
{
	erase();
	switch (ui->screen) {
	case KMT_SCREEN_LIST:
		draw_list(ui);
		break;
	case KMT_SCREEN_GUEST:
		draw_guest(ui);
		break;
	case KMT_SCREEN_HELP:
		draw_help();
		break;
	}
	if (ui->screen != KMT_SCREEN_HELP)
		draw_footer(ui);
	refresh();
}
