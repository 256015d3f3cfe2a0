/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * One interval's report, rendered as JSON (the stable, documented schema in
 * docs/json-schema.md) or as a table. Both renderers read the same struct.
 */
#ifndef KMT_REPORT_H
#define KMT_REPORT_H

#include <stdbool.h>
#include <stdio.h>
#include <json-c/json.h>
#include "model.h"

struct kmt_report {
	const struct kmt_snapshot *interval;	/* per-interval numbers */
	double interval_s;
	const char *backend;			/* kmt_backend_name() */
	const char *probes;			/* kmt_session_describe() */
	bool kernel_timed;			/* the backend measures the kernel part */
	bool hpte_traced;			/* POWER: HPT lookups are traced */
	unsigned int top_regions;
};

/* A new JSON object (caller puts it), or NULL when out of memory. */
struct json_object *kmt_report_json(const struct kmt_report *report);

void kmt_report_table(FILE *out, const struct kmt_report *report);

#endif /* KMT_REPORT_H */
