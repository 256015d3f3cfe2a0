#!/usr/bin/env bash
# libFuzzer, briefly: Prometheus label escaping of any bytes: round trip, no raw newline or quote.
source "$(dirname "$0")/lib.sh"
fuzz_briefly fuzz_prom_label
