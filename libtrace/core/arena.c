// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <stdalign.h>
#include <stdint.h>
#include <stdlib.h>
#include "arena.h"

#define BLOCK_BYTES (64 * 1024)

/* The newest block; each holds the one before it. */
struct kmt_arena {
	struct kmt_arena *prev;
	size_t used, size;
	alignas(max_align_t) unsigned char data[];
};

void *kmt_arena_alloc(struct kmt_arena **arena, size_t size)
{
	const size_t align = alignof(max_align_t);
	struct kmt_arena *top = *arena;
	void *p;

	if (size > SIZE_MAX - BLOCK_BYTES)
		return NULL;
	size = (size + align - 1) & ~(align - 1);
	if (!top || top->size - top->used < size) {
		size_t room = size > BLOCK_BYTES ? size : BLOCK_BYTES;

		top = malloc(sizeof(*top) + room);
		if (!top)
			return NULL;
		top->prev = *arena;
		top->used = 0;
		top->size = room;
		*arena = top;
	}
	p = top->data + top->used;
	top->used += size;
	return p;
}

void kmt_arena_free(struct kmt_arena *arena)
{
	while (arena) {
		struct kmt_arena *prev = arena->prev;

		free(arena);
		arena = prev;
	}
}
