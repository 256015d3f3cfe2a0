// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "hist.h"
#include "prom_accumulator.h"

/* Grows *array (of *nr elements of size) by one zeroed element at index at. */
static void *insert(void **array, size_t *nr, size_t size, size_t at)
{
	char *grown = realloc(*array, (*nr + 1) * size);

	if (!grown)
		return NULL;
	memmove(grown + (at + 1) * size, grown + at * size, (*nr - at) * size);
	memset(grown + at * size, 0, size);
	*array = grown;
	(*nr)++;
	return grown + at * size;
}

/* The guest with pid, inserted in pid order when new; NULL when out of memory. */
static struct kmt_acc_guest *guest_of(struct kmt_acc *acc, uint32_t pid)
{
	size_t lo = 0, hi = acc->nr_guests;
	struct kmt_acc_guest *g;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (acc->guests[mid].total.pid < pid)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo < acc->nr_guests && acc->guests[lo].total.pid == pid)
		return &acc->guests[lo];
	g = insert((void **)&acc->guests, &acc->nr_guests, sizeof(*g), lo);
	if (g)
		g->total.pid = pid;
	return g;
}

static int add_vcpu(struct kmt_guest *total, const struct kmt_vcpu *d)
{
	struct kmt_vcpu *v = NULL;

	for (size_t i = 0; i < total->nr_vcpus && !v; i++)
		if (total->vcpus[i].tid == d->tid)
			v = &total->vcpus[i];
	if (!v) {
		v = insert((void **)&total->vcpus, &total->nr_vcpus, sizeof(*v), total->nr_vcpus);
		if (!v)
			return -ENOMEM;
		v->tid = d->tid;
	}
	kmt_vcpu_stats_add(&v->stats, &d->stats);
	return 0;
}

static int add_region(struct kmt_guest *total, const struct kmt_gpa_region *d)
{
	struct kmt_gpa_region *r = NULL;

	for (size_t i = 0; i < total->nr_regions && !r; i++)
		if (total->regions[i].gpa == d->gpa)
			r = &total->regions[i];
	if (!r) {
		r = insert((void **)&total->regions, &total->nr_regions, sizeof(*r),
			   total->nr_regions);
		if (!r)
			return -ENOMEM;
		r->gpa = d->gpa;
	}
	r->exits += d->exits;
	kmt_hist_merge(&r->lat, &d->lat);
	return 0;
}

static int add_guest(struct kmt_acc_guest *g, const struct kmt_guest *d, uint64_t now_ns)
{
	struct kmt_vcpu_stats tot;
	int err = 0;

	if (d->name[0])
		memcpy(g->total.name, d->name, sizeof(g->total.name));
	for (size_t i = 0; i < d->nr_vcpus && !err; i++)
		err = add_vcpu(&g->total, &d->vcpus[i]);
	for (size_t i = 0; i < d->nr_regions && !err; i++)
		err = add_region(&g->total, &d->regions[i]);
	for (int k = 0; k < KMT_HIST_KINDS; k++)
		kmt_hist_merge(&g->total.hist[k], &d->hist[k]);
	tot = kmt_guest_totals(&g->total);
	if (tot.reads + tot.writes >= tot.vmm_exits &&
	    tot.reads + tot.writes - tot.vmm_exits > g->kernel_handled)
		g->kernel_handled = tot.reads + tot.writes - tot.vmm_exits;
	g->seen_ns = now_ns;
	return err;
}

int kmt_acc_add(struct kmt_acc *acc, const struct kmt_snapshot *delta, uint64_t now_ns)
{
	for (int i = 0; i < KMT_COUNTERS; i++)
		acc->counters[i] += delta->counters[i];
	for (size_t i = 0; i < delta->nr_guests; i++) {
		struct kmt_acc_guest *g = guest_of(acc, delta->guests[i].pid);

		if (!g || add_guest(g, &delta->guests[i], now_ns))
			return -ENOMEM;
	}
	return 0;
}

static void guest_free(struct kmt_acc_guest *g)
{
	free(g->total.vcpus);
	free(g->total.regions);
}

size_t kmt_acc_expire(struct kmt_acc *acc, uint64_t now_ns, uint64_t grace_ns)
{
	size_t kept = 0, dropped;

	for (size_t i = 0; i < acc->nr_guests; i++) {
		struct kmt_acc_guest *g = &acc->guests[i];

		if (now_ns - g->seen_ns > grace_ns)
			guest_free(g);
		else
			acc->guests[kept++] = *g;
	}
	dropped = acc->nr_guests - kept;
	acc->nr_guests = kept;
	return dropped;
}


void kmt_acc_free(struct kmt_acc *acc)
{
	for (size_t i = 0; i < acc->nr_guests; i++)
		guest_free(&acc->guests[i]);
	free(acc->guests);
	memset(acc, 0, sizeof(*acc));
}
