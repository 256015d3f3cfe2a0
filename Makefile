# kvm-mmio-trace top-level build.
#
#   make          build BPF objects, skeletons, the libraries and build/kvm-mmio-top
#   make run      install missing build packages, build, run kvm-mmio-top (demo
#                 guests are started when no VM runs on this host)
#   make check    install missing packages, build, run every test
#   make deps     install every missing package (build, tests, test beds)
#
# CFLAGS, LDFLAGS and LDLIBS are yours to set (make CFLAGS=-O0); the flags
# the build itself needs are kept apart and always used. V=1 shows every
# command. Components add their own rules and tests in mk/*.mk.

BUILD      ?= build
ARCH_BPF   ?= $(shell uname -m | sed -e 's/x86_64/x86/' -e 's/aarch64/arm64/' -e 's/ppc64le/powerpc/')
CLANG      ?= clang
BPFTOOL    ?= bpftool
CFLAGS     ?= -O2 -g

# The core (probing, sessions, maps, model, poller) needs libbpf and libcap
# only; the renderers add json-c and ncurses (the live view), the exporter
# libmicrohttpd (its TLS), libyaml (the web config) and libxcrypt (bcrypt).
CORE_LIBS   ?= $(shell pkg-config --libs libbpf libelf zlib libcap 2>/dev/null) -lm
RENDER_LIBS ?= $(shell pkg-config --libs json-c 2>/dev/null) \
	       $(shell pkg-config --libs ncursesw 2>/dev/null || echo -lncursesw -ltinfo)
PROM_LIBS   ?= $(shell pkg-config --libs libmicrohttpd yaml-0.1 libcrypt 2>/dev/null)
LDLIBS      ?= $(PROM_LIBS) $(RENDER_LIBS) $(CORE_LIBS)

LIB_DIRS   := libtrace/core libtrace/render libtrace/prom
BASE_CFLAGS := -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror
KMT_CFLAGS := $(BASE_CFLAGS) -MMD -MP -I$(BUILD) $(addprefix -I,$(LIB_DIRS)) -Ibpf
BPF_CFLAGS := -g -O2 -target bpf -D__TARGET_ARCH_$(ARCH_BPF) -Wall -Werror -MMD -MP -Ibpf

ifeq ($(V),1)
Q   :=
msg :=
else
Q   := @
msg  = @printf '  %-8s %s\n' '$(1)' '$(2)';
endif

# Tests run by `make check`: executables that exit 0 (pass), 77 (skip) or
# anything else (fail). Components append to TESTS and CHECK_PREREQS.
TESTS          :=
CHECK_PREREQS  :=

.PHONY: all deps build-deps run check clean
.DEFAULT_GOAL := all

all: $(BUILD)/kvm-mmio-top

deps:
	@scripts/install-deps.sh

# What building and running the tool needs, and nothing for the tests.
build-deps:
	@scripts/install-deps.sh build

$(BUILD):
	$(Q)mkdir -p $@

include $(sort $(wildcard mk/*.mk))

run: build-deps
	$(MAKE) all $(BUILD)/test-vmm
	scripts/run.sh $(ARGS)

check: deps
	$(MAKE) all $(CHECK_PREREQS)
	tests/run-tests.sh $(TESTS)

clean:
	rm -rf $(BUILD)
