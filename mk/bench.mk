# Benchmarks (not tests): make bench prints side-by-side ratios; results
# and the commands that produced them are recorded in bench/RESULTS.md.

.PHONY: bench bench-scale bench-replay

$(BUILD)/bench/syscall_rate: bench/syscall_rate.c
	@mkdir -p $(dir $@)
	$(CC) $(BASE_CFLAGS) $(CFLAGS) $(LDFLAGS) $< -o $@

$(BUILD)/bench/lock_churn: bench/lock_churn.c
	@mkdir -p $(dir $@)
	$(CC) $(BASE_CFLAGS) $(CFLAGS) -pthread $(LDFLAGS) $< -o $@

$(BUILD)/bench/floor.bpf.o: bench/floor.bpf.c
	@mkdir -p $(dir $@)
	$(CLANG) $(BPF_CFLAGS) -c $< -o $@

$(BUILD)/bench/floor.skel.h: $(BUILD)/bench/floor.bpf.o
	$(BPFTOOL) gen skeleton $< name floor > $@.tmp && mv $@.tmp $@

$(BUILD)/bench/floor: bench/floor.c $(BUILD)/bench/floor.skel.h
	$(CC) $(BASE_CFLAGS) -I$(BUILD)/bench $(CFLAGS) $(LDFLAGS) $< $(CORE_LIBS) -o $@

$(BUILD)/bench/exit_replay: bench/exit_replay.c $(BUILD)/bench/kvm_run_regs.o \
		$(BUILD)/bench/floor.skel.h $(BUILD)/kvm_mmio.bpf.o
	$(CC) $(BASE_CFLAGS) -I$(BUILD)/bench -Ibpf -Itests/bpf $(CFLAGS) $(LDFLAGS) $< \
		$(BUILD)/bench/kvm_run_regs.o $(CORE_LIBS) -pthread -o $@

$(BUILD)/bench/kvm_run_regs.o: tests/bpf/kvm_run_regs.c $(BUILD)/tests/bpf/kvm_run_regs.skel.h
	@mkdir -p $(dir $@)
	$(CC) $(BASE_CFLAGS) -I$(BUILD) $(CFLAGS) -c $< -o $@

REPLAY = $(BUILD)/bench/exit_replay $(BUILD)/kvm_mmio.bpf.o

# The BPF run time of an exit, replayed without a guest (no /dev/kvm needed): seconds.
bench-replay: $(BUILD)/bench/exit_replay
	$(REPLAY)

# All of it, one part after another (in parallel they would measure each
# other): first the two that need no /dev/kvm, so that a host without it
# still gets their results before cost.sh says why it cannot run.
bench: all $(BUILD)/bench/exit_replay $(BUILD)/bench/scale_fill $(BUILD)/test-vmm \
		$(BUILD)/bench/syscall_rate $(BUILD)/bench/lock_churn $(BUILD)/bench/floor
	$(REPLAY)
	bench/scale.sh
	bench/cost.sh
	bench/tracing-overhead.sh

$(BUILD)/bench/scale_fill: bench/scale_fill.c $(BUILD)/libkmt-core.a $(BUILD)/kvm_mmio.skel.h
	@mkdir -p $(dir $@)
	$(CC) $(BASE_CFLAGS) -Ibpf -Ilibtrace/core -I$(BUILD) $(CFLAGS) $(LDFLAGS) $< $(LIBKMT_CORE) $(CORE_LIBS) \
		-o $@

# kvm-mmio-top's own CPU and RSS with 1 to 1,000 (synthetic) guests, alone: about 7 minutes.
bench-scale: all $(BUILD)/bench/scale_fill
	bench/scale.sh
