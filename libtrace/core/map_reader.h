/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Reads the BPF maps into the model. The maps hold cumulative values since
 * attach, keyed by process (pid and start time, so a reused pid is another
 * guest); per-interval numbers come from kmt_snapshot_delta(). The BPF
 * programs mark a process gone once no thread of it runs; its keys are
 * deleted (its vCPU slots handed back) after their final values were read,
 * so maps stay bounded without LRU eviction silently losing counts.
 */
#ifndef KMT_MAP_READER_H
#define KMT_MAP_READER_H

#include "model.h"

struct kmt_map_fds {
	/* The per-vCPU counters, mmapped: nr_vcpu_slots of them. */
	struct kmt_vcpu_slot *vcpu_slots;
	__u32 nr_vcpu_slots;
	/* How many slots the BPF programs handed out so far (mmapped). */
	const volatile __u64 *vcpu_slots_used;
	int free_vcpu_slots;	/* where reaped slots go back to */
	int hists;
	int locks;
	int regions;
	int drops;
	int procs;
	/* How often the BPF programs changed procs (mmapped), or NULL: unknown. */
	const volatile __u64 *procs_changes;
};

/*
 * Room for a batch of keys and values, kept from one read to the next:
 * buffers allocated for each read were page-faulted in again every time.
 * Zero-initialised; kmt_batch_free() frees it.
 */
struct kmt_batch {
	void *keys, *values;
};

void kmt_batch_free(struct kmt_batch *batch);

/*
 * Fills out from the maps, through batch. Guests whose process was gone
 * before the read began are marked exited: the read holds their final
 * counts (a gone process without counts is there too, empty). Returns 0
 * or a negative errno.
 */
int kmt_snapshot_read(struct kmt_snapshot *out, const struct kmt_map_fds *fds,
		      struct kmt_batch *batch);

/*
 * Calls fn(pid, start, execs, ctx) for every guest process the BPF
 * programs know and have not seen go, with how many times it has exec'd:
 * one map entry per process, cheap enough to be read several times an
 * interval (new guests are named while they live, and again after an exec).
 */
void kmt_for_each_live_guest(const struct kmt_map_fds *fds, struct kmt_batch *batch,
			     void (*fn)(uint32_t pid, uint64_t start, uint32_t execs, void *ctx),
			     void *ctx);

/*
 * Deletes the keys and the registration of the guests snap marks exited,
 * and hands their vCPU slots back to the BPF programs. A process that went
 * after the read began is marked in the next read. Returns how many guests
 * were reaped.
 */
int kmt_reap_exited(const struct kmt_map_fds *fds, const struct kmt_snapshot *snap);

#endif /* KMT_MAP_READER_H */
