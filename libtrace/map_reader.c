// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
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

static int read_vcpus(struct kmt_snapshot *snap, int fd)
{
	struct kmt_vcpu_key key, next;
	struct kmt_vcpu_stats stats;
	struct kmt_guest *guest;
	struct kmt_vcpu *vcpu;
	void *prev = NULL;

	while (!bpf_map_get_next_key(fd, prev, &next)) {
		key = next;
		prev = &key;
		if (bpf_map_lookup_elem(fd, &key, &stats))
			continue;	/* deleted between the two calls */
		guest = guest_of(snap, key.tgid);
		if (!guest)
			return -ENOMEM;
		vcpu = append((void **)&guest->vcpus, &guest->nr_vcpus, sizeof(*vcpu));
		if (!vcpu)
			return -ENOMEM;
		vcpu->tid = key.tid;
		vcpu->stats = stats;
	}
	return 0;
}

static int read_hists(struct kmt_snapshot *snap, int fd)
{
	struct kmt_hist_key key, next;
	struct kmt_guest *guest;
	struct kmt_hist hist;
	void *prev = NULL;

	while (!bpf_map_get_next_key(fd, prev, &next)) {
		key = next;
		prev = &key;
		if (key.kind >= KMT_HIST_KINDS || bpf_map_lookup_elem(fd, &key, &hist))
			continue;
		guest = guest_of(snap, key.tgid);
		if (!guest)
			return -ENOMEM;
		guest->hist[key.kind] = hist;
	}
	return 0;
}

static int read_regions(struct kmt_snapshot *snap, int fd)
{
	struct kmt_region_key key, next;
	struct kmt_region_value value;
	struct kmt_gpa_region *region;
	struct kmt_guest *guest;
	void *prev = NULL;

	while (!bpf_map_get_next_key(fd, prev, &next)) {
		key = next;
		prev = &key;
		if (bpf_map_lookup_elem(fd, &key, &value))
			continue;
		guest = guest_of(snap, key.tgid);
		if (!guest)
			return -ENOMEM;
		region = append((void **)&guest->regions, &guest->nr_regions, sizeof(*region));
		if (!region)
			return -ENOMEM;
		region->gpa = key.gpa_page << KMT_REGION_SHIFT;
		region->exits = value.exits;
		region->lat = value.lat;
	}
	return 0;
}

static int read_counters(struct kmt_snapshot *snap, int fd)
{
	int ncpus = libbpf_num_possible_cpus();
	__u64 *percpu;

	if (ncpus <= 0)
		return ncpus ? ncpus : -EINVAL;
	percpu = calloc(ncpus, sizeof(*percpu));
	if (!percpu)
		return -ENOMEM;
	for (__u32 key = 0; key < KMT_COUNTERS; key++) {
		if (bpf_map_lookup_elem(fd, &key, percpu)) {
			free(percpu);
			return -errno;
		}
		for (int cpu = 0; cpu < ncpus; cpu++)
			snap->counters[key] += percpu[cpu];
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

static void note_if_gone(uint32_t pid, void *ctx)
{
	struct pid_list *gone = ctx;
	uint32_t *slot;

	/* Keys list a guest once per vCPU thread. */
	for (size_t i = 0; i < gone->nr; i++)
		if (gone->pids[i] == pid)
			return;
	if (!process_gone(pid))
		return;
	slot = append((void **)&gone->pids, &gone->nr, sizeof(*slot));
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
	struct pid_list gone = { 0 };
	int err;

	memset(out, 0, sizeof(*out));
	kmt_for_each_guest_pid(fds, note_if_gone, &gone);
	err = read_vcpus(out, fds->vcpu_stats);
	if (!err)
		err = read_hists(out, fds->hists);
	if (!err)
		err = read_regions(out, fds->regions);
	if (!err)
		err = read_counters(out, fds->counters);
	if (err) {
		free(gone.pids);
		kmt_snapshot_free(out);
		return err;
	}
	if (out->nr_guests)
		qsort(out->guests, out->nr_guests, sizeof(*out->guests), cmp_guest);
	mark_exited(out, &gone);
	free(gone.pids);
	return 0;
}

void kmt_for_each_guest_pid(const struct kmt_map_fds *fds, void (*fn)(uint32_t pid, void *ctx),
			    void *ctx)
{
	struct kmt_vcpu_key key, next;
	void *prev = NULL;

	while (!bpf_map_get_next_key(fds->vcpu_stats, prev, &next)) {
		key = next;
		prev = &key;
		fn(key.tgid, ctx);
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
