// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include "metrics_http.h"
#include "prom_exporter.h"
#include "prom_exposition.h"
#include "textfile.h"

#define COMPLAIN_EVERY_NS (60 * 1000000000ULL)

/*
 * A failure repeated every interval would flood the journal: say it when it
 * starts or changes, then at most once a minute, and say when it is over.
 */
struct complaint {
	int err;		/* 0: all is well */
	uint64_t said_ns;
	unsigned long repeats;	/* since it was last said */
};

struct kmt_exporter {
	struct kmt_exporter_opts opts;
	const struct kmt_session *session;
	struct kmt_snapshot total;	/* lifetime totals: Prometheus counters never go down */
	struct kmt_metrics_http *http;
	int stats_fd;		/* keeps bpf_stats enabled; -1: unavailable */
	struct kmt_prog_stat *progs;
	size_t nr_progs, cap_progs;
	uint64_t errors[KMT_EXPORT_OPS];	/* the server counts its own too */
	uint64_t last_write_ns;	/* wall clock; 0: never written */
	struct kmt_strbuf body;	/* without a server: the exposition, written over each interval */
	struct complaint write_trouble, memory_trouble;
};

static uint64_t clock_ns(clockid_t clock)
{
	struct timespec ts;

	clock_gettime(clock, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

__attribute__((format(printf, 3, 4)))
static void complain(struct complaint *c, int err, const char *fmt, ...)
{
	uint64_t now = clock_ns(CLOCK_MONOTONIC);
	va_list ap;

	if (err == c->err && now - c->said_ns < COMPLAIN_EVERY_NS) {
		c->repeats++;
		return;
	}
	fputs("kvm-mmio-top: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	if (err == c->err && c->repeats)
		fprintf(stderr, " (%lu more times since the last message)", c->repeats);
	fputc('\n', stderr);
	c->err = err;
	c->said_ns = now;
	c->repeats = 0;
}

static void recovered(struct complaint *c, const char *what)
{
	if (!c->err)
		return;
	fprintf(stderr, "kvm-mmio-top: %s works again\n", what);
	memset(c, 0, sizeof(*c));
}

static void collect_prog(const char *name, int fd, void *ctx)
{
	struct kmt_exporter *e = ctx;
	struct bpf_prog_info info = { 0 };
	__u32 len = sizeof(info);
	struct kmt_prog_stat *p;

	if (bpf_obj_get_info_by_fd(fd, &info, &len))
		return;
	if (e->nr_progs == e->cap_progs) {
		size_t cap = e->cap_progs ? 2 * e->cap_progs : 8;

		p = realloc(e->progs, cap * sizeof(*p));
		if (!p)
			return;
		e->progs = p;
		e->cap_progs = cap;
	}
	p = &e->progs[e->nr_progs++];
	snprintf(p->name, sizeof(p->name), "%s", name);
	p->run_ns = info.run_time_ns;
	p->runs = info.run_cnt;
}

static const char *write_hint(int err)
{
	switch (err) {
	case -ENOENT:
	case -ENOTDIR:
		return "; does the directory exist?";
	case -EACCES:
	case -EPERM:
	case -EROFS:
		return "; is the directory writable for this user?";
	case -ENOSPC:
	case -EDQUOT:
		return "; free some space";
	}
	return "";
}

static void write_textfile(struct kmt_exporter *e, const char *text, size_t len)
{
	const char *dir = e->opts.textfile_dir, *step = "";
	uint64_t now = clock_ns(CLOCK_REALTIME);
	struct kmt_strbuf line = { 0 };
	int err;

	/* The file carries its own write time: it is only seen if the write works. */
	kmt_prom_render_last_write(&line, now);
	err = kmt_strbuf_failed(&line) ? -ENOMEM :
		kmt_textfile_write(dir, KMT_TEXTFILE_NAME, text, len, line.data, &step);
	kmt_strbuf_free(&line);
	if (!err) {
		e->last_write_ns = now;
		recovered(&e->write_trouble, "writing the textfile");
		return;
	}
	e->errors[KMT_EXPORT_WRITE]++;
	complain(&e->write_trouble, err,
		 "cannot write %s/%s (%s failed: %s%s); the previous file stays, "
		 "retrying every interval", dir, KMT_TEXTFILE_NAME, step, strerror(-err),
		 write_hint(err));
}

/*
 * Hands body back to the server: it is left empty, or as it was if the
 * server could not take it (out of memory; the previous exposition stays).
 */
static void publish(struct kmt_exporter *e, struct kmt_strbuf *body)
{
	if (!kmt_metrics_http_publish(e->http, body))
		return;
	e->errors[KMT_EXPORT_SERVE]++;
	complain(&e->memory_trouble, -ENOMEM, "out of memory: /metrics serves the previous exposition");
}

/*
 * The BPF maps forget a guest once it has exited (its keys are reaped after
 * the final read), so lifetime totals cannot be re-read from the kernel:
 * every interval is added to our own, and an exited guest's series stay for
 * a grace period, so its last increase is scraped before they vanish.
 */
static void update(struct kmt_exporter *e, const struct kmt_snapshot *delta)
{
	uint64_t now = clock_ns(CLOCK_MONOTONIC);
	struct kmt_prom_input in = {
		.total = &e->total,
		.per_vcpu = e->opts.per_vcpu,
		.per_region = e->opts.per_region,
	};
	struct kmt_strbuf lent, *body = e->http ? &lent : &e->body;
	const char *text;
	size_t text_len;
	bool lost = kmt_snapshot_add(&e->total, delta, now);

	if (lost)
		complain(&e->memory_trouble, -ENOMEM, "out of memory: some counts were lost");
	kmt_snapshot_expire(&e->total, now, (uint64_t)(e->opts.grace_s * 1e9));
	if (e->stats_fd >= 0) {
		e->nr_progs = 0;
		kmt_session_for_each_prog(e->session, collect_prog, e);
		in.progs = e->progs;
		in.nr_progs = e->nr_progs;
	}
	memcpy(in.errors, e->errors, sizeof(in.errors));
	if (e->http)
		in.errors[KMT_EXPORT_SERVE] += kmt_metrics_http_errors(e->http);

	/*
	 * Rendered into the served exposition's buffer, or into our own with
	 * no server: no second copy of some 12 MB at a thousand guests, no new
	 * pages to fault in each interval.
	 */
	if (e->http)
		kmt_metrics_http_lend(e->http, body);
	else
		kmt_strbuf_reset(body);
	kmt_prom_render(body, &in);
	/* The textfile gets the body and a last line of its own. */
	text_len = body->len;
	if (e->http && e->last_write_ns)
		kmt_prom_render_last_write(body, e->last_write_ns);
	/* A lent buffer must go back to the server, whatever failed. */
	if (kmt_strbuf_failed(body)) {
		if (e->http)
			kmt_metrics_http_withdraw(e->http, body);
		for (int op = 0; op < KMT_EXPORT_OPS; op++)
			e->errors[op]++;
		complain(&e->memory_trouble, -ENOMEM,
			 "out of memory rendering the metrics; retrying next interval");
		return;
	}
	if (!lost)
		recovered(&e->memory_trouble, "rendering the metrics");
	/* Published first, so that a slow disk does not hold up scrapes. */
	text = body->data;
	if (e->http)
		publish(e, body);
	/* Published, text stays as it is until the next kmt_metrics_http_lend(). */
	if (e->opts.textfile_dir)
		write_textfile(e, text, text_len);
	if (e->http)
		kmt_strbuf_free(body);	/* what the server could not take */
}

int kmt_exporter_sink(void *exporter, const struct kmt_interval *interval)
{
	update(exporter, interval->delta);
	return 0;
}

int kmt_exporter_open(struct kmt_exporter **out, const struct kmt_exporter_opts *opts,
		      const struct kmt_session *session, char *err, size_t errlen)
{
	struct kmt_snapshot nothing_yet = { .backends = kmt_session_backends(session) };
	struct kmt_exporter *e;
	int rc;

	*out = NULL;
	e = calloc(1, sizeof(*e));
	if (!e) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	e->opts = *opts;
	e->session = session;
	if (opts->listen) {
		rc = kmt_metrics_http_start(&e->http, opts->listen, opts->web, err, errlen);
		if (rc) {
			free(e);
			return rc;
		}
	}
	/*
	 * Only when asked: the statistics are global, and two clock reads per
	 * run of every BPF program of the host is not a daemon's default cost.
	 */
	e->stats_fd = opts->bpf_stats ? bpf_enable_stats(BPF_STATS_RUN_TIME) : -1;
	if (opts->bpf_stats && e->stats_fd < 0)
		fprintf(stderr, "kvm-mmio-top: cannot enable BPF run-time statistics (%s%s): "
			"kvm_mmio_exporter_bpf_prog_* metrics are left out\n",
			strerror(-e->stats_fd),
			e->stats_fd == -EPERM ? "; CAP_SYS_ADMIN is needed" : "");
	update(e, &nothing_yet);
	*out = e;
	return 0;
}

int kmt_exporter_reload_web(struct kmt_exporter *e, const struct kmt_web_config *web,
			    char *err, size_t errlen)
{
	int rc;

	if (!e->http)
		return 0;
	rc = kmt_metrics_http_reload(e->http, web, err, errlen);
	if (!rc)
		e->opts.web = web;
	return rc;
}

void kmt_exporter_close(struct kmt_exporter *e)
{
	if (!e)
		return;
	kmt_metrics_http_stop(e->http);
	if (e->stats_fd >= 0)
		close(e->stats_fd);
	kmt_snapshot_free(&e->total);
	kmt_strbuf_free(&e->body);
	free(e->progs);
	free(e);
}
