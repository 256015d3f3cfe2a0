# POWER test bed: the kernel series' tracepoints on emulated powernv8 and
# powernv9 hosts under QEMU (tests/ppc, docs/testbeds.md). The tests build
# and cache what they need themselves, outside the repository.

PPC_TESTS := $(sort $(wildcard tests/ppc/*.t))
TESTS     += $(PPC_TESTS)

.PHONY: check-ppc
check-ppc: deps
	tests/run-tests.sh $(PPC_TESTS)
