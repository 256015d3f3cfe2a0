/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Renders the exporter's lifetime totals in the Prometheus text exposition
 * format (version 0.0.4): one HELP and one TYPE line per metric family, the
 * family's samples right after them, no timestamps. The metric set, labels
 * and bucket bounds are documented in docs/prometheus.md.
 */
#ifndef KMT_PROM_EXPOSITION_H
#define KMT_PROM_EXPOSITION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "model.h"
#include "strbuf.h"

/*
 * Histogram bucket bounds: every power of two of nanoseconds from 2^8 ns
 * (256 ns) to 2^33 ns (8.59 s). Each is the upper bound of one of our
 * slots, so folding slots into buckets is exact. 2^34 ns is not a bound:
 * the BPF side clamps larger values into the last slot, which only +Inf
 * can truthfully hold.
 */
#define KMT_PROM_LE_MIN_EXP 8
#define KMT_PROM_LE_MAX_EXP 33
#define KMT_PROM_LE_COUNT (KMT_PROM_LE_MAX_EXP - KMT_PROM_LE_MIN_EXP + 1)

/* The nanoseconds of bucket bound i (0 .. KMT_PROM_LE_COUNT - 1). */
static inline uint64_t kmt_prom_le_ns(unsigned int i)
{
	return 1ULL << (KMT_PROM_LE_MIN_EXP + i);
}

/*
 * Writes ns as seconds in exact decimal ("0.000000256", "8.589934592",
 * "3"): no rounding, so a bound or a sum reads back as what was measured.
 */
void kmt_prom_seconds(char *out, size_t size, uint64_t ns);

/*
 * Appends value to buf as an exposition label value: backslash, double
 * quote and newline escaped; bytes that are not valid UTF-8 become '?'.
 */
void kmt_prom_label_value(struct kmt_strbuf *buf, const char *value);

enum kmt_export_op { KMT_EXPORT_WRITE, KMT_EXPORT_SERVE, KMT_EXPORT_OPS };

/* One loaded BPF program's cumulative run time (bpf_stats). */
struct kmt_prog_stat {
	char name[64];
	uint64_t run_ns;
	uint64_t runs;
};

struct kmt_prom_input {
	const struct kmt_snapshot *total;	/* lifetime totals (kmt_snapshot_add) */
	bool per_vcpu;		/* kvm_mmio_vcpu_* series */
	bool per_region;	/* kvm_mmio_region_* series */
	const struct kmt_prog_stat *progs;	/* NULL: bpf_stats unavailable */
	size_t nr_progs;
	uint64_t errors[KMT_EXPORT_OPS];
};

/* Appends the exposition of in to buf. */
void kmt_prom_render(struct kmt_strbuf *buf, const struct kmt_prom_input *in);

/*
 * Appends the kvm_mmio_exporter_last_write_timestamp_seconds family
 * (wall-clock unix_ns). Kept apart so the textfile can carry the time of
 * its own write and /metrics the time of the last successful one.
 */
void kmt_prom_render_last_write(struct kmt_strbuf *buf, uint64_t unix_ns);

#endif /* KMT_PROM_EXPOSITION_H */
