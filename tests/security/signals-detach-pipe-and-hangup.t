#!/usr/bin/env bash
# Signals: SIGINT and SIGTERM end a run with status 0 and leave none of its
# BPF programs or links behind (their ids, read from the tool's own fds in
# /proc/PID/fdinfo, are gone from bpftool's lists); a reader closing the
# pipe (| head) ends JSON and table mode quietly with status 0; SIGHUP in
# exporter mode writes the textfile at once (not at the next 30 s
# interval) and reloads --web-config (new password 200, old 401; a broken
# file keeps the previous one), with the same programs still attached.
source "$(dirname "$0")/../prom/common.sh"
command -v bpftool >/dev/null || skip "bpftool not installed (make deps)"

# bpf_ids PID KIND: the prog_id or link_id of every BPF fd of PID.
bpf_ids() {
	cat /proc/"$1"/fdinfo/* 2>/dev/null | sed -n "s/^$2_id:[[:space:]]*//p" | sort -un
}
# gone KIND IDS...: none of IDS is still a BPF prog/link.
gone() {
	local kind=$1 id
	shift
	for id in "$@"; do
		bpftool "$kind" show id "$id" >/dev/null 2>&1 && return 1
	done
	return 0
}

for sig in INT TERM; do
	start_tracer "$work/out.$sig" -i 0.2
	mapfile -t progs < <(bpf_ids "$tracer_pid" prog)
	mapfile -t links < <(bpf_ids "$tracer_pid" link)
	((${#progs[@]} > 0 && ${#links[@]} > 0)) ||
		fail "no BPF programs or links among kvm-mmio-top's fds: ${#progs[@]} programs, ${#links[@]} links"
	gone prog "${progs[@]}" && fail "bpftool does not list the running tool's programs"
	kill -s "$sig" "$tracer_pid"
	rc=0
	wait "$tracer_pid" || rc=$?
	expect_eq "exit status after SIG$sig" 0 "$rc"
	wait_for 10 "SIG$sig: the ${#progs[@]} programs to go" gone prog "${progs[@]}"
	wait_for 10 "SIG$sig: the ${#links[@]} links to go" gone link "${links[@]}"
	echo "ok: SIG$sig: ${#progs[@]} programs and ${#links[@]} links detached"
	other=$(grep -v "^kvm-mmio-top: tracing" "$work/out.$sig.err" || true)
	[[ -z $other ]] || fail "SIG$sig: unexpected messages: $other"
done

for mode in --json ""; do
	set +o pipefail
	# shellcheck disable=SC2086
	"$TOP" $mode -i 0.1 2>"$work/pipe.err" | head -n 1 >"$work/pipe.out"
	rcs=("${PIPESTATUS[@]}")
	set -o pipefail
	expect_eq "exit status of kvm-mmio-top ${mode:-(table)} | head -n 1" 0 "${rcs[0]}"
	[[ -s $work/pipe.out ]] || fail "head got nothing"
	[[ -z $mode ]] || jq -e . "$work/pipe.out" >/dev/null || fail "not JSON: $(cat "$work/pipe.out")"
	other=$(grep -v "^kvm-mmio-top: tracing" "$work/pipe.err" || true)
	[[ -z $other ]] || fail "closed pipe, ${mode:-table}: unexpected messages: $other"
done
echo "ok: a closed pipe ends JSON and table mode quietly, status 0"

# SIGHUP in exporter mode.
command -v openssl >/dev/null || skip "openssl not installed (apt-get install openssl)"
bcrypt() {
	python3 -W ignore -c 'import crypt, sys; print(crypt.crypt(sys.argv[1], crypt.mksalt(crypt.METHOD_BLOWFISH, rounds=1 << 4)))' "$1"
}
mkdir "$work/textfiles"
printf 'basic_auth_users:\n  prom: %s\n' "$(bcrypt first)" >"$work/web.yml"
port=$(free_port)
url=http://127.0.0.1:$port/metrics
start_exporter --textfile-dir "$work/textfiles" --listen "127.0.0.1:$port" \
	--web-config "$work/web.yml" -i 30
mapfile -t progs < <(bpf_ids "$TOP_PID" prog)
code() { curl -s -o /dev/null -w '%{http_code}' --max-time 10 -u "$1" "$url"; }
expect_eq "first password before SIGHUP" 200 "$(code prom:first)"
rm "$work/textfiles/kvm_mmio.prom"
printf 'basic_auth_users:\n  prom: %s\n' "$(bcrypt second)" >"$work/web.yml"
kill -HUP "$TOP_PID"
wait_for 5 "SIGHUP to write the textfile at once" test -s "$work/textfiles/kvm_mmio.prom"
wait_for 5 "SIGHUP to be reported" grep -q "SIGHUP: metrics written, --web-config .* reloaded" "$TOP_ERR"
expect_eq "second password after SIGHUP" 200 "$(code prom:second)"
expect_eq "first password after SIGHUP" 401 "$(code prom:first)"
printf 'basic_auth_users:\n  prom: not-a-hash\n' >"$work/web.yml"
kill -HUP "$TOP_PID"
wait_for 5 "a broken config to be reported" grep -q "invalid --web-config.*still serving with the previous one" "$TOP_ERR"
expect_eq "second password after a broken SIGHUP" 200 "$(code prom:second)"
kill -0 "$TOP_PID" || fail "the exporter died on SIGHUP: $(cat "$TOP_ERR")"
expect_eq "programs after two SIGHUPs" "${progs[*]}" "$(bpf_ids "$TOP_PID" prog | paste -sd' ')"
promtool_clean "the textfile rewritten on SIGHUP" "$work/textfiles/kvm_mmio.prom"
kill -TERM "$TOP_PID"
rc=0
wait "$TOP_PID" || rc=$?
expect_eq "exporter's exit status after SIGTERM" 0 "$rc"
wait_for 10 "the exporter's programs to go" gone prog "${progs[@]}"
echo "PASS: SIGINT/SIGTERM detach (bpftool), closed pipes end quietly, SIGHUP rewrites and reloads"
