# BPF objects, skeletons, libtrace and kvm-mmio-top.

BPF_OBJS    := $(BUILD)/kvm_mmio.bpf.o
SKELETONS   := $(BPF_OBJS:.bpf.o=.skel.h)
LIB_SRCS    := $(wildcard libtrace/*.c)
LIB_OBJS    := $(LIB_SRCS:libtrace/%.c=$(BUILD)/libtrace/%.o)
LIBTRACE    := $(BUILD)/libtrace.a

$(BUILD)/%.bpf.o: bpf/%.bpf.c $(wildcard bpf/*.h) | $(BUILD)
	$(CLANG) $(BPF_CFLAGS) -c $< -o $@

$(BUILD)/%.skel.h: $(BUILD)/%.bpf.o
	$(BPFTOOL) gen skeleton $< name $* > $@.tmp && mv $@.tmp $@

$(BUILD)/libtrace/%.o: libtrace/%.c $(wildcard libtrace/*.h bpf/*.h) $(SKELETONS)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -c $< -o $@

$(LIBTRACE): $(LIB_OBJS)
	$(AR) rcs $@ $^

$(BUILD)/kvm-mmio-top: tools/kvm-mmio-top.c $(LIBTRACE)
	$(CC) $(CFLAGS) $< $(LIBTRACE) $(LDLIBS) -o $@
