// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Interval deltas and the JSON report built from them. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "hist.h"
#include "hist_fill.h"
#include "report.h"


/* One guest, two vCPUs, three regions; scale multiplies every count. */
static void make_guest(struct kmt_guest *g, uint32_t pid, uint64_t scale)
{
	memset(g, 0, sizeof(*g));
	g->pid = pid;
	g->nr_vcpus = 2;
	g->vcpus = calloc(2, sizeof(*g->vcpus));
	g->vcpus[0] = (struct kmt_vcpu){ pid + 1, { .reads = 10 * scale, .writes = 20 * scale,
						    .vmm_exits = 25 * scale } };
	g->vcpus[1] = (struct kmt_vcpu){ pid + 2, { .writes = 5 * scale, .vmm_exits = 5 * scale } };
	hist_fill(&g->hist[KMT_HIST_VMM], 2000, 30 * scale);
	g->nr_regions = 3;
	g->regions = calloc(3, sizeof(*g->regions));
	g->regions[0].gpa = 0xd0000;
	g->regions[0].exits = 5 * scale;
	g->regions[1].gpa = 0xe0000;
	g->regions[1].exits = 30 * scale;
	hist_fill(&g->regions[1].lat, 3000, 30 * scale);
	g->regions[2].gpa = 0xf0000;
	g->regions[2].exits = 5 * scale;
}

static void make_snapshot(struct kmt_snapshot *s, const uint32_t *pids, size_t n, uint64_t scale)
{
	memset(s, 0, sizeof(*s));
	s->guests = calloc(n, sizeof(*s->guests));
	s->nr_guests = n;
	for (size_t i = 0; i < n; i++)
		make_guest(&s->guests[i], pids[i], scale);
	s->counters[KMT_DROP_UNPAIRED] = 2 * scale;
}

static void delta_subtracts_and_drops_vanished_guests(void **state)
{
	const uint32_t before[] = { 100, 200 }, after[] = { 200, 300 };
	struct kmt_snapshot prev, cur, delta;
	const struct kmt_guest *g;

	(void)state;
	make_snapshot(&prev, before, 2, 1);
	make_snapshot(&cur, after, 2, 3);
	assert_int_equal(kmt_snapshot_delta(&delta, &cur, &prev), 0);
	assert_int_equal(delta.nr_guests, 2);
	assert_null(kmt_snapshot_find(&delta, 100));
	g = kmt_snapshot_find(&delta, 200);	/* seen before: 3x - 1x */
	assert_non_null(g);
	assert_int_equal(kmt_guest_totals(g).writes, 50);
	assert_int_equal(g->hist[KMT_HIST_VMM].count, 60);
	assert_int_equal(g->regions[1].exits, 60);
	g = kmt_snapshot_find(&delta, 300);	/* new: all of it */
	assert_int_equal(kmt_guest_totals(g).writes, 75);
	assert_int_equal(kmt_snapshot_dropped(&delta), 4);
	kmt_snapshot_free(&delta);
	kmt_snapshot_free(&cur);
	kmt_snapshot_free(&prev);
}

/* An exited guest is in the interval of its last events, not in later ones. */
static void exited_guest_without_news_leaves_the_delta(void **state)
{
	const uint32_t pids[] = { 100, 200 };
	struct kmt_snapshot prev, cur, delta;

	(void)state;
	make_snapshot(&prev, pids, 2, 1);
	make_snapshot(&cur, pids, 2, 1);
	cur.guests[0].exited = true;	/* nothing new since prev: gone */
	cur.guests[1].exited = true;	/* but new events: still reported */
	cur.guests[1].vcpus[0].stats.writes += 7;
	assert_int_equal(kmt_snapshot_delta(&delta, &cur, &prev), 0);
	assert_int_equal(delta.nr_guests, 1);
	assert_int_equal(delta.guests[0].pid, 200);
	assert_int_equal(kmt_guest_totals(&delta.guests[0]).writes, 7);
	kmt_snapshot_free(&delta);
	kmt_snapshot_free(&cur);
	kmt_snapshot_free(&prev);
}

static struct json_object *field(struct json_object *obj, const char *path)
{
	char copy[128], *key, *save = NULL;

	snprintf(copy, sizeof(copy), "%s", path);
	for (key = strtok_r(copy, ".", &save); key; key = strtok_r(NULL, ".", &save))
		if (!json_object_object_get_ex(obj, key, &obj))
			fail_msg("no field %s in %s", key, path);
	return obj;
}

static void json_reports_counts_latency_and_top_regions(void **state)
{
	const uint32_t pids[] = { 4242 };
	struct kmt_snapshot snap;
	struct kmt_report r = { .interval_s = 2.0, .backend = "kvm_mmio", .probes = "p",
				.top_regions = 2 };
	struct json_object *root, *guest, *regions;

	(void)state;
	make_snapshot(&snap, pids, 1, 1);
	strcpy(snap.guests[0].name, "web");
	r.interval = &snap;
	root = kmt_report_json(&r);
	assert_non_null(root);
	assert_string_equal(json_object_get_string(field(root, "backend")), "kvm_mmio");
	assert_int_equal(json_object_get_uint64(field(root, "dropped")), 2);
	guest = json_object_array_get_idx(field(root, "guests"), 0);
	assert_int_equal(json_object_get_uint64(field(guest, "pid")), 4242);
	assert_string_equal(json_object_get_string(field(guest, "name")), "web");
	assert_int_equal(json_object_get_uint64(field(guest, "vcpus")), 2);
	assert_int_equal(json_object_get_uint64(field(guest, "mmio.exits")), 35);
	assert_int_equal(json_object_get_uint64(field(guest, "mmio.reads")), 10);
	assert_int_equal(json_object_get_uint64(field(guest, "mmio.writes")), 25);
	assert_int_equal(json_object_get_uint64(field(guest, "mmio.vmm_handled")), 30);
	assert_int_equal(json_object_get_uint64(field(guest, "mmio.kernel_handled")), 5);
	assert_int_equal(json_object_get_uint64(field(guest, "mmio.vmm_latency_ns.count")), 30);
	/* Every value is 2000 ns: the bucket bound is capped by the exact max. */
	assert_int_equal(json_object_get_uint64(field(guest, "mmio.vmm_latency_ns.p99")), 2000);
	/* The kernel part is not measured by this backend: null, not zero. */
	assert_true(json_object_is_type(field(guest, "mmio.kernel_latency_ns"), json_type_null));
	regions = field(guest, "mmio.top_regions");
	assert_int_equal(json_object_array_length(regions), 2);
	assert_string_equal(json_object_get_string(field(json_object_array_get_idx(regions, 0),
							 "gpa")), "0xe0000");
	assert_int_equal(json_object_get_uint64(field(json_object_array_get_idx(regions, 0),
						      "p99_ns")), 3000);
	/* Ties (5 and 5 exits) go to the lower address; no latency is null. */
	assert_string_equal(json_object_get_string(field(json_object_array_get_idx(regions, 1),
							 "gpa")), "0xd0000");
	assert_true(json_object_is_type(field(json_object_array_get_idx(regions, 1), "p99_ns"),
					json_type_null));
	json_object_put(root);
	kmt_snapshot_free(&snap);
}

static void json_measured_kernel_part_is_an_object(void **state)
{
	const uint32_t pids[] = { 7 };
	struct kmt_snapshot snap;
	struct kmt_report r = { .interval_s = 1.0, .backend = "kvm_exit", .probes = "p",
				.kernel_timed = true, .top_regions = 5 };
	struct json_object *root, *lat;

	(void)state;
	make_snapshot(&snap, pids, 1, 1);
	hist_fill(&snap.guests[0].hist[KMT_HIST_KERNEL], 900, 4);
	r.interval = &snap;
	root = kmt_report_json(&r);
	lat = field(json_object_array_get_idx(field(root, "guests"), 0),
		    "mmio.kernel_latency_ns");
	assert_int_equal(json_object_get_uint64(field(lat, "count")), 4);
	assert_int_equal(json_object_get_uint64(field(lat, "max")), 900);
	/* Unnamed guest (exited before it could be named): null name. */
	assert_true(json_object_is_type(field(json_object_array_get_idx(field(root, "guests"), 0),
					      "name"), json_type_null));
	json_object_put(root);
	kmt_snapshot_free(&snap);
}

/* POWER: the HPTE lock block appears where lookups are traced; the backend says kvm_hv. */
static void json_hpte_lock_and_power_backend(void **state)
{
	const uint32_t pids[] = { 9 };
	struct kmt_snapshot snap;
	struct kmt_report r = { .interval_s = 1.0, .probes = "p", .kernel_timed = true,
				.hpte_traced = true, .top_regions = 1 };
	struct json_object *root, *lock;

	(void)state;
	make_snapshot(&snap, pids, 1, 1);
	assert_string_equal(kmt_backend_name(&snap), "kvm_mmio");
	snap.counters[KMT_CNT_GUEST_EXIT] = 1;
	assert_string_equal(kmt_backend_name(&snap), "kvm_exit");
	snap.counters[KMT_CNT_HV_MMIO] = 1;
	assert_string_equal(kmt_backend_name(&snap), "kvm_hv");
	r.backend = kmt_backend_name(&snap);
	snap.guests[0].vcpus[1].stats.hpte_lookups = 12;
	snap.guests[0].vcpus[1].stats.hpte_contended = 3;
	hist_fill(&snap.guests[0].hist[KMT_HIST_HPTE_SPINS], 4, 3);
	r.interval = &snap;
	root = kmt_report_json(&r);
	lock = field(json_object_array_get_idx(field(root, "guests"), 0), "hpte_lock");
	assert_int_equal(json_object_get_uint64(field(lock, "lookups")), 12);
	assert_int_equal(json_object_get_uint64(field(lock, "contended")), 3);
	assert_int_equal(json_object_get_uint64(field(lock, "spins_total")), 12);
	assert_int_equal(json_object_get_uint64(field(lock, "spins_max")), 4);
	json_object_put(root);
	r.hpte_traced = false;
	root = kmt_report_json(&r);
	assert_true(json_object_is_type(field(json_object_array_get_idx(field(root, "guests"), 0),
					      "hpte_lock"), json_type_null));
	json_object_put(root);
	kmt_snapshot_free(&snap);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(delta_subtracts_and_drops_vanished_guests),
		cmocka_unit_test(exited_guest_without_news_leaves_the_delta),
		cmocka_unit_test(json_reports_counts_latency_and_top_regions),
		cmocka_unit_test(json_measured_kernel_part_is_an_object),
		cmocka_unit_test(json_hpte_lock_and_power_backend),
	};

	return cmocka_run_group_tests_name("report", tests, NULL, NULL);
}
