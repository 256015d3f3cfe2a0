#!/usr/bin/env bash
# Both bases have a series file listing their patches, and the same patches.
set -u
cd "$(dirname "$0")/../.." || exit 1
exec scripts/check-kernel-patches.sh consistent
