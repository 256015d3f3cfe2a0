/* KVM-HV guests with a hashed page table, see kvm-vm.h. */
#include "kvm-vm.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "guest-abi.h"
#include "hpt.h"

#define KVM_VM_PPC_HV	1

#define MSR_SF		(1ULL << 63)
#define MSR_ME		(1ULL << 12)
#define MSR_LE		(1ULL << 0)
#define LPCR_ILE	(1ULL << 25)	/* interrupts taken little endian */

static int fail(const char *what)
{
	fprintf(stderr, "test-vmm: %s: %s\n", what, strerror(errno));
	return -1;
}

static int enable_hcall(int vm, uint64_t hcall)
{
	struct kvm_enable_cap cap = { .cap = KVM_CAP_PPC_ENABLE_HCALL, .args = { hcall, 1 } };

	if (ioctl(vm, KVM_ENABLE_CAP, &cap)) {
		fprintf(stderr, "test-vmm: KVM_ENABLE_CAP(KVM_CAP_PPC_ENABLE_HCALL, 0x%llx): %s\n",
			(unsigned long long)hcall, strerror(errno));
		return -1;
	}
	return 0;
}

int kvm_open(void)
{
	int kvm = open("/dev/kvm", O_RDWR | O_CLOEXEC);

	if (kvm < 0)
		return fail("open /dev/kvm (is KVM_BOOK3S_64_HV built in?)");
	return kvm;
}

int vm_create(int kvm, struct vm *vm, const void *code, size_t code_len)
{
	struct kvm_userspace_memory_region slot = { 0 };
	uint32_t order = HPT_ORDER;

	vm->fd = ioctl(kvm, KVM_CREATE_VM, KVM_VM_PPC_HV);
	if (vm->fd < 0)
		return fail("KVM_CREATE_VM(KVM_VM_PPC_HV)");
	/* An ISA v3.0 host (POWER9) would give a radix guest by default; the
	 * absent-HPTE path needs a hashed page table. */
	if (ioctl(kvm, KVM_CHECK_EXTENSION, KVM_CAP_PPC_MMU_HASH_V3) > 0) {
		struct kvm_ppc_mmuv3_cfg hash = { .flags = 0, .process_table = 0 };

		if (ioctl(vm->fd, KVM_PPC_CONFIGURE_V3_MMU, &hash))
			return fail("KVM_PPC_CONFIGURE_V3_MMU(hash)");
	}
	/* KVM-HV implements H_CLEAR_REF and H_CLEAR_MOD but, unlike the
	 * other HPT hcalls, leaves them to user space until enabled. */
	if (enable_hcall(vm->fd, H_CLEAR_REF) || enable_hcall(vm->fd, H_CLEAR_MOD))
		return -1;
	if (ioctl(vm->fd, KVM_PPC_ALLOCATE_HTAB, &order))
		return fail("KVM_PPC_ALLOCATE_HTAB");
	/* Populated up front: KVM then maps the whole VRMA with valid HPTEs,
	 * and the guest's real-mode accesses to RAM never fault, so every
	 * HDSI the tests count is one of the MMIO accesses. */
	vm->ram = mmap(NULL, VM_RAM_SIZE, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	if (vm->ram == MAP_FAILED)
		return fail("mmap guest RAM");
	memset(vm->ram, 0, VM_RAM_SIZE);
	memcpy(vm->ram + VM_CODE_GPA, code, code_len);
	memcpy(vm->ram + GUEST_DSI_VECTOR, guest_dsi, guest_dsi_end - guest_dsi);
	slot.slot = 0;
	slot.guest_phys_addr = 0;
	slot.memory_size = VM_RAM_SIZE;
	slot.userspace_addr = (uint64_t)(uintptr_t)vm->ram;
	if (ioctl(vm->fd, KVM_SET_USER_MEMORY_REGION, &slot))
		return fail("KVM_SET_USER_MEMORY_REGION (slot 0 at GPA 0)");
	return 0;
}

int vcpu_create(int kvm, struct vm *vm, unsigned int id, struct vcpu *vcpu,
		uint64_t block_gpa)
{
	struct kvm_enable_cap papr = { .cap = KVM_CAP_PPC_PAPR };
	struct kvm_one_reg lpcr_reg = { .id = KVM_REG_PPC_LPCR_64 };
	struct kvm_regs regs;
	uint64_t lpcr;
	int size;

	vcpu->fd = ioctl(vm->fd, KVM_CREATE_VCPU, id);
	if (vcpu->fd < 0)
		return fail("KVM_CREATE_VCPU");
	/* Without PAPR mode KVM_RUN fails with EINVAL on an HV guest. */
	if (ioctl(vcpu->fd, KVM_ENABLE_CAP, &papr))
		return fail("KVM_ENABLE_CAP(KVM_CAP_PPC_PAPR)");
	size = ioctl(kvm, KVM_GET_VCPU_MMAP_SIZE, 0);
	if (size < 0)
		return fail("KVM_GET_VCPU_MMAP_SIZE");
	vcpu->run = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, vcpu->fd, 0);
	if (vcpu->run == MAP_FAILED)
		return fail("mmap kvm_run");
	if (ioctl(vcpu->fd, KVM_GET_REGS, &regs))
		return fail("KVM_GET_REGS");
	regs.pc = VM_CODE_GPA;
	regs.msr = MSR_SF | MSR_ME | MSR_LE; /* 64-bit, little endian, real mode */
	regs.gpr[31] = block_gpa;
	if (ioctl(vcpu->fd, KVM_SET_REGS, &regs))
		return fail("KVM_SET_REGS");
	/* The guest's DSI handler is little endian code like the rest */
	lpcr_reg.addr = (uint64_t)(uintptr_t)&lpcr;
	if (ioctl(vcpu->fd, KVM_GET_ONE_REG, &lpcr_reg))
		return fail("KVM_GET_ONE_REG(KVM_REG_PPC_LPCR_64)");
	lpcr |= LPCR_ILE;
	if (ioctl(vcpu->fd, KVM_SET_ONE_REG, &lpcr_reg))
		return fail("KVM_SET_ONE_REG(KVM_REG_PPC_LPCR_64)");
	return 0;
}

int vm_ioeventfd(struct vm *vm, uint64_t gpa, uint32_t len)
{
	struct kvm_ioeventfd io = { .addr = gpa, .len = len };
	int fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);

	if (fd < 0)
		return fail("eventfd");
	io.fd = fd;
	if (ioctl(vm->fd, KVM_IOEVENTFD, &io)) {
		close(fd);
		return fail("KVM_IOEVENTFD");
	}
	return fd;
}
