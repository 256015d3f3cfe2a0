// SPDX-License-Identifier: GPL-2.0
/*
 * Real-mode guest program, assembled by hand:
 *
 *	(with --touch-pages P:)
 *	mov ax, touch_segment		; DS:0 = the vCPU's first fresh page
 *	mov ds, ax
 *	xor bx, bx
 *	mov al, GUEST_WRITE_DATA
 *	repeat P times: mov [bx], al	; first touch: a page fault in KVM
 *			mov dx, ds	; DS moves on by one 4 KiB page
 *			add dx, 0x100
 *			mov ds, dx
 *
 *	mov ax, mmio_segment		; DS:BX = MMIO GPA
 *	mov ds, ax
 *	mov ax, ioeventfd_segment	; ES:SI = ioeventfd GPA
 *	mov es, ax
 *	mov bx, mmio_offset
 *	mov si, ioeventfd_offset
 *	mov al, GUEST_WRITE_DATA
 *	repeat W times: mov [bx], al	; MMIO write, exits to the VMM
 *	repeat R times: mov al, [bx]	; MMIO read, exits to the VMM
 *	repeat K times: mov es:[si], al	; completes in the kernel (ioeventfd)
 *	hlt				; KVM_EXIT_HLT: this vCPU is done
 *
 * Each "repeat" is a 32-bit ECX loop (operand-size prefix 0x66 on the mov,
 * address-size prefix 0x67 on jecxz/loop) so counts up to 2^32-1 work in
 * 16-bit code. Counts are immediates: nothing but the code needs setting up.
 */
#include "guest-code.h"

#include <assert.h>

/* Each vCPU's code sits in its own slot of guest RAM, CS base 0. */
#define GUEST_CODE_BASE		0x1000u
#define GUEST_CODE_SLOT		0x80u

struct emitter {
	uint8_t *code;
	size_t len;
};

static void emit8(struct emitter *e, uint8_t byte)
{
	assert(e->len < GUEST_CODE_SLOT);
	e->code[e->len++] = byte;
}

static void emit16(struct emitter *e, uint16_t value)
{
	emit8(e, value & 0xff);
	emit8(e, value >> 8);
}

static void emit32(struct emitter *e, uint32_t value)
{
	emit16(e, value & 0xffff);
	emit16(e, value >> 16);
}

static void emit_bytes(struct emitter *e, const uint8_t *bytes, size_t n)
{
	for (size_t i = 0; i < n; i++)
		emit8(e, bytes[i]);
}

/* Run the instruction in body count times (count 0: skip it). */
static void emit_repeat(struct emitter *e, uint32_t count,
			const uint8_t *body, size_t body_len)
{
	/* jecxz and loop are 3 bytes each with their 0x67 prefix. */
	int8_t skip = body_len + 3;

	emit8(e, 0x66);			/* mov ecx, imm32 */
	emit8(e, 0xb9);
	emit32(e, count);
	emit8(e, 0x67);			/* jecxz past the loop */
	emit8(e, 0xe3);
	emit8(e, skip);
	emit_bytes(e, body, body_len);
	emit8(e, 0x67);			/* loop back to body (dec ecx, jnz) */
	emit8(e, 0xe2);
	emit8(e, (uint8_t)-skip);
}

/*
 * Any GPA below 1 MiB is segment:offset with the segment's low 12 bits
 * clear; the offset then holds the low 16 bits of the GPA.
 */
static uint16_t gpa_segment(uint64_t gpa)
{
	return (gpa >> 4) & 0xf000;
}

static uint16_t gpa_offset(uint64_t gpa)
{
	return gpa & 0xffff;
}

uint16_t guest_code_offset(unsigned int vcpu_index)
{
	return GUEST_CODE_BASE + vcpu_index * GUEST_CODE_SLOT;
}

size_t emit_guest_program(uint8_t *code, const struct guest_program *prog)
{
	static const uint8_t store_ds_bx[] = { 0x88, 0x07 };	   /* mov [bx], al */
	static const uint8_t load_ds_bx[] = { 0x8a, 0x07 };	   /* mov al, [bx] */
	static const uint8_t store_es_si[] = { 0x26, 0x88, 0x04 }; /* mov es:[si], al */
	/* mov [bx], al; then DS moves on by one page: mov dx, ds; add dx, 0x100; mov ds, dx */
	static const uint8_t touch_page[] = { 0x88, 0x07, 0x8c, 0xda, 0x81, 0xc2, 0x00, 0x01,
					      0x8e, 0xda };
	struct emitter e = { .code = code };

	if (prog->touch_pages) {
		emit8(&e, 0xb8);	/* mov ax, imm16: DS = the first page */
		emit16(&e, prog->touch_gpa >> 4);
		emit8(&e, 0x8e);	/* mov ds, ax */
		emit8(&e, 0xd8);
		emit8(&e, 0x31);	/* xor bx, bx */
		emit8(&e, 0xdb);
		emit8(&e, 0xb0);	/* mov al, imm8 */
		emit8(&e, GUEST_WRITE_DATA);
		emit_repeat(&e, prog->touch_pages, touch_page, sizeof(touch_page));
	}
	emit8(&e, 0xb8);		/* mov ax, imm16 */
	emit16(&e, gpa_segment(prog->mmio_gpa));
	emit8(&e, 0x8e);		/* mov ds, ax */
	emit8(&e, 0xd8);
	emit8(&e, 0xb8);		/* mov ax, imm16 */
	emit16(&e, gpa_segment(prog->ioeventfd_gpa));
	emit8(&e, 0x8e);		/* mov es, ax */
	emit8(&e, 0xc0);
	emit8(&e, 0xbb);		/* mov bx, imm16 */
	emit16(&e, gpa_offset(prog->mmio_gpa));
	emit8(&e, 0xbe);		/* mov si, imm16 */
	emit16(&e, gpa_offset(prog->ioeventfd_gpa));
	emit8(&e, 0xb0);		/* mov al, imm8 */
	emit8(&e, GUEST_WRITE_DATA);

	emit_repeat(&e, prog->writes, store_ds_bx, sizeof(store_ds_bx));
	emit_repeat(&e, prog->reads, load_ds_bx, sizeof(load_ds_bx));
	emit_repeat(&e, prog->ioeventfd_writes, store_es_si, sizeof(store_es_si));

	emit8(&e, 0xf4);		/* hlt */
	return e.len;
}
