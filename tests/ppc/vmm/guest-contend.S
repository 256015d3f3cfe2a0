/*
 * The contention program: every vcpu of a VM makes its MMIO accesses
 * through one shared absent HPTE, so that their HPT lookups contend on
 * its HPTE_V_HVLOCK (kvm_hv_find_lock_hpte's spins). Real mode as
 * guest.S, with data relocation only around the accesses.
 *
 * The one vcpu with GP_ENTER_SHARED set H_ENTERs page 0; after the VMM's
 * phase barrier every vcpu maps GP_SEGMENTS consecutive segments from
 * GP_SLB_RB on (SLB slots 1, 2, ...) to the same VSID, and access i goes
 * to segment i % GP_SEGMENTS: the same HPTE behind a different effective
 * address each time, so that no access hits the vcpu's MMIO HPTE cache.
 * Each of the first GP_LOCKSTEP accesses waits for the VM's other vcpus
 * at a spin barrier in guest RAM, so that they all take their HDSIs, and
 * look the HPTE up, at the same moment (a barrier in the VMM leaves
 * hundreds of microseconds between them: the threads' wake-ups).
 *
 * In: r31 = guest real address of this vcpu's parameter block
 * (guest-abi.h).
 */
#include "guest-abi.h"

/* addis immediate of one segment */
#define SEGMENT_HI	(1 << (GUEST_SEGMENT_SHIFT - 16))

	.section .rodata.guest, "a"
	.balign 4
	.globl guest_contend_code
guest_contend_code:
	ld	%r3, GP_ENTER_SHARED(%r31)
	cmpdi	%r3, 0
	beq	1f
	li	%r3, H_ENTER
	li	%r4, 0
	ld	%r5, GP_HPTE + 0(%r31)
	ld	%r6, GP_HPTE + 8(%r31)
	ld	%r7, GP_HPTE + 16(%r31)
	sc	1
	std	%r3, GR_ENTER_RET(%r31)
	std	%r4, GR_ENTER_IDX(%r31)
1:	li	%r3, VMM_HCALL_PHASE	/* the shared HPTE exists for all */
	sc	1

	ld	%r8, GP_SLB_RS(%r31)
	ld	%r9, GP_SLB_RB(%r31)
	ld	%r20, GP_SEGMENTS(%r31)
	mtctr	%r20
2:	slbmte	%r8, %r9
	addis	%r9, %r9, SEGMENT_HI	/* next ESID */
	addi	%r9, %r9, 1		/* next SLB slot */
	bdnz	2b
	isync

	/* r12: page 0 in segment 0, r11: the access there, r22: offset of
	 * the access's segment, r21: accesses left before r22 wraps to
	 * segment 0. Nothing but the accesses may touch memory while data
	 * relocation is on: guest RAM has no translation. */
	.macro next_segment
	addis	%r22, %r22, SEGMENT_HI
	addi	%r21, %r21, -1
	cmpdi	%r21, 0
	bne	.Lsame\@
	li	%r22, 0
	mr	%r21, %r20
.Lsame\@:
	.endm

	/* Before an access: while r18 (accesses left in lockstep) > 0, add
	 * 1 to the barrier word at r15 and wait until it reaches r17, the
	 * count after this round (r16 vcpus per round), with data
	 * relocation off around it */
	.macro lockstep
	cmpdi	%r18, 0
	beq	.Lfree\@
	addi	%r18, %r18, -1
	add	%r17, %r17, %r16
	mfmsr	%r10
	li	%r6, MSR_DR
	andc	%r10, %r10, %r6
	mtmsrd	%r10
	isync
.Larrive\@:
	lwarx	%r5, 0, %r15
	addi	%r5, %r5, 1
	stwcx.	%r5, 0, %r15
	bne-	.Larrive\@
.Lwait\@:
	lwz	%r5, 0(%r15)
	cmplw	%r5, %r17
	blt	.Lwait\@
	ori	%r10, %r10, MSR_DR
	mtmsrd	%r10
	isync
.Lfree\@:
	.endm

	ld	%r15, GP_SYNC(%r31)
	ld	%r16, GP_VCPUS(%r31)
	li	%r17, 0
	ld	%r18, GP_LOCKSTEP(%r31)
	ld	%r12, GP_MMIO_EA(%r31)
	ld	%r23, GP_NSTORES(%r31)
	ld	%r24, GP_NLOADS(%r31)
	li	%r22, 0
	mr	%r21, %r20
	li	%r26, 0

	mfmsr	%r10
	ori	%r10, %r10, MSR_DR
	mtmsrd	%r10
	isync

	/* stores as guest.S: word i+1 to offset 8*i */
	mtctr	%r23
	mr	%r11, %r12
	li	%r9, 1
3:	lockstep
	stwx	%r9, %r11, %r22
	next_segment
	addi	%r9, %r9, 1
	addi	%r11, %r11, GUEST_ACCESS_STRIDE
	bdnz	3b

	/* loads from LOAD_OFFSET + 8*i, summed in r26 */
	mtctr	%r24
	addi	%r11, %r12, GUEST_LOAD_OFFSET
4:	lockstep
	lwzx	%r9, %r11, %r22
	add	%r26, %r26, %r9
	next_segment
	addi	%r11, %r11, GUEST_ACCESS_STRIDE
	bdnz	4b

	mfmsr	%r10
	li	%r9, MSR_DR
	andc	%r10, %r10, %r9
	mtmsrd	%r10
	isync
	std	%r26, GR_LOAD_SUM(%r31)

	li	%r3, VMM_HCALL_DONE
	sc	1
5:	b	5b
	.globl guest_contend_code_end
guest_contend_code_end:
