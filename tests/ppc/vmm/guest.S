/*
 * The guest program every vcpu runs, copied into guest RAM by the VMM.
 * Real mode (MSR_IR=0) throughout, so it only uses relative branches and
 * can sit at any address; data relocation is turned on only around the
 * MMIO accesses (guest-mmio.inc), because guest RAM itself has no HPTE of
 * the guest's.
 *
 * In: r31 = guest real address of this vcpu's parameter block
 * (guest-abi.h). Nothing else is assumed about register contents.
 */
#include "guest-mmio.inc"

	.section .rodata.guest, "a"
	.balign 4
	.globl guest_code
guest_code:
	/* 1. Absent HPTEs, four pages in one segment */
	enter_page 0
	enter_page 1
	enter_page 2
	enter_page 3

	/* 2-4. One SLB entry for the segment of the four pages (GP_SEGMENTS
	 * is 1), N stores to page 0 and M loads from it (guest-mmio.inc) */
	mmio_accesses

	/* 5. Wait until every vcpu of this VM has made its accesses: the
	 * hcalls below invalidate the VM's MMIO HPTE caches, and a vcpu
	 * still accessing would then take a lookup instead of a cache hit. */
	li	%r3, VMM_HCALL_PHASE
	sc	1

	/* 6. HPT hcalls on the absent entries */
	li	%r3, H_READ
	li	%r4, 0
	ld	%r5, GR_ENTER_IDX + 0 * 8(%r31)
	sc	1
	std	%r3, GR_READ_RET(%r31)
	std	%r4, GR_READ_V(%r31)
	std	%r5, GR_READ_R(%r31)

	/* H_READ_4 from an index that is not a multiple of 4 */
	li	%r3, H_READ
	li	%r4, 1
	sldi	%r4, %r4, H_READ_4_SHIFT
	ld	%r5, GR_ENTER_IDX + 0 * 8(%r31)
	ori	%r5, %r5, 3
	sc	1
	std	%r3, GR_READ4_RET(%r31)

	li	%r3, H_CLEAR_REF
	li	%r4, 0
	ld	%r5, GR_ENTER_IDX + 0 * 8(%r31)
	sc	1
	std	%r3, GR_CLEAR_REF_RET(%r31)

	li	%r3, H_CLEAR_MOD
	li	%r4, 0
	ld	%r5, GR_ENTER_IDX + 0 * 8(%r31)
	sc	1
	std	%r3, GR_CLEAR_MOD_RET(%r31)

	li	%r3, H_PROTECT
	li	%r4, GUEST_PROTECT_FLAGS
	ld	%r5, GR_ENTER_IDX + 1 * 8(%r31)
	li	%r6, 0			/* no AVPN check */
	sc	1
	std	%r3, GR_PROTECT_RET(%r31)

	li	%r3, H_REMOVE
	li	%r4, 0
	ld	%r5, GR_ENTER_IDX + 1 * 8(%r31)
	li	%r6, 0
	sc	1
	std	%r3, GR_REMOVE1_RET(%r31)

	/* H_BULK_REMOVE of the four entries of GR_BULK_RESP: translation
	 * specifier pairs in r4..r11, TSH = type (01 request) << 62 |
	 * flags << 56 | PTE index, then the AVPN word */
	li	%r0, 1
	sldi	%r0, %r0, 62
	ld	%r4, GR_ENTER_IDX + 2 * 8(%r31)
	or	%r4, %r4, %r0
	li	%r5, 0
	ld	%r6, GR_ENTER_IDX + 1 * 8(%r31)
	or	%r6, %r6, %r0
	li	%r7, 0
	ld	%r10, GR_ENTER_IDX + 3 * 8(%r31)
	or	%r10, %r10, %r0
	li	%r11, 0
	li	%r8, 1
	sldi	%r8, %r8, H_BULK_REMOVE_AVPN_SHIFT
	or	%r8, %r8, %r10
	li	%r9, 0			/* no HPTE of ours has AVPN 0 */
	li	%r3, H_BULK_REMOVE
	sc	1
	std	%r3, GR_BULK_RET(%r31)
	std	%r4, GR_BULK_RESP + 0 * 8(%r31)
	std	%r6, GR_BULK_RESP + 1 * 8(%r31)
	std	%r8, GR_BULK_RESP + 2 * 8(%r31)
	std	%r10, GR_BULK_RESP + 3 * 8(%r31)

	li	%r3, H_REMOVE
	li	%r4, 0
	ld	%r5, GR_ENTER_IDX + 0 * 8(%r31)
	li	%r6, 0
	sc	1
	std	%r3, GR_REMOVE0_RET(%r31)

	/* 7. H_ENTER and H_REMOVE of a valid HPTE, GP_NVALID times.  The
	 * count is in r23, not CTR: CTR is volatile across hcalls. */
	li	%r26, 0
	ld	%r23, GP_NVALID(%r31)
4:	li	%r3, H_ENTER
	li	%r4, 0
	ld	%r5, GP_VALID_HPTE + 0(%r31)
	ld	%r6, GP_VALID_HPTE + 8(%r31)
	ld	%r7, GP_VALID_HPTE + 16(%r31)
	sc	1
	cmpdi	%r3, 0
	beq	5f
	addi	%r26, %r26, 1
	b	6f
5:	mr	%r5, %r4
	li	%r3, H_REMOVE
	li	%r4, 0
	li	%r6, 0
	sc	1
	cmpdi	%r3, 0
	beq	6f
	addi	%r26, %r26, 1
6:	addi	%r23, %r23, -1
	cmpdi	%r23, 0
	bne	4b
	std	%r26, GR_VALID_FAILS(%r31)

	/* 8. GP_NREFLECT loads from page 0, whose HPTE is gone: each is a
	 * DSI that guest_dsi skips. On POWER7/8 KVM reflects them in real
	 * mode, with no exit in between, so that the vcpu's four HDSI
	 * records overflow before the "done" hcall exits. */
	ld	%r23, GP_NREFLECT(%r31)
	cmpdi	%r23, 0
	beq	8f
	ld	%r12, GP_MMIO_EA(%r31)
	mfmsr	%r10
	ori	%r10, %r10, MSR_DR
	mtmsrd	%r10
	isync
7:	lwz	%r9, 0(%r12)
	addi	%r23, %r23, -1
	cmpdi	%r23, 0
	bne	7b
	li	%r9, MSR_DR
	andc	%r10, %r10, %r9
	mtmsrd	%r10
	isync

8:	li	%r3, VMM_HCALL_DONE
	sc	1
3:	b	3b
	.globl guest_code_end
guest_code_end:

	/*
	 * The DSI handler, copied to GUEST_DSI_VECTOR: count the DSI in
	 * GR_DSI_COUNT and return to the instruction after the one that
	 * took it. Runs with data relocation off (r31 is a real address)
	 * and little endian (the VMM sets LPCR_ILE); r3 is kept in SPRG0.
	 */
	.balign 4
	.globl guest_dsi
guest_dsi:
	mtsprg	0, %r3
	mfsrr0	%r3
	addi	%r3, %r3, 4
	mtsrr0	%r3
	ld	%r3, GR_DSI_COUNT(%r31)
	addi	%r3, %r3, 1
	std	%r3, GR_DSI_COUNT(%r31)
	mfsprg	%r3, 0
	rfid
	.globl guest_dsi_end
guest_dsi_end:
