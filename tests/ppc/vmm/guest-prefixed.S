/*
 * The prefixed-instruction program (test-vmm -x, POWER10 only): one
 * vcpu makes a 4-byte store to page 0 (the HDSI that looks its absent
 * HPTE up and fills the vcpu's MMIO HPTE cache), then a pstw and a plwz
 * (ISA 3.1 prefixed, 8 bytes each) to page 0, then a 4-byte load from
 * it. Copied into guest RAM by the VMM like guest.S.
 *
 * Before each prefixed instruction the guest tells the VMM which one
 * comes (VMM_HCALL_PREFIXED, r4 = GUEST_PREFIXED_STORE or
 * GUEST_PREFIXED_LOAD; GUEST_PREFIXED_NONE after the second): KVM may
 * not emulate it but resume the guest at it again and again (when HSRR1
 * does not say "prefixed" but the word at the pc is a prefix,
 * kvmppc_hv_emulate_mmio() retries), and then only the VMM can move the
 * guest on: it interrupts KVM_RUN with a signal and skips the
 * instruction (pc + 8).
 *
 * In: r31 = guest real address of this vcpu's parameter block
 * (guest-abi.h).
 */
#include "guest-mmio.inc"

	.machine power10
	.section .rodata.guest, "a"
	/* a prefixed instruction may not cross a 64-byte boundary: the
	 * program starts 64-byte aligned (VM_CODE_GPA is) and each prefixed
	 * instruction is 8-byte aligned, padded with nops */
	.balignl 64, 0x60000000
	.globl guest_prefixed_code
guest_prefixed_code:
	enter_page 0

	/* prefixed instructions are a facility the OS enables (FSCR, SPR
	 * 153; KVM sets HFSCR_PREFIX for POWER10 guests) */
	mfspr	%r3, 153
	ori	%r3, %r3, FSCR_PREFIX
	mtspr	153, %r3

	ld	%r8, GP_SLB_RS(%r31)
	ld	%r9, GP_SLB_RB(%r31)
	slbmte	%r8, %r9
	isync
	ld	%r24, GP_MMIO_EA(%r31)
	li	%r26, 0

	mfmsr	%r25
	ori	%r25, %r25, MSR_DR
	mtmsrd	%r25
	isync
	/* store 1 to page 0 + 0: an HPT lookup, the MMIO HPTE cache filled */
	li	%r9, 1
	stw	%r9, 0(%r24)

	li	%r3, VMM_HCALL_PREFIXED
	li	%r4, GUEST_PREFIXED_STORE
	sc	1
	li	%r9, 2
	.balignl 8, 0x60000000
	.globl guest_pstw
guest_pstw:
	pstw	%r9, GUEST_ACCESS_STRIDE(%r24)

	li	%r3, VMM_HCALL_PREFIXED
	li	%r4, GUEST_PREFIXED_LOAD
	sc	1
	li	%r9, 0
	.balignl 8, 0x60000000
	.globl guest_plwz
guest_plwz:
	plwz	%r9, GUEST_LOAD_OFFSET + GUEST_ACCESS_STRIDE(%r24)
	add	%r26, %r26, %r9

	li	%r3, VMM_HCALL_PREFIXED
	li	%r4, GUEST_PREFIXED_NONE
	sc	1
	/* load from page 0 + LOAD_OFFSET: an MMIO HPTE cache hit */
	lwz	%r9, GUEST_LOAD_OFFSET(%r24)
	add	%r26, %r26, %r9

	li	%r9, MSR_DR
	andc	%r25, %r25, %r9
	mtmsrd	%r25
	isync
	std	%r26, GR_LOAD_SUM(%r31)

	li	%r3, VMM_HCALL_DONE
	sc	1
1:	b	1b
	.globl guest_prefixed_code_end
guest_prefixed_code_end:
