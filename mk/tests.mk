# Unit tests (cmocka, under ASan and UBSan), BPF program tests run through
# BPF_PROG_TEST_RUN, and live tests against real KVM guests.

SAN_FLAGS     := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all
SAN_LIB_OBJS  := $(LIB_SRCS:libtrace/%.c=$(BUILD)/san/libtrace/%.o)
LIBTRACE_SAN  := $(BUILD)/san/libtrace.a
UNIT_BINS     := $(patsubst tests/unit/%.c,$(BUILD)/tests/unit/%,$(wildcard tests/unit/test_*.c))
BPF_TEST_BINS := $(patsubst tests/bpf/%.c,$(BUILD)/tests/bpf/%,$(wildcard tests/bpf/test_*.c))

$(BUILD)/san/libtrace/%.o: libtrace/%.c $(wildcard libtrace/*.h bpf/*.h) $(SKELETONS)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(SAN_FLAGS) -c $< -o $@

$(LIBTRACE_SAN): $(SAN_LIB_OBJS)
	$(AR) rcs $@ $^

$(BUILD)/tests/unit/% $(BUILD)/tests/bpf/%: tests/*/%.c $(LIBTRACE_SAN)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(SAN_FLAGS) -Itests $< $(LIBTRACE_SAN) $(LDLIBS) -lcmocka -o $@

TESTS         += $(UNIT_BINS) $(BPF_TEST_BINS) $(sort $(wildcard tests/live/*.t))
CHECK_PREREQS += $(UNIT_BINS) $(BPF_TEST_BINS) $(BUILD)/test-vmm
