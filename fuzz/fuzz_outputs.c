// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * A guest named by a hostile cmdline, through every renderer: the JSON
 * report parses back (json-c) with the same name, the table has one line
 * per guest and no control byte, and the exposition carries the name in a
 * properly escaped guest label.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <json-c/json.h>
#include "fuzz_check.h"
#include "guest_name.h"
#include "model_fixture.h"
#include "prom_exposition.h"
#include "report.h"
#include "select_fixture.h"
#include "strbuf.h"

static void check_json(const struct kmt_report *r, const char *name)
{
	struct json_object *back, *guests, *g, *n;
	char *text = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&text, &len);

	FUZZ_CHECK(out);
	if (kmt_report_json(out, r)) {
		fclose(out);
		free(text);
		return;
	}
	fclose(out);
	FUZZ_CHECK(len && text[len - 1] == '\n' && !memchr(text, '\n', len - 1));
	back = json_tokener_parse(text);
	FUZZ_CHECK(back);
	FUZZ_CHECK(json_object_object_get_ex(back, "guests", &guests));
	g = json_object_array_get_idx(guests, 0);
	FUZZ_CHECK(g && json_object_object_get_ex(g, "name", &n));
	FUZZ_CHECK(!strcmp(json_object_get_string(n), name));
	json_object_put(back);
	free(text);
}

static void check_table(const struct kmt_report *r)
{
	char *text = NULL;
	size_t len = 0, lines = 0;
	FILE *out = open_memstream(&text, &len);

	FUZZ_CHECK(out);
	kmt_report_table(out, r);
	fclose(out);
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)text[i];

		FUZZ_CHECK(c >= 0x20 || c == '\n');
		FUZZ_CHECK(c != 0x7f);
		lines += c == '\n';
	}
	FUZZ_CHECK(lines == 4);	/* header, columns, the guest, the closing blank line */
	free(text);
}

static void check_prom(const struct kmt_snapshot *snap, const char *name)
{
	struct kmt_strbuf buf = { 0 }, label = { 0 };
	struct kmt_prom_input in = { .total = snap };
	char *want;

	kmt_prom_render(&buf, &in);
	kmt_strbuf_append(&label, "{guest=\"", 8);
	kmt_prom_label_value(&label, name);
	kmt_strbuf_append(&label, "\",", 2);
	if (!kmt_strbuf_failed(&buf) && !kmt_strbuf_failed(&label)) {
		want = label.data;
		FUZZ_CHECK(strstr(buf.data, want));
		/* Every line is a comment or a sample: a name cannot start a line. */
		for (const char *line = buf.data; *line; line = strchr(line, '\n') + 1) {
			FUZZ_CHECK(*line == '#' || !strncmp(line, "kvm_mmio_", 9));
			FUZZ_CHECK(strchr(line, '\n'));
		}
	}
	kmt_strbuf_free(&buf);
	kmt_strbuf_free(&label);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint32_t pids[] = { 4242 };
	struct kmt_snapshot snap;
	struct kmt_selection sel;
	struct kmt_interval iv = { .delta = &snap, .seconds = 1.0, .probes = "p" };
	struct kmt_report r = { .interval = &iv, .top_regions = 2 };
	char *copy = malloc(size ? size : 1), name[KMT_NAME_MAX];

	if (!copy)
		return 0;
	memcpy(copy, data, size);
	if (!kmt_name_from_cmdline(copy, size, name, sizeof(name))) {
		free(copy);
		return 0;
	}
	free(copy);
	make_snapshot(&snap, pids, 1, 1);
	strcpy(snap.guests[0].name, name);
	FUZZ_CHECK(!select_for(&sel, EVS_STOCK, "x86_64"));
	snap.backends = &sel;
	check_json(&r, name);
	check_table(&r);
	check_prom(&snap, name);
	kmt_snapshot_free(&snap);
	return 0;
}
