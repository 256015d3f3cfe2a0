# x86 hardware-KVM test bed (tests/x86-kvm, docs/testbeds.md): a stock Debian
# x86_64 kernel under QEMU TCG with an SVM CPU, where kvm:kvm_exit and
# kvm:kvm_entry fire. Its tests run build/test-vmm and build/kvm-mmio-top
# inside the test bed; a test whose binary is missing exits 77 with the reason.

X86_KVM_TESTS := $(sort $(wildcard tests/x86-kvm/*.t))
X86_KVM_BINS  := $(BUILD)/test-vmm $(BUILD)/kvm-mmio-top
TESTS += $(X86_KVM_TESTS)

.PHONY: check-x86-kvm x86-kvm-prepare

# Fetch the kernel and build the initramfs only (cached; see prepare.sh).
x86-kvm-prepare:
	tests/x86-kvm/prepare.sh

check-x86-kvm: deps
	$(MAKE) $(X86_KVM_BINS)
	tests/run-tests.sh $(X86_KVM_TESTS)
