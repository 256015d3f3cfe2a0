#!/usr/bin/env bash
# Proves runtime is bounded: a command that never finishes is killed with the
# VM when --timeout expires, the exit status is non-zero (124) and the console
# log tail is shown so the hang can be diagnosed.
. "$(dirname "$0")/lib.sh"

start=$(date +%s)
out=$("$run_in_arm64_host" --timeout 30 -- sh -c 'echo "about to hang" >/dev/console; exec sleep 3600' 2>&1)
rc=$?
secs=$(($(date +%s) - start))
echo "$out"
((rc == 77)) && exit 77
fail=0
if ((rc == 124)); then echo "ok - exit status 124 on timeout"; else echo "not ok - exit status 124 on timeout (got $rc)"; fail=1; fi
# Generous bound: the timeout plus the preparation when warm.
if ((secs < 75)); then echo "ok - returned after ${secs}s"; else echo "not ok - returned after ${secs}s (timeout 30s)"; fail=1; fi
for want in "console log tail" "kmt-init" "TIMEOUT after 30s" "about to hang"; do
	if grep -qF "$want" <<<"$out"; then echo "ok - output shows '$want'"; else echo "not ok - output shows '$want'"; fail=1; fi
done
exit "$fail"
