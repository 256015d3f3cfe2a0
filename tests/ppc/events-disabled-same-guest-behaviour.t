#!/usr/bin/env bash
# With every trace event disabled, the guests do exactly what they do with
# all of them enabled (same MMIO exits, values, hcall return codes), on
# both hosts, and nothing is recorded: the series changes behaviour only
# while its events are on.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
for m in powernv8 powernv9; do
	log=$("$ppc_dir/run-boot.sh" $m | tail -n 1)
	"$ppc_dir/check-console.sh" same $m "$log"
done
