# Test VMM: real-mode KVM guests with an exact, known number of MMIO exits,
# the ground truth for the live tests. See docs/test-vmm.md.

TEST_VMM_SRCS := $(wildcard tests/vmm/*.c)
TEST_VMM_HDRS := $(wildcard tests/vmm/*.h)

$(BUILD)/test-vmm: $(TEST_VMM_SRCS) $(TEST_VMM_HDRS) | $(BUILD)
	$(call msg,LINK,$@)
	$(Q)$(CC) $(BASE_CFLAGS) $(CFLAGS) -pthread $(LDFLAGS) -o $@ $(TEST_VMM_SRCS)

TESTS         += $(sort $(wildcard tests/vmm/*.t))
CHECK_PREREQS += $(BUILD)/test-vmm
