# Live tests of the Prometheus export (docs/prometheus.md). Its unit tests
# (tests/unit/test_prom_*.c, test_textfile.c, test_metrics_http.c) are built
# and run by mk/tests.mk like every other unit test.

TESTS += $(sort $(wildcard tests/prom/*.t))

# Makes realloc() fail on demand under the exporter (tests/prom/alloc_limit.c).
$(BUILD)/tests/prom/alloc_limit.so: tests/prom/alloc_limit.c
	@mkdir -p $(dir $@)
	$(CC) $(BASE_CFLAGS) $(CFLAGS) -fPIC -shared $(LDFLAGS) $< -ldl -o $@

CHECK_PREREQS += $(BUILD)/tests/prom/alloc_limit.so $(BUILD)/bench/scale_fill
