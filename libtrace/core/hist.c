// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "hist.h"

/* Room for nr buckets in *arena, or on the heap without one; sets in_arena. */
static struct kmt_hist_bucket *buckets_alloc(struct kmt_hist *h, uint32_t nr,
					     struct kmt_arena **arena)
{
	h->in_arena = arena != NULL;
	if (!nr)
		return NULL;
	return arena ? kmt_arena_alloc(arena, nr * sizeof(*h->buckets)) :
		       malloc(nr * sizeof(*h->buckets));
}

static bool is_empty(const struct kmt_hist *h)
{
	return !h->nr && !h->count && !h->sum && !h->max;
}

int kmt_hist_add_chunk(struct kmt_hist *dst, const struct kmt_hist_chunk *c, uint32_t chunk,
		       struct kmt_arena **arena)
{
	struct kmt_hist_bucket found[KMT_HIST_CHUNK_SLOTS];
	struct kmt_hist part = { .buckets = found, .sum = c->sum, .max = c->max };
	uint32_t first = chunk * KMT_HIST_CHUNK_SLOTS;

	/* One pass over the chunk: a thousand guests have thousands of them. */
	for (uint32_t i = 0; i < KMT_HIST_CHUNK_SLOTS && first + i < KMT_HIST_SLOTS; i++) {
		if (!c->slots[i])
			continue;
		found[part.nr++] = (struct kmt_hist_bucket){ first + i, c->slots[i] };
		part.count += c->slots[i];
	}
	return kmt_hist_merge(dst, &part, arena);
}

int kmt_hist_record(struct kmt_hist *hist, uint64_t value, uint64_t times)
{
	struct kmt_hist one = {
		.buckets = &(struct kmt_hist_bucket){ kmt_hist_slot(value), times },
		.nr = 1,
		.count = times,
		.sum = value * times,
		.max = value,
	};

	return kmt_hist_merge(hist, &one, NULL);
}

int kmt_hist_copy(struct kmt_hist *dst, const struct kmt_hist *src, struct kmt_arena **arena)
{
	*dst = *src;
	dst->buckets = buckets_alloc(dst, src->nr, arena);
	if (src->nr && !dst->buckets) {
		memset(dst, 0, sizeof(*dst));
		return -ENOMEM;
	}
	if (src->nr)
		memcpy(dst->buckets, src->buckets, src->nr * sizeof(*dst->buckets));
	return 0;
}

/*
 * The buckets of a and b added slot by slot into out (room for a->nr +
 * b->nr). Returns how many.
 */
static uint32_t combine(struct kmt_hist_bucket *out, const struct kmt_hist *a,
			const struct kmt_hist *b)
{
	uint32_t i = 0, j = 0, n = 0;

	while (i < a->nr || j < b->nr) {
		if (j == b->nr || (i < a->nr && a->buckets[i].slot < b->buckets[j].slot)) {
			out[n++] = a->buckets[i++];
		} else if (i == a->nr || b->buckets[j].slot < a->buckets[i].slot) {
			out[n++] = b->buckets[j++];
		} else {
			out[n] = a->buckets[i++];
			out[n++].count += b->buckets[j++].count;
		}
	}
	return n;
}

int kmt_hist_merge(struct kmt_hist *dst, const struct kmt_hist *src, struct kmt_arena **arena)
{
	struct kmt_hist merged = *dst;

	if (is_empty(src))
		return 0;
	/*
	 * Nothing to merge with (a histogram's first chunk, most often its
	 * only one; a guest's first interval): a copy, without a combine.
	 */
	if (is_empty(dst)) {
		if (kmt_hist_copy(&merged, src, arena))
			return -ENOMEM;
		kmt_hist_free(dst);
		*dst = merged;
		return 0;
	}
	merged.buckets = buckets_alloc(&merged, dst->nr + src->nr, arena);
	if (dst->nr + src->nr && !merged.buckets)
		return -ENOMEM;
	merged.nr = combine(merged.buckets, dst, src);
	merged.count += src->count;
	merged.sum += src->sum;
	if (src->max > merged.max)
		merged.max = src->max;
	kmt_hist_free(dst);
	*dst = merged;
	return 0;
}

/*
 * cur's buckets less prev's into out (room for cur->nr), empty ones left
 * out: a slot's count only grows, so prev's slots are all among cur's (one
 * that is not is passed over). Returns how many.
 */
static uint32_t subtract(struct kmt_hist_bucket *out, const struct kmt_hist *cur,
			 const struct kmt_hist *prev)
{
	uint32_t j = 0, n = 0;

	for (uint32_t i = 0; i < cur->nr; i++) {
		struct kmt_hist_bucket x = cur->buckets[i];

		while (j < prev->nr && prev->buckets[j].slot < x.slot)
			j++;
		if (j < prev->nr && prev->buckets[j].slot == x.slot)
			x.count -= prev->buckets[j++].count;
		if (x.count)
			out[n++] = x;
	}
	return n;
}

int kmt_hist_delta(struct kmt_hist *dst, const struct kmt_hist *cur, const struct kmt_hist *prev,
		   struct kmt_arena **arena)
{
	memset(dst, 0, sizeof(*dst));
	dst->buckets = buckets_alloc(dst, cur->nr, arena);
	if (cur->nr && !dst->buckets)
		return -ENOMEM;
	dst->nr = subtract(dst->buckets, cur, prev);
	dst->count = cur->count - prev->count;
	dst->sum = cur->sum - prev->sum;
	dst->max = dst->count ? cur->max : 0;
	return 0;
}

void kmt_hist_free(struct kmt_hist *hist)
{
	if (!hist->in_arena)
		free(hist->buckets);
	memset(hist, 0, sizeof(*hist));
}

uint64_t kmt_hist_quantile(const struct kmt_hist *hist, double q)
{
	uint64_t rank, seen = 0;

	if (!hist->count)
		return 0;
	rank = (uint64_t)ceil(q * (double)hist->count);
	if (rank == 0)
		rank = 1;
	for (uint32_t i = 0; i < hist->nr; i++) {
		seen += hist->buckets[i].count;
		if (seen >= rank) {
			uint64_t upper = kmt_hist_slot_upper(hist->buckets[i].slot);

			return upper < hist->max ? upper : hist->max;
		}
	}
	/* Buckets and count disagree (a torn read): the max is still exact. */
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
