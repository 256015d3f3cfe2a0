#!/usr/bin/env bash
# libFuzzer, briefly: --web-config files of any content: parsed or refused, never a crash or leak.
source "$(dirname "$0")/lib.sh"
fuzz_briefly fuzz_web_config
