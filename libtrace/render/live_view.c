// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <curses.h>
#include <errno.h>
#include <langinfo.h>
#include <locale.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include "live_draw.h"
#include "live_view.h"

#define NAME_SCAN_NS 200000000ULL	/* how often new guests are named while waiting */
#define KEY_ESC 27
#define CTRL_L 12

static uint64_t clock_ns(clockid_t clock)
{
	struct timespec ts;

	clock_gettime(clock, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

/* The tool's own cost: run time of its BPF programs (bpf_stats) and its CPU time. */
struct cost {
	int stats_fd;		/* keeps BPF run-time stats on; -1: unavailable */
	uint64_t bpf_ns, cpu_ns, wall_ns;
};

static void add_run_time(const char *name, int fd, void *ctx)
{
	struct bpf_prog_info info = { 0 };
	__u32 len = sizeof(info);

	(void)name;
	if (!bpf_obj_get_info_by_fd(fd, &info, &len))
		*(uint64_t *)ctx += info.run_time_ns;
}

static uint64_t bpf_run_ns(const struct kmt_session *session)
{
	uint64_t ns = 0;

	kmt_session_for_each_prog(session, add_run_time, &ns);
	return ns;
}

static void cost_sample(struct cost *c, const struct kmt_session *session,
			struct kmt_live_ui *ui, bool report)
{
	uint64_t bpf = bpf_run_ns(session), cpu = clock_ns(CLOCK_PROCESS_CPUTIME_ID);
	uint64_t wall = kmt_now_ns();
	double secs = (wall - c->wall_ns) / 1e9;

	if (report && secs > 0) {
		ui->bpf_cost_known = c->stats_fd >= 0;
		ui->bpf_ms_per_s = (bpf - c->bpf_ns) / 1e6 / secs;
		ui->cpu_percent = (cpu - c->cpu_ns) / 1e7 / secs;
	}
	c->bpf_ns = bpf;
	c->cpu_ns = cpu;
	c->wall_ns = wall;
}

static void select_row(struct kmt_live_ui *ui, long delta)
{
	const struct kmt_live_model *m = ui->model;
	long at = (long)ui->cursor + delta;

	if (!m->nr_rows)
		return;
	if (at < 0)
		at = 0;
	if (at >= (long)m->nr_rows)
		at = (long)m->nr_rows - 1;
	ui->cursor = (size_t)at;
	ui->selected = m->rows[at].guest->pid;
}

/* Keeps the cursor on the same guest when rows are re-sorted or filtered. */
static void follow_selected(struct kmt_live_ui *ui)
{
	const struct kmt_live_model *m = ui->model;

	for (size_t i = 0; i < m->nr_rows; i++)
		if (m->rows[i].guest->pid == ui->selected) {
			ui->cursor = i;
			return;
		}
	if (m->nr_rows) {
		if (ui->cursor >= m->nr_rows)
			ui->cursor = m->nr_rows - 1;
		ui->selected = m->rows[ui->cursor].guest->pid;
	}
}

static void sort_step(struct kmt_live_ui *ui, int dir)
{
	struct kmt_live_model *m = ui->model;
	size_t at = 0;

	if (!ui->nr_shown)
		return;
	for (size_t i = 0; i < ui->nr_shown; i++)
		if (ui->shown[i] == m->sort)
			at = i;
	at = (at + ui->nr_shown + (size_t)(long)dir) % ui->nr_shown;
	m->sort = ui->shown[at];
	m->reverse = false;
}

static void start_prompt(struct kmt_live_ui *ui, enum kmt_live_prompt p)
{
	ui->prompt = p;
	ui->input[0] = '\0';
}

/* Enter in a prompt: apply what was typed. Returns true when the interval changed. */
static bool finish_prompt(struct kmt_live_ui *ui)
{
	enum kmt_live_prompt p = ui->prompt;
	double secs;
	char *end;

	ui->prompt = KMT_PROMPT_NONE;
	switch (p) {
	case KMT_PROMPT_NAME:
		kmt_live_filter_name(ui->model, ui->input);
		break;
	case KMT_PROMPT_PID:
		if (kmt_live_filter_pids(ui->model, ui->input))
			snprintf(ui->message, sizeof(ui->message),
				 "invalid pid list '%s': numbers from 1, separated by commas",
				 ui->input);
		break;
	case KMT_PROMPT_INTERVAL:
		errno = 0;
		secs = strtod(ui->input, &end);
		if (errno || end == ui->input || *end || !(secs >= 0.01 && secs <= 86400)) {
			snprintf(ui->message, sizeof(ui->message),
				 "invalid interval '%s': seconds from 0.01 to 86400", ui->input);
			break;
		}
		ui->interval_s = secs;
		return true;
	case KMT_PROMPT_NONE:
		break;
	}
	return false;
}

/* A key while a prompt is open. Returns true when the interval changed. */
static bool prompt_key(struct kmt_live_ui *ui, int ch)
{
	size_t len = strlen(ui->input);

	switch (ch) {
	case '\n':
	case '\r':
	case KEY_ENTER:
		return finish_prompt(ui);
	case KEY_ESC:
		ui->prompt = KMT_PROMPT_NONE;
		break;
	case KEY_BACKSPACE:
	case 127:
	case 8:
		if (len)
			ui->input[len - 1] = '\0';
		break;
	default:
		if (ch >= 32 && ch < 127 && len + 1 < sizeof(ui->input)) {
			ui->input[len] = (char)ch;
			ui->input[len + 1] = '\0';
		}
	}
	return false;
}

enum key_result { KEY_DONE, KEY_QUIT, KEY_NEW_INTERVAL };

static enum key_result handle_key(struct kmt_live_ui *ui, int ch, uint64_t realtime)
{
	struct kmt_live_model *m = ui->model;

	if (ch == KEY_RESIZE)
		return KEY_DONE;
	if (ui->prompt != KMT_PROMPT_NONE)
		return prompt_key(ui, ch) ? KEY_NEW_INTERVAL : KEY_DONE;
	ui->message[0] = '\0';
	if (ui->screen == KMT_SCREEN_HELP) {
		ui->screen = ui->back;
		return ch == 'q' ? KEY_QUIT : KEY_DONE;
	}
	switch (ch) {
	case 'q':
		return KEY_QUIT;
	case 'h':
	case '?':
		ui->back = ui->screen;
		ui->screen = KMT_SCREEN_HELP;
		break;
	case KEY_UP:
	case 'k':
		select_row(ui, -1);
		break;
	case KEY_DOWN:
	case 'j':
		select_row(ui, 1);
		break;
	case KEY_PPAGE:
		select_row(ui, -(long)(ui->page_rows ? ui->page_rows : 1));
		break;
	case KEY_NPAGE:
		select_row(ui, (long)(ui->page_rows ? ui->page_rows : 1));
		break;
	case KEY_HOME:
		select_row(ui, -(long)m->nr_rows);
		break;
	case KEY_END:
		select_row(ui, (long)m->nr_rows);
		break;
	case '\n':
	case '\r':
	case KEY_ENTER:
	case KEY_RIGHT:
	case 'l':
		if (ui->screen == KMT_SCREEN_LIST && m->nr_rows)
			ui->screen = KMT_SCREEN_GUEST;
		break;
	case KEY_ESC:
	case KEY_LEFT:
	case KEY_BACKSPACE:
	case 127:
		ui->screen = KMT_SCREEN_LIST;
		break;
	case '<':
		sort_step(ui, -1);
		break;
	case '>':
		sort_step(ui, 1);
		break;
	case 'R':
		m->reverse = !m->reverse;
		break;
	case '/':
	case 'g':
		start_prompt(ui, KMT_PROMPT_NAME);
		break;
	case 'p':
		start_prompt(ui, KMT_PROMPT_PID);
		break;
	case 's':
	case 'd':
		start_prompt(ui, KMT_PROMPT_INTERVAL);
		break;
	case 'r':
		kmt_live_reset(m, realtime);
		snprintf(ui->message, sizeof(ui->message), "totals reset");
		break;
	case 't':
		m->per_interval = !m->per_interval;
		break;
	case CTRL_L:
		clearok(curscr, TRUE);
		break;
	default:
		snprintf(ui->message, sizeof(ui->message), "unknown key; h for help");
	}
	return KEY_DONE;
}

static bool locale_is_utf8(void)
{
	const char *codeset = nl_langinfo(CODESET);

	return codeset && !strcmp(codeset, "UTF-8");
}

/*
 * Waits for a key or the deadline, naming new guests meanwhile. Returns
 * false when the terminal hung up (poll would return at once forever).
 */
static bool wait_input(struct kmt_poller *poller, uint64_t deadline, bool keyboard)
{
	uint64_t now = kmt_now_ns(), nap;
	struct pollfd pfd = { .fd = STDIN_FILENO, .events = POLLIN };

	if (now >= deadline)
		return true;
	nap = deadline - now < NAME_SCAN_NS ? deadline - now : NAME_SCAN_NS;
	if (keyboard) {
		if (poll(&pfd, 1, (int)((nap + 999999) / 1000000)) > 0 &&
		    (pfd.revents & (POLLHUP | POLLERR | POLLNVAL)))
			return false;
	} else {
		struct timespec ts = { (time_t)(nap / 1000000000ULL), (long)(nap % 1000000000ULL) };

		nanosleep(&ts, NULL);
	}
	/* The read at the deadline names the guests alive then. */
	if (kmt_now_ns() < deadline)
		kmt_poller_learn_names(poller);
	return true;
}

static int loop(struct kmt_live_ui *ui, struct kmt_poller *poller,
		const struct kmt_session *session, const struct kmt_live_opts *opts,
		volatile sig_atomic_t *stop, char *err, size_t errlen)
{
	struct kmt_live_model *m = ui->model;
	struct cost cost = { .stats_fd = bpf_enable_stats(BPF_STATS_RUN_TIME) };
	bool keyboard = isatty(STDIN_FILENO), dirty = true;
	uint64_t deadline = kmt_now_ns() + (uint64_t)(ui->interval_s * 1e9);
	long done = 0;
	int rc = 0;

	cost_sample(&cost, session, ui, false);
	while (!*stop) {
		uint64_t now = kmt_now_ns();
		int ch;

		if (now >= deadline) {
			struct kmt_interval iv;

			rc = kmt_poller_read(poller, &iv);
			if (rc) {
				snprintf(err, errlen, "reading the BPF maps failed: %s", strerror(-rc));
				break;
			}
			rc = kmt_live_update(m, &iv, kmt_now_ns());
			if (rc) {
				snprintf(err, errlen, "keeping the totals failed: %s", strerror(-rc));
				break;
			}
			cost_sample(&cost, session, ui, true);
			now = kmt_now_ns();
			deadline += (uint64_t)(ui->interval_s * 1e9);
			if (deadline < now)
				deadline = now + (uint64_t)(ui->interval_s * 1e9);
			dirty = true;
			done++;
		}
		if (dirty) {
			rc = kmt_live_rows(m);
			if (rc) {
				snprintf(err, errlen, "out of memory");
				break;
			}
			follow_selected(ui);
			kmt_live_draw(ui);
			dirty = false;
		}
		if (opts->iterations && done >= opts->iterations)
			break;
		if (!wait_input(poller, deadline, keyboard)) {
			rc = -EIO;
			snprintf(err, errlen, "the terminal hung up");
			break;
		}
		while (keyboard && (ch = getch()) != ERR) {
			enum key_result r = handle_key(ui, ch, clock_ns(CLOCK_REALTIME));

			dirty = true;
			if (r == KEY_QUIT)
				goto out;
			if (r == KEY_NEW_INTERVAL)
				deadline = kmt_now_ns() + (uint64_t)(ui->interval_s * 1e9);
		}
	}
out:
	if (cost.stats_fd >= 0)
		close(cost.stats_fd);
	return rc;
}

int kmt_live_view(struct kmt_poller *poller, const struct kmt_session *session,
		  const struct kmt_live_opts *opts, volatile sig_atomic_t *stop, char *err,
		  size_t errlen)
{
	struct kmt_live_model model;
	SCREEN *screen;
	struct kmt_live_ui ui = {
		.model = &model,
		.interval_s = opts->interval_s,
		.cli_filter = opts->cli_filter,
	};
	int rc;

	setlocale(LC_ALL, "");
	ui.utf8 = locale_is_utf8();
	kmt_live_init(&model, clock_ns(CLOCK_REALTIME));
	/* newterm, not initscr: an unknown TERM is an error we report, not exit(1) inside curses. */
	screen = newterm(NULL, stdout, stdin);
	if (!screen) {
		snprintf(err, errlen, "cannot start the terminal view (TERM=%s); use -b for batch "
			 "output", getenv("TERM") ? getenv("TERM") : "");
		kmt_live_free(&model);
		return -ENOTTY;
	}
	cbreak();		/* Ctrl-C and Ctrl-\ still signal: *stop ends the loop cleanly */
	noecho();
	nonl();
	keypad(stdscr, TRUE);
	nodelay(stdscr, TRUE);
	set_escdelay(25);
	curs_set(0);
	rc = loop(&ui, poller, session, opts, stop, err, errlen);
	endwin();
	delscreen(screen);
	kmt_live_free(&model);
	return rc;
}
