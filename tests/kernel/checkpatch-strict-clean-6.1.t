#!/usr/bin/env bash
# checkpatch.pl --strict of linux-source-6.1: no error, warning or check on any 6.1 patch.
set -u
cd "$(dirname "$0")/../.." || exit 1
exec scripts/check-kernel-patches.sh checkpatch 6.1
