// SPDX-License-Identifier: GPL-2.0
/*
 * Print what a guest's vCPUs saw. The schema is small and fixed and names
 * are restricted to [A-Za-z0-9._-], so plain printf makes valid JSON.
 */
#include "report.h"

#include <inttypes.h>

struct totals {
	uint64_t writes;
	uint64_t reads;
	uint64_t mmio_exits;
	uint64_t ioeventfd_writes;
};

static struct totals guest_totals(const struct guest *guest)
{
	struct totals t = { 0 };

	for (unsigned int i = 0; i < guest->opts->vcpus; i++) {
		const struct vcpu *vcpu = &guest->vcpus[i];

		t.writes += vcpu->writes;
		t.reads += vcpu->reads;
		t.mmio_exits += vcpu->mmio_exits;
		t.ioeventfd_writes += vcpu->ioeventfd_writes;
	}
	return t;
}

static void print_vcpu_json(FILE *out, const struct vcpu *vcpu)
{
	fprintf(out,
		"{\"index\":%u,\"tid\":%d,\"gpa\":\"0x%" PRIx64 "\","
		"\"writes\":%" PRIu64 ",\"reads\":%" PRIu64 ","
		"\"mmio_exits\":%" PRIu64 ",\"ioeventfd_gpa\":\"0x%" PRIx64 "\","
		"\"ioeventfd_writes\":%" PRIu64 ",\"vmm_busy_ns\":%" PRIu64 "}",
		vcpu->index, (int)vcpu->tid, vcpu->mmio_gpa, vcpu->writes,
		vcpu->reads, vcpu->mmio_exits, vcpu->ioeventfd_gpa,
		vcpu->ioeventfd_writes, vcpu->busy_ns);
}

void print_guest_json(FILE *out, const struct guest *guest)
{
	struct totals t = guest_totals(guest);

	fprintf(out, "{\"pid\":%d,\"name\":\"%s\",\"vcpus\":[", (int)guest->pid,
		guest->opts->name);
	for (unsigned int i = 0; i < guest->opts->vcpus; i++) {
		if (i)
			fputc(',', out);
		print_vcpu_json(out, &guest->vcpus[i]);
	}
	fprintf(out,
		"],\"writes\":%" PRIu64 ",\"reads\":%" PRIu64 ","
		"\"mmio_exits\":%" PRIu64 ",\"ioeventfd_writes\":%" PRIu64 ","
		"\"delay_us\":%" PRIu32 ",\"elapsed_ns\":%" PRIu64 "}",
		t.writes, t.reads, t.mmio_exits, t.ioeventfd_writes,
		guest->opts->delay_us, guest->elapsed_ns);
}

void print_guest_summary(FILE *out, const struct guest *guest)
{
	struct totals t = guest_totals(guest);

	fprintf(out,
		"test-vmm[%s]: pid %d, %u vCPU(s): %" PRIu64 " MMIO writes, %" PRIu64
		" MMIO reads, %" PRIu64 " MMIO exits, %" PRIu64
		" ioeventfd writes in %.3f ms",
		guest->opts->name, (int)guest->pid, guest->opts->vcpus, t.writes,
		t.reads, t.mmio_exits, t.ioeventfd_writes,
		guest->elapsed_ns / 1e6);
	if (t.mmio_exits)
		fprintf(out, " (%.1f us per MMIO exit per vCPU)",
			guest->elapsed_ns / 1e3 * guest->opts->vcpus / t.mmio_exits);
	fputc('\n', out);
}
