// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <errno.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "guest_name.h"
#include "map_reader.h"
#include "poller.h"

#define NAME_SCAN_NS 200000000ULL	/* how often new guests are named while waiting */

struct kmt_poller {
	const struct kmt_session *session;
	const char *glob;
	struct kmt_map_fds fds;
	struct kmt_batch batch;		/* the maps are read through it */
	struct kmt_names names;
	struct kmt_snapshot prev, delta;	/* cumulative at the last read; its interval */
	uint64_t prev_ns;
	__u64 procs_seen;	/* fds.procs_changes when procs was last walked */
	bool names_complete;	/* that walk named every guest it found */
};

uint64_t kmt_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

int kmt_poller_new(struct kmt_poller **out, const struct kmt_session *session, const char *glob)
{
	struct kmt_poller *p = calloc(1, sizeof(*p));

	*out = p;
	if (!p)
		return -ENOMEM;
	p->session = session;
	p->glob = glob;
	kmt_session_maps(session, &p->fds);
	p->prev_ns = kmt_now_ns();
	return 0;
}

/* A new guest is named at once, a known one again when it has exec'd. */
static void learn(uint32_t pid, uint64_t start, uint32_t execs, void *ctx)
{
	struct kmt_poller *p = ctx;

	if (!kmt_names_learn(&p->names, (pid_t)pid, start, execs))
		p->names_complete = false;
}

/* Every live guest: new ones named, those that exec'd named again. */
static void learn_all(struct kmt_poller *p)
{
	if (p->fds.procs_changes)
		p->procs_seen = __atomic_load_n(p->fds.procs_changes, __ATOMIC_ACQUIRE);
	p->names_complete = true;
	kmt_for_each_live_guest(&p->fds, &p->batch, learn, p);
}

/*
 * Between reads procs is walked again only when the BPF programs changed it
 * or a guest went unnamed: this runs five times a second, and walking a
 * thousand guests' entries costs a thousand bucket locks in the kernel.
 */
void kmt_poller_learn_names(struct kmt_poller *p)
{
	if (p->fds.procs_changes && p->names_complete &&
	    __atomic_load_n(p->fds.procs_changes, __ATOMIC_ACQUIRE) == p->procs_seen)
		return;
	learn_all(p);
}

/* Names the interval's guests and drops those the glob excludes. */
static void name_and_filter(struct kmt_snapshot *snap, const struct kmt_names *names,
			    const char *glob)
{
	size_t kept = 0;

	for (size_t i = 0; i < snap->nr_guests; i++) {
		struct kmt_guest *g = &snap->guests[i];
		const char *name = kmt_names_get(names, (pid_t)g->pid, g->start);

		snprintf(g->name, sizeof(g->name), "%s", name ? name : "");
		if (glob && fnmatch(glob, g->name, 0)) {
			kmt_guest_free(g);
			continue;
		}
		snap->guests[kept++] = *g;
	}
	snap->nr_guests = kept;
}

int kmt_poller_read(struct kmt_poller *p, struct kmt_interval *out)
{
	struct kmt_snapshot cur;
	uint64_t now;
	int err;

	kmt_snapshot_free(&p->delta);
	err = kmt_snapshot_read(&cur, &p->fds, &p->batch);
	if (err)
		return err;
	/* Every guest of the read alive is named, whatever changed procs. */
	learn_all(p);
	now = kmt_now_ns();
	cur.backends = kmt_session_backends(p->session);
	err = kmt_snapshot_delta(&p->delta, &cur, &p->prev);
	if (err) {
		kmt_snapshot_free(&cur);
		return err;
	}
	name_and_filter(&p->delta, &p->names, p->glob);
	/* An exited guest's final counts are in cur: its keys and name can go. */
	for (size_t i = 0; i < cur.nr_guests; i++)
		if (cur.guests[i].exited)
			kmt_names_forget(&p->names, (pid_t)cur.guests[i].pid, cur.guests[i].start);
	kmt_reap_exited(&p->fds, &cur);
	kmt_snapshot_free(&p->prev);
	p->prev = cur;
	*out = (struct kmt_interval){
		.delta = &p->delta,
		.seconds = (now - p->prev_ns) / 1e9,
		.probes = kmt_session_describe(p->session),
	};
	p->prev_ns = now;
	return 0;
}

void kmt_poller_free(struct kmt_poller *p)
{
	if (!p)
		return;
	kmt_snapshot_free(&p->prev);
	kmt_snapshot_free(&p->delta);
	kmt_names_free(&p->names);
	kmt_batch_free(&p->batch);
	free(p);
}

/*
 * Sleeps until deadline or a signal, naming new guests every NAME_SCAN_NS
 * meanwhile; the reads name those alive when they happen.
 */
static void wait_until(struct kmt_poller *p, uint64_t deadline, volatile sig_atomic_t *stop)
{
	for (uint64_t now = kmt_now_ns(); !*stop && now < deadline; now = kmt_now_ns()) {
		uint64_t nap = deadline - now < NAME_SCAN_NS ? deadline - now : NAME_SCAN_NS;
		struct timespec ts = { (time_t)(nap / 1000000000ULL), (long)(nap % 1000000000ULL) };

		nanosleep(&ts, NULL);
		if (kmt_now_ns() < deadline)
			kmt_poller_learn_names(p);
	}
}

int kmt_poll(struct kmt_poller *p, double interval_s, long iterations, kmt_sink_fn sink,
	     void *ctx, volatile sig_atomic_t *stop, char *err, size_t errlen)
{
	uint64_t step = (uint64_t)(interval_s * 1e9), deadline = kmt_now_ns(), now;
	int rc = 0;

	/* Ctrl-C ends the wait early: the interval so far is still read and handed on. */
	for (long done = 0; (!iterations || done < iterations) && !*stop; done++) {
		struct kmt_interval interval;

		/* A fixed cadence, unless a slow sink made us miss it. */
		now = kmt_now_ns();
		deadline = deadline + step > now ? deadline + step : now;
		wait_until(p, deadline, stop);
		rc = kmt_poller_read(p, &interval);
		if (rc) {
			snprintf(err, errlen, "reading the BPF maps failed: %s", strerror(-rc));
			break;
		}
		rc = sink(ctx, &interval);
		if (rc) {
			snprintf(err, errlen, "writing the report failed: %s", strerror(-rc));
			break;
		}
	}
	return rc;
}
