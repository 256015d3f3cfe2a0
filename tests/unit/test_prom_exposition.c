// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* The exposition: bucket bounds and seams, label escaping, family grouping. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "hist.h"
#include "hist_fill.h"
#include "prom_exposition.h"
#include "select_fixture.h"

static struct kmt_guest guest = { .pid = 42, .name = "vm" };

/* Totals of one guest whose kernel has the events in bits; its series empty again. */
static struct kmt_snapshot one_guest(struct kmt_selection *sel, uint32_t bits)
{
	assert_int_equal(select_for(sel, bits, "x86_64"), 0);
	for (int k = 0; k < KMT_HIST_KINDS; k++)
		kmt_hist_free(&guest.hist[k]);
	for (int l = 0; l < KMT_LOCK_KINDS; l++) {
		kmt_hist_free(&guest.locks[l].wait);
		guest.locks[l].acquired = 0;
	}
	return (struct kmt_snapshot){ .guests = &guest, .nr_guests = 1, .backends = sel };
}

static char *render(const struct kmt_snapshot *total)
{
	struct kmt_strbuf buf = { 0 };
	struct kmt_prom_input in = { .total = total };

	kmt_prom_render(&buf, &in);
	assert_false(kmt_strbuf_failed(&buf));
	return buf.data;
}

/* The value of the sample line that starts with prefix; fails when absent. */
static uint64_t value_of(const char *text, const char *prefix)
{
	for (const char *line = text; line && *line; line = strchr(line, '\n')) {
		line += *line == '\n';
		if (!strncmp(line, prefix, strlen(prefix)))
			return strtoull(line + strlen(prefix), NULL, 10);
	}
	fail_msg("no sample '%s' in:\n%s", prefix, text);
	return 0;
}

static uint64_t vmm_bucket(const char *text, uint64_t le_ns)
{
	char le[32], prefix[160];

	kmt_prom_seconds(le, sizeof(le), le_ns);
	snprintf(prefix, sizeof(prefix),
		 "kvm_mmio_vmm_latency_seconds_bucket{guest=\"vm\",pid=\"42\",le=\"%s\"} ", le);
	return value_of(text, prefix);
}

/* Folding is exact only if every bound closes one of our slots. */
static void test_every_bound_closes_a_slot(void **state)
{
	(void)state;
	for (unsigned int i = 0; i < KMT_PROM_LE_COUNT; i++) {
		uint64_t b = kmt_prom_le_ns(i);

		assert_int_equal(kmt_hist_slot_upper(kmt_hist_slot(b)), b);
		assert_int_not_equal(kmt_hist_slot(b), KMT_HIST_SLOTS - 1);
	}
}

/* Parses "S[.F]" seconds back to integer ns, without floating point. */
static uint64_t parse_ns(const char *text)
{
	char *end;
	uint64_t ns = strtoull(text, &end, 10) * 1000000000ULL, scale = 100000000ULL;

	if (*end == '.')
		for (end++; *end; end++, scale /= 10)
			ns += (uint64_t)(*end - '0') * scale;
	return ns;
}

static void test_le_text_round_trips(void **state)
{
	char le[32];

	(void)state;
	for (unsigned int i = 0; i < KMT_PROM_LE_COUNT; i++) {
		uint64_t b = kmt_prom_le_ns(i);

		kmt_prom_seconds(le, sizeof(le), b);
		assert_int_equal(parse_ns(le), b);
		/* What Prometheus parses is the double nearest to the bound. */
		assert_true(strtod(le, NULL) == (double)b / 1e9);
	}
	kmt_prom_seconds(le, sizeof(le), 256);
	assert_string_equal(le, "0.000000256");
	kmt_prom_seconds(le, sizeof(le), 1ULL << 33);
	assert_string_equal(le, "8.589934592");
	kmt_prom_seconds(le, sizeof(le), 3000000000ULL);
	assert_string_equal(le, "3");
}

/* A value exactly on a bound lands in that bucket; one more ns does not. */
static void test_value_on_a_bound_lands_in_its_bucket(void **state)
{
	(void)state;
	for (unsigned int i = 0; i < KMT_PROM_LE_COUNT; i++) {
		uint64_t b = kmt_prom_le_ns(i);
		struct kmt_selection sel;
		struct kmt_snapshot acc = one_guest(&sel, EVS_STOCK);
		struct kmt_hist *h = &guest.hist[KMT_HIST_VMM];
		char *text;

		hist_fill(h, b, 1);
		hist_fill(h, b + 1, 10);
		text = render(&acc);
		assert_int_equal(vmm_bucket(text, b), 1);
		if (i)
			assert_int_equal(vmm_bucket(text, kmt_prom_le_ns(i - 1)), 0);
		if (i + 1 < KMT_PROM_LE_COUNT)
			assert_int_equal(vmm_bucket(text, kmt_prom_le_ns(i + 1)), 11);
		free(text);
	}
}

static void test_buckets_cumulative_inf_equals_count(void **state)
{
	struct kmt_selection sel;
	struct kmt_snapshot acc = one_guest(&sel, EVS_STOCK);
	struct kmt_hist *h = &guest.hist[KMT_HIST_VMM];
	uint64_t prev = 0, total = 0;
	char *text;

	(void)state;
	srand(7);
	for (unsigned int s = 0; s < KMT_HIST_SLOTS; s++) {
		uint64_t n = (uint64_t)(rand() % 5);

		if (n)
			hist_fill(h, kmt_hist_slot_upper(s), n);
		total += n;
	}
	h->count = total + 3;	/* a torn read: the buckets win */
	h->sum = 1500000001;
	text = render(&acc);
	for (unsigned int i = 0; i < KMT_PROM_LE_COUNT; i++) {
		uint64_t v = vmm_bucket(text, kmt_prom_le_ns(i));

		assert_true(v >= prev);
		prev = v;
	}
	assert_int_equal(value_of(text, "kvm_mmio_vmm_latency_seconds_bucket{guest=\"vm\","
				  "pid=\"42\",le=\"+Inf\"} "), total);
	assert_int_equal(value_of(text, "kvm_mmio_vmm_latency_seconds_count{guest=\"vm\","
				  "pid=\"42\"} "), total);
	assert_non_null(strstr(text, "kvm_mmio_vmm_latency_seconds_sum{guest=\"vm\",pid=\"42\"} "
				     "1.500000001\n"));
	free(text);
}

static void test_label_values_are_escaped(void **state)
{
	struct kmt_strbuf buf = { 0 };

	(void)state;
	kmt_prom_label_value(&buf, "a\"b\\c\nd \xc3\xa9 \xff\xc3 \xe2\x82\xac");
	assert_string_equal(buf.data, "a\\\"b\\\\c\\nd \xc3\xa9 ?? \xe2\x82\xac");
	kmt_strbuf_reset(&buf);
	/* Overlong "/" and a UTF-16 surrogate are not UTF-8. */
	kmt_prom_label_value(&buf, "\xc0\xaf\xed\xa0\x80");
	assert_string_equal(buf.data, "?????");
	kmt_strbuf_free(&buf);
}

/* Counts lines starting with prefix. */
static int lines_with(const char *text, const char *prefix)
{
	int n = 0;

	for (const char *line = text; *line; line = strchr(line, '\n') + 1)
		n += !strncmp(line, prefix, strlen(prefix));
	return n;
}

static void test_one_help_and_type_per_family_grouped(void **state)
{
	struct kmt_guest guests[3] = {
		{ .pid = 1, .name = "a" },
		{ .pid = 2, .name = "b" },
		{ .pid = 3, .name = "" },
	};
	struct kmt_selection sel;
	struct kmt_snapshot acc = { .guests = guests, .nr_guests = 3, .backends = &sel };
	char family[96] = "", name[96];
	char *text;

	(void)state;
	assert_int_equal(select_for(&sel, EVS_STOCK, "x86_64"), 0);
	text = render(&acc);
	assert_int_equal(lines_with(text, "# TYPE kvm_mmio_exits_total counter"), 1);
	assert_int_equal(lines_with(text, "# HELP kvm_mmio_exits_total "), 1);
	assert_int_equal(lines_with(text, "kvm_mmio_exits_total{"), 6);
	assert_int_equal(lines_with(text, "# TYPE kvm_mmio_vmm_latency_seconds histogram"), 1);
	/* Not measured: no kernel latency series; not asked: no per-vCPU ones. */
	assert_int_equal(lines_with(text, "# TYPE kvm_mmio_kernel_latency_seconds"), 0);
	assert_int_equal(lines_with(text, "# TYPE kvm_mmio_vcpu_exits_total"), 0);
	/* Grouped: every sample belongs to the family of the TYPE line above it. */
	for (const char *line = text; *line; line = strchr(line, '\n') + 1) {
		if (sscanf(line, "# TYPE %95s", family) == 1) {
			snprintf(name, sizeof(name), "# TYPE %s ", family);
			assert_int_equal(lines_with(text, name), 1);
			snprintf(name, sizeof(name), "# HELP %s ", family);
			assert_int_equal(lines_with(text, name), 1);
			continue;
		}
		if (line[0] == '#')
			continue;
		assert_true(family[0]);
		assert_int_equal(strncmp(line, family, strlen(family)), 0);
	}
	assert_int_equal(value_of(text, "kvm_mmio_exits_total{guest=\"\",pid=\"3\","
				  "direction=\"read\"} "), 0);
	assert_false(strstr(text, "\n\n"));
	assert_int_equal(text[strlen(text) - 1], '\n');
	free(text);
}

/* Optional families appear exactly when measured or asked for, with their labels. */
static void test_optional_families(void **state)
{
	struct kmt_vcpu vcpu = { .tid = 43, .stats = { .vmm_reads = 2, .kernel_writes = 1,
						       .vmm_writes = 2 } };
	struct kmt_gpa_region region = { .gpa = 0xd0000, .exits = 5 };
	struct kmt_selection sel;
	struct kmt_snapshot acc = one_guest(&sel, EVS_EXITS);	/* the kernel part is measured */
	struct kmt_prom_input in = { .total = &acc, .per_vcpu = true, .per_region = true };
	struct kmt_strbuf buf = { 0 };

	(void)state;
	guest.vcpus = &vcpu;
	guest.nr_vcpus = 1;
	guest.regions = &region;
	guest.nr_regions = 1;
	hist_fill(&region.lat, 3000, 5);
	hist_fill(&guest.hist[KMT_HIST_KERNEL], 700, 4);
	kmt_prom_render(&buf, &in);
	assert_false(kmt_strbuf_failed(&buf));
	assert_int_equal(value_of(buf.data, "kvm_mmio_kernel_latency_seconds_count{guest=\"vm\","
				  "pid=\"42\"} "), 4);
	assert_int_equal(value_of(buf.data, "kvm_mmio_vcpu_exits_total{guest=\"vm\",pid=\"42\","
				  "tid=\"43\",direction=\"write\"} "), 3);
	assert_int_equal(value_of(buf.data, "kvm_mmio_region_exits_total{guest=\"vm\",pid=\"42\","
				  "gpa=\"0xd0000\"} "), 5);
	assert_int_equal(value_of(buf.data, "kvm_mmio_region_latency_seconds_bucket{guest=\"vm\","
				  "pid=\"42\",gpa=\"0xd0000\",le=\"0.000004096\"} "), 5);
	assert_int_equal(value_of(buf.data, "kvm_mmio_region_latency_seconds_bucket{guest=\"vm\","
				  "pid=\"42\",gpa=\"0xd0000\",le=\"0.000002048\"} "), 0);
	kmt_strbuf_free(&buf);
	kmt_hist_free(&region.lat);
	guest.vcpus = NULL;
	guest.nr_vcpus = 0;
	guest.regions = NULL;
	guest.nr_regions = 0;
}

/* Lock families: one series per lock the backends provide, in that lock's unit. */
static void test_lock_families(void **state)
{
	struct kmt_selection sel;
	struct kmt_snapshot acc = one_guest(&sel, EVS_STOCK);
	struct kmt_prom_input in = { .total = &acc };
	struct kmt_strbuf buf = { 0 };

	(void)state;
	for (int power = 0; power < 2; power++) {
		acc = one_guest(&sel, power ? EVS_POWER : EVS_STOCK);
		guest.locks[KMT_LOCK_HPTE].acquired = 9;
		hist_fill(&guest.locks[KMT_LOCK_HPTE].wait, 3, 2);
		kmt_prom_render(&buf, &in);
		if (power)
			break;
		/* No lock series attached: no lock families at all. */
		assert_null(strstr(buf.data, "kvm_lock_"));
		kmt_strbuf_free(&buf);
	}
	assert_false(kmt_strbuf_failed(&buf));
	assert_int_equal(value_of(buf.data, "kvm_lock_acquired_total{guest=\"vm\",pid=\"42\","
				  "lock=\"hpte\"} "), 9);
	assert_int_equal(value_of(buf.data, "kvm_lock_contended_total{guest=\"vm\",pid=\"42\","
				  "lock=\"hpte\"} "), 2);
	assert_int_equal(value_of(buf.data, "kvm_lock_wait_retries_total{guest=\"vm\",pid=\"42\","
				  "lock=\"hpte\"} "), 6);
	assert_null(strstr(buf.data, "kvm_lock_wait_seconds"));
	kmt_strbuf_free(&buf);
}

/* Waits measured in time: a histogram in seconds per (guest, lock), no acquisitions. */
static void test_lock_wait_seconds_histogram(void **state)
{
	struct kmt_selection sel;
	struct kmt_snapshot acc = one_guest(&sel, EVS_STOCK | EVS_LOCKS);
	struct kmt_prom_input in = { .total = &acc };
	struct kmt_strbuf buf = { 0 };

	(void)state;
	hist_fill(&guest.locks[KMT_LOCK_MMU].wait, 3000, 5);
	kmt_prom_render(&buf, &in);
	assert_false(kmt_strbuf_failed(&buf));
	assert_int_equal(value_of(buf.data, "kvm_lock_wait_seconds_bucket{guest=\"vm\",pid=\"42\","
				  "lock=\"mmu_lock\",le=\"0.000004096\"} "), 5);
	assert_int_equal(value_of(buf.data, "kvm_lock_wait_seconds_count{guest=\"vm\",pid=\"42\","
				  "lock=\"other\"} "), 0);
	assert_int_equal(value_of(buf.data, "kvm_lock_contended_total{guest=\"vm\",pid=\"42\","
				  "lock=\"mmu_lock\"} "), 5);
	assert_null(strstr(buf.data, "kvm_lock_acquired_total"));
	kmt_strbuf_free(&buf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_bound_closes_a_slot),
		cmocka_unit_test(test_le_text_round_trips),
		cmocka_unit_test(test_value_on_a_bound_lands_in_its_bucket),
		cmocka_unit_test(test_buckets_cumulative_inf_equals_count),
		cmocka_unit_test(test_label_values_are_escaped),
		cmocka_unit_test(test_one_help_and_type_per_family_grouped),
		cmocka_unit_test(test_optional_families),
		cmocka_unit_test(test_lock_families),
		cmocka_unit_test(test_lock_wait_seconds_histogram),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
