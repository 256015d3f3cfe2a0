#!/usr/bin/env bash
# Bash completion completes options, every long option --help lists among
# them, offers the pids of running VMMs (processes holding /dev/kvm) after
# -p, also after a comma, and is installed by make install.
source "$(dirname "$0")/lib.sh"
source scripts/kvm-mmio-top.bash-completion

complete_words() {
	COMP_WORDS=("$@")
	COMP_CWORD=$(($# - 1))
	COMPREPLY=()
	_kvm_mmio_top
	echo "${COMPREPLY[*]}"
}

expect_eq "completion of --ba" "--batch" "$(complete_words kvm-mmio-top --ba)"
expect_eq "completion of --na" "--name" "$(complete_words kvm-mmio-top --na)"
offered=" $(complete_words kvm-mmio-top --) "
listed=$("$TOP" --help | grep -oE -- '--[a-z][a-z-]*' | sort -u)
[[ -n $listed ]] || fail "kvm-mmio-top --help lists no long option"
for opt in $listed; do
	[[ $offered == *" $opt "* ]] || fail "--help lists $opt, the completion does not offer it"
done
echo "ok: the completion offers all $(wc -w <<<"$listed") long options of --help"
[[ -c /dev/kvm ]] || skip "/dev/kvm not available: no VMM pid to complete"
start_guest "$work/g" --writes 1 -name guest=compl --wait-file "$work/go" --linger-ms 100
for _ in $(seq 100); do
	[[ $(readlink "/proc/$guest_pid/fd/"* 2>/dev/null) == *"/dev/kvm"* ]] && break
	sleep 0.05
done
grep -qw "$guest_pid" <<<"$(complete_words kvm-mmio-top -p '')" ||
	fail "-p does not offer the VMM pid $guest_pid: $(complete_words kvm-mmio-top -p '')"
echo "ok: -p offers the VMM pid $guest_pid"
grep -qw "1,$guest_pid" <<<"$(complete_words kvm-mmio-top -p 1,)" ||
	fail "-p 1, does not offer 1,$guest_pid: $(complete_words kvm-mmio-top -p 1,)"
echo "ok: -p 1, offers 1,$guest_pid"
touch "$work/go"
wait_guest "$guest_pid" "$work/g"

make -s install DESTDIR="$work/root" PREFIX=/usr >"$work/install.log" 2>&1 ||
	fail "make install failed: $(cat "$work/install.log")"
[[ -s $work/root/usr/share/bash-completion/completions/kvm-mmio-top ]] ||
	fail "make install did not install the completion"
echo "ok: installed as /usr/share/bash-completion/completions/kvm-mmio-top"
