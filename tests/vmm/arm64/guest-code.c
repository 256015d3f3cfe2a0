// SPDX-License-Identifier: GPL-2.0
/*
 * arm64 guest program, assembled by hand. The vCPU starts at EL1 with the
 * MMU off (every data access is Device memory, so each one reaches the
 * stage-2 fault as it is written) and all interrupts masked:
 *
 *	mov x19, mmio_gpa
 *	mov x20, ioeventfd_gpa
 *	mov w21, GUEST_WRITE_DATA
 *	repeat W times: strb w21, [x19]	; MMIO write, exits to the VMM
 *	repeat R times: ldrb w22, [x19]	; MMIO read, exits to the VMM
 *	repeat K times: strb w21, [x20]	; completes in the kernel (ioeventfd)
 *	repeat H times: mov x0, PSCI_VERSION; hvc #0	; answered by KVM
 *	repeat I times: wfi		; traps to KVM, which blocks the vCPU
 *					; until the VMM's timer signal (vcpu-setup.c)
 *	brk #0				; KVM_EXIT_DEBUG: this vCPU is done
 *
 * Every access is one byte with a single base register, so the data abort
 * carries a valid syndrome (ISV) and KVM emulates it. KVM's PSCI answer
 * overwrites x0..x3, hence the high registers. Each "repeat" counts down a
 * 32-bit W register, so counts go up to 2^32-1 as on x86.
 */
#include "guest-code.h"

#include <assert.h>

/* Each vCPU's code sits in its own slot of guest RAM (at IPA 0). */
#define GUEST_CODE_BASE		0x1000u
#define GUEST_CODE_SLOT		0x100u

#define PSCI_0_2_FN_PSCI_VERSION	0x84000000u

enum { X0 = 0, X19 = 19, X20 = 20, X21 = 21, X22 = 22, X23 = 23 };

struct emitter {
	uint8_t *code;
	size_t len;
};

static void emit(struct emitter *e, uint32_t insn)
{
	assert(e->len + 4 <= GUEST_CODE_SLOT);
	for (int i = 0; i < 4; i++)
		e->code[e->len++] = insn >> (8 * i);
}

/* movz/movk of one 16-bit half; sf selects X (1) or W (0) registers. */
static uint32_t movz(int sf, int rd, uint16_t imm, int shift)
{
	return (sf ? 0xd2800000u : 0x52800000u) | (shift / 16) << 21 | (uint32_t)imm << 5 | rd;
}

static uint32_t movk(int sf, int rd, uint16_t imm, int shift)
{
	return (sf ? 0xf2800000u : 0x72800000u) | (shift / 16) << 21 | (uint32_t)imm << 5 | rd;
}

/* A 32-bit value into a register (upper half of an X register zeroed). */
static void emit_mov32(struct emitter *e, int sf, int rd, uint32_t value)
{
	emit(e, movz(sf, rd, value & 0xffff, 0));
	emit(e, movk(sf, rd, value >> 16, 16));
}

static uint32_t strb(int rt, int rn) { return 0x39000000u | rn << 5 | rt; }
static uint32_t ldrb(int rt, int rn) { return 0x39400000u | rn << 5 | rt; }

/* Run the body's instructions count times (count 0: skip them). */
static void emit_repeat(struct emitter *e, uint32_t count, const uint32_t *body,
			size_t body_len)
{
	uint32_t forward = body_len + 3;	/* cbz to past the final b */
	uint32_t back = body_len + 2;		/* b back to the cbz */

	emit_mov32(e, 0, X23, count);
	emit(e, 0x34000000u | forward << 5 | X23);		/* cbz w23, done */
	for (size_t i = 0; i < body_len; i++)
		emit(e, body[i]);
	emit(e, 0x51000400u | X23 << 5 | X23);			/* sub w23, w23, #1 */
	emit(e, 0x14000000u | (-back & 0x3ffffffu));		/* b loop */
}

uint16_t guest_code_offset(unsigned int vcpu_index)
{
	return GUEST_CODE_BASE + vcpu_index * GUEST_CODE_SLOT;
}

size_t emit_guest_program(uint8_t *code, const struct guest_program *prog)
{
	const uint32_t store_mmio[] = { strb(X21, X19) };
	const uint32_t load_mmio[] = { ldrb(X22, X19) };
	const uint32_t store_ioeventfd[] = { strb(X21, X20) };
	const uint32_t hypercall[] = {
		movz(1, X0, PSCI_0_2_FN_PSCI_VERSION & 0xffff, 0),
		movk(1, X0, PSCI_0_2_FN_PSCI_VERSION >> 16, 16),
		0xd4000002u,					/* hvc #0 */
	};
	const uint32_t wfi[] = { 0xd503207fu };
	struct emitter e = { .code = code };

	emit_mov32(&e, 1, X19, prog->mmio_gpa);
	emit_mov32(&e, 1, X20, prog->ioeventfd_gpa);
	emit(&e, movz(0, X21, GUEST_WRITE_DATA, 0));

	emit_repeat(&e, prog->writes, store_mmio, 1);
	emit_repeat(&e, prog->reads, load_mmio, 1);
	emit_repeat(&e, prog->ioeventfd_writes, store_ioeventfd, 1);
	emit_repeat(&e, prog->hypercalls, hypercall, 3);
	emit_repeat(&e, prog->wfis, wfi, 1);

	emit(&e, 0xd4200000u);		/* brk #0 */
	emit(&e, 0x14000000u);		/* b . (never reached) */
	return e.len;
}
