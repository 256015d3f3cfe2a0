/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* Test fixture: record a value into a histogram the way the BPF side does. */
#ifndef KMT_TEST_HIST_FILL_H
#define KMT_TEST_HIST_FILL_H

#include <stdlib.h>
#include "hist.h"

/* A fixture that cannot build its input has nothing to test: stop here. */
static inline void hist_fill(struct kmt_hist *h, __u64 ns, __u64 times)
{
	if (kmt_hist_record(h, ns, times))
		abort();
}

#endif /* KMT_TEST_HIST_FILL_H */
