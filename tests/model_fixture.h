/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* Test fixture: guests and snapshots with known counts. */
#ifndef KMT_TEST_MODEL_FIXTURE_H
#define KMT_TEST_MODEL_FIXTURE_H

#include <stdlib.h>
#include <string.h>
#include "hist_fill.h"
#include "model.h"

/*
 * One guest, two vCPUs, three regions; scale multiplies every count. In
 * all: 10 reads and 25 writes, 30 completed by the VMM and 5 (writes) in
 * the kernel; 30 VMM-part samples of 2 us.
 */
static inline void make_guest(struct kmt_guest *g, uint32_t pid, uint64_t scale)
{
	memset(g, 0, sizeof(*g));
	g->pid = pid;
	g->nr_vcpus = 2;
	g->vcpus = calloc(2, sizeof(*g->vcpus));
	g->vcpus[0] = (struct kmt_vcpu){ pid + 1, { .vmm_reads = 10 * scale,
						    .vmm_writes = 15 * scale,
						    .kernel_writes = 5 * scale } };
	g->vcpus[1] = (struct kmt_vcpu){ pid + 2, { .vmm_writes = 5 * scale } };
	hist_fill(&g->hist[KMT_HIST_VMM], 2000, 30 * scale);
	g->nr_regions = 3;
	g->regions = calloc(3, sizeof(*g->regions));
	g->regions[0].gpa = 0xd0000;
	g->regions[0].exits = 5 * scale;
	g->regions[1].gpa = 0xe0000;
	g->regions[1].exits = 30 * scale;
	hist_fill(&g->regions[1].lat, 3000, 30 * scale);
	g->regions[2].gpa = 0xf0000;
	g->regions[2].exits = 5 * scale;
}

static inline void make_snapshot(struct kmt_snapshot *s, const uint32_t *pids, size_t n,
				 uint64_t scale)
{
	memset(s, 0, sizeof(*s));
	s->guests = calloc(n, sizeof(*s->guests));
	s->nr_guests = n;
	for (size_t i = 0; i < n; i++)
		make_guest(&s->guests[i], pids[i], scale);
	s->drops[KMT_DROP_UNPAIRED] = 2 * scale;
}

#endif /* KMT_TEST_MODEL_FIXTURE_H */
