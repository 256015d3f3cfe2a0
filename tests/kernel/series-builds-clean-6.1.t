#!/usr/bin/env bash
# arch/powerpc/kvm/ of 6.1 builds with the series and W=1 C=2 without new gcc or sparse warnings.
set -u
cd "$(dirname "$0")/../.." || exit 1
exec scripts/check-kernel-patches.sh build 6.1
