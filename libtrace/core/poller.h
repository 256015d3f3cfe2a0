/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The interval loop every output shares: read the maps, derive the interval
 * from the previous read (model.h), name the guests and apply the name
 * filter, reap the guests that exited, and hand the interval to a sink (the
 * table, JSON, the exporter, the live view).
 */
#ifndef KMT_POLLER_H
#define KMT_POLLER_H

#include <signal.h>
#include <stddef.h>
#include "model.h"
#include "session.h"

struct kmt_interval {
	const struct kmt_snapshot *delta;	/* what happened since the previous read */
	double seconds;				/* since the previous read (or attach) */
	const char *probes;			/* kmt_session_describe() */
};

struct kmt_poller;

/* glob: only guests whose name matches it (fnmatch); NULL: every guest. */
int kmt_poller_new(struct kmt_poller **out, const struct kmt_session *session, const char *glob);

/*
 * Names the guests with vCPU counters that have no name yet, so one that
 * exits before the next read keeps its name. Cheap: called several times
 * an interval, it reads the maps only when the BPF programs registered,
 * marked gone or saw an exec of a process since (or a guest could not be
 * named); each read names every live guest itself.
 */
void kmt_poller_learn_names(struct kmt_poller *poller);

/*
 * Reads and derives one interval; *out stays valid until the next call.
 * Returns 0 or a negative errno.
 */
int kmt_poller_read(struct kmt_poller *poller, struct kmt_interval *out);

void kmt_poller_free(struct kmt_poller *poller);

/* Called with each interval; a negative errno stops kmt_poll(). */
typedef int (*kmt_sink_fn)(void *ctx, const struct kmt_interval *interval);

/*
 * Every interval_s seconds reads an interval and hands it to sink, naming
 * new guests meanwhile; iterations times (0: until *stop is set). Returns 0,
 * or a negative errno with what failed in err.
 */
int kmt_poll(struct kmt_poller *poller, double interval_s, long iterations, kmt_sink_fn sink,
	     void *ctx, volatile sig_atomic_t *stop, char *err, size_t errlen);

/* CLOCK_MONOTONIC in nanoseconds. */
uint64_t kmt_now_ns(void);

#endif /* KMT_POLLER_H */
