// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <inttypes.h>
#include <stdio.h>
#include "hist.h"
#include "report.h"

static void put(struct json_object *obj, const char *key, struct json_object *value)
{
	json_object_object_add(obj, key, value);
}

static struct json_object *u64(uint64_t value)
{
	return json_object_new_uint64(value);
}

/* Percentiles are null when nothing was measured: 0 ns would be a lie. */
static struct json_object *latency_json(const struct kmt_hist *hist)
{
	struct kmt_latency_summary sum = kmt_hist_summary(hist);
	struct json_object *obj = json_object_new_object();
	const struct {
		const char *key;
		uint64_t value;
	} fields[] = {
		{ "p50", sum.p50 }, { "p90", sum.p90 }, { "p99", sum.p99 },
		{ "p999", sum.p999 }, { "max", sum.max }, { "sum", sum.sum },
	};

	put(obj, "count", u64(sum.count));
	for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++)
		put(obj, fields[i].key, sum.count ? u64(fields[i].value) : NULL);
	return obj;
}

static struct json_object *regions_json(const struct kmt_guest *guest, unsigned int top_n)
{
	const struct kmt_gpa_region *top[top_n ? top_n : 1];
	size_t n = kmt_guest_top_regions(guest, top, top_n);
	struct json_object *array = json_object_new_array();
	char gpa[32];

	for (size_t i = 0; i < n; i++) {
		struct json_object *obj = json_object_new_object();

		snprintf(gpa, sizeof(gpa), "0x%" PRIx64, top[i]->gpa);
		put(obj, "gpa", json_object_new_string(gpa));
		put(obj, "exits", u64(top[i]->exits));
		put(obj, "p99_ns", top[i]->lat.count ? u64(kmt_hist_quantile(&top[i]->lat, 0.99)) :
						       NULL);
		json_object_array_add(array, obj);
	}
	return array;
}

static struct json_object *per_vcpu_json(const struct kmt_guest *guest)
{
	struct json_object *array = json_object_new_array();

	for (size_t i = 0; i < guest->nr_vcpus; i++) {
		const struct kmt_vcpu *v = &guest->vcpus[i];
		struct json_object *obj = json_object_new_object();

		put(obj, "tid", u64(v->tid));
		put(obj, "exits", u64(v->stats.reads + v->stats.writes));
		put(obj, "reads", u64(v->stats.reads));
		put(obj, "writes", u64(v->stats.writes));
		put(obj, "vmm_handled", u64(v->stats.vmm_exits));
		json_object_array_add(array, obj);
	}
	return array;
}

/* POWER: HPT lookups of the MMIO path and how often the HPTE lock was held. */
static struct json_object *hpte_lock_json(const struct kmt_guest *guest,
					  const struct kmt_vcpu_stats *tot)
{
	struct kmt_latency_summary spins = kmt_hist_summary(&guest->hist[KMT_HIST_HPTE_SPINS]);
	struct json_object *obj = json_object_new_object();

	put(obj, "lookups", u64(tot->hpte_lookups));
	put(obj, "contended", u64(tot->hpte_contended));
	put(obj, "spins_total", u64(spins.sum));
	put(obj, "spins_p99", spins.count ? u64(spins.p99) : NULL);
	put(obj, "spins_max", spins.count ? u64(spins.max) : NULL);
	return obj;
}

static struct json_object *guest_json(const struct kmt_guest *guest, const struct kmt_report *r)
{
	struct kmt_vcpu_stats tot = kmt_guest_totals(guest);
	struct json_object *obj = json_object_new_object();
	struct json_object *mmio = json_object_new_object();
	uint64_t exits = tot.reads + tot.writes;

	put(obj, "pid", u64(guest->pid));
	put(obj, "name", guest->name[0] ? json_object_new_string(guest->name) : NULL);
	put(obj, "vcpus", u64(guest->nr_vcpus));
	put(mmio, "exits", u64(exits));
	put(mmio, "reads", u64(tot.reads));
	put(mmio, "writes", u64(tot.writes));
	put(mmio, "kernel_handled", u64(exits - tot.vmm_exits));
	put(mmio, "vmm_handled", u64(tot.vmm_exits));
	put(mmio, "vmm_latency_ns", latency_json(&guest->hist[KMT_HIST_VMM]));
	put(mmio, "kernel_latency_ns",
	    r->kernel_timed ? latency_json(&guest->hist[KMT_HIST_KERNEL]) : NULL);
	put(mmio, "top_regions", regions_json(guest, r->top_regions));
	put(obj, "mmio", mmio);
	put(obj, "hpte_lock", r->hpte_traced ? hpte_lock_json(guest, &tot) : NULL);
	put(obj, "per_vcpu", per_vcpu_json(guest));
	return obj;
}

struct json_object *kmt_report_json(const struct kmt_report *r)
{
	const struct kmt_snapshot *snap = r->interval;
	struct json_object *root = json_object_new_object();
	struct json_object *drops = json_object_new_object();
	struct json_object *guests = json_object_new_array();

	if (!root || !drops || !guests) {
		json_object_put(root);
		json_object_put(drops);
		json_object_put(guests);
		return NULL;
	}
	put(root, "interval_s", json_object_new_double(r->interval_s));
	put(root, "backend", json_object_new_string(r->backend));
	put(root, "probes", json_object_new_string(r->probes));
	put(root, "dropped", u64(kmt_snapshot_dropped(snap)));
	for (int i = KMT_DROP_VCPU_STATE; i < KMT_COUNTERS; i++)
		put(drops, kmt_drop_reason(i), u64(snap->counters[i]));
	put(root, "drops", drops);
	for (size_t i = 0; i < snap->nr_guests; i++)
		json_object_array_add(guests, guest_json(&snap->guests[i], r));
	put(root, "guests", guests);
	return root;
}
