// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "hist.h"
#include "map_reader.h"

/* Grows *array (of *nr elements of size) by one zeroed element. */
static void *append(void **array, size_t *nr, size_t size)
{
	char *grown = realloc(*array, (*nr + 1) * size);

	if (!grown)
		return NULL;
	memset(grown + *nr * size, 0, size);
	*array = grown;
	return grown + (*nr)++ * size;
}

static struct kmt_guest *guest_of(struct kmt_snapshot *snap, uint32_t pid)
{
	struct kmt_guest *guest;

	for (size_t i = 0; i < snap->nr_guests; i++)
		if (snap->guests[i].pid == pid)
			return &snap->guests[i];
	guest = append((void **)&snap->guests, &snap->nr_guests, sizeof(*guest));
	if (guest)
		guest->pid = pid;
	return guest;
}

/* Every map's key starts with the guest's tgid, so one reader serves them all. */
union any_key {
	__u32 tgid;
	struct kmt_vcpu_key vcpu;
	struct kmt_hist_key hist;
	struct kmt_lock_key lock;
	struct kmt_region_key region;
};

union any_value {
	struct kmt_vcpu_stats vcpu;
	struct kmt_hist hist;
	struct kmt_lock_stats lock;
	struct kmt_region_value region;
};

/* Stores one map entry into the guest its key names: 0, or -ENOMEM. */
typedef int (*take_fn)(struct kmt_guest *guest, const union any_key *key,
		       const union any_value *value);

static int read_map(struct kmt_snapshot *snap, int fd, take_fn take)
{
	union any_key key, next;
	union any_value value;
	struct kmt_guest *guest;
	void *prev = NULL;
	int err;

	while (!bpf_map_get_next_key(fd, prev, &next)) {
		key = next;
		prev = &key;
		if (bpf_map_lookup_elem(fd, &key, &value))
			continue;	/* deleted between the two calls */
		guest = guest_of(snap, key.tgid);
		if (!guest)
			return -ENOMEM;
		err = take(guest, &key, &value);
		if (err)
			return err;
	}
	return 0;
}

static int take_vcpu(struct kmt_guest *guest, const union any_key *key,
		     const union any_value *value)
{
	struct kmt_vcpu *vcpu = append((void **)&guest->vcpus, &guest->nr_vcpus, sizeof(*vcpu));

	if (!vcpu)
		return -ENOMEM;
	vcpu->tid = key->vcpu.tid;
	vcpu->stats = value->vcpu;
	return 0;
}

static int take_hist(struct kmt_guest *guest, const union any_key *key,
		     const union any_value *value)
{
	if (key->hist.kind < KMT_HIST_KINDS) {
		guest->hist[key->hist.kind] = value->hist;
		kmt_hist_recount(&guest->hist[key->hist.kind]);
	}
	return 0;
}

static int take_lock(struct kmt_guest *guest, const union any_key *key,
		     const union any_value *value)
{
	if (key->lock.lock < KMT_LOCK_KINDS) {
		guest->locks[key->lock.lock] = value->lock;
		kmt_hist_recount(&guest->locks[key->lock.lock].wait);
	}
	return 0;
}

static int take_region(struct kmt_guest *guest, const union any_key *key,
		       const union any_value *value)
{
	struct kmt_gpa_region *region = append((void **)&guest->regions, &guest->nr_regions,
					       sizeof(*region));

	if (!region)
		return -ENOMEM;
	region->gpa = key->region.gpa_page << KMT_REGION_SHIFT;
	region->exits = value->region.exits;
	region->lat = value->region.lat;
	kmt_hist_recount(&region->lat);
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
	uint32_t x = ((const struct kmt_guest *)a)->pid, y = ((const struct kmt_guest *)b)->pid;

	return (x > y) - (x < y);
}

static bool process_gone(uint32_t pid)
{
	return kill((pid_t)pid, 0) && errno == ESRCH;
}

struct pid_list {
	uint32_t *pids;
	size_t nr;
};

struct liveness {
	struct pid_list checked, gone;
};

static bool listed(const struct pid_list *list, uint32_t pid)
{
	for (size_t i = 0; i < list->nr; i++)
		if (list->pids[i] == pid)
			return true;
	return false;
}

static void note_if_gone(uint32_t pid, void *ctx)
{
	struct liveness *l = ctx;
	uint32_t *slot;

	/* Keys list a guest once per vCPU thread, histogram, lock and region. */
	if (listed(&l->checked, pid))
		return;
	slot = append((void **)&l->checked.pids, &l->checked.nr, sizeof(*slot));
	if (slot)
		*slot = pid;
	if (!process_gone(pid))
		return;
	slot = append((void **)&l->gone.pids, &l->gone.nr, sizeof(*slot));
	if (slot)
		*slot = pid;	/* else it is reaped after a later read */
}

static void mark_exited(struct kmt_snapshot *snap, const struct pid_list *gone)
{
	for (size_t i = 0; i < gone->nr; i++) {
		struct kmt_guest *g = (struct kmt_guest *)kmt_snapshot_find(snap, gone->pids[i]);

		if (g)
			g->exited = true;
	}
}

int kmt_snapshot_read(struct kmt_snapshot *out, const struct kmt_map_fds *fds)
{
	struct liveness l = { 0 };
	int err;

	memset(out, 0, sizeof(*out));
	kmt_for_each_guest_pid(fds, note_if_gone, &l);
	err = read_map(out, fds->vcpu_stats, take_vcpu);
	if (!err)
		err = read_map(out, fds->hists, take_hist);
	if (!err)
		err = read_map(out, fds->locks, take_lock);
	if (!err)
		err = read_map(out, fds->regions, take_region);
	if (!err)
		err = read_drops(out, fds->drops);
	if (!err && out->nr_guests)
		qsort(out->guests, out->nr_guests, sizeof(*out->guests), cmp_guest);
	if (!err)
		mark_exited(out, &l.gone);
	else
		kmt_snapshot_free(out);
	free(l.checked.pids);
	free(l.gone.pids);
	return err;
}

void kmt_for_each_guest_pid(const struct kmt_map_fds *fds, void (*fn)(uint32_t pid, void *ctx),
			    void *ctx)
{
	/* A guest may be in any of the maps alone. */
	const int maps[] = { fds->vcpu_stats, fds->hists, fds->locks, fds->regions };
	union any_key key, next;

	for (size_t m = 0; m < sizeof(maps) / sizeof(maps[0]); m++) {
		void *prev = NULL;

		while (!bpf_map_get_next_key(maps[m], prev, &next)) {
			key = next;
			prev = &key;
			fn(key.tgid, ctx);
		}
	}
}

int kmt_reap_exited(const struct kmt_map_fds *fds, const struct kmt_snapshot *snap)
{
	int reaped = 0;

	for (size_t i = 0; i < snap->nr_guests; i++) {
		const struct kmt_guest *g = &snap->guests[i];

		if (!g->exited)
			continue;
		for (size_t v = 0; v < g->nr_vcpus; v++) {
			struct kmt_vcpu_key key = { .tgid = g->pid, .tid = g->vcpus[v].tid };

			bpf_map_delete_elem(fds->vcpu_stats, &key);
		}
		for (__u32 kind = 0; kind < KMT_HIST_KINDS; kind++) {
			struct kmt_hist_key key = { .tgid = g->pid, .kind = kind };

			bpf_map_delete_elem(fds->hists, &key);
		}
		for (__u32 lock = 0; lock < KMT_LOCK_KINDS; lock++) {
			struct kmt_lock_key key = { .tgid = g->pid, .lock = lock };

			bpf_map_delete_elem(fds->locks, &key);
		}
		for (size_t r = 0; r < g->nr_regions; r++) {
			struct kmt_region_key key = {
				.tgid = g->pid,
				.gpa_page = g->regions[r].gpa >> KMT_REGION_SHIFT,
			};

			bpf_map_delete_elem(fds->regions, &key);
		}
		reaped++;
	}
	return reaped;
}
