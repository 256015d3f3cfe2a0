# libFuzzer targets (fuzz/, docs/security.md) for every parser and renderer
# that takes outside input: guest names from /proc/PID/cmdline, Prometheus
# label escaping, the JSON/table/exposition renderers, the --web-config
# file, and raw HTTP requests to /metrics. Built with clang,
# -fsanitize=fuzzer,address,undefined, against libraries built the same way.
#
#   make check   runs each target briefly (tests/fuzz/*.t, KMT_FUZZ_SECONDS, default 8)
#                on a copy of its corpus
#   make fuzz    runs each FUZZ_SECONDS (default 300) on fuzz/corpus/TARGET itself,
#                adding what it finds there (commit it); crashes go to build/fuzz/artifacts/

FUZZ_CC      ?= clang
FUZZ_SECONDS ?= 300
FUZZ_SAN     := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
FUZZ_TARGETS := $(patsubst fuzz/%.c,%,$(wildcard fuzz/fuzz_*.c))
FUZZ_BINS    := $(addprefix $(BUILD)/fuzz/,$(FUZZ_TARGETS))
FUZZ_LIBS    := $(addprefix $(BUILD)/fuzz/,libkmt-prom.a libkmt-render.a libkmt-core.a)

$(BUILD)/fuzz/obj/%.o: %.c | $(SKELETONS)
	$(call msg,CC-FUZZ,$@)
	$(Q)mkdir -p $(dir $@)
	$(Q)$(FUZZ_CC) $(KMT_CFLAGS) $(CFLAGS) $(FUZZ_SAN) -fsanitize=fuzzer-no-link -Itests \
		-c $< -o $@

# session.c (BPF loading) is no target's input, and clang is stricter about its
# designated initializers than the gcc build.
$(BUILD)/fuzz/libkmt-core.a: $(call obj_of,$(filter-out libtrace/core/session.c,$(CORE_SRCS)),fuzz/)
$(BUILD)/fuzz/libkmt-render.a: $(call obj_of,$(RENDER_SRCS),fuzz/)
$(BUILD)/fuzz/libkmt-prom.a: $(call obj_of,$(PROM_SRCS),fuzz/)
$(FUZZ_LIBS):
	$(call msg,AR,$@)
	$(Q)rm -f $@ && $(AR) rcs $@ $^

$(FUZZ_BINS): $(BUILD)/fuzz/%: $(BUILD)/fuzz/obj/fuzz/%.o $(FUZZ_LIBS)
	$(call msg,LINK,$@)
	$(Q)$(FUZZ_CC) $(CFLAGS) $(FUZZ_SAN) -fsanitize=fuzzer $(LDFLAGS) $^ $(LDLIBS) -o $@

.PHONY: fuzz
fuzz: $(FUZZ_BINS)
	@mkdir -p $(BUILD)/fuzz/artifacts
	@for t in $(FUZZ_TARGETS); do \
		echo "fuzz: $$t for $(FUZZ_SECONDS)s on fuzz/corpus/$$t"; \
		mkdir -p fuzz/corpus/$$t; \
		$(BUILD)/fuzz/$$t -max_total_time=$(FUZZ_SECONDS) -timeout=10 -rss_limit_mb=1024 \
			-artifact_prefix=$(BUILD)/fuzz/artifacts/$$t- -print_final_stats=1 \
			fuzz/corpus/$$t || exit 1; \
	done

TESTS         += $(sort $(wildcard tests/fuzz/*.t))
CHECK_PREREQS += $(FUZZ_BINS)
