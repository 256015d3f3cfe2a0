#!/usr/bin/env bash
# Every prefix of the 6.12 series builds: arch/powerpc/kvm/ (W=1) after each
# patch, a full vmlinux after the first and the last (cached per series).
set -u
cd "$(dirname "$0")/../.." || exit 1
exec scripts/check-kernel-patches.sh bisect 6.12
