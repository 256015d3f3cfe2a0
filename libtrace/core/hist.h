/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Latency histogram math over the buckets the BPF side fills.
 *
 * The model keeps only a histogram's non-empty slots: the BPF side's layout
 * is 496 slots (4 KiB, in chunks), of which a guest's latencies fill a
 * dozen or two, and a thousand guests' pages and lock series would
 * otherwise be a hundred MiB per snapshot, mostly zeros, subtracted and
 * copied at every refresh.
 */
#ifndef KMT_HIST_H
#define KMT_HIST_H

#include <stdbool.h>
#include <stdint.h>
#include "abi.h"
#include "arena.h"

/* A non-empty slot of the BPF side's layout (kmt_hist_slot()). */
struct kmt_hist_bucket {
	uint32_t slot;
	uint64_t count;
};

/*
 * buckets holds the non-empty slots in ascending order. It belongs to the
 * histogram, or to the arena it was made in (a snapshot's, released with
 * the snapshot): copy it with kmt_hist_copy(), release it with
 * kmt_hist_free(). A zeroed struct is an empty histogram.
 */
struct kmt_hist {
	struct kmt_hist_bucket *buckets;
	uint32_t nr;
	bool in_arena;
	uint64_t count;		/* the sum of the buckets' counts */
	uint64_t sum;		/* in the unit of the values: ns, or lock retries */
	uint64_t max;
};

/*
 * The functions that make a histogram take its buckets from *arena, or
 * from the heap when arena is NULL; dst is overwritten, not freed.
 */

/*
 * Adds the map value c, chunk number chunk of a histogram (struct
 * kmt_hist_chunk), into dst. dst's buckets are then made anew. 0 or -ENOMEM
 * (dst unchanged).
 */
int kmt_hist_add_chunk(struct kmt_hist *dst, const struct kmt_hist_chunk *c, uint32_t chunk,
		       struct kmt_arena **arena);

/* Records value times times, as the BPF side would. 0 or -ENOMEM. */
int kmt_hist_record(struct kmt_hist *hist, uint64_t value, uint64_t times);

/* dst = a copy of src. 0 or -ENOMEM. */
int kmt_hist_copy(struct kmt_hist *dst, const struct kmt_hist *src, struct kmt_arena **arena);

/*
 * dst = cur - prev, for a histogram that only grows. max cannot be
 * subtracted: the interval's max is cur's when anything happened in it.
 * 0 or -ENOMEM.
 */
int kmt_hist_delta(struct kmt_hist *dst, const struct kmt_hist *cur, const struct kmt_hist *prev,
		   struct kmt_arena **arena);

/* Adds src into dst, whose buckets are then made anew. 0, or -ENOMEM with dst unchanged. */
int kmt_hist_merge(struct kmt_hist *dst, const struct kmt_hist *src, struct kmt_arena **arena);

void kmt_hist_free(struct kmt_hist *hist);

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
