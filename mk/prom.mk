# Prometheus export: unit tests (cmocka, built with sanitizers against a
# sanitized copy of libtrace, so the code under test is checked too) and the
# live tests in tests/prom/. See docs/prometheus.md.

SAN_FLAGS       := -fsanitize=address,undefined -fno-omit-frame-pointer
SAN_LIB_OBJS    := $(LIB_SRCS:libtrace/%.c=$(BUILD)/san/libtrace/%.o)
LIBTRACE_SAN    := $(BUILD)/san/libtrace.a
PROM_UNIT_TESTS := $(patsubst tests/unit/%.c,$(BUILD)/tests/unit/%,\
		     $(wildcard tests/unit/test_prom_*.c tests/unit/test_textfile.c \
				tests/unit/test_metrics_http.c))

$(BUILD)/san/libtrace/%.o: libtrace/%.c $(wildcard libtrace/*.h bpf/*.h) $(SKELETONS)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(SAN_FLAGS) -c $< -o $@

$(LIBTRACE_SAN): $(SAN_LIB_OBJS)
	$(AR) rcs $@ $^

$(PROM_UNIT_TESTS): $(BUILD)/tests/unit/%: tests/unit/%.c $(LIBTRACE_SAN)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(SAN_FLAGS) $< $(LIBTRACE_SAN) -lcmocka $(LDLIBS) -o $@

TESTS         += $(PROM_UNIT_TESTS) $(sort $(wildcard tests/prom/*.t))
CHECK_PREREQS += $(PROM_UNIT_TESTS) $(BUILD)/test-vmm
