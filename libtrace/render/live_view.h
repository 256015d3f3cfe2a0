/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The interactive live view (kvm-mmio-top on a terminal): owns its loop,
 * waiting on the keyboard until the next interval is due, naming new guests
 * meanwhile, then reading the interval from the poller. The terminal is
 * restored on every way out: q, Ctrl-C, SIGTERM (both set *stop), an error.
 */
#ifndef KMT_LIVE_VIEW_H
#define KMT_LIVE_VIEW_H

#include <signal.h>
#include <stddef.h>
#include "poller.h"
#include "session.h"

struct kmt_live_opts {
	double interval_s;
	long iterations;		/* quit after this many intervals; 0: until q */
	const char *cli_filter;		/* "-p 42 -g 'web*'" as given, for the header; or NULL */
};

/* Returns 0, or a negative errno with what failed in err (the terminal restored). */
int kmt_live_view(struct kmt_poller *poller, const struct kmt_session *session,
		  const struct kmt_live_opts *opts, volatile sig_atomic_t *stop, char *err,
		  size_t errlen);

#endif /* KMT_LIVE_VIEW_H */
