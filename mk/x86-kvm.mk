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

# Builds the binaries the tests run, each one that has a build rule (a
# component not merged yet has none: its tests then skip); a build that
# fails fails the target.
check-x86-kvm: deps
	@set -e; for b in $(X86_KVM_BINS); do \
		if $(MAKE) -n $$b >/dev/null 2>&1; then $(MAKE) $$b; \
		else echo "check-x86-kvm: no rule to build $$b yet, its tests will skip"; fi; \
	done
	tests/run-tests.sh $(X86_KVM_TESTS)
