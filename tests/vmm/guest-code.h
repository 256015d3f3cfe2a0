/* SPDX-License-Identifier: GPL-2.0 */
/* Real-mode machine code each vCPU runs. */
#ifndef TEST_VMM_GUEST_CODE_H
#define TEST_VMM_GUEST_CODE_H

#include <stddef.h>
#include <stdint.h>

/* Each vCPU's code sits in its own slot of guest RAM, CS base 0. */
#define GUEST_CODE_BASE		0x1000u
#define GUEST_CODE_SLOT		0x80u

/* Byte the guest stores with each MMIO write. */
#define GUEST_WRITE_DATA	0x5a

struct guest_program {
	uint64_t mmio_gpa;
	uint64_t ioeventfd_gpa;
	uint32_t writes;
	uint32_t reads;
	uint32_t ioeventfd_writes;
};

/* Offset in guest RAM where vCPU index's code starts (its initial IP). */
uint16_t guest_code_offset(unsigned int vcpu_index);

/*
 * Write the program into code (at most GUEST_CODE_SLOT bytes). Returns the
 * number of bytes written.
 */
size_t emit_guest_program(uint8_t *code, const struct guest_program *prog);

#endif
