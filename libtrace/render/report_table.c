// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <inttypes.h>
#include <stdbool.h>
#include <string.h>
#include "hist.h"
#include "human.h"
#include "report.h"

/* A lock series' wait p99 in its unit: time, or a number of retries. */
static const char *lock_p99(const struct kmt_lock_series *l, const struct kmt_backend *b,
			    char *buf, size_t size)
{
	uint64_t p99 = kmt_hist_quantile(&l->wait, 0.99);

	if (strcmp(b->wait_unit, "ns"))
		snprintf(buf, size, l->wait.count ? "%" PRIu64 : "-", p99);
	else
		kmt_human_ns(p99, l->wait.count, buf, size);
	return buf;
}

void kmt_report_table(FILE *out, const struct kmt_report *r)
{
	const struct kmt_snapshot *snap = r->interval->delta;
	const struct kmt_selection *sel = snap->backends;
	bool kernel_part = kmt_snapshot_measures(snap, KMT_CAP_KERNEL_PART);
	double secs = r->interval->seconds;
	char a[16], b[16], c[16], d[16];

	fprintf(out, "backend %s  interval %.2fs  guests %zu  dropped %" PRIu64 "\n",
		snap->backends ? snap->backends->mmio->name : "?", secs, snap->nr_guests,
		kmt_snapshot_dropped(snap));
	fprintf(out, "%-8s %-16s %5s %9s %9s %9s %9s %9s %8s %8s %8s %8s", "PID", "NAME",
		"VCPUS", "EXITS/s", "READS", "WRITES", "KERNEL", "VMM", "VMM p50", "VMM p99",
		"KRN p50", "KRN p99");
	for (size_t l = 0; sel && l < sel->nr_locks; l++)
		fprintf(out, " %8s", sel->locks[l]->column);
	fputc('\n', out);
	for (size_t i = 0; i < snap->nr_guests; i++) {
		const struct kmt_guest *g = &snap->guests[i];
		struct kmt_mmio_counts n = kmt_guest_counts(g);
		struct kmt_latency_summary vmm = kmt_hist_summary(&g->hist[KMT_HIST_VMM]);
		struct kmt_latency_summary krn = kmt_hist_summary(&g->hist[KMT_HIST_KERNEL]);

		fprintf(out, "%-8" PRIu32 " %-16.16s %5zu %9.0f %9" PRIu64 " %9" PRIu64
			" %9" PRIu64 " %9" PRIu64 " %8s %8s %8s %8s",
			g->pid, g->name[0] ? g->name : "?", g->nr_vcpus,
			secs > 0 ? n.exits / secs : 0.0, n.reads, n.writes, n.kernel_handled,
			n.vmm_handled, kmt_human_ns(vmm.p50, vmm.count, a, sizeof(a)),
			kmt_human_ns(vmm.p99, vmm.count, b, sizeof(b)),
			kmt_human_ns(krn.p50, kernel_part ? krn.count : 0, c, sizeof(c)),
			kmt_human_ns(krn.p99, kernel_part ? krn.count : 0, d, sizeof(d)));
		for (size_t l = 0; sel && l < sel->nr_locks; l++)
			fprintf(out, " %8s", lock_p99(&g->locks[sel->locks[l]->lock], sel->locks[l],
						      a, sizeof(a)));
		fputc('\n', out);
	}
	fputc('\n', out);
}
