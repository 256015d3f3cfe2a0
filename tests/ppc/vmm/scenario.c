/* The per-vcpu plan and its ground truth, see scenario.h. */
#include "scenario.h"

#include <stdio.h>
#include <string.h>

#include "hpt.h"
#include "kvm-vm.h"

#define MMIO_GPA_BASE	0x80000000ULL
#define MMIO_EA_BASE	0x10000000ULL
#define VSID_BASE	0x100ULL
#define VALID_HCALL_PAIRS	50
#define CONTEND_STORES		150
#define CONTEND_LOADS		100
/* More segments than the vcpu's MMIO HPTE cache has entries (4): every
 * access misses it and looks the shared HPTE up. */
#define CONTEND_SEGMENTS	5
#define GONE_STORES		1000
/* guest RAM (memslot 0), above the parameter blocks */
#define GONE_GPA		0x40000ULL

static uint64_t rd64(const uint8_t *block, unsigned int off)
{
	uint64_t v;

	memcpy(&v, block + off, sizeof(v));
	return v;
}

static void wr64(uint8_t *block, unsigned int off, uint64_t v)
{
	memcpy(block + off, &v, sizeof(v));
}

/* The page of each H_BULK_REMOVE entry (guest-abi.h, GR_BULK_RESP), and
 * the response each must get: 0x80 done, 0x90 not found, plus the flags
 * (2: AVPN) in the low bits; the R and C bits (0x0c) are masked. */
static const unsigned int bulk_entry_page[GUEST_BULK_ENTRIES] = { 2, 1, 3, 3 };
static const unsigned int bulk_entry_resp[GUEST_BULK_ENTRIES] = { 0x80, 0x90, 0x92, 0x80 };
#define BULK_RESP_RC	0x0c

/* An H_BULK_REMOVE entry's result as a return code, as the kvm_hv_hpte_hcall
 * event reports it: bits 60-61 of its response, 0 done, 1 not found. */
static long long bulk_entry_ret(const uint8_t *block, unsigned int i)
{
	/* H_SUCCESS, H_NOT_FOUND, H_PARAMETER, H_HARDWARE */
	static const long long rets[] = { 0, -7, -4, -1 };

	return rets[(rd64(block, GR_BULK_RESP + 8 * i) >> 60) & 3];
}

/* Its pages as those of vcpu owner of guest vm (see scenario.h). */
static void map_pages(struct vcpu_plan *p, unsigned int vm, unsigned int owner)
{
	/* page i hashes to PTEG vsid ^ i: 0x10 apart, no two vcpus share a
	 * PTEG, so H_ENTER's choice of slot does not depend on which vcpu
	 * gets there first */
	p->vsid = VSID_BASE + 0x40 * vm + 0x10 * owner;
	for (unsigned int i = 0; i < GUEST_PAGES; i++) {
		p->ea[i] = MMIO_EA_BASE + ((uint64_t)i << HPT_PAGE_SHIFT);
		p->gpa[i] = MMIO_GPA_BASE + ((uint64_t)vm << 20) + ((uint64_t)owner << 16) +
			    ((uint64_t)i << HPT_PAGE_SHIFT);
	}
}

void plan_vcpu(struct vcpu_plan *p, enum guest_program program, unsigned int vm,
	       unsigned int vcpu, unsigned int vcpus, uint64_t block_gpa)
{
	memset(p, 0, sizeof(*p));
	p->program = program;
	p->vm = vm;
	p->vcpu = vcpu;
	p->vcpus = vcpus;
	p->segments = 1;
	if (program == PROG_CONTEND) {
		/* vcpu 0 makes the fewest accesses: all of its accesses
		 * are made together with the other vcpus' */
		p->nstores = CONTEND_STORES + vcpu;
		p->nloads = CONTEND_LOADS + 2 * vcpu;
		map_pages(p, vm, 0);
		p->nentered = vcpu == 0;
		p->segments = CONTEND_SEGMENTS;
		p->lockstep = CONTEND_STORES + CONTEND_LOADS;
		p->pinned = 1;
		return;
	}
	if (program == PROG_GONE) {
		map_pages(p, vm, 0);
		p->gpa[0] = GONE_GPA;
		p->remover = vcpu == 0;
		p->nentered = 0;	/* the remover's H_ENTERs are checked by count */
		p->nstores = p->remover ? 0 : GONE_STORES;
		p->pinned = 1;
		return;
	}
	if (program == PROG_PREFIXED) {
		/* one store and one load besides the prefixed pair */
		p->nstores = 1;
		p->nloads = 1;
		map_pages(p, vm, vcpu);
		p->nentered = 1;
		return;
	}
	p->nstores = 3 + 2 * vm + vcpu;
	p->nloads = 2 + vm + 2 * vcpu;
	map_pages(p, vm, vcpu);
	p->nentered = GUEST_PAGES;
	/* The valid HPTE maps the vcpu's parameter block, which the VMM has
	 * written (so the host page is present), in a segment whose PTEG is
	 * the vcpu's own too (vsid ^ 8). */
	p->nvalid = VALID_HCALL_PAIRS;
	p->valid_vsid = p->vsid ^ 8;
	p->valid_gpa = block_gpa;
}

void plan_write_block(const struct vcpu_plan *p, uint8_t *block)
{
	wr64(block, GP_SLB_RS, hpt_slb_rs(p->vsid));
	wr64(block, GP_SLB_RB, hpt_slb_rb(p->ea[0], 1));
	wr64(block, GP_MMIO_EA, p->ea[0]);
	wr64(block, GP_NSTORES, p->nstores);
	wr64(block, GP_NLOADS, p->nloads);
	for (unsigned int i = 0; i < GUEST_PAGES; i++) {
		unsigned int off = GP_HPTE + i * GP_HPTE_SIZE;

		wr64(block, off, hpt_pteg_index(p->vsid, p->ea[i]));
		wr64(block, off + 8, hpt_hpte_v(p->vsid, p->ea[i]));
		wr64(block, off + 16, hpt_hpte_r(p->gpa[i]));
	}
	wr64(block, GP_NVALID, p->nvalid);
	wr64(block, GP_VALID_HPTE, hpt_pteg_index(p->valid_vsid, p->ea[0]));
	wr64(block, GP_VALID_HPTE + 8, hpt_hpte_v(p->valid_vsid, p->ea[0]));
	wr64(block, GP_VALID_HPTE + 16, hpt_hpte_r_ram(p->valid_gpa));
	wr64(block, GP_SEGMENTS, p->segments);
	wr64(block, GP_ENTER_SHARED, p->program == PROG_GONE ? (uint64_t)p->remover : p->nentered);
	if (p->program == PROG_GONE)
		wr64(block, GP_HPTE + 16, hpt_hpte_r_ram_ro(p->gpa[0]));
	wr64(block, GP_SYNC, VM_SYNC_GPA);
	wr64(block, GP_VCPUS, p->vcpus);
	wr64(block, GP_LOCKSTEP, p->lockstep);
	wr64(block, GP_NREFLECT, p->nreflect);
}

uint32_t load_value(uint64_t gpa)
{
	return 0x5a000000u | (uint32_t)(gpa & 0xffffff);
}

struct access plan_access(const struct vcpu_plan *p, unsigned int i)
{
	struct access a = { .len = GUEST_ACCESS_LEN };

	if (i < p->nstores) {
		a.is_write = 1;
		a.gpa = p->gpa[0] + i * GUEST_ACCESS_STRIDE;
		a.data = i + 1;
	} else {
		i -= p->nstores;
		a.gpa = p->gpa[0] + GUEST_LOAD_OFFSET + i * GUEST_ACCESS_STRIDE;
		a.data = load_value(a.gpa);
	}
	return a;
}

struct access prefixed_access(const struct vcpu_plan *p, unsigned int k)
{
	struct access a = { .len = GUEST_ACCESS_LEN };

	if (k == GUEST_PREFIXED_STORE) {
		a.is_write = 1;
		a.gpa = p->gpa[0] + GUEST_ACCESS_STRIDE;
		a.data = 2;	/* guest-prefixed.S stores 1, then 2 */
	} else {
		a.gpa = p->gpa[0] + GUEST_LOAD_OFFSET + GUEST_ACCESS_STRIDE;
		a.data = load_value(a.gpa);
	}
	return a;
}

/* The KVM_EXIT_MMIOs the plan implies, in order, into e[]; their number.
 * guest-prefixed.S: its store, each prefixed instruction that KVM
 * emulated (the VMM did not skip it), its load. */
static unsigned int planned_exits(const struct vcpu_plan *p, const struct vcpu_truth *t,
				  unsigned int in_kernel, struct access *e)
{
	unsigned int n = 0;

	if (p->program == PROG_GONE)
		return 0;	/* no MMIO: every store is a DSI */
	if (p->program != PROG_PREFIXED) {
		for (unsigned int i = in_kernel; i < p->nstores + p->nloads; i++)
			e[n++] = plan_access(p, i);
		return n;
	}
	e[n++] = plan_access(p, 0);
	for (unsigned int k = 0; k < GUEST_PREFIXED_INSNS; k++)
		if (!t->skipped[k])
			e[n++] = prefixed_access(p, k);
	e[n++] = plan_access(p, 1);
	return n;
}

/* Accesses done in the kernel (the first ones: the stores of -k), before
 * the first KVM_EXIT_MMIO. */
static unsigned int kernel_accesses(const struct vcpu_plan *p)
{
	return p->kernel_stores ? p->nstores : 0;
}

int truth_check(const struct vcpu_plan *p, const struct vcpu_truth *t, const uint8_t *block)
{
	unsigned int in_kernel = kernel_accesses(p);
	struct access planned[2 * MAX_ACCESSES];
	unsigned int want = planned_exits(p, t, in_kernel, planned);
	uint64_t sum = 0;
	int ok = 1;

	for (unsigned int k = 0; p->program == PROG_PREFIXED && k < GUEST_PREFIXED_INSNS; k++) {
		if (t->skipped[k] > 1) {
			fprintf(stderr, "test-vmm: vm %u vcpu %u: prefixed instruction %u skipped %u times\n",
				p->vm, p->vcpu, k, t->skipped[k]);
			ok = 0;
		}
	}

	for (unsigned int i = 0; i < in_kernel; i++) {
		if (t->store_count[i] != 1) {
			fprintf(stderr, "test-vmm: vm %u vcpu %u: the ioeventfd of store %u was signalled %llu times, expected once\n",
				p->vm, p->vcpu, i, (unsigned long long)t->store_count[i]);
			ok = 0;
		}
	}

	if (t->naccesses != want) {
		fprintf(stderr, "test-vmm: vm %u vcpu %u: expected %u MMIO exits, saw %u\n",
			p->vm, p->vcpu, want, t->naccesses);
		ok = 0;
	}
	for (unsigned int i = 0; i < t->naccesses && i < want; i++) {
		struct access e = planned[i], s = t->access[i];

		if (e.gpa != s.gpa || e.len != s.len || e.is_write != s.is_write ||
		    (e.is_write && e.data != s.data)) {
			fprintf(stderr,
				"test-vmm: vm %u vcpu %u: MMIO exit %u: expected %s gpa 0x%llx len %u data 0x%x, saw %s gpa 0x%llx len %u data 0x%x\n",
				p->vm, p->vcpu, i, e.is_write ? "store" : "load",
				(unsigned long long)e.gpa, e.len, e.data,
				s.is_write ? "store" : "load", (unsigned long long)s.gpa, s.len, s.data);
			ok = 0;
		}
		if (!e.is_write)
			sum += e.data;
	}
	if (rd64(block, GR_LOAD_SUM) != sum) {
		fprintf(stderr, "test-vmm: vm %u vcpu %u: loads summed to 0x%llx in the guest, expected 0x%llx\n",
			p->vm, p->vcpu, (unsigned long long)rd64(block, GR_LOAD_SUM),
			(unsigned long long)sum);
		ok = 0;
	}
	for (unsigned int i = 0; i < p->nentered; i++) {
		if (rd64(block, GR_ENTER_RET + 8 * i) != 0) {
			fprintf(stderr, "test-vmm: vm %u vcpu %u: H_ENTER of page %u returned %lld\n",
				p->vm, p->vcpu, i, (long long)rd64(block, GR_ENTER_RET + 8 * i));
			ok = 0;
		}
	}
	for (unsigned int i = 0; p->program == PROG_HCALLS && i < GUEST_BULK_ENTRIES; i++) {
		uint64_t resp = rd64(block, GR_BULK_RESP + 8 * i) >> 56;

		if ((resp & ~(uint64_t)BULK_RESP_RC) != bulk_entry_resp[i]) {
			fprintf(stderr, "test-vmm: vm %u vcpu %u: H_BULK_REMOVE entry %u (page %u): response 0x%llx, expected 0x%x\n",
				p->vm, p->vcpu, i, bulk_entry_page[i], (unsigned long long)resp,
				bulk_entry_resp[i]);
			ok = 0;
		}
	}
	if (rd64(block, GR_DSI_COUNT) != (p->program == PROG_GONE ? p->nstores : p->nreflect)) {
		fprintf(stderr, "test-vmm: vm %u vcpu %u: the guest took %llu DSIs, expected %u\n",
			p->vm, p->vcpu, (unsigned long long)rd64(block, GR_DSI_COUNT),
			p->program == PROG_GONE ? p->nstores : p->nreflect);
		ok = 0;
	}
	if (p->remover && rd64(block, GR_GONE_ROUNDS) == 0) {
		fprintf(stderr, "test-vmm: vm %u vcpu %u: the remover made no round\n", p->vm, p->vcpu);
		ok = 0;
	}
	if (rd64(block, GR_VALID_FAILS) != 0) {
		fprintf(stderr, "test-vmm: vm %u vcpu %u: %llu of the H_ENTER/H_REMOVE on a valid HPTE failed\n",
			p->vm, p->vcpu, (unsigned long long)rd64(block, GR_VALID_FAILS));
		ok = 0;
	}
	return ok ? 0 : -1;
}

static void print_hcall(const char *run, const struct vcpu_plan *p, const char *name,
			unsigned int page, uint64_t index, uint64_t ret)
{
	printf("KMT hcall run=%s vm=%u vcpu=%u hcall=%s page=%u pte_index=0x%llx ret=%lld\n",
	       run, p->vm, p->vcpu, name, page, (unsigned long long)index, (long long)ret);
}

/* The hcalls of guest.S on the absent HPTEs, after its H_ENTERs. */
static void print_hcall_series(const char *run, const struct vcpu_plan *p, const uint64_t *idx,
			       const uint8_t *block)
{
	print_hcall(run, p, "H_READ", 0, idx[0], rd64(block, GR_READ_RET));
	/* H_READ_4: of the four entries it reads, only page 0's is absent */
	print_hcall(run, p, "H_READ", 0, idx[0], rd64(block, GR_READ4_RET));
	print_hcall(run, p, "H_CLEAR_REF", 0, idx[0], rd64(block, GR_CLEAR_REF_RET));
	print_hcall(run, p, "H_CLEAR_MOD", 0, idx[0], rd64(block, GR_CLEAR_MOD_RET));
	print_hcall(run, p, "H_PROTECT", 1, idx[1], rd64(block, GR_PROTECT_RET));
	print_hcall(run, p, "H_REMOVE", 1, idx[1], rd64(block, GR_REMOVE1_RET));
	/* one H_BULK_REMOVE, with each entry's own result: those on absent
	 * entries (all but entry 1) are hcalls on absent HPTEs */
	for (unsigned int i = 0; i < GUEST_BULK_ENTRIES; i++)
		if (bulk_entry_page[i] != 1)
			print_hcall(run, p, "H_BULK_REMOVE", bulk_entry_page[i],
				    idx[bulk_entry_page[i]], bulk_entry_ret(block, i));
	printf("KMT bulk run=%s vm=%u vcpu=%u ret=%lld", run, p->vm, p->vcpu,
	       (long long)rd64(block, GR_BULK_RET));
	for (unsigned int i = 0; i < GUEST_BULK_ENTRIES; i++)
		printf(" resp%u=0x%llx", i, (unsigned long long)(rd64(block, GR_BULK_RESP + 8 * i) >> 56));
	putchar('\n');
	print_hcall(run, p, "H_REMOVE", 0, idx[0], rd64(block, GR_REMOVE0_RET));
	printf("KMT valid run=%s vm=%u vcpu=%u enter=%u remove=%u failed=%llu\n", run, p->vm,
	       p->vcpu, p->nvalid, p->nvalid, (unsigned long long)rd64(block, GR_VALID_FAILS));
}

void truth_print(const char *run, const struct vcpu_plan *p, const struct vcpu_truth *t,
		 const uint8_t *block)
{
	unsigned int in_kernel = kernel_accesses(p);
	uint64_t idx[GUEST_PAGES];

	printf("KMT vcpu run=%s vm=%u vcpu=%u tid=%d stores=%u loads=%u mmio_exits=%u hcall_exits=%u intr_exits=%u load_sum=0x%llx\n",
	       run, p->vm, p->vcpu, (int)t->tid, p->nstores, p->nloads, t->naccesses,
	       t->hcall_exits, t->intr_exits, (unsigned long long)rd64(block, GR_LOAD_SUM));
	for (unsigned int i = 0; i < p->nentered; i++) {
		idx[i] = rd64(block, GR_ENTER_IDX + 8 * i);
		print_hcall(run, p, "H_ENTER", i, idx[i], rd64(block, GR_ENTER_RET + 8 * i));
	}
	if (p->program == PROG_HCALLS)
		print_hcall_series(run, p, idx, block);
	/* The accesses done in the kernel, as the plan has them (their
	 * ioeventfds count them, truth_check() checked that), then the
	 * KVM_EXIT_MMIOs */
	for (unsigned int i = 0; i < in_kernel + t->naccesses; i++) {
		struct access a = i < in_kernel ? plan_access(p, i) : t->access[i - in_kernel];
		uint64_t segment = (uint64_t)(i % p->segments) << GUEST_SEGMENT_SHIFT;

		printf("KMT mmio run=%s vm=%u vcpu=%u seq=%u %s gpa=0x%llx ea=0x%llx len=%u data=0x%x to=%s\n",
		       run, p->vm, p->vcpu, i, a.is_write ? "store" : "load",
		       (unsigned long long)a.gpa,
		       (unsigned long long)(p->ea[0] + segment + (a.gpa - p->gpa[0])), a.len,
		       a.data, i < in_kernel ? "kernel" : "user");
	}
	for (unsigned int k = 0; p->program == PROG_PREFIXED && k < GUEST_PREFIXED_INSNS; k++) {
		struct access a = prefixed_access(p, k);

		/* retried: KVM resumed the guest at it until the VMM skipped
		 * it; emulated: a KVM_EXIT_MMIO like any other */
		printf("KMT prefixed run=%s vm=%u vcpu=%u insn=%s %s gpa=0x%llx ea=0x%llx pc=0x%llx outcome=%s\n",
		       run, p->vm, p->vcpu, k == GUEST_PREFIXED_STORE ? "pstw" : "plwz",
		       a.is_write ? "store" : "load", (unsigned long long)a.gpa,
		       (unsigned long long)(p->ea[0] + (a.gpa - p->gpa[0])),
		       (unsigned long long)p->prefixed_pc[k], t->skipped[k] ? "retried" : "emulated");
	}
	if (p->program == PROG_GONE)
		printf("KMT gone run=%s vm=%u vcpu=%u role=%s stores=%u dsis=%llu rounds=%llu failed=%llu ea=0x%llx gpa=0x%llx\n",
		       run, p->vm, p->vcpu, p->remover ? "remover" : "storer", p->nstores,
		       (unsigned long long)rd64(block, GR_DSI_COUNT),
		       (unsigned long long)rd64(block, GR_GONE_ROUNDS),
		       (unsigned long long)rd64(block, GR_VALID_FAILS),
		       (unsigned long long)p->ea[0], (unsigned long long)p->gpa[0]);
	if (p->nreflect)
		printf("KMT reflect run=%s vm=%u vcpu=%u loads=%u dsis=%llu ea=0x%llx\n", run, p->vm,
		       p->vcpu, p->nreflect, (unsigned long long)rd64(block, GR_DSI_COUNT),
		       (unsigned long long)p->ea[0]);
	if (p->pause_after)
		printf("KMT pause run=%s vm=%u vcpu=%u seq=%u\n", run, p->vm, p->vcpu,
		       p->pause_after - 1);
}
