/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* Test fixture: record a value into a histogram the way the BPF side does. */
#ifndef KMT_TEST_HIST_FILL_H
#define KMT_TEST_HIST_FILL_H

#include "abi.h"

static inline void hist_fill(struct kmt_hist *h, __u64 ns, __u64 times)
{
	h->slots[kmt_hist_slot(ns)] += times;
	h->count += times;
	h->sum += ns * times;
	if (ns > h->max)
		h->max = ns;
}

#endif /* KMT_TEST_HIST_FILL_H */
