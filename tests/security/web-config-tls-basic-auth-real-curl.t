#!/usr/bin/env bash
# --listen with --web-config (exporter-toolkit format): real curl over TLS
# with the right user and password gets 200 and the guest's exact counts
# (promtool clean); a wrong password, an unknown user or no credentials get
# 401 with a Basic challenge; plain HTTP to the TLS port gets no HTTP answer
# at all; a certificate the client does not trust is refused by curl. The
# bcrypt hash comes from Python's crypt (libxcrypt), the certificate from
# openssl. Broken configs exit 2 naming what is wrong.
source "$(dirname "$0")/../prom/common.sh"
command -v openssl >/dev/null || skip "openssl not installed (apt-get install openssl)"

cfgdir=$work/web
mkdir "$cfgdir"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 \
	-subj /CN=localhost -addext "subjectAltName=IP:127.0.0.1,DNS:localhost" \
	-keyout "$cfgdir/server.key" -out "$cfgdir/server.crt" 2>"$work/openssl.err" ||
	fail "openssl could not make a certificate: $(cat "$work/openssl.err")"
hash=$(python3 -W ignore -c 'import crypt; print(crypt.crypt("s3cret pass", crypt.mksalt(crypt.METHOD_BLOWFISH, rounds=1 << 10)))')
[[ $hash == \$2b\$10\$* ]] || fail "python3 crypt made no bcrypt hash: $hash"
# Relative file names are relative to the config file's directory.
cat >"$cfgdir/web.yml" <<-EOF
	tls_server_config:
	  cert_file: server.crt
	  key_file: server.key
	basic_auth_users:
	  prometheus: '$hash'
	  other: '\$2y\$10\$abcdefghijklmnopqrstuu5Zl8mS5DcpmUw3B1XG7cI1RH6lQjSEi'
EOF

port=$(free_port)
url=https://127.0.0.1:$port/metrics
start_exporter --listen "127.0.0.1:$port" --web-config "$cfgdir/web.yml" -i 0.2
"$VMM" --json --writes 77 --reads 33 -name guest=tls --linger-ms 600 >"$work/vmm.json" ||
	fail "test-vmm failed"
pid=$(jq '.guests[0].pid' "$work/vmm.json")

# status ARGS...: curl's HTTP status for url (000: no HTTP answer).
status() {
	curl -s -o "$work/body" -D "$work/headers" -w '%{http_code}' --max-time 10 "$@" || true
}
got_reads() {
	[[ $(status --cacert "$cfgdir/server.crt" -u "prometheus:s3cret pass" "$url") == 200 ]] &&
		[[ $(value "$work/body" kvm_mmio_exits_total pid="$pid" direction=read) == 33 ]]
}
wait_for 10 "the guest's reads at $url" got_reads
expect_eq "reads over TLS with the right password" 33 \
	"$(value "$work/body" kvm_mmio_exits_total guest=tls pid="$pid" direction=read)"
expect_eq "writes over TLS with the right password" 77 \
	"$(value "$work/body" kvm_mmio_exits_total guest=tls pid="$pid" direction=write)"
promtool_clean "/metrics over TLS" "$work/body"

expect_eq "wrong password" 401 "$(status --cacert "$cfgdir/server.crt" -u prometheus:wrong "$url")"
grep -qi '^WWW-Authenticate: Basic realm="kvm-mmio-top"' "$work/headers" ||
	fail "401 without a Basic challenge: $(cat "$work/headers")"
[[ ! -s $work/body ]] || fail "a 401 carried a body: $(head -c 200 "$work/body")"
expect_eq "unknown user" 401 "$(status --cacert "$cfgdir/server.crt" -u nobody:'s3cret pass' "$url")"
expect_eq "another user's password" 401 "$(status --cacert "$cfgdir/server.crt" -u "other:s3cret pass" "$url")"
expect_eq "no credentials" 401 "$(status --cacert "$cfgdir/server.crt" "$url")"
expect_eq "no credentials, other path" 401 "$(status --cacert "$cfgdir/server.crt" "https://127.0.0.1:$port/")"
expect_eq "plain HTTP to the TLS port" 000 "$(status -u "prometheus:s3cret pass" "http://127.0.0.1:$port/metrics")"
expect_eq "untrusted certificate" 000 "$(status -u "prometheus:s3cret pass" "$url")"
expect_eq "TLS 1.1 at most" 000 "$(status --cacert "$cfgdir/server.crt" --tls-max 1.1 -u "prometheus:s3cret pass" "$url")"
kill -0 "$TOP_PID" || fail "the exporter died: $(cat "$TOP_ERR")"
no_complaints

# Broken configs: exit 2 naming what is wrong, before anything is traced.
expect_usage() {
	local pattern=$1 rc=0
	shift
	"$BUILD/kvm-mmio-top" --listen "$(free_port)" "$@" >"$work/bad.out" 2>&1 || rc=$?
	expect_eq "exit status for $* ($pattern)" 2 "$rc"
	grep -qF -- "$pattern" "$work/bad.out" || fail "expected '$pattern' in: $(cat "$work/bad.out")"
}
printf 'basic_auth_users:\n  u: plain-text\n' >"$work/plain.yml"
expect_usage "line 2: basic_auth_users: u's password is not a bcrypt hash" --web-config "$work/plain.yml"
printf 'tls_server_config:\n  cert_file: nope.crt\n  key_file: server.key\n' >"$cfgdir/missing.yml"
expect_usage "cannot read cert_file $cfgdir/nope.crt: No such file or directory" --web-config "$cfgdir/missing.yml"
printf 'tls_config:\n  cert_file: a\n' >"$work/typo.yml"
expect_usage "line 1: unknown key 'tls_config'" --web-config "$work/typo.yml"
expect_usage "cannot read $work/absent.yml: No such file or directory" --web-config "$work/absent.yml"
rc=0
"$BUILD/kvm-mmio-top" --textfile-dir "$work" --web-config "$cfgdir/web.yml" >"$work/bad.out" 2>&1 || rc=$?
expect_eq "--web-config without --listen" 2 "$rc"
grep -q "needs --listen" "$work/bad.out" || fail "unexpected message: $(cat "$work/bad.out")"
# A valid config, then an early exit (no such process): exit 1, and under
# the sanitized build (sanitizers-over-live-tests.t) nothing leaks.
rc=0
"$BUILD/kvm-mmio-top" --listen "$(free_port)" --web-config "$cfgdir/web.yml" --pid 4194000 \
	>"$work/bad.out" 2>&1 || rc=$?
expect_eq "exit status with a valid --web-config and no such process" 1 "$rc"
grep -q "no process with pid 4194000" "$work/bad.out" || fail "unexpected message: $(cat "$work/bad.out")"
echo "PASS: TLS + basic auth: right 200 with exact counts, wrong/unknown/none 401, plain HTTP and untrusted cert refused"
