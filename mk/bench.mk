# Benchmarks (not tests): make bench prints side-by-side ratios; results
# and the commands that produced them are recorded in bench/RESULTS.md.

.PHONY: bench

$(BUILD)/bench/syscall_rate: bench/syscall_rate.c
	@mkdir -p $(dir $@)
	$(CC) $(BASE_CFLAGS) $(CFLAGS) $(LDFLAGS) $< -o $@

$(BUILD)/bench/lock_churn: bench/lock_churn.c
	@mkdir -p $(dir $@)
	$(CC) $(BASE_CFLAGS) $(CFLAGS) -pthread $(LDFLAGS) $< -o $@

bench: all $(BUILD)/test-vmm $(BUILD)/bench/syscall_rate $(BUILD)/bench/lock_churn
	bench/tracing-overhead.sh
