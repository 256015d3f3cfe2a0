#!/usr/bin/env bash
# The real-mode check fails when a trace call is put into kvmppc_hpte_hv_fault().
set -u
cd "$(dirname "$0")/../.." || exit 1
exec scripts/check-kernel-patches.sh realmode-selftest 6.1
