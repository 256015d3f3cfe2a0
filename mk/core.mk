# BPF objects, skeletons, the three libraries and kvm-mmio-top.
#
#   libkmt-core.a    probing, backends, session, map reading, model, poller, names
#   libkmt-render.a  the table and JSON reports (json-c)
#   libkmt-prom.a    the Prometheus exporter (libmicrohttpd with GnuTLS, libyaml
#                    for --web-config, libxcrypt for bcrypt)

BPF_OBJS     := $(BUILD)/kvm_mmio.bpf.o
SKELETONS    := $(BPF_OBJS:.bpf.o=.skel.h)
CORE_SRCS    := $(wildcard libtrace/core/*.c)
RENDER_SRCS  := $(wildcard libtrace/render/*.c)
PROM_SRCS    := $(wildcard libtrace/prom/*.c)
obj_of        = $(patsubst %.c,$(BUILD)/$(2)obj/%.o,$(1))
LIBKMT_CORE  := $(BUILD)/libkmt-core.a
LIBKMT_RENDER := $(BUILD)/libkmt-render.a
LIBKMT_PROM  := $(BUILD)/libkmt-prom.a
LIBKMT       := $(LIBKMT_PROM) $(LIBKMT_RENDER) $(LIBKMT_CORE)
TOOL_OBJ     := $(call obj_of,tools/kvm-mmio-top.c)

$(BUILD)/%.bpf.o: bpf/%.bpf.c | $(BUILD)
	$(call msg,CLANG,$@)
	$(Q)$(CLANG) $(BPF_CFLAGS) -c $< -o $@

$(BUILD)/%.skel.h: $(BUILD)/%.bpf.o
	$(call msg,GEN-SKEL,$@)
	$(Q)$(BPFTOOL) gen skeleton $< name $* > $@.tmp && mv $@.tmp $@

# Objects may include a skeleton: build those first; -MMD tracks the rest.
$(BUILD)/obj/%.o: %.c | $(SKELETONS)
	$(call msg,CC,$@)
	$(Q)mkdir -p $(dir $@)
	$(Q)$(CC) $(KMT_CFLAGS) $(CFLAGS) -c $< -o $@

$(LIBKMT_CORE): $(call obj_of,$(CORE_SRCS))
$(LIBKMT_RENDER): $(call obj_of,$(RENDER_SRCS))
$(LIBKMT_PROM): $(call obj_of,$(PROM_SRCS))
$(LIBKMT):
	$(call msg,AR,$@)
	$(Q)rm -f $@ && $(AR) rcs $@ $^

$(BUILD)/kvm-mmio-top: $(TOOL_OBJ) $(LIBKMT)
	$(call msg,LINK,$@)
	$(Q)$(CC) $(KMT_CFLAGS) $(CFLAGS) $(LDFLAGS) $^ $(LDLIBS) -o $@

-include $(wildcard $(BUILD)/*.bpf.d) $(shell find $(BUILD) -name "*.d" -path "*obj/*" 2>/dev/null)
.SECONDARY: $(BPF_OBJS) $(SKELETONS)
