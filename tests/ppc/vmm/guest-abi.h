/*
 * Contract between the guest program (guest.S) and the VMM: the layout of
 * the per-vcpu parameter block in guest RAM and the hcall numbers the VMM
 * handles itself. Included from C and from assembly, so only #defines.
 *
 * The VMM fills the parameter fields before the first KVM_RUN and passes
 * the block's guest real address in r31; the guest writes the result
 * fields, which the VMM reads after the vcpu's "done" hcall.
 */
#ifndef KMT_PPC_GUEST_ABI_H
#define KMT_PPC_GUEST_ABI_H

/* Absent HPTEs each vcpu creates with H_ENTER, and what it does to them:
 * page 0 takes the MMIO stores and loads, then H_READ, H_READ with
 * H_READ_4, H_CLEAR_REF, H_CLEAR_MOD and H_REMOVE; page 1 H_PROTECT then
 * H_REMOVE; pages 2 and 3 one H_BULK_REMOVE (GR_BULK_RESP). */
#define GUEST_PAGES		4

/* Parameters (VMM -> guest), all 64-bit */
#define GP_SLB_RS		0x00	/* slbmte RS: VSID word of the segment */
#define GP_SLB_RB		0x08	/* slbmte RB: ESID | valid | SLB slot */
#define GP_MMIO_EA		0x10	/* effective address of page 0 */
#define GP_NSTORES		0x18	/* stores to page 0, >= 1 */
#define GP_NLOADS		0x20	/* loads from page 0, >= 1 */
#define GP_HPTE			0x28	/* GUEST_PAGES x H_ENTER arguments: */
#define GP_HPTE_SIZE		0x18	/*   PTEG's first index, HPTE V, HPTE R */

/* Results (guest -> VMM): hcall return codes (r3) and outputs */
#define GR_ENTER_RET		0x88	/* GUEST_PAGES x H_ENTER r3 */
#define GR_ENTER_IDX		0xa8	/* GUEST_PAGES x H_ENTER r4: HPTE index */
#define GR_LOAD_SUM		0xc8	/* sum of the words the loads returned */
#define GR_READ_RET		0xd0	/* H_READ of page 0 */
#define GR_READ_V		0xd8
#define GR_READ_R		0xe0
#define GR_CLEAR_REF_RET	0xe8	/* H_CLEAR_REF of page 0 */
#define GR_CLEAR_MOD_RET	0xf0	/* H_CLEAR_MOD of page 0 */
#define GR_PROTECT_RET		0xf8	/* H_PROTECT of page 1 */
#define GR_REMOVE1_RET		0x100	/* H_REMOVE of page 1 */
#define GR_BULK_RET		0x108	/* H_BULK_REMOVE, see GR_BULK_RESP */
/* H_READ with H_READ_4 from page 0's index | 3: KVM reads the four
 * entries from index & ~3, page 0's among them (0x118 is unused) */
#define GR_READ4_RET		0x110
#define GR_REMOVE0_RET		0x120	/* H_REMOVE of page 0 */
/* Valid HPTEs: GP_NVALID times H_ENTER of a guest RAM page (present in the
 * host, so KVM makes the entry valid) and H_REMOVE of it, which real mode
 * handles on POWER7/8 whether kvm_hv_hpte_hcall is on or not. */
#define GP_NVALID		0x128	/* H_ENTER + H_REMOVE pairs */
#define GP_VALID_HPTE		0x130	/* PTEG's first index, HPTE V, HPTE R */
#define GR_VALID_FAILS		0x148	/* of those hcalls, how many failed */
/* The MMIO accesses of both programs (guest-mmio.inc); the contention
 * program (guest-contend.S) uses only page 0 of GP_HPTE, GR_ENTER_RET and
 * GR_ENTER_IDX, and none of the hcall fields. */
#define GP_SEGMENTS		0x150	/* segments mapped to the one VSID, >= 1 */
#define GP_ENTER_SHARED		0x158	/* guest-contend.S: nonzero: this vcpu
					 * H_ENTERs page 0 */
#define GP_SYNC			0x160	/* guest real address of the VM's barrier
					 * word (32-bit, 0 at start) */
#define GP_VCPUS		0x168	/* vcpus of the VM, all at the barrier */
#define GP_LOCKSTEP		0x170	/* accesses made after a barrier */
/* H_BULK_REMOVE of four entries, each TSH word as it came back (the
 * response: bits 62-63 = 2, bits 60-61 = 0 done, 1 not found):
 * 0 page 2 (absent: done), 1 page 1 (removed before: not found, and not
 * absent), 2 page 3 with a wrong AVPN (absent, but not found), 3 page 3
 * (absent: done) */
#define GR_BULK_RESP		0x178	/* 4 x 64 bits */
#define GUEST_BULK_ENTRIES	4
/* Loads from page 0 after its H_REMOVE (test-vmm -l): no HPTE, so each
 * HDSI is reflected to the guest as a DSI, which guest_dsi (at
 * GUEST_DSI_VECTOR) counts and skips */
#define GP_NREFLECT		0x198
#define GR_DSI_COUNT		0x1a0
/* guest-gone.S: the remover's H_ENTER + H_REMOVE rounds */
#define GR_GONE_ROUNDS		0x1a8
#define GUEST_BLOCK_SIZE	0x1b0

/* The guest's data storage interrupt vector (real address) */
#define GUEST_DSI_VECTOR	0x300

/* 256 MiB segments: access i goes to segment i % GP_SEGMENTS, at the
 * same offset as in segment 0 */
#define GUEST_SEGMENT_SHIFT	28

/* Offsets within page 0: store i goes to +8*i, load i to +LOAD_OFFSET+8*i
 * (4-byte accesses, so at most 256 of each). */
#define GUEST_LOAD_OFFSET	0x800
#define GUEST_ACCESS_STRIDE	8
#define GUEST_ACCESS_LEN	4

/* The H_PROTECT flags the guest passes (PP = 01: supervisor read/write,
 * user read) */
#define GUEST_PROTECT_FLAGS	1

/* hcalls KVM does not know, so they exit to the VMM
 * (KVM_EXIT_PAPR_HCALL): multiples of 4 in the PAPR range. */
#define VMM_HCALL_PHASE		0x7000	/* accesses done: wait for the VM's other vcpus */
#define VMM_HCALL_DONE		0x7004	/* all done: stop this vcpu */
/* guest-prefixed.S: r4 = the prefixed instruction that comes next, which
 * the VMM skips if KVM_RUN keeps resuming the guest at it */
#define VMM_HCALL_PREFIXED	0x7008
#define GUEST_PREFIXED_STORE	0	/* pstw to page 0 + STRIDE */
#define GUEST_PREFIXED_LOAD	1	/* plwz from page 0 + LOAD_OFFSET + STRIDE */
#define GUEST_PREFIXED_NONE	2	/* none comes any more */
#define GUEST_PREFIXED_INSNS	2
/* guest-gone.S: after each store, an exit and nothing else */
#define VMM_HCALL_NOP		0x700c

/* PAPR hcall numbers the guest uses */
#define H_REMOVE		0x04
#define H_ENTER			0x08
#define H_READ			0x0c
#define H_CLEAR_MOD		0x10
#define H_CLEAR_REF		0x14
#define H_PROTECT		0x18
#define H_BULK_REMOVE		0x124
#define H_READ_4_SHIFT		37	/* H_READ flag: 1UL << (63 - 26) */
#define H_BULK_REMOVE_AVPN_SHIFT	57	/* TSH flags 10: match the AVPN */

/* MSR bit the guest toggles */
#define MSR_DR			0x10
/* FSCR bit that enables prefixed instructions (ISA 3.1) */
#define FSCR_PREFIX		0x2000

#endif
