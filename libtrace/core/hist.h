/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* Latency histogram math over the buckets the BPF side fills. */
#ifndef KMT_HIST_H
#define KMT_HIST_H

#include <stdbool.h>
#include <stdint.h>
#include "abi.h"

/* Sets count to the sum of the slots: the BPF side keeps slots, sum and max only. */
void kmt_hist_recount(struct kmt_hist *hist);

/* Adds src into dst. */
void kmt_hist_merge(struct kmt_hist *dst, const struct kmt_hist *src);

/*
 * dst = cur - prev, for a histogram that only grows. max cannot be
 * subtracted: the interval's max is cur's when anything happened in it.
 */
void kmt_hist_delta(struct kmt_hist *dst, const struct kmt_hist *cur, const struct kmt_hist *prev);

/*
 * The q-quantile (0 < q <= 1) in ns: the upper bound of the bucket holding
 * the ceil(q * count)-th smallest value, capped by the exact max. 0 when
 * the histogram is empty.
 */
uint64_t kmt_hist_quantile(const struct kmt_hist *hist, double q);

struct kmt_latency_summary {
	uint64_t count, p50, p90, p99, p999, max, sum;
};

struct kmt_latency_summary kmt_hist_summary(const struct kmt_hist *hist);

#endif /* KMT_HIST_H */
