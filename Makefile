# kvm-mmio-trace top-level build.
#
#   make          build BPF objects, skeletons, libtrace and build/kvm-mmio-top
#   make run      install missing packages, build, run kvm-mmio-top (demo guests
#                 are started when no VM runs on this host)
#   make check    install missing packages, build, run every test
#   make deps     install missing packages only
#
# Components add their own rules and tests in mk/*.mk.

BUILD      ?= build
ARCH_BPF   ?= $(shell uname -m | sed -e 's/x86_64/x86/' -e 's/aarch64/arm64/' -e 's/ppc64le/powerpc/')
CC         ?= gcc
CLANG      ?= clang
BPFTOOL    ?= bpftool
PKG_LIBS   := libbpf libelf zlib json-c libmicrohttpd libcap

WARN       := -Wall -Wextra -Werror
CFLAGS     ?= -O2 -g
CFLAGS     += -std=c11 -D_GNU_SOURCE $(WARN) -I$(BUILD) -Ilibtrace -Ibpf
LDLIBS     += $(shell pkg-config --libs $(PKG_LIBS) 2>/dev/null) -lm
BPF_CFLAGS := -g -O2 -target bpf -D__TARGET_ARCH_$(ARCH_BPF) -Wall -Werror -Ibpf

# Tests run by `make check`: executables that exit 0 (pass), 77 (skip) or
# anything else (fail). Components append to TESTS and CHECK_PREREQS.
TESTS          :=
CHECK_PREREQS  :=

.PHONY: all deps run check clean
.DEFAULT_GOAL := all

all: $(BUILD)/kvm-mmio-top

deps:
	@scripts/install-deps.sh

$(BUILD):
	mkdir -p $@

include $(sort $(wildcard mk/*.mk))

run: deps
	$(MAKE) all
	scripts/run.sh $(ARGS)

check: deps
	$(MAKE) all $(CHECK_PREREQS)
	tests/run-tests.sh $(TESTS)

clean:
	rm -rf $(BUILD)
