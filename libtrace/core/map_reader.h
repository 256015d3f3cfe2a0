/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Reads the BPF maps into the model. The maps hold cumulative values since
 * attach; per-interval numbers come from kmt_snapshot_delta(). Keys of
 * processes that have exited are deleted after their final values were read
 * (an exited process cannot add to them), so maps stay bounded without LRU
 * eviction silently losing counts.
 */
#ifndef KMT_MAP_READER_H
#define KMT_MAP_READER_H

#include "model.h"

struct kmt_map_fds {
	int vcpu_stats;
	int hists;
	int locks;
	int regions;
	int drops;
};

/*
 * Fills out from the maps. Guests whose process had exited before the read
 * began are marked exited: the read holds their final counts. Returns 0 or a
 * negative errno.
 */
int kmt_snapshot_read(struct kmt_snapshot *out, const struct kmt_map_fds *fds);

/*
 * Calls fn(pid, ctx) for every guest process with vCPU counters in the
 * maps, once per vCPU thread: cheap enough to be called several times an
 * interval (new guests are named while they live). A guest present only
 * in the other maps (vCPU map full) is in kmt_snapshot_read()'s guests.
 */
void kmt_for_each_guest_pid(const struct kmt_map_fds *fds, void (*fn)(uint32_t pid, void *ctx),
			    void *ctx);

/*
 * Deletes the keys of the guests snap marks exited. A guest that exited
 * after the read began keeps its keys until the next read, since it may
 * have counted exits after its values were read. Returns how many guests
 * were reaped.
 */
int kmt_reap_exited(const struct kmt_map_fds *fds, const struct kmt_snapshot *snap);

#endif /* KMT_MAP_READER_H */
