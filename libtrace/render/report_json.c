// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <json-c/json.h>
#include "decimal.h"
#include "hist.h"
#include "report.h"

/*
 * Every key is a string literal, and each is put once per object: json-c
 * need not copy it nor look for it first (a thousand guests' report has
 * some 200,000 keys).
 */
static void put(struct json_object *obj, const char *key, struct json_object *value)
{
	json_object_object_add_ex(obj, key, value,
				  JSON_C_OBJECT_ADD_KEY_IS_NEW | JSON_C_OBJECT_KEY_IS_CONSTANT);
}

/* json-c prints integers with snprintf: a sixth of a JSON refresh at 1,000 guests. */
static int u64_to_json(struct json_object *obj, struct printbuf *pb, int level, int flags)
{
	char text[KMT_DECIMAL_MAX], *end = text + sizeof(text);
	char *start = kmt_decimal(end, json_object_get_uint64(obj));

	(void)level;
	(void)flags;
	return printbuf_memappend(pb, start, (int)(end - start));
}

static struct json_object *u64(uint64_t value)
{
	struct json_object *obj = json_object_new_uint64(value);

	if (obj)
		json_object_set_serializer(obj, u64_to_json, NULL, NULL);
	return obj;
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
		struct kmt_mmio_counts c = kmt_vcpu_counts(&v->stats);
		struct json_object *obj = json_object_new_object();

		put(obj, "tid", u64(v->tid));
		put(obj, "exits", u64(c.exits));
		put(obj, "reads", u64(c.reads));
		put(obj, "writes", u64(c.writes));
		put(obj, "vmm_handled", u64(c.vmm_handled));
		json_object_array_add(array, obj);
	}
	return array;
}

/* One object per lock series the backends provide, in their own wait unit. */
static struct json_object *locks_json(const struct kmt_guest *guest,
				      const struct kmt_selection *sel)
{
	struct json_object *array = json_object_new_array();

	for (size_t i = 0; sel && i < sel->nr_locks; i++) {
		const struct kmt_backend *b = sel->locks[i];
		const struct kmt_lock_series *l = &guest->locks[b->lock];
		struct json_object *obj = json_object_new_object();

		put(obj, "lock", json_object_new_string(b->name));
		put(obj, "unit", json_object_new_string(b->wait_unit));
		put(obj, "acquired", b->caps & KMT_CAP_LOCK_ACQUIRED ? u64(l->acquired) : NULL);
		put(obj, "contended", u64(l->wait.count));
		put(obj, "wait", latency_json(&l->wait));
		json_object_array_add(array, obj);
	}
	return array;
}

static struct json_object *backends_json(const struct kmt_selection *sel)
{
	struct json_object *array = json_object_new_array();
	const struct kmt_backend *chosen[1 + KMT_LOCK_KINDS];
	size_t n = 0;

	if (!sel)
		return array;
	chosen[n++] = sel->mmio;
	for (size_t i = 0; i < sel->nr_locks; i++)
		chosen[n++] = sel->locks[i];
	for (size_t i = 0; i < n; i++) {
		struct json_object *obj = json_object_new_object();
		struct json_object *caps = json_object_new_array();

		for (unsigned int bit = 1; bit && bit <= chosen[i]->caps; bit <<= 1)
			if (chosen[i]->caps & bit)
				json_object_array_add(caps,
					json_object_new_string(kmt_capability_name(bit)));
		put(obj, "name", json_object_new_string(chosen[i]->name));
		put(obj, "role", json_object_new_string(chosen[i]->role == KMT_ROLE_MMIO ?
							"mmio" : "lock"));
		put(obj, "measures", caps);
		json_object_array_add(array, obj);
	}
	return array;
}

static struct json_object *guest_json(const struct kmt_guest *guest,
				      const struct kmt_snapshot *snap, unsigned int top_regions)
{
	struct kmt_mmio_counts c = kmt_guest_counts(guest);
	struct json_object *obj = json_object_new_object();
	struct json_object *mmio = json_object_new_object();

	put(obj, "pid", u64(guest->pid));
	put(obj, "name", guest->name[0] ? json_object_new_string(guest->name) : NULL);
	put(obj, "vcpus", u64(guest->nr_vcpus));
	put(mmio, "exits", u64(c.exits));
	put(mmio, "reads", u64(c.reads));
	put(mmio, "writes", u64(c.writes));
	put(mmio, "kernel_handled", u64(c.kernel_handled));
	put(mmio, "vmm_handled", u64(c.vmm_handled));
	put(mmio, "vmm_latency_ns", latency_json(&guest->hist[KMT_HIST_VMM]));
	put(mmio, "kernel_latency_ns", kmt_snapshot_measures(snap, KMT_CAP_KERNEL_PART) ?
		latency_json(&guest->hist[KMT_HIST_KERNEL]) : NULL);
	put(mmio, "top_regions", regions_json(guest, top_regions));
	put(obj, "mmio", mmio);
	put(obj, "locks", locks_json(guest, snap->backends));
	put(obj, "per_vcpu", per_vcpu_json(guest));
	return obj;
}

/* Everything but the guests. */
static struct json_object *header_json(const struct kmt_report *r)
{
	const struct kmt_snapshot *snap = r->interval->delta;
	const struct kmt_selection *sel = snap->backends;
	struct json_object *root = json_object_new_object();
	struct json_object *drops = json_object_new_object();
	char seconds[32];

	if (!root || !drops) {
		json_object_put(root);
		json_object_put(drops);
		return NULL;
	}
	/* To the nanosecond it was measured in, not the 17 digits of json-c's %.17g. */
	snprintf(seconds, sizeof(seconds), "%.9f", r->interval->seconds);
	put(root, "interval_s", json_object_new_double_s(r->interval->seconds, seconds));
	put(root, "backend", sel ? json_object_new_string(sel->mmio->name) : NULL);
	put(root, "backends", backends_json(sel));
	put(root, "probes", json_object_new_string(r->interval->probes));
	put(root, "dropped", u64(kmt_snapshot_dropped(snap)));
	for (int i = 0; i < KMT_DROPS; i++)
		put(drops, kmt_drop_reason(i), u64(snap->drops[i]));
	put(root, "drops", drops);
	return root;
}

int kmt_report_json(FILE *out, const struct kmt_report *r)
{
	const struct kmt_snapshot *snap = r->interval->delta;
	struct json_object *obj = header_json(r);
	const char *text;
	size_t len;

	if (!obj)
		return -ENOMEM;
	/* The header object, its closing brace replaced by the guests array. */
	text = json_object_to_json_string_length(obj, JSON_C_TO_STRING_PLAIN, &len);
	if (!text || len < 2) {
		json_object_put(obj);
		return -ENOMEM;
	}
	fwrite(text, 1, len - 1, out);
	json_object_put(obj);
	fputs(",\"guests\":[", out);
	for (size_t i = 0; i < snap->nr_guests; i++) {
		obj = guest_json(&snap->guests[i], snap, r->top_regions);
		text = obj ? json_object_to_json_string_length(obj, JSON_C_TO_STRING_PLAIN, &len) :
			     NULL;
		if (!text) {
			json_object_put(obj);
			return -ENOMEM;
		}
		if (i)
			fputc(',', out);
		fwrite(text, 1, len, out);
		json_object_put(obj);
	}
	fputs("]}\n", out);
	return 0;
}
