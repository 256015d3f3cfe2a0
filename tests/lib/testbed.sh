# shellcheck shell=bash
# What the QEMU test beds (tests/x86-kvm, tests/arm64-kvm) do alike on the
# build machine (bash, sourced): the run-in-*-host.sh runners' results
# directory, command line, bounded VM run and end-of-run reporting; the tests'
# scenario-then-assertions sequence and their hung-command test. Each bed
# keeps in its own directory how it boots (CPU, kernel, modes), how the
# command gets in and the results come out, and its assertions.
#
# The runner functions use the runner's globals: results, keep, timeout,
# qrc and secs, and name the runner after $0 in messages.

# --- run-in-*-host.sh -------------------------------------------------------

# The runners' defaults: --timeout 300, no --results (a temporary directory).
timeout=300
results=
keep=0

# Print the runner's header comment (line 2 up to "set -euo") and exit 2.
testbed_usage() {
	sed -n '2,/^set -euo/p' "$0" | sed -e '/^set -euo/d' -e 's/^# \{0,1\}//' >&2
	exit 2
}

# After the options: a command was given (NARGS > 0), --timeout is a number.
testbed_check_args() { # NARGS
	(($1)) || testbed_usage
	[[ $timeout =~ ^[0-9]+$ ]] || { echo "$(basename "$0" .sh): bad --timeout $timeout" >&2; exit 2; }
}

# testbed_results_dir TAG NAME...: results is --results DIR (made, kept
# afterwards) or else a temporary directory removed on exit; the NAMEs, left
# there by an earlier run, are removed.
testbed_results_dir() {
	local tag=$1 name
	shift
	if [[ -n $results ]]; then
		mkdir -p "$results"
		keep=1
	else
		results=$(mktemp -d "${TMPDIR:-/tmp}/kmt-$tag.XXXXXX")
	fi
	results=$(cd "$results" && pwd)
	for name in "$@"; do rm -rf "${results:?}/$name"; done
	trap 'testbed_cleanup' EXIT
}
testbed_cleanup() { ((keep)) || rm -rf "$results"; }

# The arguments as one sh command line, each one single-quoted.
testbed_cmdline() {
	local a cmdline=
	for a in "$@"; do
		cmdline+="'${a//\'/\'\\\'\'}' "
	done
	printf '%s\n' "$cmdline"
}

# testbed_run_vm LOCK QEMU-COMMAND...: one VM at a time on this machine
# (flock on LOCK), bounded by $timeout (then killed); sets qrc (124 or 137
# when killed) and secs (wall time). QEMU's own output goes to
# $results/qemu.log.
testbed_run_vm() {
	local lock=$1 start
	shift
	exec 8>"$lock"
	flock 8
	start=$(date +%s.%N)
	set +e
	timeout --kill-after=5 "$timeout" "$@" </dev/null >"$results/qemu.log" 2>&1
	qrc=$?
	set -e
	exec 8>&-
	secs=$(printf '%.1f' "$(echo "$(date +%s.%N) - $start" | bc)")
}

# The tail of the console log (without the base64 results block the arm64
# bed prints there) and of QEMU's own output.
testbed_show_console() { # [LINES]
	echo "---- console log tail ($results/console.log) ----"
	sed '/^KMT-RESULTS-BEGIN/,/^KMT-RESULTS-END/d' "$results/console.log" 2>/dev/null |
		tr -d '\r' | tail -n "${1:-60}"
	if [[ -s $results/qemu.log ]]; then
		echo "---- qemu ----"
		tail -n 20 "$results/qemu.log"
	fi
	echo "----"
}

# After the VM: print the command's output; exit 124 (console shown) when the
# VM was killed at the timeout, 125 when it stopped before the command
# reported a status. Returns when $results/status is there.
testbed_vm_outcome() {
	local runner
	runner=$(basename "$0" .sh)
	[[ -f $results/output ]] && cat "$results/output"
	if ((qrc == 124 || qrc == 137)); then
		testbed_show_console 60
		echo "$runner: TIMEOUT after ${timeout}s: VM killed (command did not finish)"
		exit 124
	fi
	if [[ ! -f $results/status ]]; then
		testbed_show_console 60
		echo "$runner: the VM stopped (qemu exit $qrc, ${secs}s) before the command reported a status"
		exit 125
	fi
}

# --- the tests --------------------------------------------------------------

# testbed_scenario TAG RUN CHECK: RUN RESULTS-DIR boots the bed and runs the
# scenario there (its status: 0, 77 when the bed is unavailable, else the
# bed failed); CHECK DIR makes the assertions on RESULTS-DIR/scenario. Exits
# with the test's status; the results are kept when something failed.
testbed_scenario() {
	local results rc
	results=$(mktemp -d "${TMPDIR:-/tmp}/kmt-$1.XXXXXX")
	"$2" "$results"
	rc=$?
	if ((rc == 77)); then
		rm -rf "$results"
		exit 77
	fi
	if ((rc != 0)); then
		echo "the scenario did not complete in the test bed (exit $rc); results kept in $results"
		exit 1
	fi
	"$3" "$results/scenario"
	rc=$?
	if ((rc == 0 || rc == 77)); then
		rm -rf "$results"
	else
		echo "results kept in $results"
	fi
	exit "$rc"
}

# Proves runtime is bounded: a command that never finishes is killed with the
# VM when --timeout expires, the exit status is non-zero (124) and the
# console log tail is shown so the hang can be diagnosed. BOUND is generous:
# the timeout plus the bed's preparation when its cache is warm.
testbed_hung_command_test() { # RUNNER TIMEOUT BOUND CMD...
	local runner=$1 timeout=$2 bound=$3 start out rc secs fail=0 want
	shift 3
	start=$(date +%s)
	out=$("$runner" --timeout "$timeout" -- "$@" 2>&1)
	rc=$?
	secs=$(($(date +%s) - start))
	echo "$out"
	((rc == 77)) && exit 77
	if ((rc == 124)); then echo "ok - exit status 124 on timeout"; else echo "not ok - exit status 124 on timeout (got $rc)"; fail=1; fi
	if ((secs < bound)); then echo "ok - returned after ${secs}s"; else echo "not ok - returned after ${secs}s (timeout ${timeout}s)"; fail=1; fi
	for want in "console log tail" "kmt-init" "TIMEOUT after ${timeout}s" "about to hang"; do
		if grep -qF "$want" <<<"$out"; then echo "ok - output shows '$want'"; else echo "not ok - output shows '$want'"; fail=1; fi
	done
	exit "$fail"
}
