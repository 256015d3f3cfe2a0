/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The architecture-neutral model every backend fills and every renderer
 * reads: guests (VMM processes), their vCPU threads, latency histograms,
 * lock series and the guest-physical regions they touch. Every figure an
 * output shows is derived here, once.
 */
#ifndef KMT_MODEL_H
#define KMT_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "abi.h"
#include "backend.h"
#include "hist.h"

#define KMT_NAME_MAX 64

struct kmt_vcpu {
	uint32_t tid;
	struct kmt_vcpu_stats stats;
};

struct kmt_gpa_region {
	uint64_t gpa;		/* first address of the page */
	uint64_t exits;
	struct kmt_hist lat;
};

/* One guest's acquisitions of one lock; wait holds the contended ones only. */
struct kmt_lock_series {
	uint64_t acquired;
	struct kmt_hist wait;
};

struct kmt_guest {
	uint32_t pid;
	uint64_t start;		/* its process's start (ns since boot): a reused pid is another guest */
	char name[KMT_NAME_MAX];	/* empty when the process is gone unnamed */
	struct kmt_vcpu *vcpus;
	size_t nr_vcpus;
	struct kmt_hist hist[KMT_HIST_KINDS];
	struct kmt_lock_series locks[KMT_LOCK_KINDS];
	struct kmt_gpa_region *regions;
	size_t nr_regions;
	bool exited;		/* the process had exited before this snapshot was read */
	uint64_t seen_ns;	/* totals (kmt_snapshot_add): the last interval it was in */
};

struct kmt_snapshot {
	struct kmt_guest *guests;	/* sorted by pid, then start */
	size_t nr_guests;
	uint64_t drops[KMT_DROPS];
	const struct kmt_selection *backends;	/* what was attached: what can be measured */
	struct kmt_arena *arena;	/* its histograms' buckets; NULL in totals */
};

/* The figures of a vCPU or a guest that every output shows. */
struct kmt_mmio_counts {
	uint64_t exits;			/* reads + writes == kernel_handled + vmm_handled */
	uint64_t reads, writes;
	uint64_t kernel_handled;	/* completed in the kernel (ioeventfd, in-kernel devices) */
	uint64_t vmm_handled;		/* completed by the VMM after KVM_EXIT_MMIO */
	uint64_t timed_exits;		/* exits whose kernel part was measured */
};

struct kmt_mmio_counts kmt_vcpu_counts(const struct kmt_vcpu_stats *stats);
/* dst += src, counter by counter. */
void kmt_vcpu_stats_add(struct kmt_vcpu_stats *dst, const struct kmt_vcpu_stats *src);
struct kmt_mmio_counts kmt_guest_counts(const struct kmt_guest *guest);

/* True when the snapshot's backends measure cap (enum kmt_capability). */
bool kmt_snapshot_measures(const struct kmt_snapshot *snap, unsigned int cap);

/* Total of the drop counters (everything we failed to account). */
uint64_t kmt_snapshot_dropped(const struct kmt_snapshot *snap);

/* The stable name of drop counter i, as every output spells it: "vcpu_state_full", ... */
const char *kmt_drop_reason(int i);

/*
 * Fills top with up to n of the guest's regions, most exits first (ties:
 * lower address first). Returns how many.
 */
size_t kmt_guest_top_regions(const struct kmt_guest *guest, const struct kmt_gpa_region **top,
			     size_t n);

/* The guest of process (pid, start), or NULL. */
const struct kmt_guest *kmt_snapshot_find(const struct kmt_snapshot *snap, uint32_t pid,
					  uint64_t start);

/* The latest process on pid (the live view selects guests by pid), or NULL. */
const struct kmt_guest *kmt_snapshot_latest(const struct kmt_snapshot *snap, uint32_t pid);

/* Frees what the guest holds (vCPUs, regions, histograms), not the guest itself. */
void kmt_guest_free(struct kmt_guest *guest);

void kmt_snapshot_free(struct kmt_snapshot *snap);

/*
 * out = cur - prev: per-interval numbers from cumulative ones, guest by
 * guest matched by process (pid and start). Guests, vCPUs and regions
 * absent from cur are absent from out, and so is a guest that had exited
 * before cur was read and did nothing since prev. A key whose counters went
 * down was deleted and created anew in between: its values in cur are all
 * new. Returns 0 or -ENOMEM.
 */
int kmt_snapshot_delta(struct kmt_snapshot *out, const struct kmt_snapshot *cur,
		       const struct kmt_snapshot *prev);

/*
 * total += delta, guest by guest (names taken once known; seen_ns set to
 * now_ns for every guest in delta), vCPU by vCPU and region by region.
 * Totals are kept per pid and name, the labels of their Prometheus series:
 * a later process with the same pid and name adds to the same totals, one
 * with another name gets its own. Returns 0 or -ENOMEM (total may then
 * lack part of delta).
 */
int kmt_snapshot_add(struct kmt_snapshot *total, const struct kmt_snapshot *delta,
		     uint64_t now_ns);

/* Drops the guests of total not seen for more than grace_ns. Returns how many. */
size_t kmt_snapshot_expire(struct kmt_snapshot *total, uint64_t now_ns, uint64_t grace_ns);

#endif /* KMT_MODEL_H */
