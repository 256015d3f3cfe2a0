#!/usr/bin/env bash
# Proves runtime is bounded: a command that never finishes is killed with the
# VM when --timeout expires (30 s), the exit status is non-zero (124) and the
# console log tail is shown so the hang can be diagnosed (tests/lib/testbed.sh).
. "$(dirname "$0")/lib.sh"

# Bound 75 s: the timeout plus the preparation when warm. Inside the bed the
# command's output only reaches the console, so the hang is said there.
testbed_hung_command_test "$run_in_arm64_host" 30 75 sh -c 'echo "about to hang" >/dev/console; exec sleep 3600'
