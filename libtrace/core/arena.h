/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * A bump allocator for what lives exactly as long as one snapshot: the
 * buckets of its histograms, tens of thousands of small arrays at a
 * thousand guests, taken from a few large blocks and released at once.
 */
#ifndef KMT_ARENA_H
#define KMT_ARENA_H

#include <stddef.h>

struct kmt_arena;

/*
 * size bytes, aligned for any type, from *arena (NULL: a new one is
 * started there). NULL when out of memory.
 */
void *kmt_arena_alloc(struct kmt_arena **arena, size_t size);

/* Releases everything allocated from arena (NULL is fine). */
void kmt_arena_free(struct kmt_arena *arena);

#endif /* KMT_ARENA_H */
