#!/usr/bin/env bash
# make install with DESTDIR and PREFIX puts the binary, the systemd unit
# (ExecStart pointing at the installed binary, accepted by systemd-analyze
# verify when available) and the docs where they belong.
set -u
cd "$(dirname "$0")/../.." || exit 1
source tests/lib/assert.sh
BUILD=${BUILD:-build}
[[ -x $BUILD/kvm-mmio-top ]] || fail "$BUILD/kvm-mmio-top not built; run: make"
root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT

make -s install BUILD="$BUILD" DESTDIR="$root" PREFIX=/opt/kmt >"$root.log" 2>&1 ||
	fail "make install failed: $(cat "$root.log")"
rm -f "$root.log"
for f in opt/kmt/bin/kvm-mmio-top etc/systemd/system/kvm-mmio-top.service \
	etc/sysusers.d/kvm-mmio-top.conf opt/kmt/share/doc/kvm-mmio-trace/security.md \
	opt/kmt/share/doc/kvm-mmio-trace/prometheus.md \
	opt/kmt/share/doc/kvm-mmio-trace/grafana-dashboard.json; do
	[[ -s $root/$f ]] || fail "make install did not install /$f"
done
[[ -x $root/opt/kmt/bin/kvm-mmio-top ]] || fail "the installed binary is not executable"
if [[ -e docs/kvm-mmio-top.8 ]]; then
	[[ -s $root/opt/kmt/share/man/man8/kvm-mmio-top.8 ]] || fail "the man page was not installed"
fi
unit=$root/etc/systemd/system/kvm-mmio-top.service
grep -qx "ExecStart=/opt/kmt/bin/kvm-mmio-top --textfile-dir /var/lib/prometheus/node-exporter --interval 15" "$unit" ||
	fail "unexpected ExecStart: $(grep ExecStart "$unit")"
if command -v systemd-analyze >/dev/null; then
	# verify needs the binary at the path ExecStart names.
	grep -q '^u kvm-mmio-top ' "$root/etc/sysusers.d/kvm-mmio-top.conf" ||
		fail "the sysusers.d file does not create the unit's user"
	sed "s|ExecStart=/opt/kmt/bin/|ExecStart=$root/opt/kmt/bin/|" "$unit" >"$root/kvm-mmio-top.service"
	# Until the man page is installed, man:kvm-mmio-top(8) cannot be found.
	out=$(systemd-analyze verify "$root/kvm-mmio-top.service" 2>&1 |
		grep -v "^$\|Command 'man kvm-mmio-top(8)' failed")
	[[ -z $out ]] || fail "systemd-analyze verify: $out"
fi
echo "PASS: installed binary, unit and docs under DESTDIR with PREFIX=/opt/kmt"
