#!/usr/bin/env bash
# libFuzzer, briefly: raw HTTP requests to /metrics with basic auth: a status line or a close, data only for the right credentials.
source "$(dirname "$0")/lib.sh"
fuzz_briefly fuzz_http_request
