// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "hist.h"
#include "map_reader.h"

/* Every key starts with the process: its tgid, and its start time at offset 8. */
#define KEY_START 8
_Static_assert(offsetof(struct kmt_hist_key, start) == KEY_START, "histogram key layout");
_Static_assert(offsetof(struct kmt_lock_key, start) == KEY_START, "lock key layout");
_Static_assert(offsetof(struct kmt_region_key, start) == KEY_START, "region key layout");
_Static_assert(offsetof(struct kmt_proc_key, start) == KEY_START, "process key layout");

#define APPEND_FIRST 8	/* elements room is first made for: a guest's vCPUs or pages */
_Static_assert(!(APPEND_FIRST & (APPEND_FIRST - 1)), "append() doubles at powers of two");

/*
 * Grows *array (of *nr elements of size) by one zeroed element. Room is
 * made for APPEND_FIRST at first and doubles when *nr reaches a larger
 * power of two: a guest's regions and vCPUs arrive one map entry at a
 * time, and growing each guest's from one was 4,000 reallocs a read.
 */
static void *append(void **array, size_t *nr, size_t size)
{
	char *grown = *array;

	if (!*nr || (*nr >= APPEND_FIRST && !(*nr & (*nr - 1)))) {
		grown = realloc(*array, (*nr ? 2 * *nr : APPEND_FIRST) * size);
		if (!grown)
			return NULL;
		*array = grown;
	}
	memset(grown + *nr * size, 0, size);
	return grown + (*nr)++ * size;
}

/* Called with each entry of a map; a non-zero return stops the walk. */
typedef int (*entry_fn)(const void *key, const void *value, void *ctx);

#define BATCH_BYTES (256 * 1024)	/* keys and values fetched per system call */

/* Entries one at a time: where the kernel has no batched lookup for the map. */
static int each_entry_singly(int fd, void *key, void *value, size_t key_size, entry_fn fn,
			     void *ctx)
{
	union {
		__u32 tgid;
		struct kmt_region_key largest;
	} prev, next;
	bool first = true;
	int err;

	while (!bpf_map_get_next_key(fd, first ? NULL : &prev, &next)) {
		memcpy(&prev, &next, key_size);
		first = false;
		memcpy(key, &next, key_size);
		if (bpf_map_lookup_elem(fd, key, value))
			continue;	/* deleted between the two calls */
		err = fn(key, value, ctx);
		if (err)
			return err;
	}
	return 0;
}

void kmt_batch_free(struct kmt_batch *batch)
{
	free(batch->keys);
	free(batch->values);
	batch->keys = batch->values = NULL;
}

/*
 * Calls fn for every entry of a hash map, a batch of entries per system
 * call into buf: a thousand guests have tens of thousands of keys. 0,
 * -ENOMEM or fn's error.
 */
static int each_entry(int fd, size_t key_size, size_t value_size, struct kmt_batch *buf,
		      entry_fn fn, void *ctx)
{
	__u32 batch = BATCH_BYTES / (key_size + value_size), in = 0, out = 0;
	char *keys, *values;
	int err = 0;

	if (!buf->keys)
		buf->keys = malloc(BATCH_BYTES);
	if (!buf->values)
		buf->values = malloc(BATCH_BYTES);
	if (!buf->keys || !buf->values)
		return -ENOMEM;
	keys = buf->keys;
	values = buf->values;
	for (bool first = true, last = false; !err && !last; first = false) {
		__u32 n = batch;

		if (bpf_map_lookup_batch(fd, first ? NULL : &in, &out, keys, values, &n, NULL)) {
			if (first && errno != ENOENT) {
				err = each_entry_singly(fd, keys, values, key_size, fn, ctx);
				break;
			}
			if (errno != ENOENT) {
				err = -errno;
				break;
			}
			last = true;
		}
		in = out;
		for (__u32 i = 0; i < n && !err; i++)
			err = fn(keys + i * key_size, values + i * value_size, ctx);
	}
	return err;
}

/*
 * The snapshot being read: its guests grow geometrically and are found by
 * process through an open-addressing index (1 + the guest's position, 0
 * empty), since every map has a key per vCPU, histogram, lock or page of
 * each guest.
 */
struct reader {
	struct kmt_snapshot *snap;
	struct kmt_batch *batch;
	size_t cap;		/* guests allocated */
	uint32_t *index;
	size_t nr_index;	/* a power of two, more than twice the guests */
};

static size_t slot_of(uint32_t pid, uint64_t start, size_t nr_index)
{
	return (size_t)((pid ^ (uint32_t)(start >> 7)) * 2654435761U) & (nr_index - 1);
}

static int index_grow(struct reader *r)
{
	size_t n = r->nr_index ? 2 * r->nr_index : 64;
	uint32_t *index = calloc(n, sizeof(*index));

	if (!index)
		return -ENOMEM;
	for (size_t g = 0; g < r->snap->nr_guests; g++) {
		const struct kmt_guest *guest = &r->snap->guests[g];
		size_t s = slot_of(guest->pid, guest->start, n);

		while (index[s])
			s = (s + 1) & (n - 1);
		index[s] = (uint32_t)g + 1;
	}
	free(r->index);
	r->index = index;
	r->nr_index = n;
	return 0;
}

static struct kmt_guest *guest_of(struct reader *r, uint32_t pid, uint64_t start)
{
	struct kmt_snapshot *snap = r->snap;
	struct kmt_guest *guest;
	size_t s;

	if (2 * (snap->nr_guests + 1) > r->nr_index && index_grow(r))
		return NULL;
	for (s = slot_of(pid, start, r->nr_index); r->index[s]; s = (s + 1) & (r->nr_index - 1)) {
		guest = &snap->guests[r->index[s] - 1];
		if (guest->pid == pid && guest->start == start)
			return guest;
	}
	if (snap->nr_guests == r->cap) {
		size_t cap = r->cap ? 2 * r->cap : 16;

		guest = realloc(snap->guests, cap * sizeof(*guest));
		if (!guest)
			return NULL;
		snap->guests = guest;
		r->cap = cap;
	}
	guest = &snap->guests[snap->nr_guests];
	memset(guest, 0, sizeof(*guest));
	guest->pid = pid;
	guest->start = start;
	r->index[s] = (uint32_t)++snap->nr_guests;
	return guest;
}

/*
 * Stores one map entry into the guest its key names, histograms in the
 * snapshot's arena: 0, or -ENOMEM.
 */
typedef int (*take_fn)(struct kmt_guest *guest, const void *key, const void *value,
		       struct kmt_arena **arena);

struct map_read {
	struct reader *reader;
	take_fn take;
};

/* Every map's key starts with the guest's process, so one reader serves them all. */
static int take_entry(const void *key, const void *value, void *ctx)
{
	struct map_read *m = ctx;
	struct kmt_guest *guest;
	__u64 start;
	__u32 tgid;

	memcpy(&tgid, key, sizeof(tgid));
	memcpy(&start, (const char *)key + KEY_START, sizeof(start));
	guest = guest_of(m->reader, tgid, start);
	return guest ? m->take(guest, key, value, &m->reader->snap->arena) : -ENOMEM;
}

static int read_map(struct reader *r, int fd, size_t key_size, size_t value_size, take_fn take)
{
	struct map_read m = { r, take };

	return each_entry(fd, key_size, value_size, r->batch, take_entry, &m);
}

/* The vCPU slots the BPF programs handed out so far (at most all of them). */
static __u32 slots_used(const struct kmt_map_fds *fds)
{
	__u64 used = __atomic_load_n(fds->vcpu_slots_used, __ATOMIC_ACQUIRE);

	return used < fds->nr_vcpu_slots ? (__u32)used : fds->nr_vcpu_slots;
}

/*
 * Slot i's vCPU, copied; false when the slot is free or still being taken
 * (its owner's fields are written once, before its counters move).
 */
static bool slot_read(const struct kmt_map_fds *fds, __u32 i, struct kmt_vcpu_slot *out)
{
	memcpy(out, &fds->vcpu_slots[i], sizeof(*out));
	return out->tgid && out->tid && out->start;
}

static int cmp_vcpu(const void *a, const void *b)
{
	const struct kmt_vcpu *x = a, *y = b;

	return (x->tid > y->tid) - (x->tid < y->tid);
}

/*
 * A thread has more than one slot when its state was lost while it ran, or
 * when a new thread of the process got its id: the slots are added up, one
 * vCPU per thread id. Slots are taken in thread order mostly, so the vCPUs
 * usually arrive sorted already.
 */
static void join_vcpu_slots(struct kmt_guest *guest)
{
	size_t n = 0;

	for (size_t i = 1; i < guest->nr_vcpus; i++) {
		if (guest->vcpus[i - 1].tid >= guest->vcpus[i].tid) {
			qsort(guest->vcpus, guest->nr_vcpus, sizeof(*guest->vcpus), cmp_vcpu);
			break;
		}
	}
	for (size_t i = 1; i < guest->nr_vcpus; i++) {
		if (guest->vcpus[i].tid == guest->vcpus[n].tid)
			kmt_vcpu_stats_add(&guest->vcpus[n].stats, &guest->vcpus[i].stats);
		else
			guest->vcpus[++n] = guest->vcpus[i];
	}
	if (guest->nr_vcpus)
		guest->nr_vcpus = n + 1;
}

/* The vCPUs' counters, read from the mapped slots: no system call. */
static int read_vcpu_slots(struct reader *r, const struct kmt_map_fds *fds)
{
	__u32 used = slots_used(fds);

	for (__u32 i = 0; i < used; i++) {
		struct kmt_vcpu_slot slot;
		struct kmt_guest *guest;
		struct kmt_vcpu *vcpu;

		if (!slot_read(fds, i, &slot))
			continue;
		guest = guest_of(r, slot.tgid, slot.start);
		vcpu = guest ? append((void **)&guest->vcpus, &guest->nr_vcpus, sizeof(*vcpu)) : NULL;
		if (!vcpu)
			return -ENOMEM;
		vcpu->tid = slot.tid;
		vcpu->stats = slot.stats;
	}
	return 0;
}

/* A histogram's chunks arrive in the map's order: each is added to the guest's series. */
static int take_hist(struct kmt_guest *guest, const void *key, const void *value,
		     struct kmt_arena **arena)
{
	const struct kmt_hist_key *k = key;

	if (k->kind >= KMT_HIST_KINDS || k->chunk >= KMT_HIST_CHUNKS)
		return 0;
	return kmt_hist_add_chunk(&guest->hist[k->kind], value, k->chunk, arena);
}

static int take_lock(struct kmt_guest *guest, const void *key, const void *value,
		     struct kmt_arena **arena)
{
	const struct kmt_lock_key *k = key;
	const struct kmt_lock_stats *v = value;

	if (k->lock >= KMT_LOCK_KINDS || k->chunk >= KMT_HIST_CHUNKS)
		return 0;
	guest->locks[k->lock].acquired += v->acquired;
	return kmt_hist_add_chunk(&guest->locks[k->lock].wait, &v->wait, k->chunk, arena);
}

/* A region per chunk for now: join_region_chunks() makes one per page of them. */
static int take_region(struct kmt_guest *guest, const void *key, const void *value,
		     struct kmt_arena **arena)
{
	const struct kmt_region_key *k = key;
	const struct kmt_region_value *v = value;
	struct kmt_gpa_region *region;

	if (k->chunk >= KMT_HIST_CHUNKS)
		return 0;
	region = append((void **)&guest->regions, &guest->nr_regions, sizeof(*region));
	if (!region)
		return -ENOMEM;
	region->gpa = k->gpa_page << KMT_REGION_SHIFT;
	region->exits = v->exits;
	return kmt_hist_add_chunk(&region->lat, &v->lat, k->chunk, arena);
}

static int cmp_region(const void *a, const void *b)
{
	const struct kmt_gpa_region *x = a, *y = b;

	return (x->gpa > y->gpa) - (x->gpa < y->gpa);
}

/* One region per page: its chunks' exits and latencies added up. Sorted by gpa. */
static int join_region_chunks(struct kmt_guest *guest, struct kmt_arena **arena)
{
	size_t n = 0;

	if (guest->nr_regions < 2)
		return 0;
	qsort(guest->regions, guest->nr_regions, sizeof(*guest->regions), cmp_region);
	for (size_t i = 1; i < guest->nr_regions; i++) {
		struct kmt_gpa_region *into = &guest->regions[n], *r = &guest->regions[i];

		if (r->gpa != into->gpa) {
			guest->regions[++n] = *r;
			continue;
		}
		into->exits += r->exits;
		if (kmt_hist_merge(&into->lat, &r->lat, arena))
			return -ENOMEM;
	}
	guest->nr_regions = n + 1;
	return 0;
}

static int read_drops(struct kmt_snapshot *snap, int fd)
{
	int ncpus = libbpf_num_possible_cpus();
	__u64 *percpu;

	if (ncpus <= 0)
		return ncpus ? ncpus : -EINVAL;
	percpu = calloc(ncpus, sizeof(*percpu));
	if (!percpu)
		return -ENOMEM;
	for (__u32 key = 0; key < KMT_DROPS; key++) {
		if (bpf_map_lookup_elem(fd, &key, percpu)) {
			free(percpu);
			return -errno;
		}
		for (int cpu = 0; cpu < ncpus; cpu++)
			snap->drops[key] += percpu[cpu];
	}
	free(percpu);
	return 0;
}

static int cmp_guest(const void *a, const void *b)
{
	const struct kmt_guest *x = a, *y = b;

	if (x->pid != y->pid)
		return (x->pid > y->pid) - (x->pid < y->pid);
	return (x->start > y->start) - (x->start < y->start);
}

/* The processes the BPF programs saw go, as (pid, start) pairs. */
struct gone_list {
	struct kmt_proc_key *keys;
	size_t nr;
};

static int take_gone(const void *key, const void *value, void *ctx)
{
	struct gone_list *gone = ctx;
	struct kmt_proc_key *slot;
	struct kmt_proc_state proc;

	memcpy(&proc, value, sizeof(proc));
	if (!proc.gone)
		return 0;
	slot = append((void **)&gone->keys, &gone->nr, sizeof(*slot));
	if (!slot)
		return -ENOMEM;
	memcpy(slot, key, sizeof(*slot));
	return 0;
}

/*
 * Every map into out, guests sorted by process. The gone ones are guests
 * marked exited even without a key, so that their registration is reaped.
 */
static int read_all(struct kmt_snapshot *out, const struct kmt_map_fds *fds,
		    struct kmt_batch *batch, const struct gone_list *gone)
{
	struct reader r = { .snap = out, .batch = batch };
	int err = 0;

	memset(out, 0, sizeof(*out));
	for (size_t i = 0; !err && i < gone->nr; i++) {
		struct kmt_guest *g = guest_of(&r, gone->keys[i].tgid, gone->keys[i].start);

		if (g)
			g->exited = true;
		else
			err = -ENOMEM;
	}
	if (!err)
		err = read_vcpu_slots(&r, fds);
	if (!err)
		err = read_map(&r, fds->hists, sizeof(struct kmt_hist_key),
			       sizeof(struct kmt_hist_chunk), take_hist);
	if (!err)
		err = read_map(&r, fds->locks, sizeof(struct kmt_lock_key),
			       sizeof(struct kmt_lock_stats), take_lock);
	if (!err)
		err = read_map(&r, fds->regions, sizeof(struct kmt_region_key),
			       sizeof(struct kmt_region_value), take_region);
	for (size_t i = 0; !err && i < out->nr_guests; i++) {
		join_vcpu_slots(&out->guests[i]);
		err = join_region_chunks(&out->guests[i], &out->arena);
	}
	if (!err)
		err = read_drops(out, fds->drops);
	free(r.index);
	if (err) {
		kmt_snapshot_free(out);
		return err;
	}
	if (out->nr_guests)
		qsort(out->guests, out->nr_guests, sizeof(*out->guests), cmp_guest);
	return 0;
}

int kmt_snapshot_read(struct kmt_snapshot *out, const struct kmt_map_fds *fds,
		      struct kmt_batch *batch)
{
	struct gone_list gone = { 0 };
	int err;

	/*
	 * The processes gone before the data is read: nothing of theirs runs
	 * any more, so the values read next are their final ones.
	 */
	err = each_entry(fds->procs, sizeof(struct kmt_proc_key), sizeof(struct kmt_proc_state),
			 batch, take_gone, &gone);
	if (!err)
		err = read_all(out, fds, batch, &gone);
	else
		memset(out, 0, sizeof(*out));
	free(gone.keys);
	return err;
}

struct proc_walk {
	void (*fn)(uint32_t pid, uint64_t start, uint32_t execs, void *ctx);
	void *ctx;
};

static int walk_proc(const void *key, const void *value, void *ctx)
{
	const struct proc_walk *w = ctx;
	struct kmt_proc_key id;
	struct kmt_proc_state proc;

	memcpy(&id, key, sizeof(id));
	memcpy(&proc, value, sizeof(proc));
	if (!proc.gone)
		w->fn(id.tgid, id.start, proc.execs, w->ctx);
	return 0;
}

void kmt_for_each_live_guest(const struct kmt_map_fds *fds, struct kmt_batch *batch,
			     void (*fn)(uint32_t pid, uint64_t start, uint32_t execs, void *ctx),
			     void *ctx)
{
	struct proc_walk w = { fn, ctx };

	each_entry(fds->procs, sizeof(struct kmt_proc_key), sizeof(struct kmt_proc_state), batch,
		   walk_proc, &w);
}

/*
 * The slots of the guests snap marks exited go back to the BPF programs,
 * zeroed first: nothing of those processes runs to write them again.
 */
static void reap_vcpu_slots(const struct kmt_map_fds *fds, const struct kmt_snapshot *snap)
{
	__u32 used = slots_used(fds);

	for (__u32 i = 0; i < used; i++) {
		struct kmt_vcpu_slot slot;
		const struct kmt_guest *g;

		if (!slot_read(fds, i, &slot))
			continue;
		g = kmt_snapshot_find(snap, slot.tgid, slot.start);
		if (!g || !g->exited)
			continue;
		memset(&fds->vcpu_slots[i], 0, sizeof(slot));
		bpf_map_update_elem(fds->free_vcpu_slots, NULL, &i, BPF_ANY);
	}
}

int kmt_reap_exited(const struct kmt_map_fds *fds, const struct kmt_snapshot *snap)
{
	int reaped = 0;

	for (size_t i = 0; i < snap->nr_guests; i++) {
		const struct kmt_guest *g = &snap->guests[i];
		struct kmt_proc_key proc = { .tgid = g->pid, .start = g->start };

		if (!g->exited)
			continue;
		/* Every chunk a series may have: the model does not say which exist. */
		for (__u16 chunk = 0; chunk < KMT_HIST_CHUNKS; chunk++) {
			for (__u16 kind = 0; kind < KMT_HIST_KINDS; kind++) {
				struct kmt_hist_key key = {
					.tgid = g->pid, .kind = kind, .chunk = chunk, .start = g->start,
				};

				bpf_map_delete_elem(fds->hists, &key);
			}
			for (__u16 lock = 0; lock < KMT_LOCK_KINDS; lock++) {
				struct kmt_lock_key key = {
					.tgid = g->pid, .lock = lock, .chunk = chunk, .start = g->start,
				};

				bpf_map_delete_elem(fds->locks, &key);
			}
			for (size_t r = 0; r < g->nr_regions; r++) {
				struct kmt_region_key key = {
					.tgid = g->pid,
					.chunk = chunk,
					.start = g->start,
					.gpa_page = g->regions[r].gpa >> KMT_REGION_SHIFT,
				};

				bpf_map_delete_elem(fds->regions, &key);
			}
		}
		bpf_map_delete_elem(fds->procs, &proc);
		reaped++;
	}
	if (reaped)
		reap_vcpu_slots(fds, snap);
	return reaped;
}
