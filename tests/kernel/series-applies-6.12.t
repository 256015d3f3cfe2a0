#!/usr/bin/env bash
# The series applies with git am to Debian's linux-source-6.12.
set -u
cd "$(dirname "$0")/../.." || exit 1
exec scripts/check-kernel-patches.sh apply 6.12
