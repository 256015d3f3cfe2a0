#!/usr/bin/env bash
# libFuzzer, briefly: a hostile guest name through the JSON, table and exposition renderers.
source "$(dirname "$0")/lib.sh"
fuzz_briefly fuzz_outputs
