# arm64 KVM test bed (tests/arm64-kvm, docs/testbeds.md): Debian's arm64
# kernel under qemu-system-aarch64 with EL2 (TCG), KVM in nVHE and VHE mode,
# kvm-mmio-top and the test VMM cross-built for aarch64 and run inside. The
# tests fetch, build and cache what they need themselves, outside the
# repository; a test that cannot make the bed exits 77 with the reason.

ARM64_KVM_TESTS := $(sort $(wildcard tests/arm64-kvm/*.t))
TESTS += $(ARM64_KVM_TESTS)

.PHONY: check-arm64-kvm arm64-kvm-prepare

# Fetch the kernel, cross-build the tool and test-vmm, build the initramfs.
arm64-kvm-prepare:
	tests/arm64-kvm/prepare.sh

check-arm64-kvm: deps
	tests/run-tests.sh $(ARM64_KVM_TESTS)
