#!/usr/bin/env bash
# Proves runtime is bounded: a command that never finishes is killed with the
# VM when --timeout expires (20 s), the exit status is non-zero (124) and the
# console log tail is shown so the hang can be diagnosed (tests/lib/testbed.sh).
. "$(dirname "$0")/lib.sh"

# Bound 60 s: the timeout plus the kernel/initramfs preparation when warm.
testbed_hung_command_test "$run_in_svm_host" 20 60 sh -c 'echo "about to hang"; exec sleep 3600'
