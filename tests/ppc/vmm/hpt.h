/*
 * Hashed page table encodings for the guests' absent HPTEs: 4 KiB pages in
 * 256 MiB segments, as the POWER7/8 HPTE layout (the one H_ENTER takes on
 * every CPU) defines them.
 */
#ifndef KMT_PPC_HPT_H
#define KMT_PPC_HPT_H

#include <stdint.h>

#define HPT_ORDER	18	/* 256 KiB hash table: 2048 PTEGs of 8 HPTEs */
#define HPT_PAGE_SHIFT	12

#define HPTE_V_VALID	0x1ULL
#define HPTE_R_G	0x08ULL	/* guarded */
#define HPTE_R_I	0x20ULL	/* cache inhibited: device memory */
#define HPTE_R_M	0x10ULL	/* memory coherence: RAM */
#define HPTE_R_PP_RW	0x2ULL	/* PP=10: read/write for everyone (key 0) */
#define HPTE_R_PP_RO	0x3ULL	/* PP=11: read-only for everyone */

#define SLB_ESID_V	0x08000000ULL

/* Index of the first HPTE of the primary PTEG of ea in segment vsid. */
uint64_t hpt_pteg_index(uint64_t vsid, uint64_t ea);
/* HPTE doubleword 0 (AVPN | valid) for ea in segment vsid. */
uint64_t hpt_hpte_v(uint64_t vsid, uint64_t ea);
/* HPTE doubleword 1 for device memory at gpa: RPN | I | G | PP. */
uint64_t hpt_hpte_r(uint64_t gpa);
/* HPTE doubleword 1 for guest RAM at gpa: RPN | M | PP. */
uint64_t hpt_hpte_r_ram(uint64_t gpa);
/* HPTE doubleword 1 for guest RAM at gpa, read-only: RPN | M | PP=11. */
uint64_t hpt_hpte_r_ram_ro(uint64_t gpa);
/* slbmte operands mapping the segment of ea to vsid in SLB slot slot. */
uint64_t hpt_slb_rs(uint64_t vsid);
uint64_t hpt_slb_rb(uint64_t ea, unsigned int slot);

#endif
