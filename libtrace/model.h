/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The architecture-neutral model every backend fills and every renderer
 * reads: guests (VMM processes), their vCPU threads, latency histograms and
 * the guest-physical regions they touch.
 */
#ifndef KMT_MODEL_H
#define KMT_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "abi.h"

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

struct kmt_guest {
	uint32_t pid;
	char name[KMT_NAME_MAX];	/* empty when the process is gone unnamed */
	struct kmt_vcpu *vcpus;
	size_t nr_vcpus;
	struct kmt_hist hist[KMT_HIST_KINDS];
	struct kmt_gpa_region *regions;
	size_t nr_regions;
	bool exited;	/* the process had exited before this snapshot was read */
};

struct kmt_snapshot {
	struct kmt_guest *guests;	/* sorted by pid */
	size_t nr_guests;
	uint64_t counters[KMT_COUNTERS];
};

/* dst += src and dst -= src, over every counter of struct kmt_vcpu_stats. */
void kmt_vcpu_stats_add(struct kmt_vcpu_stats *dst, const struct kmt_vcpu_stats *src);
void kmt_vcpu_stats_sub(struct kmt_vcpu_stats *dst, const struct kmt_vcpu_stats *src);

/* Sums of a guest's vCPU counters. */
struct kmt_vcpu_stats kmt_guest_totals(const struct kmt_guest *guest);

/* Total of the drop counters (everything we failed to account). */
uint64_t kmt_snapshot_dropped(const struct kmt_snapshot *snap);

/*
 * The stable name of drop counter i (KMT_DROP_VCPU_STATE..KMT_COUNTERS-1),
 * as every output spells it: "vcpu_state_full", ...
 */
const char *kmt_drop_reason(int i);

/*
 * Fills top with up to n of the guest's regions, most exits first (ties:
 * lower address first). Returns how many.
 */
size_t kmt_guest_top_regions(const struct kmt_guest *guest, const struct kmt_gpa_region **top,
			     size_t n);

/*
 * What the events seen since attach can measure: "kvm_hv" on POWER with our
 * kernel series (kvm_hv_mmio_dispatch seen), "kvm_exit" where the kernel's
 * kvm_exit/kvm_entry fire, else "kvm_mmio" (counts and the VMM part only).
 */
const char *kmt_backend_name(const struct kmt_snapshot *cumulative);

/*
 * True when guest exit times are known, so the kernel part is measured;
 * counters are cumulative since attach (a snapshot's or the exporter's).
 */
bool kmt_kernel_timed(const uint64_t counters[KMT_COUNTERS]);

const struct kmt_guest *kmt_snapshot_find(const struct kmt_snapshot *snap, uint32_t pid);

void kmt_snapshot_free(struct kmt_snapshot *snap);

/*
 * out = cur - prev: per-interval numbers from cumulative ones. Guests,
 * vCPUs and regions absent from cur are absent from out, and so is a guest
 * that had exited before cur was read and did nothing since prev. Returns 0
 * or -ENOMEM.
 */
int kmt_snapshot_delta(struct kmt_snapshot *out, const struct kmt_snapshot *cur,
		       const struct kmt_snapshot *prev);

#endif /* KMT_MODEL_H */
