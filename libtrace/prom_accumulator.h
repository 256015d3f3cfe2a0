/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Totals for the exporter's lifetime. Prometheus counters must never go
 * down, but the BPF maps forget a guest once it has exited (its keys are
 * reaped after the final read), so the exporter cannot re-read lifetime
 * totals from the kernel: it adds every interval's delta to its own totals
 * here, and keeps an exited guest's series for a grace period before
 * dropping them, so the last increase is scraped before the series vanish.
 */
#ifndef KMT_PROM_ACCUMULATOR_H
#define KMT_PROM_ACCUMULATOR_H

#include <stdint.h>
#include "model.h"

struct kmt_acc_guest {
	struct kmt_guest total;	/* sums of deltas, vCPUs and regions too */
	/*
	 * Exits the kernel completed. Derived as exits - VMM-completed exits,
	 * which can shrink for a moment (an access is counted a few
	 * microseconds before its exit to the VMM is), so it only ever
	 * moves up to the derived value.
	 */
	uint64_t kernel_handled;
	uint64_t seen_ns;	/* last interval the guest was in the maps */
};

struct kmt_acc {
	struct kmt_acc_guest *guests;	/* sorted by pid */
	size_t nr_guests;
	uint64_t counters[KMT_COUNTERS];
};

/*
 * Adds one interval's delta (kmt_snapshot_delta()) at monotonic time now_ns.
 * Every guest in delta counts as alive at now_ns; a guest's name is taken
 * from the delta once it is known. Returns 0 or -ENOMEM (totals may then
 * lack part of this delta).
 */
int kmt_acc_add(struct kmt_acc *acc, const struct kmt_snapshot *delta, uint64_t now_ns);

/* Drops the guests not seen for more than grace_ns. Returns how many. */
size_t kmt_acc_expire(struct kmt_acc *acc, uint64_t now_ns, uint64_t grace_ns);

void kmt_acc_free(struct kmt_acc *acc);

#endif /* KMT_PROM_ACCUMULATOR_H */
