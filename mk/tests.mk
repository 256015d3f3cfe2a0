# Unit tests (cmocka, under ASan and UBSan), BPF program tests run through
# BPF_PROG_TEST_RUN, and live tests against real KVM guests.
#
# Tests of the core link with the core library and its packages alone: that
# the core needs neither json-c nor libmicrohttpd is checked on every build.

SAN_FLAGS     := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all
SAN_CORE      := $(BUILD)/san/libkmt-core.a
SAN_RENDER    := $(BUILD)/san/libkmt-render.a
SAN_PROM      := $(BUILD)/san/libkmt-prom.a
CORE_UNITS    := test_backend test_guest_name test_hist test_model test_probe
UNIT_BINS     := $(patsubst tests/unit/%.c,$(BUILD)/tests/unit/%,$(wildcard tests/unit/test_*.c))
CORE_UNIT_BINS := $(filter $(addprefix $(BUILD)/tests/unit/,$(CORE_UNITS)),$(UNIT_BINS))
BPF_TEST_BINS := $(patsubst tests/bpf/%.c,$(BUILD)/tests/bpf/%,$(wildcard tests/bpf/test_*.c))

$(BUILD)/san/obj/%.o: %.c | $(SKELETONS)
	$(call msg,CC-SAN,$@)
	$(Q)mkdir -p $(dir $@)
	$(Q)$(CC) $(KMT_CFLAGS) $(CFLAGS) $(SAN_FLAGS) -Itests -c $< -o $@

$(SAN_CORE): $(call obj_of,$(CORE_SRCS),san/)
$(SAN_RENDER): $(call obj_of,$(RENDER_SRCS),san/)
$(SAN_PROM): $(call obj_of,$(PROM_SRCS),san/)
$(SAN_CORE) $(SAN_RENDER) $(SAN_PROM):
	$(call msg,AR,$@)
	$(Q)rm -f $@ && $(AR) rcs $@ $^

$(CORE_UNIT_BINS) $(BPF_TEST_BINS): $(BUILD)/tests/%: $(BUILD)/san/obj/tests/%.o $(SAN_CORE)
	$(call msg,LINK,$@)
	$(Q)mkdir -p $(dir $@)
	$(Q)$(CC) $(CFLAGS) $(SAN_FLAGS) $(LDFLAGS) $^ $(CORE_LIBS) -lcmocka -pthread -o $@

# A KVM_RUN re-entry for BPF_PROG_TEST_RUN (tests/bpf/kvm_run_regs.h), for
# the BPF tests and bench/exit_replay.
$(BUILD)/tests/bpf/kvm_run_regs.bpf.o: tests/bpf/kvm_run_regs.bpf.c
	$(call msg,CLANG,$@)
	$(Q)mkdir -p $(dir $@)
	$(Q)$(CLANG) $(BPF_CFLAGS) -c $< -o $@

$(BUILD)/tests/bpf/kvm_run_regs.skel.h: $(BUILD)/tests/bpf/kvm_run_regs.bpf.o
	$(call msg,GEN-SKEL,$@)
	$(Q)$(BPFTOOL) gen skeleton $< name kvm_run_regs > $@.tmp && mv $@.tmp $@

$(BUILD)/san/obj/tests/bpf/kvm_run_regs.o: $(BUILD)/tests/bpf/kvm_run_regs.skel.h
$(BPF_TEST_BINS): $(BUILD)/san/obj/tests/bpf/kvm_run_regs.o

$(filter-out $(CORE_UNIT_BINS),$(UNIT_BINS)): $(BUILD)/tests/%: $(BUILD)/san/obj/tests/%.o \
		$(SAN_PROM) $(SAN_RENDER) $(SAN_CORE)
	$(call msg,LINK,$@)
	$(Q)mkdir -p $(dir $@)
	$(Q)$(CC) $(CFLAGS) $(SAN_FLAGS) $(LDFLAGS) $^ $(LDLIBS) -lcmocka -o $@

TESTS         += $(UNIT_BINS) $(BPF_TEST_BINS) $(sort $(wildcard tests/live/*.t)) \
		 $(sort $(wildcard tests/runner/*.t))
CHECK_PREREQS += $(UNIT_BINS) $(BPF_TEST_BINS) $(BUILD)/test-vmm
