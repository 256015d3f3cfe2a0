// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "hist.h"
#include "model.h"

#define NR_VCPU_COUNTERS (sizeof(struct kmt_vcpu_stats) / sizeof(__u64))
_Static_assert(sizeof(struct kmt_vcpu_stats) == NR_VCPU_COUNTERS * sizeof(__u64),
	       "struct kmt_vcpu_stats holds __u64 counters only");

static void combine(struct kmt_vcpu_stats *dst, const struct kmt_vcpu_stats *src, bool subtract)
{
	__u64 a[NR_VCPU_COUNTERS], b[NR_VCPU_COUNTERS];

	memcpy(a, dst, sizeof(a));
	memcpy(b, src, sizeof(b));
	for (size_t i = 0; i < NR_VCPU_COUNTERS; i++)
		a[i] = subtract ? a[i] - b[i] : a[i] + b[i];
	memcpy(dst, a, sizeof(a));
}

void kmt_vcpu_stats_add(struct kmt_vcpu_stats *dst, const struct kmt_vcpu_stats *src)
{
	combine(dst, src, false);
}

void kmt_vcpu_stats_sub(struct kmt_vcpu_stats *dst, const struct kmt_vcpu_stats *src)
{
	combine(dst, src, true);
}

struct kmt_vcpu_stats kmt_guest_totals(const struct kmt_guest *guest)
{
	struct kmt_vcpu_stats sum = { 0 };

	for (size_t i = 0; i < guest->nr_vcpus; i++)
		kmt_vcpu_stats_add(&sum, &guest->vcpus[i].stats);
	return sum;
}

uint64_t kmt_snapshot_dropped(const struct kmt_snapshot *snap)
{
	uint64_t sum = 0;

	for (int i = KMT_DROP_VCPU_STATE; i < KMT_COUNTERS; i++)
		sum += snap->counters[i];
	return sum;
}

const char *kmt_drop_reason(int i)
{
	static const char *const names[KMT_COUNTERS] = {
		[KMT_DROP_VCPU_STATE] = "vcpu_state_full",
		[KMT_DROP_STATS] = "vcpu_stats_full",
		[KMT_DROP_HIST] = "histograms_full",
		[KMT_DROP_REGION] = "regions_full",
		[KMT_DROP_UNPAIRED] = "unpaired_exits",
	};

	return names[i];
}

static int cmp_region_rank(const void *a, const void *b)
{
	const struct kmt_gpa_region *x = *(const struct kmt_gpa_region *const *)a;
	const struct kmt_gpa_region *y = *(const struct kmt_gpa_region *const *)b;

	if (x->exits != y->exits)
		return x->exits < y->exits ? 1 : -1;
	return (x->gpa > y->gpa) - (x->gpa < y->gpa);
}

size_t kmt_guest_top_regions(const struct kmt_guest *guest, const struct kmt_gpa_region **top,
			     size_t n)
{
	const struct kmt_gpa_region **all;
	size_t used = 0;

	all = calloc(guest->nr_regions ? guest->nr_regions : 1, sizeof(*all));
	if (!all)
		return 0;
	for (size_t i = 0; i < guest->nr_regions; i++)
		if (guest->regions[i].exits)
			all[used++] = &guest->regions[i];
	qsort(all, used, sizeof(*all), cmp_region_rank);
	if (used > n)
		used = n;
	memcpy(top, all, used * sizeof(*all));
	free(all);
	return used;
}

const char *kmt_backend_name(const struct kmt_snapshot *cumulative)
{
	if (cumulative->counters[KMT_CNT_HV_MMIO])
		return "kvm_hv";
	return kmt_kernel_timed(cumulative->counters) ? "kvm_exit" : "kvm_mmio";
}

bool kmt_kernel_timed(const uint64_t counters[KMT_COUNTERS])
{
	return counters[KMT_CNT_GUEST_EXIT] > 0;
}

static int cmp_guest_pid(const void *key, const void *elem)
{
	uint32_t pid = *(const uint32_t *)key, other = ((const struct kmt_guest *)elem)->pid;

	return (pid > other) - (pid < other);
}

const struct kmt_guest *kmt_snapshot_find(const struct kmt_snapshot *snap, uint32_t pid)
{
	if (!snap || !snap->nr_guests)
		return NULL;
	return bsearch(&pid, snap->guests, snap->nr_guests, sizeof(*snap->guests), cmp_guest_pid);
}

void kmt_snapshot_free(struct kmt_snapshot *snap)
{
	for (size_t i = 0; i < snap->nr_guests; i++) {
		free(snap->guests[i].vcpus);
		free(snap->guests[i].regions);
	}
	free(snap->guests);
	memset(snap, 0, sizeof(*snap));
}

static const struct kmt_vcpu *find_vcpu(const struct kmt_guest *guest, uint32_t tid)
{
	for (size_t i = 0; guest && i < guest->nr_vcpus; i++)
		if (guest->vcpus[i].tid == tid)
			return &guest->vcpus[i];
	return NULL;
}

static const struct kmt_gpa_region *find_region(const struct kmt_guest *guest, uint64_t gpa)
{
	for (size_t i = 0; guest && i < guest->nr_regions; i++)
		if (guest->regions[i].gpa == gpa)
			return &guest->regions[i];
	return NULL;
}

static void vcpu_delta(struct kmt_vcpu *out, const struct kmt_vcpu *cur, const struct kmt_vcpu *prev)
{
	*out = *cur;
	if (prev)
		kmt_vcpu_stats_sub(&out->stats, &prev->stats);
}

static int guest_delta(struct kmt_guest *out, const struct kmt_guest *cur, const struct kmt_guest *prev)
{
	*out = *cur;
	out->vcpus = calloc(cur->nr_vcpus ? cur->nr_vcpus : 1, sizeof(*out->vcpus));
	out->regions = calloc(cur->nr_regions ? cur->nr_regions : 1, sizeof(*out->regions));
	if (!out->vcpus || !out->regions) {
		free(out->vcpus);
		free(out->regions);
		return -ENOMEM;
	}
	for (size_t i = 0; i < cur->nr_vcpus; i++)
		vcpu_delta(&out->vcpus[i], &cur->vcpus[i], find_vcpu(prev, cur->vcpus[i].tid));
	for (size_t i = 0; i < cur->nr_regions; i++) {
		const struct kmt_gpa_region *r = &cur->regions[i];
		const struct kmt_gpa_region *p = find_region(prev, r->gpa);

		out->regions[i] = *r;
		if (p) {
			out->regions[i].exits -= p->exits;
			kmt_hist_delta(&out->regions[i].lat, &r->lat, &p->lat);
		}
	}
	for (int k = 0; k < KMT_HIST_KINDS; k++)
		if (prev)
			kmt_hist_delta(&out->hist[k], &cur->hist[k], &prev->hist[k]);
	return 0;
}

static bool idle(const struct kmt_guest *g)
{
	static const struct kmt_vcpu_stats zero;
	struct kmt_vcpu_stats t = kmt_guest_totals(g);

	for (int k = 0; k < KMT_HIST_KINDS; k++)
		if (g->hist[k].count)
			return false;
	return !memcmp(&t, &zero, sizeof(t));
}

int kmt_snapshot_delta(struct kmt_snapshot *out, const struct kmt_snapshot *cur,
		       const struct kmt_snapshot *prev)
{
	memset(out, 0, sizeof(*out));
	for (int i = 0; i < KMT_COUNTERS; i++)
		out->counters[i] = cur->counters[i] - (prev ? prev->counters[i] : 0);
	out->guests = calloc(cur->nr_guests ? cur->nr_guests : 1, sizeof(*out->guests));
	if (!out->guests)
		return -ENOMEM;
	for (size_t i = 0; i < cur->nr_guests; i++) {
		const struct kmt_guest *g = &cur->guests[i];
		struct kmt_guest *d = &out->guests[out->nr_guests];

		if (guest_delta(d, g, kmt_snapshot_find(prev, g->pid))) {
			kmt_snapshot_free(out);
			return -ENOMEM;
		}
		out->nr_guests++;
		if (g->exited && idle(d)) {
			/* Its last events were in an earlier interval. */
			free(d->vcpus);
			free(d->regions);
			out->nr_guests--;
		}
	}
	return 0;
}
