/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The machine code each vCPU runs, written into guest RAM by the VMM: real
 * mode on x86 (tests/vmm/x86/guest-code.c), EL1 with the MMU off on arm64
 * (tests/vmm/arm64/guest-code.c).
 */
#ifndef TEST_VMM_GUEST_CODE_H
#define TEST_VMM_GUEST_CODE_H

#include <stddef.h>
#include <stdint.h>

/* Byte the guest stores with each MMIO write. */
#define GUEST_WRITE_DATA	0x5a

struct guest_program {
	uint64_t mmio_gpa;
	uint64_t ioeventfd_gpa;
	uint32_t writes;
	uint32_t reads;
	uint32_t ioeventfd_writes;
	uint32_t hypercalls;		/* arm64: HVCs answered by the kernel */
	uint32_t wfis;			/* arm64: WFIs, each a trap to KVM */
	uint64_t touch_gpa;		/* x86: first of the pages to store into first */
	uint32_t touch_pages;
};

/*
 * Offset in guest RAM (at GPA 0) where vCPU index's code starts: its initial
 * instruction pointer. Each vCPU's code has a slot of its own.
 */
uint16_t guest_code_offset(unsigned int vcpu_index);

/* Write the program into code (one slot at most). Returns its length. */
size_t emit_guest_program(uint8_t *code, const struct guest_program *prog);

#endif
