#!/usr/bin/env bash
# libFuzzer, briefly: guest names from any /proc/PID/cmdline bytes: bounded reads, clean UTF-8.
source "$(dirname "$0")/lib.sh"
fuzz_briefly fuzz_guest_name
