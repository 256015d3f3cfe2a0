#!/usr/bin/env bash
# Usage errors exit 2 and say what is wrong; missing privileges and a
# missing process exit 1 and say what to do; --help documents the modes.
source "$(dirname "$0")/lib.sh"
[[ -x $TOP ]] || fail "$TOP not built"

expect_exit() {
	local want=$1 pattern=$2 rc=0
	shift 2
	"$@" >"$work/out" 2>&1 || rc=$?
	expect_eq "exit status of: ${*:1}" "$want" "$rc"
	grep -qE -- "$pattern" "$work/out" || fail "output of '$*' lacks /$pattern/: $(cat "$work/out")"
}

expect_exit 2 "invalid interval" "$TOP" --interval 0
expect_exit 2 "invalid interval" "$TOP" -i abc
expect_exit 2 "invalid --top '-1'" "$TOP" --top -1
expect_exit 2 "unrecognized option|invalid option" "$TOP" --bogus
expect_exit 2 "unexpected argument" "$TOP" extra
expect_exit 2 "invalid interval '0'" "$TOP" -d 0
expect_exit 2 "invalid -n '0': a whole number from 1" "$TOP" -b -n 0
expect_exit 2 "invalid pid list '1,,2'" "$TOP" -p 1,,2
expect_exit 2 "invalid --pid 'abc'" "$TOP" -p 4242,abc
expect_exit 2 "invalid --pid '0': a whole number from 1" "$TOP" -p 0
expect_exit 2 "too many pids at '65'" "$TOP" -p "$(seq -s, 1 65)"
expect_exit 2 "requires an argument -- 'g'" "$TOP" -g
expect_exit 0 "--json" "$TOP" --help
expect_exit 0 "kvm-mmio-top -b -n 3 " "$TOP" --help
expect_exit 0 "^kvm-mmio-top [0-9]" "$TOP" --version
expect_exit 1 "no process with pid" "$TOP" --once --pid 4194000
if command -v setpriv >/dev/null; then
	expect_exit 3 "missing capability CAP_BPF and CAP_PERFMON.*sudo" setpriv --reuid=65534 --regid=65534 --clear-groups \
		--inh-caps=-all "$TOP" --once
fi
