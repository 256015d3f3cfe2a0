// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include "decimal.h"
#include "hist.h"
#include "prom_exposition.h"

/* HELP texts are constants: node_exporter rejects a family whose HELP changes. */
struct family {
	const char *name, *type, *help;
};

static const struct family exits_total = {
	"kvm_mmio_exits_total", "counter",
	"MMIO exits of the guest's vCPUs, by access direction.",
};
static const struct family handled_total = {
	"kvm_mmio_handled_total", "counter",
	"MMIO exits by where the access was completed: in the kernel or by the VMM.",
};
static const struct family vmm_latency = {
	"kvm_mmio_vmm_latency_seconds", "histogram",
	"Time from an MMIO exit to the VMM until the vCPU thread calls KVM_RUN again.",
};
static const struct family kernel_latency = {
	"kvm_mmio_kernel_latency_seconds", "histogram",
	"Time of an MMIO exit from guest exit to guest entry, minus the VMM part.",
};
static const struct family lock_acquired_total = {
	"kvm_lock_acquired_total", "counter",
	"Acquisitions of a hypervisor lock by the guest's vCPU threads, where counted.",
};
static const struct family lock_contended_total = {
	"kvm_lock_contended_total", "counter",
	"Acquisitions of a hypervisor lock by the guest's vCPU threads that had to wait.",
};
static const struct family lock_wait_seconds = {
	"kvm_lock_wait_seconds", "histogram",
	"Time the guest's vCPU threads waited for a contended hypervisor lock.",
};
static const struct family lock_wait_retries_total = {
	"kvm_lock_wait_retries_total", "counter",
	"Retries of a hypervisor lock taken by retrying (POWER's HPTE lock), over all waits.",
};
static const struct family vcpu_exits_total = {
	"kvm_mmio_vcpu_exits_total", "counter",
	"MMIO exits of one vCPU thread, by access direction.",
};
static const struct family region_exits_total = {
	"kvm_mmio_region_exits_total", "counter",
	"MMIO exits to one guest-physical page.",
};
static const struct family region_latency = {
	"kvm_mmio_region_latency_seconds", "histogram",
	"Latency of MMIO exits to one guest-physical page: guest exit to entry "
	"where the kernel part is measured, else the VMM part.",
};
static const struct family dropped_total = {
	"kvm_mmio_exporter_dropped_events_total", "counter",
	"Events the BPF programs could not account, by reason.",
};
static const struct family prog_run_seconds = {
	"kvm_mmio_exporter_bpf_prog_run_seconds_total", "counter",
	"Time spent running each of our BPF programs (kernel bpf_stats).",
};
static const struct family prog_runs = {
	"kvm_mmio_exporter_bpf_prog_runs_total", "counter",
	"Runs of each of our BPF programs (kernel bpf_stats).",
};
static const struct family errors_total = {
	"kvm_mmio_exporter_errors_total", "counter",
	"Failures to write the textfile or to serve /metrics.",
};
static const struct family last_write = {
	"kvm_mmio_exporter_last_write_timestamp_seconds", "gauge",
	"Unix time of the last successful write of the textfile.",
};

static const char *const op_names[KMT_EXPORT_OPS] = {
	[KMT_EXPORT_WRITE] = "write",
	[KMT_EXPORT_SERVE] = "serve",
};

struct ctx {
	struct kmt_strbuf *buf;
	const struct family *open;	/* the family whose samples are being written */
	struct kmt_strbuf labels;	/* the current series' labels, comma-separated */
	char le[KMT_PROM_LE_COUNT][40];	/* each bucket's le="..." label, written once */
	uint32_t le_last_slot[KMT_PROM_LE_COUNT];	/* the last slot each bucket counts */
};

void kmt_prom_seconds(char *out, size_t size, uint64_t ns)
{
	uint64_t sec = ns / 1000000000ULL, frac = ns % 1000000000ULL;
	int digits = 9;

	if (!frac) {
		snprintf(out, size, "%" PRIu64, sec);
		return;
	}
	while (frac % 10 == 0) {
		frac /= 10;
		digits--;
	}
	snprintf(out, size, "%" PRIu64 ".%0*" PRIu64, sec, digits, frac);
}

/* Length of the valid UTF-8 sequence at s, 0 when there is none. */
static size_t utf8_len(const unsigned char *s)
{
	uint32_t cp;
	size_t n;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		n = 2, cp = s[0] & 0x1f;
	else if ((s[0] & 0xf0) == 0xe0)
		n = 3, cp = s[0] & 0x0f;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		n = 4, cp = s[0] & 0x07;
	else
		return 0;
	for (size_t i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)	/* also stops at the NUL */
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	/* Overlong forms, surrogates and values past U+10FFFF are invalid. */
	if ((n == 3 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) ||
	    (n == 4 && (cp < 0x10000 || cp > 0x10ffff)))
		return 0;
	return n;
}

void kmt_prom_label_value(struct kmt_strbuf *buf, const char *value)
{
	const unsigned char *s = (const unsigned char *)value;

	while (*s) {
		size_t n = utf8_len(s);

		if (*s == '\\' || *s == '"')
			kmt_strbuf_printf(buf, "\\%c", *s);
		else if (*s == '\n')
			kmt_strbuf_append(buf, "\\n", 2);
		else if (!n)
			kmt_strbuf_append(buf, "?", 1);
		else
			kmt_strbuf_append(buf, (const char *)s, n);
		s += n ? n : 1;
	}
}

/* Starts the series' labels with the guest's: guest="NAME",pid="PID". */
static void guest_labels(struct ctx *c, const struct kmt_guest *g)
{
	char pid[10], *start = kmt_decimal(pid + sizeof(pid), g->pid);

	kmt_strbuf_reset(&c->labels);
	kmt_strbuf_append(&c->labels, "guest=\"", 7);
	kmt_prom_label_value(&c->labels, g->name);
	kmt_strbuf_append(&c->labels, "\",pid=\"", 7);
	kmt_strbuf_append(&c->labels, start, (size_t)(pid + sizeof(pid) - start));
	kmt_strbuf_append(&c->labels, "\"", 1);
}

/* Copies len bytes to at; where they end. */
static char *put(char *at, const char *text, size_t len)
{
	memcpy(at, text, len);
	return at + len;
}

/*
 * Writes one sample; extra (may be empty) is appended to the series'
 * labels. One reservation per line, and lengths known rather than looked
 * for: a thousand guests make a hundred thousand samples.
 */
static void sample_text(struct ctx *c, const struct family *f, const char *suffix,
			const char *extra, const char *value, size_t value_len)
{
	const char *labels = c->labels.data ? c->labels.data : "";
	size_t name_len = strlen(f->name), suffix_len = strlen(suffix);
	size_t labels_len = c->labels.len, extra_len = strlen(extra);
	bool braces = labels_len || extra_len, comma = labels_len && extra_len;
	char *at;

	if (c->open != f) {
		kmt_strbuf_printf(c->buf, "# HELP %s %s\n# TYPE %s %s\n", f->name, f->help,
				  f->name, f->type);
		c->open = f;
	}
	at = kmt_strbuf_extend(c->buf, name_len + suffix_len + labels_len + extra_len +
				       2 * braces + comma + 1 + value_len + 1);
	if (!at)
		return;
	at = put(at, f->name, name_len);
	at = put(at, suffix, suffix_len);
	if (braces) {
		*at++ = '{';
		at = put(at, labels, labels_len);
		if (comma)
			*at++ = ',';
		at = put(at, extra, extra_len);
		*at++ = '}';
	}
	*at++ = ' ';
	at = put(at, value, value_len);
	*at = '\n';
}

static void sample(struct ctx *c, const struct family *f, const char *suffix, const char *extra,
		   const char *value)
{
	sample_text(c, f, suffix, extra, value, strlen(value));
}

/* A sample whose value is an integer. */
static void sample_count(struct ctx *c, const struct family *f, const char *suffix,
			 const char *extra, uint64_t value)
{
	char text[KMT_DECIMAL_MAX], *start = kmt_decimal(text + sizeof(text), value);

	sample_text(c, f, suffix, extra, start, (size_t)(text + sizeof(text) - start));
}

static void sample_u64(struct ctx *c, const struct family *f, const char *extra, uint64_t value)
{
	sample_count(c, f, "", extra, value);
}

static void sample_seconds(struct ctx *c, const struct family *f, const char *suffix,
			   const char *extra, uint64_t ns)
{
	char text[32];

	kmt_prom_seconds(text, sizeof(text), ns);
	sample(c, f, suffix, extra, text);
}

/*
 * Buckets count the slots up to the one each bound closes. Counts come
 * from the buckets, not from hist->count, so +Inf and _count always agree
 * even when a read raced an update of the histogram.
 */
static void histogram(struct ctx *c, const struct family *f, const struct kmt_hist *h)
{
	uint32_t b = 0;
	uint64_t cum = 0;

	for (unsigned int i = 0; i < KMT_PROM_LE_COUNT; i++) {
		for (; b < h->nr && h->buckets[b].slot <= c->le_last_slot[i]; b++)
			cum += h->buckets[b].count;
		sample_count(c, f, "_bucket", c->le[i], cum);
	}
	for (; b < h->nr; b++)
		cum += h->buckets[b].count;
	sample_count(c, f, "_bucket", "le=\"+Inf\"", cum);
	sample_seconds(c, f, "_sum", "", h->sum);
	sample_count(c, f, "_count", "", cum);
}

/* Starts the series' labels with the guest's and the lock's. */
static void lock_labels(struct ctx *c, const struct kmt_guest *g, const struct kmt_backend *lock)
{
	guest_labels(c, g);
	kmt_strbuf_printf(&c->labels, ",lock=\"%s\"", lock->name);
}

/* Every lock series the backends provide, each family in the unit its events allow. */
static void lock_families(struct ctx *c, const struct kmt_snapshot *t)
{
	const struct kmt_selection *sel = t->backends;

	for (size_t l = 0; l < sel->nr_locks; l++)
		for (size_t i = 0; sel->locks[l]->caps & KMT_CAP_LOCK_ACQUIRED &&
				   i < t->nr_guests; i++) {
			lock_labels(c, &t->guests[i], sel->locks[l]);
			sample_u64(c, &lock_acquired_total, "",
				   t->guests[i].locks[sel->locks[l]->lock].acquired);
		}
	for (size_t l = 0; l < sel->nr_locks; l++)
		for (size_t i = 0; i < t->nr_guests; i++) {
			lock_labels(c, &t->guests[i], sel->locks[l]);
			sample_u64(c, &lock_contended_total, "",
				   t->guests[i].locks[sel->locks[l]->lock].wait.count);
		}
	for (size_t l = 0; l < sel->nr_locks; l++)
		for (size_t i = 0; !strcmp(sel->locks[l]->wait_unit, "ns") && i < t->nr_guests; i++) {
			lock_labels(c, &t->guests[i], sel->locks[l]);
			histogram(c, &lock_wait_seconds, &t->guests[i].locks[sel->locks[l]->lock].wait);
		}
	for (size_t l = 0; l < sel->nr_locks; l++)
		for (size_t i = 0; !strcmp(sel->locks[l]->wait_unit, "retries") &&
				   i < t->nr_guests; i++) {
			lock_labels(c, &t->guests[i], sel->locks[l]);
			sample_u64(c, &lock_wait_retries_total, "",
				   t->guests[i].locks[sel->locks[l]->lock].wait.sum);
		}
}

static void guest_families(struct ctx *c, const struct kmt_prom_input *in)
{
	const struct kmt_snapshot *t = in->total;

	for (size_t i = 0; i < t->nr_guests; i++) {
		struct kmt_mmio_counts n = kmt_guest_counts(&t->guests[i]);

		guest_labels(c, &t->guests[i]);
		sample_u64(c, &exits_total, "direction=\"read\"", n.reads);
		sample_u64(c, &exits_total, "direction=\"write\"", n.writes);
	}
	for (size_t i = 0; i < t->nr_guests; i++) {
		struct kmt_mmio_counts n = kmt_guest_counts(&t->guests[i]);

		guest_labels(c, &t->guests[i]);
		sample_u64(c, &handled_total, "where=\"kernel\"", n.kernel_handled);
		sample_u64(c, &handled_total, "where=\"vmm\"", n.vmm_handled);
	}
	for (size_t i = 0; i < t->nr_guests; i++) {
		guest_labels(c, &t->guests[i]);
		histogram(c, &vmm_latency, &t->guests[i].hist[KMT_HIST_VMM]);
	}
	/* Where no backend measures it, no series beats zeros. */
	for (size_t i = 0; kmt_snapshot_measures(t, KMT_CAP_KERNEL_PART) && i < t->nr_guests; i++) {
		guest_labels(c, &t->guests[i]);
		histogram(c, &kernel_latency, &t->guests[i].hist[KMT_HIST_KERNEL]);
	}
	if (t->backends)
		lock_families(c, t);
}

static void vcpu_families(struct ctx *c, const struct kmt_snapshot *t)
{
	char extra[64];

	for (size_t i = 0; i < t->nr_guests; i++) {
		const struct kmt_guest *g = &t->guests[i];

		for (size_t v = 0; v < g->nr_vcpus; v++) {
			const struct kmt_vcpu *vcpu = &g->vcpus[v];
			struct kmt_mmio_counts n = kmt_vcpu_counts(&vcpu->stats);

			guest_labels(c, g);
			snprintf(extra, sizeof(extra), "tid=\"%" PRIu32 "\",direction=\"read\"",
				 vcpu->tid);
			sample_u64(c, &vcpu_exits_total, extra, n.reads);
			snprintf(extra, sizeof(extra), "tid=\"%" PRIu32 "\",direction=\"write\"",
				 vcpu->tid);
			sample_u64(c, &vcpu_exits_total, extra, n.writes);
		}
	}
}

/* Region series carry gpa="0x..." among the series' labels, so buckets can add le. */
static void region_labels(struct ctx *c, const struct kmt_guest *g, const struct kmt_gpa_region *r)
{
	guest_labels(c, g);
	kmt_strbuf_printf(&c->labels, ",gpa=\"0x%" PRIx64 "\"", r->gpa);
}

static void region_families(struct ctx *c, const struct kmt_snapshot *t)
{
	for (size_t i = 0; i < t->nr_guests; i++) {
		const struct kmt_guest *g = &t->guests[i];

		for (size_t r = 0; r < g->nr_regions; r++) {
			region_labels(c, g, &g->regions[r]);
			sample_u64(c, &region_exits_total, "", g->regions[r].exits);
		}
	}
	for (size_t i = 0; i < t->nr_guests; i++) {
		const struct kmt_guest *g = &t->guests[i];

		for (size_t r = 0; r < g->nr_regions; r++) {
			region_labels(c, g, &g->regions[r]);
			histogram(c, &region_latency, &g->regions[r].lat);
		}
	}
}

static void self_families(struct ctx *c, const struct kmt_prom_input *in)
{
	char extra[96];

	kmt_strbuf_reset(&c->labels);
	for (int i = 0; i < KMT_DROPS; i++) {
		snprintf(extra, sizeof(extra), "reason=\"%s\"", kmt_drop_reason(i));
		sample_u64(c, &dropped_total, extra, in->total->drops[i]);
	}
	/* Program names are C identifiers: nothing to escape. */
	for (size_t i = 0; i < in->nr_progs; i++) {
		snprintf(extra, sizeof(extra), "prog=\"%s\"", in->progs[i].name);
		sample_seconds(c, &prog_run_seconds, "", extra, in->progs[i].run_ns);
	}
	for (size_t i = 0; i < in->nr_progs; i++) {
		snprintf(extra, sizeof(extra), "prog=\"%s\"", in->progs[i].name);
		sample_u64(c, &prog_runs, extra, in->progs[i].runs);
	}
	for (int op = 0; op < KMT_EXPORT_OPS; op++) {
		snprintf(extra, sizeof(extra), "op=\"%s\"", op_names[op]);
		sample_u64(c, &errors_total, extra, in->errors[op]);
	}
}

void kmt_prom_render(struct kmt_strbuf *buf, const struct kmt_prom_input *in)
{
	struct ctx c = { .buf = buf };
	char le[32];

	for (unsigned int i = 0; i < KMT_PROM_LE_COUNT; i++) {
		kmt_prom_seconds(le, sizeof(le), kmt_prom_le_ns(i));
		snprintf(c.le[i], sizeof(c.le[i]), "le=\"%s\"", le);
		c.le_last_slot[i] = kmt_hist_slot(kmt_prom_le_ns(i));
	}

	guest_families(&c, in);
	if (in->per_vcpu)
		vcpu_families(&c, in->total);
	if (in->per_region)
		region_families(&c, in->total);
	self_families(&c, in);
	if (kmt_strbuf_failed(&c.labels))
		buf->oom = true;
	kmt_strbuf_free(&c.labels);
}

void kmt_prom_render_last_write(struct kmt_strbuf *buf, uint64_t unix_ns)
{
	struct ctx c = { .buf = buf };

	sample_seconds(&c, &last_write, "", "", unix_ns);
}
