/*
 * The contention program: every vcpu of a VM makes its MMIO accesses
 * through one shared absent HPTE, so that their HPT lookups contend on
 * its HPTE_V_HVLOCK (kvm_hv_find_lock_hpte's spins). Copied into guest
 * RAM by the VMM like guest.S.
 *
 * The one vcpu with GP_ENTER_SHARED set H_ENTERs page 0; after the VMM's
 * phase barrier every vcpu maps GP_SEGMENTS segments to the same VSID
 * and access i goes to segment i % GP_SEGMENTS: the same HPTE behind a
 * different effective address each time, so that no access hits the
 * vcpu's MMIO HPTE cache. Each of the first GP_LOCKSTEP accesses waits
 * for the VM's other vcpus at a spin barrier in guest RAM, so that they
 * all take their HDSIs, and look the HPTE up, at the same moment (a
 * barrier in the VMM leaves hundreds of microseconds between them: the
 * threads' wake-ups).
 *
 * In: r31 = guest real address of this vcpu's parameter block
 * (guest-abi.h).
 */
#include "guest-mmio.inc"

	.section .rodata.guest, "a"
	.balign 4
	.globl guest_contend_code
guest_contend_code:
	ld	%r3, GP_ENTER_SHARED(%r31)
	cmpdi	%r3, 0
	beq	1f
	enter_page 0
1:	li	%r3, VMM_HCALL_PHASE	/* the shared HPTE exists for all */
	sc	1

	mmio_accesses

	li	%r3, VMM_HCALL_DONE
	sc	1
2:	b	2b
	.globl guest_contend_code_end
guest_contend_code_end:
