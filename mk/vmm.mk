# Test VMM: KVM guests with an exact, known number of MMIO exits, the ground
# truth for the live tests. See docs/test-vmm.md.
#
# The architecture-specific parts (guest code, vCPU set-up) live in
# tests/vmm/<arch>/; the compiler's target picks them, so a cross build is
# `make CC=aarch64-linux-gnu-gcc BUILD=dir dir/test-vmm` (the arm64 test bed
# does this, with LDFLAGS=-static).

TEST_VMM_ARCH := $(shell $(CC) -dumpmachine 2>/dev/null | sed -n -e 's/^x86_64-.*/x86/p' -e 's/^aarch64-.*/arm64/p')
TEST_VMM_SRCS := $(wildcard tests/vmm/*.c tests/vmm/$(TEST_VMM_ARCH)/*.c)
TEST_VMM_HDRS := $(wildcard tests/vmm/*.h tests/vmm/*/*.h)

$(BUILD)/test-vmm: $(TEST_VMM_SRCS) $(TEST_VMM_HDRS) | $(BUILD)
	$(if $(TEST_VMM_ARCH),,$(error test-vmm: no guest code for $(CC)'s target $(shell $(CC) -dumpmachine); tests/vmm has x86 and arm64))
	$(call msg,LINK,$@)
	$(Q)$(CC) $(BASE_CFLAGS) $(CFLAGS) -Itests/vmm -pthread $(LDFLAGS) -o $@ $(TEST_VMM_SRCS)

TESTS         += $(sort $(wildcard tests/vmm/*.t))
CHECK_PREREQS += $(BUILD)/test-vmm
