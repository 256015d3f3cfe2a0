# Kernel patch series (kernel-patches/): apply, checkpatch, W=1/sparse
# build and real-mode checks against Debian's linux-source-6.1 and 6.12.
# The work trees live in $(KMT_CACHE)/kernel (default
# /var/cache/kvm-mmio-trace/kernel), outside the repository.

.PHONY: check-kernel-patches

check-kernel-patches:
	scripts/check-kernel-patches.sh all

TESTS += $(sort $(wildcard tests/kernel/*.t))
