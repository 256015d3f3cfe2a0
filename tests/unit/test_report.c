// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* The JSON report: fields, null for what the backends cannot measure, lock series. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <json-c/json.h>
#include "hist.h"
#include "model_fixture.h"
#include "report.h"
#include "select_fixture.h"


/*
 * The report as kvm-mmio-top --json prints it: one line, parsed back; the
 * line itself in *line unless line is NULL (the caller frees it).
 */
static struct json_object *json_text_of(const struct kmt_report *r, char **line)
{
	char *text = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&text, &len);
	struct json_object *root;

	assert_non_null(out);
	assert_int_equal(kmt_report_json(out, r), 0);
	assert_int_equal(fclose(out), 0);
	assert_true(len > 0 && text[len - 1] == '\n');
	assert_null(memchr(text, '\n', len - 1));
	root = json_tokener_parse(text);
	if (line)
		*line = text;
	else
		free(text);
	return root;
}

static struct json_object *json_of(const struct kmt_report *r)
{
	return json_text_of(r, NULL);
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
	struct kmt_selection sel;
	struct kmt_interval iv = { .delta = &snap, .seconds = 2.0, .probes = "p" };
	struct kmt_report r = { .interval = &iv, .top_regions = 2 };
	struct json_object *root, *guest, *regions;

	(void)state;
	make_snapshot(&snap, pids, 1, 1);
	strcpy(snap.guests[0].name, "web");
	assert_int_equal(select_for(&sel, EVS_STOCK, "x86_64"), 0);
	snap.backends = &sel;
	root = json_of(&r);
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
	assert_int_equal(json_object_array_length(field(guest, "locks")), 0);
	assert_int_equal(json_object_get_uint64(field(json_object_array_get_idx(
					field(guest, "per_vcpu"), 0), "exits")), 30);
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
	struct kmt_selection sel;
	struct kmt_interval iv = { .delta = &snap, .seconds = 1.0, .probes = "p" };
	struct kmt_report r = { .interval = &iv, .top_regions = 5 };
	struct json_object *root, *lat, *backends;

	(void)state;
	make_snapshot(&snap, pids, 1, 1);
	hist_fill(&snap.guests[0].hist[KMT_HIST_KERNEL], 900, 4);
	assert_int_equal(select_for(&sel, EVS_EXITS, "x86_64"), 0);
	snap.backends = &sel;
	root = json_of(&r);
	assert_string_equal(json_object_get_string(field(root, "backend")), "kvm_exit");
	backends = field(root, "backends");
	assert_int_equal(json_object_array_length(backends), 1);
	assert_string_equal(json_object_get_string(json_object_array_get_idx(
				field(json_object_array_get_idx(backends, 0), "measures"), 2)),
			    "kernel_part");
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

/* POWER: the backend says kvm_hv, and the HPTE lock is one entry of locks[]. */
static void json_lock_series_and_power_backend(void **state)
{
	const uint32_t pids[] = { 9 };
	struct kmt_snapshot snap;
	struct kmt_selection sel;
	struct kmt_interval iv = { .delta = &snap, .seconds = 1.0, .probes = "p" };
	struct kmt_report r = { .interval = &iv, .top_regions = 1 };
	struct json_object *root, *lock;

	(void)state;
	make_snapshot(&snap, pids, 1, 1);
	assert_int_equal(select_for(&sel, EVS_POWER, "ppc64le"), 0);
	snap.backends = &sel;
	snap.guests[0].locks[KMT_LOCK_HPTE].acquired = 12;
	hist_fill(&snap.guests[0].locks[KMT_LOCK_HPTE].wait, 4, 3);
	root = json_of(&r);
	assert_string_equal(json_object_get_string(field(root, "backend")), "kvm_hv");
	assert_int_equal(json_object_array_length(field(root, "backends")), 2);
	lock = json_object_array_get_idx(field(json_object_array_get_idx(field(root, "guests"), 0),
					       "locks"), 0);
	assert_string_equal(json_object_get_string(field(lock, "lock")), "hpte");
	assert_string_equal(json_object_get_string(field(lock, "unit")), "retries");
	assert_int_equal(json_object_get_uint64(field(lock, "acquired")), 12);
	assert_int_equal(json_object_get_uint64(field(lock, "contended")), 3);
	assert_int_equal(json_object_get_uint64(field(lock, "wait.sum")), 12);
	assert_int_equal(json_object_get_uint64(field(lock, "wait.max")), 4);
	json_object_put(root);
	kmt_snapshot_free(&snap);
}

/*
 * Integers are printed by our own serializer: exact at both ends of their
 * range; the interval's seconds to the nanosecond.
 */
static void json_numbers_print_exactly(void **state)
{
	const uint32_t pids[] = { 4242 };
	struct kmt_snapshot snap;
	struct kmt_interval iv = { .delta = &snap, .seconds = 1.000355555, .probes = "p" };
	struct kmt_report r = { .interval = &iv };
	struct json_object *root;
	char *text;

	(void)state;
	make_snapshot(&snap, pids, 1, 1);
	snap.drops[KMT_DROP_VCPU_STATE] = UINT64_MAX;
	snap.drops[KMT_DROP_STATS] = 0;
	snap.drops[KMT_DROP_HIST] = 10;
	root = json_text_of(&r, &text);
	assert_non_null(root);
	/* Seconds to the nanosecond, not json-c's 17 digits. */
	assert_non_null(strstr(text, "\"interval_s\":1.000355555,"));
	free(text);
	assert_true(json_object_get_uint64(field(root, "drops.vcpu_state_full")) == UINT64_MAX);
	assert_int_equal(json_object_get_uint64(field(root, "drops.vcpu_stats_full")), 0);
	assert_int_equal(json_object_get_uint64(field(root, "drops.histograms_full")), 10);
	assert_int_equal(json_object_get_type(field(root, "drops.vcpu_stats_full")), json_type_int);
	json_object_put(root);
	kmt_snapshot_free(&snap);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(json_reports_counts_latency_and_top_regions),
		cmocka_unit_test(json_measured_kernel_part_is_an_object),
		cmocka_unit_test(json_lock_series_and_power_backend),
		cmocka_unit_test(json_numbers_print_exactly),
	};

	return cmocka_run_group_tests_name("report", tests, NULL, NULL);
}
