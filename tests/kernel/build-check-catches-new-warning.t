#!/usr/bin/env bash
# The build check fails when the patched tree gains a sparse warning.
set -u
cd "$(dirname "$0")/../.." || exit 1
exec scripts/check-kernel-patches.sh build-selftest 6.1
