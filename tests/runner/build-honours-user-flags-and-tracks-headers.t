#!/usr/bin/env bash
# The build as C users expect it: CFLAGS=-O0 and LDFLAGS are the user's and
# keep the flags the build needs (-std=c11, the include paths); V=1 shows
# each command, the default is quiet; a changed header rebuilds exactly what
# includes it; `make run` installs the build packages only.
set -euo pipefail
cd "$(dirname "$0")/../.."
source tests/lib/assert.sh
out=$(mktemp -d "${TMPDIR:-/tmp}/kmt-build.XXXXXX")
trap 'rm -rf "$out"' EXIT

make BUILD="$out" V=1 CFLAGS=-O0 LDFLAGS=-Wl,--as-needed "$out/kvm-mmio-top" >"$out/log" 2>&1 ||
	fail "make CFLAGS=-O0 failed: $(tail -n 20 "$out/log")"
grep -E -- '-c libtrace/core/model.c' "$out/log" | grep -q -- '-std=c11.*-O0' ||
	fail "the compile of model.c lacks -std=c11 or -O0: $(grep model.c "$out/log")"
grep -q -- '-Wl,--as-needed' "$out/log" || fail "LDFLAGS did not reach the link"
"$out/kvm-mmio-top" --version | grep -q kvm-mmio-top || fail "the -O0 binary does not run"
echo "ok: CFLAGS=-O0 and LDFLAGS honoured, -std=c11 kept"

# A header change: quiet output names each step; only its includers are rebuilt.
touch libtrace/core/hist.h
make BUILD="$out" CFLAGS=-O0 "$out/kvm-mmio-top" >"$out/log2" 2>&1
grep -q '^  CC .*obj/libtrace/core/hist.o$' "$out/log2" || fail "hist.o not rebuilt: $(cat "$out/log2")"
! grep -q 'obj/libtrace/core/guest_name.o' "$out/log2" ||
	fail "guest_name.o, which does not include hist.h, was rebuilt"
! grep -q -- '-std=c11' "$out/log2" || fail "the default output is not quiet"
echo "ok: -MMD tracks headers; quiet by default"

run_deps=$(make -n run 2>/dev/null | grep install-deps)
expect_eq "what make run installs" "scripts/install-deps.sh build" "$run_deps"
for pkg in linux-source-6.1 qemu-system-ppc prometheus gcc-powerpc64le-linux-gnu libcmocka-dev; do
	! grep -qx "$pkg" scripts/deps/build.list || fail "$pkg is in the build list"
done
echo "ok: make run installs scripts/deps/build.list only"
