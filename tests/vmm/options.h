/* SPDX-License-Identifier: GPL-2.0 */
/* Command line of the test VMM: what each guest is asked to do. */
#ifndef TEST_VMM_OPTIONS_H
#define TEST_VMM_OPTIONS_H

#include <stdbool.h>
#include <stdint.h>

/*
 * Real mode reaches 1 MiB; every guest address must stay below it (on arm64
 * too, so that both architectures take the same options).
 */
#define REAL_MODE_LIMIT		0x100000u
/* Guest RAM (code only) is one memslot at GPA 0 of this size. */
#define GUEST_RAM_SIZE		0x10000u
/*
 * --touch-pages: a second memslot, fresh RAM the vCPUs store into once per
 * page, between guest RAM and the default MMIO GPAs.
 */
#define TOUCH_GPA		0x20000u
#define TOUCH_LIMIT		0xc0000u
#define PAGE_SIZE_4K		0x1000u
/* vCPU count is bounded by the per-vCPU code slots in guest RAM. */
#define MAX_VCPUS		64u
#define MAX_GUESTS		64u
#define MAX_NAME_LEN		64u

struct vmm_options {
	unsigned int guests;
	unsigned int vcpus;
	uint32_t writes;		/* MMIO writes per vCPU (exit to us) */
	uint32_t reads;			/* MMIO reads per vCPU (exit to us) */
	uint32_t ioeventfd_writes;	/* writes completed in the kernel */
	uint32_t hypercalls;		/* arm64: HVCs answered by the kernel */
	uint32_t wfis;			/* arm64: WFIs, each a trap to KVM */
	uint32_t touch_pages;		/* fresh pages each vCPU stores into first */
	uint64_t addr;			/* vCPU i: addr + i * stride */
	uint64_t vcpu_stride;
	uint64_t ioeventfd_addr;	/* vCPU i: ioeventfd_addr + i * stride */
	uint32_t delay_us;		/* busy wait per MMIO exit */
	uint32_t linger_ms;
	const char *wait_file;
	char name[MAX_NAME_LEN + 1];	/* guest name, without "guest=" */
	bool name_given;		/* -name was on our own command line */
	bool json;
};

/*
 * Parse argv into opts. Returns 0 on success, 1 when --help was printed,
 * -1 after printing a usage error (the caller exits 2).
 */
int parse_options(int argc, char **argv, struct vmm_options *opts);

uint64_t vcpu_mmio_gpa(const struct vmm_options *opts, unsigned int vcpu);
uint64_t vcpu_ioeventfd_gpa(const struct vmm_options *opts, unsigned int vcpu);
/* First GPA of vCPU vcpu's --touch-pages pages; the region's size. */
uint64_t vcpu_touch_gpa(const struct vmm_options *opts, unsigned int vcpu);
uint64_t touch_region_size(const struct vmm_options *opts);

#endif
