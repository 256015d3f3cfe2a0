/*
 * A KVM-HV guest with a hashed page table: the VM, its RAM and its vcpus.
 */
#ifndef KMT_PPC_KVM_VM_H
#define KMT_PPC_KVM_VM_H

#include <stddef.h>
#include <stdint.h>
#include <linux/kvm.h>

#define VM_RAM_SIZE	(16UL << 20)	/* memslot 0 at GPA 0, backs the VRMA */
#define VM_CODE_GPA	0x1000UL
#define VM_SYNC_GPA	0xf000UL	/* a word the VM's vcpus share */
#define VM_BLOCK_GPA	0x10000UL	/* first vcpu's parameter block */
#define VM_BLOCK_STRIDE	0x1000UL

/* guest.S: the guests' DSI handler, at GUEST_DSI_VECTOR in every VM */
extern const char guest_dsi[], guest_dsi_end[];

struct vm {
	int fd;
	uint8_t *ram;
};

struct vcpu {
	int fd;
	struct kvm_run *run;
};

/* Each returns 0, or -1 after printing what failed and why. */
int kvm_open(void);
int vm_create(int kvm, struct vm *vm, const void *code, size_t code_len);
int vcpu_create(int kvm, struct vm *vm, unsigned int id, struct vcpu *vcpu,
		uint64_t block_gpa);
/* An eventfd that KVM signals on each len-byte store to gpa, whatever
 * value it stores (KVM_IOEVENTFD): its fd, or -1. */
int vm_ioeventfd(struct vm *vm, uint64_t gpa, uint32_t len);

#endif
