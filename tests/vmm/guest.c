// SPDX-License-Identifier: GPL-2.0
/*
 * One guest: create the VM (guest RAM holding the vCPUs' code, one
 * ioeventfd per vCPU), release the vCPU threads, then check what they saw
 * against what they were asked to do.
 */
#include "guest.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <linux/kvm.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "arch.h"
#include "guest-code.h"

#define WAIT_FILE_POLL_MS	10
#define WAIT_FILE_TIMEOUT_MS	60000

int kvm_error(const struct guest *guest, const char *what)
{
	fprintf(stderr, "test-vmm[%s]: %s: %s\n", guest->opts->name, what,
		strerror(errno));
	return -1;
}

static int open_kvm(struct guest *guest)
{
	int version;

	guest->kvm_fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (guest->kvm_fd < 0) {
		fprintf(stderr, "test-vmm[%s]: open /dev/kvm: %s (is KVM available? load kvm_intel/kvm_amd%s)\n",
			guest->opts->name, strerror(errno),
			errno == EACCES ? " and check the permissions of /dev/kvm" : "");
		return -1;
	}
	version = ioctl(guest->kvm_fd, KVM_GET_API_VERSION, 0);
	if (version != KVM_API_VERSION) {
		fprintf(stderr, "test-vmm[%s]: KVM API version %d, expected %d\n",
			guest->opts->name, version, KVM_API_VERSION);
		return -1;
	}
	if (guest->opts->ioeventfd_writes &&
	    ioctl(guest->kvm_fd, KVM_CHECK_EXTENSION, KVM_CAP_IOEVENTFD) <= 0) {
		fprintf(stderr, "test-vmm[%s]: this kernel's KVM lacks KVM_CAP_IOEVENTFD; run without --ioeventfd-writes\n",
			guest->opts->name);
		return -1;
	}
	return 0;
}

/* --touch-pages: fresh RAM, never touched before the vCPUs store into it. */
static int create_touch_ram(struct guest *guest)
{
	struct kvm_userspace_memory_region region;
	uint64_t size = touch_region_size(guest->opts);

	if (!size)
		return 0;
	guest->touch_ram = mmap(NULL, size, PROT_READ | PROT_WRITE,
				MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (guest->touch_ram == MAP_FAILED) {
		guest->touch_ram = NULL;
		return kvm_error(guest, "mmap --touch-pages RAM");
	}
	region = (struct kvm_userspace_memory_region){
		.slot = 1,
		.guest_phys_addr = TOUCH_GPA,
		.memory_size = size,
		.userspace_addr = (uintptr_t)guest->touch_ram,
	};
	if (ioctl(guest->vm_fd, KVM_SET_USER_MEMORY_REGION, &region) < 0)
		return kvm_error(guest, "KVM_SET_USER_MEMORY_REGION (--touch-pages)");
	return 0;
}

static int create_vm(struct guest *guest)
{
	struct kvm_userspace_memory_region region;

	guest->vm_fd = ioctl(guest->kvm_fd, KVM_CREATE_VM, 0);
	if (guest->vm_fd < 0)
		return kvm_error(guest, "KVM_CREATE_VM");
	if (arch_vm_init(guest))
		return -1;

	guest->ram = mmap(NULL, GUEST_RAM_SIZE, PROT_READ | PROT_WRITE,
			  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (guest->ram == MAP_FAILED) {
		guest->ram = NULL;
		return kvm_error(guest, "mmap guest RAM");
	}
	region = (struct kvm_userspace_memory_region){
		.slot = 0,
		.guest_phys_addr = 0,
		.memory_size = GUEST_RAM_SIZE,
		.userspace_addr = (uintptr_t)guest->ram,
	};
	if (ioctl(guest->vm_fd, KVM_SET_USER_MEMORY_REGION, &region) < 0)
		return kvm_error(guest, "KVM_SET_USER_MEMORY_REGION");
	return create_touch_ram(guest);
}

/* Writes to the vCPU's ioeventfd GPA complete in the kernel as eventfd ticks. */
static int attach_ioeventfd(struct guest *guest, struct vcpu *vcpu)
{
	struct kvm_ioeventfd ioeventfd;

	vcpu->eventfd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (vcpu->eventfd < 0)
		return kvm_error(guest, "eventfd");
	ioeventfd = (struct kvm_ioeventfd){
		.addr = vcpu->ioeventfd_gpa,
		.len = 1,
		.fd = vcpu->eventfd,
	};
	if (ioctl(guest->vm_fd, KVM_IOEVENTFD, &ioeventfd) < 0)
		return kvm_error(guest, "KVM_IOEVENTFD");
	return 0;
}

static int create_vcpu(struct guest *guest, unsigned int index, int run_size)
{
	const struct vmm_options *opts = guest->opts;
	struct vcpu *vcpu = &guest->vcpus[index];
	struct guest_program prog;

	vcpu->opts = opts;
	vcpu->guest_name = opts->name;
	vcpu->index = index;
	vcpu->mmio_gpa = vcpu_mmio_gpa(opts, index);
	vcpu->ioeventfd_gpa = vcpu_ioeventfd_gpa(opts, index);

	prog = (struct guest_program){
		.mmio_gpa = vcpu->mmio_gpa,
		.ioeventfd_gpa = vcpu->ioeventfd_gpa,
		.writes = opts->writes,
		.reads = opts->reads,
		.ioeventfd_writes = opts->ioeventfd_writes,
		.hypercalls = opts->hypercalls,
		.wfis = opts->wfis,
		.touch_gpa = vcpu_touch_gpa(opts, index),
		.touch_pages = opts->touch_pages,
	};
	emit_guest_program(guest->ram + guest_code_offset(index), &prog);

	vcpu->fd = ioctl(guest->vm_fd, KVM_CREATE_VCPU, index);
	if (vcpu->fd < 0)
		return kvm_error(guest, "KVM_CREATE_VCPU");
	vcpu->run = mmap(NULL, run_size, PROT_READ | PROT_WRITE, MAP_SHARED,
			 vcpu->fd, 0);
	if (vcpu->run == MAP_FAILED) {
		vcpu->run = NULL;
		return kvm_error(guest, "mmap kvm_run");
	}
	vcpu->run_size = run_size;
	if (arch_vcpu_init(guest, vcpu))
		return -1;
	if (opts->ioeventfd_writes && attach_ioeventfd(guest, vcpu))
		return -1;
	return 0;
}

int guest_create(struct guest *guest, const struct vmm_options *opts)
{
	int run_size;

	*guest = (struct guest){
		.opts = opts,
		.pid = getpid(),
		.kvm_fd = -1,
		.vm_fd = -1,
	};
	for (unsigned int i = 0; i < MAX_VCPUS; i++) {
		guest->vcpus[i].fd = -1;
		guest->vcpus[i].eventfd = -1;
	}

	if (open_kvm(guest) || create_vm(guest))
		return -1;
	run_size = ioctl(guest->kvm_fd, KVM_GET_VCPU_MMAP_SIZE, 0);
	if (run_size < (int)sizeof(struct kvm_run))
		return kvm_error(guest, "KVM_GET_VCPU_MMAP_SIZE");
	for (unsigned int i = 0; i < opts->vcpus; i++) {
		if (create_vcpu(guest, i, run_size))
			return -1;
	}
	return 0;
}

static int wait_for_file(const struct guest *guest)
{
	const char *path = guest->opts->wait_file;
	const struct timespec poll = { .tv_nsec = WAIT_FILE_POLL_MS * 1000000L };

	for (int waited = 0; waited < WAIT_FILE_TIMEOUT_MS; waited += WAIT_FILE_POLL_MS) {
		if (access(path, F_OK) == 0)
			return 0;
		nanosleep(&poll, NULL);
	}
	fprintf(stderr, "test-vmm[%s]: --wait-file %s did not appear within %d s\n",
		guest->opts->name, path, WAIT_FILE_TIMEOUT_MS / 1000);
	return -1;
}

/* The kernel counted one eventfd tick per ioeventfd write it completed. */
static int collect_ioeventfd(struct guest *guest, struct vcpu *vcpu)
{
	uint64_t count;

	if (read(vcpu->eventfd, &count, sizeof(count)) == sizeof(count)) {
		vcpu->ioeventfd_writes = count;
		return 0;
	}
	if (errno == EAGAIN) {	/* counter still zero */
		vcpu->ioeventfd_writes = 0;
		return 0;
	}
	return kvm_error(guest, "read ioeventfd's eventfd");
}

static int check_count(const struct guest *guest, const struct vcpu *vcpu,
		       const char *what, uint64_t gpa, uint64_t expected,
		       uint64_t seen)
{
	if (seen == expected)
		return 0;
	fprintf(stderr, "test-vmm[%s]: vcpu %u: expected %" PRIu64 " %s at 0x%" PRIx64
		", saw %" PRIu64 "\n", guest->opts->name, vcpu->index, expected,
		what, gpa, seen);
	return -1;
}

/* Pages of the vCPU's --touch-pages region whose first byte it stored. */
static uint64_t touched_pages(const struct guest *guest, const struct vcpu *vcpu)
{
	const struct vmm_options *opts = guest->opts;
	uint64_t first = vcpu_touch_gpa(opts, vcpu->index) - TOUCH_GPA, n = 0;

	for (uint32_t i = 0; i < opts->touch_pages; i++)
		n += guest->touch_ram[first + (uint64_t)i * PAGE_SIZE_4K] == GUEST_WRITE_DATA;
	return n;
}

static int check_vcpu(const struct guest *guest, const struct vcpu *vcpu)
{
	const struct vmm_options *opts = guest->opts;
	int ret = vcpu->failed ? -1 : 0;

	ret |= check_count(guest, vcpu, "MMIO writes", vcpu->mmio_gpa,
			   opts->writes, vcpu->writes);
	ret |= check_count(guest, vcpu, "MMIO reads", vcpu->mmio_gpa,
			   opts->reads, vcpu->reads);
	ret |= check_count(guest, vcpu, "MMIO exits", vcpu->mmio_gpa,
			   (uint64_t)opts->writes + opts->reads, vcpu->mmio_exits);
	ret |= check_count(guest, vcpu, "ioeventfd writes", vcpu->ioeventfd_gpa,
			   opts->ioeventfd_writes, vcpu->ioeventfd_writes);
	ret |= check_count(guest, vcpu, "touched pages", vcpu_touch_gpa(opts, vcpu->index),
			   opts->touch_pages, touched_pages(guest, vcpu));
	return ret;
}

int guest_run(struct guest *guest)
{
	const struct vmm_options *opts = guest->opts;
	pthread_t threads[MAX_VCPUS];
	unsigned int started = 0;
	uint64_t start;
	int ret = 0, err;

	if (opts->wait_file && wait_for_file(guest))
		return -1;

	start = monotonic_ns();
	for (; started < opts->vcpus; started++) {
		err = pthread_create(&threads[started], NULL, vcpu_thread,
				     &guest->vcpus[started]);
		if (err) {
			fprintf(stderr, "test-vmm[%s]: pthread_create: %s\n",
				opts->name, strerror(err));
			ret = -1;
			break;
		}
	}
	for (unsigned int i = 0; i < started; i++)
		pthread_join(threads[i], NULL);
	guest->elapsed_ns = monotonic_ns() - start;
	if (ret)
		return ret;

	for (unsigned int i = 0; i < opts->vcpus; i++) {
		struct vcpu *vcpu = &guest->vcpus[i];

		if (vcpu->eventfd >= 0 && collect_ioeventfd(guest, vcpu))
			ret = -1;
		if (check_vcpu(guest, vcpu))
			ret = -1;
	}
	return ret;
}

void guest_destroy(struct guest *guest)
{
	for (unsigned int i = 0; i < MAX_VCPUS; i++) {
		struct vcpu *vcpu = &guest->vcpus[i];

		if (vcpu->run)
			munmap(vcpu->run, vcpu->run_size);
		if (vcpu->fd >= 0)
			close(vcpu->fd);
		if (vcpu->eventfd >= 0)
			close(vcpu->eventfd);
	}
	if (guest->ram)
		munmap(guest->ram, GUEST_RAM_SIZE);
	if (guest->touch_ram)
		munmap(guest->touch_ram, touch_region_size(guest->opts));
	if (guest->vm_fd >= 0)
		close(guest->vm_fd);
	if (guest->kvm_fd >= 0)
		close(guest->kvm_fd);
}
