#!/usr/bin/env bash
# 6.12: no trace call is reachable from the POWER7/8 real-mode entry points.
set -u
cd "$(dirname "$0")/../.." || exit 1
exec scripts/check-kernel-patches.sh realmode 6.12
