/* Hashed page table encodings, see hpt.h. */
#include "hpt.h"

#define SEGMENT_MASK	0x0fffffffULL	/* offset within a 256 MiB segment */

uint64_t hpt_pteg_index(uint64_t vsid, uint64_t ea)
{
	uint64_t hash = vsid ^ ((ea & SEGMENT_MASK) >> HPT_PAGE_SHIFT);
	uint64_t ptegs = 1ULL << (HPT_ORDER - 7); /* 128-byte PTEGs */

	return (hash & (ptegs - 1)) * 8;
}

uint64_t hpt_hpte_v(uint64_t vsid, uint64_t ea)
{
	/* AVPN = VA >> 23 at bit 7, VA = vsid << 28 | offset in segment */
	return (vsid << 12) | (((ea & SEGMENT_MASK) >> 23) << 7) | HPTE_V_VALID;
}

uint64_t hpt_hpte_r(uint64_t gpa)
{
	return (gpa & ~((1ULL << HPT_PAGE_SHIFT) - 1)) | HPTE_R_I | HPTE_R_G | HPTE_R_PP_RW;
}

uint64_t hpt_slb_rs(uint64_t vsid)
{
	return vsid << 12; /* Ks = Kp = 0: storage key 0, 256 MiB segment */
}

uint64_t hpt_slb_rb(uint64_t ea, unsigned int slot)
{
	return (ea & ~SEGMENT_MASK) | SLB_ESID_V | slot;
}

uint64_t hpt_hpte_r_ram(uint64_t gpa)
{
	return (gpa & ~((1ULL << HPT_PAGE_SHIFT) - 1)) | HPTE_R_M | HPTE_R_PP_RW;
}

uint64_t hpt_hpte_r_ram_ro(uint64_t gpa)
{
	return (gpa & ~((1ULL << HPT_PAGE_SHIFT) - 1)) | HPTE_R_M | HPTE_R_PP_RO;
}
