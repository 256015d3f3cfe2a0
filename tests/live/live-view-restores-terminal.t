#!/usr/bin/env bash
# timeout: 60
# The live view gives the terminal back as it found it on every way out:
# SIGTERM and Ctrl-C end it with status 0, and a terminal it cannot drive
# (an unknown TERM) is an error that says what to do, exit status 1. A
# terminal that hangs up while SIGHUP is ignored (nohup) ends it too,
# instead of leaving it spinning on a dead terminal.
source "$(dirname "$0")/lib.sh"
require_live
source "$(dirname "$0")/tmux.sh"

start_view 120 30 -g "no-guest-$$"
kill -TERM "$(cat "$work/top.pid")"
wait_view_exit 10
expect_eq "exit status after SIGTERM" 0 "$view_rc"
expect_terminal_restored
stop_view

start_view 120 30 -g "no-guest-$$"
keys C-c
wait_view_exit 10
expect_eq "exit status after Ctrl-C" 0 "$view_rc"
expect_terminal_restored
stop_view

VIEW_TERM=no-such-terminal start_view 120 30 -g "no-guest-$$"
wait_view_exit 20
expect_eq "exit status with TERM=no-such-terminal" 1 "$view_rc"
grep -q "cannot start the terminal view.*-b" "$work/top.err" ||
	fail "no message saying what to do: $(cat "$work/top.err")"
echo "ok: $(tail -n 1 "$work/top.err")"
expect_terminal_restored
stop_view

VIEW_IGNORE_HUP=1 start_view 120 30 -g "no-guest-$$"
tmx kill-server
wait_view_exit 10
expect_eq "exit status after the terminal hung up" 1 "$view_rc"
grep -q "the terminal hung up" "$work/top.err" || fail "no message: $(cat "$work/top.err")"
echo "ok: $(tail -n 1 "$work/top.err")"
