// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <math.h>
#include "hist.h"

void kmt_hist_recount(struct kmt_hist *hist)
{
	hist->count = 0;
	for (unsigned int i = 0; i < KMT_HIST_SLOTS; i++)
		hist->count += hist->slots[i];
}

void kmt_hist_merge(struct kmt_hist *dst, const struct kmt_hist *src)
{
	for (unsigned int i = 0; i < KMT_HIST_SLOTS; i++)
		dst->slots[i] += src->slots[i];
	dst->count += src->count;
	dst->sum += src->sum;
	if (src->max > dst->max)
		dst->max = src->max;
}

void kmt_hist_delta(struct kmt_hist *dst, const struct kmt_hist *cur, const struct kmt_hist *prev)
{
	for (unsigned int i = 0; i < KMT_HIST_SLOTS; i++)
		dst->slots[i] = cur->slots[i] - prev->slots[i];
	dst->count = cur->count - prev->count;
	dst->sum = cur->sum - prev->sum;
	dst->max = dst->count ? cur->max : 0;
}

uint64_t kmt_hist_quantile(const struct kmt_hist *hist, double q)
{
	uint64_t rank, seen = 0;

	if (!hist->count)
		return 0;
	rank = (uint64_t)ceil(q * (double)hist->count);
	if (rank == 0)
		rank = 1;
	for (unsigned int i = 0; i < KMT_HIST_SLOTS; i++) {
		seen += hist->slots[i];
		if (seen >= rank) {
			uint64_t upper = kmt_hist_slot_upper(i);

			return upper < hist->max ? upper : hist->max;
		}
	}
	/* Slots and count disagree (a torn read): the max is still exact. */
	return hist->max;
}

struct kmt_latency_summary kmt_hist_summary(const struct kmt_hist *hist)
{
	return (struct kmt_latency_summary){
		.count = hist->count,
		.p50 = kmt_hist_quantile(hist, 0.50),
		.p90 = kmt_hist_quantile(hist, 0.90),
		.p99 = kmt_hist_quantile(hist, 0.99),
		.p999 = kmt_hist_quantile(hist, 0.999),
		.max = hist->max,
		.sum = hist->sum,
	};
}
