# Least privilege and hostile input (docs/security.md): the systemd unit's
# exposure score and system call filter, the tool run with only the unit's
# capabilities, TLS and basic auth on /metrics.

TESTS += $(sort $(wildcard tests/security/*.t))

# kvm-mmio-top and the test VMM built with the unit tests' ASan and UBSan
# (SAN_FLAGS, mk/tests.mk), for tests/security/sanitizers-over-live-tests.t,
# which runs live, Prometheus and security tests with them.
# The libraries and the VMM's sources are named in mk/tests.mk and mk/vmm.mk,
# read after this file: expanded a second time, when the rules run.
SAN_TOOLS := $(BUILD)/san/kvm-mmio-top $(BUILD)/san/test-vmm
.SECONDEXPANSION:

$(BUILD)/san/kvm-mmio-top: $(BUILD)/san/obj/tools/kvm-mmio-top.o $$(SAN_PROM) $$(SAN_RENDER) \
		$$(SAN_CORE)
	$(call msg,LINK,$@)
	$(Q)$(CC) $(CFLAGS) $(SAN_FLAGS) $(LDFLAGS) $^ $(LDLIBS) -o $@

$(BUILD)/san/test-vmm: $$(TEST_VMM_SRCS) $$(TEST_VMM_HDRS) | $(BUILD)
	$(call msg,LINK,$@)
	$(Q)mkdir -p $(dir $@)
	$(Q)$(CC) $(BASE_CFLAGS) $(CFLAGS) $(SAN_FLAGS) -Itests/vmm -pthread $(LDFLAGS) -o $@ \
		$(TEST_VMM_SRCS)

CHECK_PREREQS += $(SAN_TOOLS)
