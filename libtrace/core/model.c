// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "hist.h"
#include "model.h"
#include "pid_index.h"

#define NR_VCPU_COUNTERS (sizeof(struct kmt_vcpu_stats) / sizeof(__u64))
_Static_assert(sizeof(struct kmt_vcpu_stats) == NR_VCPU_COUNTERS * sizeof(__u64),
	       "struct kmt_vcpu_stats holds __u64 counters only");

struct kmt_mmio_counts kmt_vcpu_counts(const struct kmt_vcpu_stats *s)
{
	struct kmt_mmio_counts c = {
		.reads = s->kernel_reads + s->vmm_reads,
		.writes = s->kernel_writes + s->vmm_writes,
		.kernel_handled = s->kernel_reads + s->kernel_writes,
		.vmm_handled = s->vmm_reads + s->vmm_writes,
		.timed_exits = s->timed_exits,
	};

	c.exits = c.reads + c.writes;
	return c;
}

struct kmt_mmio_counts kmt_guest_counts(const struct kmt_guest *guest)
{
	struct kmt_mmio_counts sum = { 0 };

	for (size_t i = 0; i < guest->nr_vcpus; i++) {
		struct kmt_mmio_counts c = kmt_vcpu_counts(&guest->vcpus[i].stats);

		sum.exits += c.exits;
		sum.reads += c.reads;
		sum.writes += c.writes;
		sum.kernel_handled += c.kernel_handled;
		sum.vmm_handled += c.vmm_handled;
		sum.timed_exits += c.timed_exits;
	}
	return sum;
}

bool kmt_snapshot_measures(const struct kmt_snapshot *snap, unsigned int cap)
{
	return snap->backends && (kmt_selection_caps(snap->backends) & cap);
}

uint64_t kmt_snapshot_dropped(const struct kmt_snapshot *snap)
{
	uint64_t sum = 0;

	for (int i = 0; i < KMT_DROPS; i++)
		sum += snap->drops[i];
	return sum;
}

const char *kmt_drop_reason(int i)
{
	static const char *const names[KMT_DROPS] = {
		[KMT_DROP_VCPU_STATE] = "vcpu_state_full",
		[KMT_DROP_STATS] = "vcpu_stats_full",
		[KMT_DROP_HIST] = "histograms_full",
		[KMT_DROP_REGION] = "regions_full",
		[KMT_DROP_LOCK] = "locks_full",
		[KMT_DROP_LOCK_UNPAIRED] = "unpaired_lock_waits",
		[KMT_DROP_UNPAIRED] = "unpaired_exits",
		[KMT_DROP_PROC] = "procs_full",
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

/* Index of the first guest with pid in snap, or where it would be inserted. */
static size_t guest_index(const struct kmt_snapshot *snap, uint32_t pid)
{
	return kmt_pid_index(snap->guests, snap->nr_guests, sizeof(*snap->guests),
			     offsetof(struct kmt_guest, pid), pid);
}

/* The same, for a caller that knows every guest before index from has a lower pid. */
static size_t guest_index_from(const struct kmt_snapshot *snap, uint32_t pid, size_t from)
{
	return kmt_pid_index_from(snap->guests, snap->nr_guests, sizeof(*snap->guests),
				  offsetof(struct kmt_guest, pid), pid, from);
}

/*
 * The guest of snap that is process (pid, start), or NULL. *from: an index
 * no later than pid's first guest, moved to it (kmt_pid_index_from()).
 */
static const struct kmt_guest *find_from(const struct kmt_snapshot *snap, uint32_t pid,
					 uint64_t start, size_t *from)
{
	size_t i;

	if (!snap)
		return NULL;
	i = *from = guest_index_from(snap, pid, *from);
	for (; i < snap->nr_guests && snap->guests[i].pid == pid; i++)
		if (snap->guests[i].start == start)
			return &snap->guests[i];
	return NULL;
}

const struct kmt_guest *kmt_snapshot_find(const struct kmt_snapshot *snap, uint32_t pid,
					  uint64_t start)
{
	size_t from = 0;

	return find_from(snap, pid, start, &from);
}

const struct kmt_guest *kmt_snapshot_latest(const struct kmt_snapshot *snap, uint32_t pid)
{
	const struct kmt_guest *latest = NULL;

	if (!snap)
		return NULL;
	for (size_t i = guest_index(snap, pid); i < snap->nr_guests && snap->guests[i].pid == pid;
	     i++)
		latest = &snap->guests[i];
	return latest;
}

void kmt_guest_free(struct kmt_guest *g)
{
	for (size_t i = 0; i < g->nr_regions; i++)
		kmt_hist_free(&g->regions[i].lat);
	for (int k = 0; k < KMT_HIST_KINDS; k++)
		kmt_hist_free(&g->hist[k]);
	for (int l = 0; l < KMT_LOCK_KINDS; l++)
		kmt_hist_free(&g->locks[l].wait);
	free(g->vcpus);
	free(g->regions);
	g->vcpus = NULL;
	g->regions = NULL;
	g->nr_vcpus = g->nr_regions = 0;
}

void kmt_snapshot_free(struct kmt_snapshot *snap)
{
	for (size_t i = 0; i < snap->nr_guests; i++)
		kmt_guest_free(&snap->guests[i]);
	free(snap->guests);
	kmt_arena_free(snap->arena);
	memset(snap, 0, sizeof(*snap));
}

static struct kmt_vcpu *find_vcpu(const struct kmt_guest *guest, uint32_t tid)
{
	for (size_t i = 0; guest && i < guest->nr_vcpus; i++)
		if (guest->vcpus[i].tid == tid)
			return &guest->vcpus[i];
	return NULL;
}

static struct kmt_gpa_region *find_region(const struct kmt_guest *guest, uint64_t gpa)
{
	for (size_t i = 0; guest && i < guest->nr_regions; i++)
		if (guest->regions[i].gpa == gpa)
			return &guest->regions[i];
	return NULL;
}

/* dst = dst - src (or dst + src) over every counter of struct kmt_vcpu_stats. */
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

/*
 * Counters that went down count from zero again rather than wrap. They do
 * not while a process lives (its vCPU slots go back only with it): this
 * keeps a bad read from showing 2^64 exits.
 */
static bool vcpu_restarted(const struct kmt_vcpu_stats *cur, const struct kmt_vcpu_stats *prev)
{
	__u64 a[NR_VCPU_COUNTERS], b[NR_VCPU_COUNTERS];

	memcpy(a, cur, sizeof(a));
	memcpy(b, prev, sizeof(b));
	for (size_t i = 0; i < NR_VCPU_COUNTERS; i++)
		if (a[i] < b[i])
			return true;
	return false;
}

/* out = cur - prev, or cur when prev is NULL or the key was created anew in between. */
static int hist_delta(struct kmt_hist *out, const struct kmt_hist *cur, const struct kmt_hist *prev,
		      struct kmt_arena **arena)
{
	if (!prev || cur->count < prev->count || cur->sum < prev->sum)
		return kmt_hist_copy(out, cur, arena);
	return kmt_hist_delta(out, cur, prev, arena);
}

/* out's histograms are in arena: none is shared with cur. */
static int guest_delta(struct kmt_guest *out, const struct kmt_guest *cur,
		       const struct kmt_guest *prev, struct kmt_arena **arena)
{
	int err = 0;

	*out = *cur;
	memset(out->hist, 0, sizeof(out->hist));
	memset(out->locks, 0, sizeof(out->locks));
	out->nr_vcpus = out->nr_regions = 0;
	out->vcpus = calloc(cur->nr_vcpus ? cur->nr_vcpus : 1, sizeof(*out->vcpus));
	out->regions = calloc(cur->nr_regions ? cur->nr_regions : 1, sizeof(*out->regions));
	if (!out->vcpus || !out->regions) {
		kmt_guest_free(out);
		return -ENOMEM;
	}
	for (size_t i = 0; i < cur->nr_vcpus; i++) {
		const struct kmt_vcpu *p = find_vcpu(prev, cur->vcpus[i].tid);

		out->vcpus[i] = cur->vcpus[i];
		if (p && !vcpu_restarted(&cur->vcpus[i].stats, &p->stats))
			combine(&out->vcpus[i].stats, &p->stats, true);
	}
	out->nr_vcpus = cur->nr_vcpus;
	for (size_t i = 0; i < cur->nr_regions && !err; i++) {
		const struct kmt_gpa_region *r = &cur->regions[i];
		const struct kmt_gpa_region *p = find_region(prev, r->gpa);
		bool restarted = p && r->exits < p->exits;

		out->regions[i].gpa = r->gpa;
		out->regions[i].exits = r->exits - (p && !restarted ? p->exits : 0);
		err = hist_delta(&out->regions[i].lat, &r->lat, p && !restarted ? &p->lat : NULL,
				 arena);
		out->nr_regions = i + 1;
	}
	for (int k = 0; k < KMT_HIST_KINDS && !err; k++)
		err = hist_delta(&out->hist[k], &cur->hist[k], prev ? &prev->hist[k] : NULL, arena);
	for (int l = 0; l < KMT_LOCK_KINDS && !err; l++) {
		const struct kmt_lock_series *c = &cur->locks[l];
		const struct kmt_lock_series *p = prev && c->acquired >= prev->locks[l].acquired ?
						  &prev->locks[l] : NULL;

		out->locks[l].acquired = c->acquired - (p ? p->acquired : 0);
		err = hist_delta(&out->locks[l].wait, &c->wait, p ? &p->wait : NULL, arena);
	}
	if (err)
		kmt_guest_free(out);
	return err;
}

static bool idle(const struct kmt_guest *g)
{
	struct kmt_mmio_counts c = kmt_guest_counts(g);

	for (int k = 0; k < KMT_HIST_KINDS; k++)
		if (g->hist[k].count)
			return false;
	for (int l = 0; l < KMT_LOCK_KINDS; l++)
		if (g->locks[l].acquired || g->locks[l].wait.count)
			return false;
	return !c.exits && !c.timed_exits;
}

int kmt_snapshot_delta(struct kmt_snapshot *out, const struct kmt_snapshot *cur,
		       const struct kmt_snapshot *prev)
{
	memset(out, 0, sizeof(*out));
	out->backends = cur->backends;
	for (int i = 0; i < KMT_DROPS; i++)
		out->drops[i] = cur->drops[i] - (prev && cur->drops[i] >= prev->drops[i] ?
						 prev->drops[i] : 0);
	out->guests = calloc(cur->nr_guests ? cur->nr_guests : 1, sizeof(*out->guests));
	if (!out->guests)
		return -ENOMEM;
	/* Both are sorted by pid: prev is searched from where the last guest was. */
	for (size_t i = 0, from = 0; i < cur->nr_guests; i++) {
		const struct kmt_guest *g = &cur->guests[i];
		const struct kmt_guest *p = find_from(prev, g->pid, g->start, &from);
		struct kmt_guest *d = &out->guests[out->nr_guests];

		if (guest_delta(d, g, p && !p->exited ? p : NULL, &out->arena)) {
			kmt_snapshot_free(out);
			return -ENOMEM;
		}
		out->nr_guests++;
		if (g->exited && idle(d)) {
			/* Its last events were in an earlier interval. */
			kmt_guest_free(d);
			out->nr_guests--;
		}
	}
	return 0;
}

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

static int add_guest(struct kmt_guest *t, const struct kmt_guest *d)
{
	if (d->name[0])
		memcpy(t->name, d->name, sizeof(t->name));
	for (size_t i = 0; i < d->nr_vcpus; i++) {
		struct kmt_vcpu *v = find_vcpu(t, d->vcpus[i].tid);

		if (!v) {
			v = insert((void **)&t->vcpus, &t->nr_vcpus, sizeof(*v), t->nr_vcpus);
			if (!v)
				return -ENOMEM;
			v->tid = d->vcpus[i].tid;
		}
		kmt_vcpu_stats_add(&v->stats, &d->vcpus[i].stats);
	}
	for (size_t i = 0; i < d->nr_regions; i++) {
		struct kmt_gpa_region *r = find_region(t, d->regions[i].gpa);

		if (!r) {
			r = insert((void **)&t->regions, &t->nr_regions, sizeof(*r), t->nr_regions);
			if (!r)
				return -ENOMEM;
			r->gpa = d->regions[i].gpa;
		}
		r->exits += d->regions[i].exits;
		if (kmt_hist_merge(&r->lat, &d->regions[i].lat, NULL))
			return -ENOMEM;
	}
	for (int k = 0; k < KMT_HIST_KINDS; k++)
		if (kmt_hist_merge(&t->hist[k], &d->hist[k], NULL))
			return -ENOMEM;
	for (int l = 0; l < KMT_LOCK_KINDS; l++) {
		t->locks[l].acquired += d->locks[l].acquired;
		if (kmt_hist_merge(&t->locks[l].wait, &d->locks[l].wait, NULL))
			return -ENOMEM;
	}
	return 0;
}

/*
 * The totals delta guest d adds to, among total's guests from index at on:
 * those with its pid and name (the labels of its Prometheus series: two
 * entries with the same labels would make the exposition invalid), else
 * its own process's not named yet; an unnamed d, its own process's. NULL:
 * new totals.
 */
static struct kmt_guest *series_of(struct kmt_snapshot *total, size_t at,
				   const struct kmt_guest *d)
{
	struct kmt_guest *own = NULL;

	for (; at < total->nr_guests && total->guests[at].pid == d->pid; at++) {
		struct kmt_guest *t = &total->guests[at];

		if (d->name[0] ? !strcmp(t->name, d->name) : t->start == d->start)
			return t;
		if (t->start == d->start && !t->name[0])
			own = t;
	}
	return own;
}

int kmt_snapshot_add(struct kmt_snapshot *total, const struct kmt_snapshot *delta,
		     uint64_t now_ns)
{
	if (delta->backends)
		total->backends = delta->backends;
	for (int i = 0; i < KMT_DROPS; i++)
		total->drops[i] += delta->drops[i];
	/* delta is sorted by pid: total is searched from where the last guest went. */
	for (size_t i = 0, from = 0; i < delta->nr_guests; i++) {
		const struct kmt_guest *d = &delta->guests[i];
		size_t at = from = guest_index_from(total, d->pid, from);
		struct kmt_guest *t = series_of(total, at, d);

		if (!t) {
			while (at < total->nr_guests && total->guests[at].pid == d->pid)
				at++;
			t = insert((void **)&total->guests, &total->nr_guests, sizeof(*t), at);
			if (!t)
				return -ENOMEM;
			t->pid = d->pid;
		}
		t->start = d->start;
		t->seen_ns = now_ns;
		if (add_guest(t, d))
			return -ENOMEM;
	}
	return 0;
}

size_t kmt_snapshot_expire(struct kmt_snapshot *total, uint64_t now_ns, uint64_t grace_ns)
{
	size_t kept = 0, dropped;

	for (size_t i = 0; i < total->nr_guests; i++) {
		struct kmt_guest *g = &total->guests[i];

		if (now_ns - g->seen_ns > grace_ns)
			kmt_guest_free(g);
		else
			total->guests[kept++] = *g;
	}
	dropped = total->nr_guests - kept;
	total->nr_guests = kept;
	return dropped;
}
