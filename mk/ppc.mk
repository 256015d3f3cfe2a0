# POWER test bed: the kernel series' tracepoints on emulated powernv8 and
# powernv9 hosts under QEMU (tests/ppc, docs/testbeds.md). The tests build
# and cache what they need themselves, outside the repository.

PPC_TESTS := $(sort $(wildcard tests/ppc/*.t))
TESTS     += $(PPC_TESTS)

# run-tests.sh shows the output of failing tests only; the expected/seen
# tables of the passing ones are printed from their logs afterwards.
.PHONY: check-ppc
check-ppc: deps
	@rc=0; tests/run-tests.sh $(PPC_TESTS) || rc=$$?; \
	for t in $(PPC_TESTS); do \
		log=$${TEST_LOG_DIR:-build/test-logs}/$$(echo "$$t" | tr / _).log; \
		[ -f "$$log" ] && { echo "== $$t"; cat "$$log"; }; \
	done; exit $$rc
