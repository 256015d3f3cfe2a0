/*
 * The vanishing-HPTE program (test-vmm -r): two vcpus of one VM race on
 * one valid, read-only HPTE of a guest RAM page. Copied into guest RAM by
 * the VMM like guest.S.
 *
 * The remover (GP_ENTER_SHARED nonzero) H_ENTERs and H_REMOVEs that HPTE
 * in a loop until the storer raises the word at GP_SYNC. The storer makes
 * GP_NSTORES stores to the page, each followed by an hcall the VMM
 * handles (an exit, so that KVM traces the HDSI records of each store
 * before the next one: POWER7/8 reflect DSIs in real mode and keep only
 * four records between exits). A store finding the HPTE is a protection
 * fault (PP = 11: read-only), one finding none an HPTE-not-found fault;
 * KVM reflects either to the guest as a DSI (guest_dsi counts it and
 * skips the store), unless its lookup finds the HPTE changed: a
 * not-found fault whose HPTE is valid again is retried ("valid"), and so
 * is a protection fault whose HPTE is gone by the time KVM looks for it
 * ("gone"), the outcome this program is here to provoke. Either way each
 * store ends in exactly one DSI.
 *
 * In: r31 = guest real address of this vcpu's parameter block
 * (guest-abi.h).
 */
#include "guest-abi.h"

	.section .rodata.guest, "a"
	.balign 4
	.globl guest_gone_code
guest_gone_code:
	ld	%r15, GP_SYNC(%r31)
	ld	%r3, GP_ENTER_SHARED(%r31)
	cmpdi	%r3, 0
	beq	.Lstorer

	/* the remover: r26 rounds, r27 hcalls that failed */
	li	%r26, 0
	li	%r27, 0
1:	li	%r3, H_ENTER
	li	%r4, 0
	ld	%r5, GP_HPTE + 0(%r31)
	ld	%r6, GP_HPTE + 8(%r31)
	ld	%r7, GP_HPTE + 16(%r31)
	sc	1
	cmpdi	%r3, 0
	bne	2f
	mr	%r5, %r4
	li	%r3, H_REMOVE
	li	%r4, 0
	li	%r6, 0
	sc	1
	cmpdi	%r3, 0
	beq	3f
2:	addi	%r27, %r27, 1
3:	addi	%r26, %r26, 1
	lwz	%r5, 0(%r15)
	cmpwi	%r5, 0
	beq	1b
	std	%r26, GR_GONE_ROUNDS(%r31)
	std	%r27, GR_VALID_FAILS(%r31)
	b	.Ldone

.Lstorer:
	ld	%r8, GP_SLB_RS(%r31)
	ld	%r9, GP_SLB_RB(%r31)
	slbmte	%r8, %r9
	isync
	ld	%r23, GP_NSTORES(%r31)
	ld	%r24, GP_MMIO_EA(%r31)
	mfmsr	%r25
	ori	%r25, %r25, MSR_DR
	mtmsrd	%r25
	isync
4:	li	%r9, 1
	stw	%r9, 0(%r24)
	li	%r3, VMM_HCALL_NOP
	sc	1
	addi	%r23, %r23, -1
	cmpdi	%r23, 0
	bne	4b
	li	%r9, MSR_DR
	andc	%r25, %r25, %r9
	mtmsrd	%r25
	isync
	li	%r5, 1
	stw	%r5, 0(%r15)

.Ldone:
	li	%r3, VMM_HCALL_DONE
	sc	1
5:	b	5b
	.globl guest_gone_code_end
guest_gone_code_end:
