// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* --web-config: the exporter-toolkit format, its errors, bcrypt checks. */
#include <crypt.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>
#include "web_config.h"

#define HASH "$2y$10$abcdefghijklmnopqrstuu5Zl8mS5DcpmUw3B1XG7cI1RH6lQjSEi"

static int parse(struct kmt_web_config *cfg, const char *text, char *err, size_t errlen)
{
	return kmt_web_config_parse(cfg, text, strlen(text), "/etc/kmt", err, errlen);
}

static void expect_error(const char *text, const char *message)
{
	struct kmt_web_config cfg;
	char err[512] = "";

	assert_int_equal(parse(&cfg, text, err, sizeof(err)), -EINVAL);
	if (!strstr(err, message))
		fail_msg("for %s: expected '%s' in '%s'", text, message, err);
	assert_null(cfg.users);
	assert_null(cfg.cert_file);
}

static void test_empty_means_plain(void **state)
{
	const char *empty[] = { "", "\n# nothing\n", "~\n", "tls_server_config:\nbasic_auth_users:\n" };
	struct kmt_web_config cfg;
	char err[256];

	(void)state;
	for (size_t i = 0; i < sizeof(empty) / sizeof(empty[0]); i++) {
		assert_int_equal(parse(&cfg, empty[i], err, sizeof(err)), 0);
		assert_false(cfg.tls);
		assert_int_equal(cfg.nr_users, 0);
		kmt_web_config_free(&cfg);
	}
}

static void test_full_config(void **state)
{
	const char *text = "tls_server_config:\n"
			   "  cert_file: server.crt\n"
			   "  key_file: /abs/server.key\n"
			   "  min_version: TLS13\n"
			   "  client_auth_type: NoClientCert\n"
			   "basic_auth_users:\n"
			   "  alice: $2y$10$abcdefghijklmnopqrstuu5Zl8mS5DcpmUw3B1XG7cI1RH6lQjSEi\n"
			   "  bob: \"$2b$04$abcdefghijklmnopqrstuu5Zl8mS5DcpmUw3B1XG7cI1RH6lQjSEi\"\n";
	struct kmt_web_config cfg;
	char err[256];

	(void)state;
	assert_int_equal(parse(&cfg, text, err, sizeof(err)), 0);
	assert_true(cfg.tls);
	assert_string_equal(cfg.cert_file, "/etc/kmt/server.crt");
	assert_string_equal(cfg.key_file, "/abs/server.key");
	assert_string_equal(kmt_web_config_tls_priorities(&cfg), "NORMAL:-VERS-ALL:+VERS-TLS1.3");
	assert_int_equal(cfg.nr_users, 2);
	assert_string_equal(cfg.users[1].name, "bob");
	kmt_web_config_free(&cfg);
	assert_int_equal(parse(&cfg, "tls_server_config:\n  cert_file: a\n  key_file: b\n", err,
			       sizeof(err)), 0);
	assert_string_equal(kmt_web_config_tls_priorities(&cfg),
			    "NORMAL:-VERS-ALL:+VERS-TLS1.3:+VERS-TLS1.2");
	kmt_web_config_free(&cfg);
}

static void test_errors_say_what_and_where(void **state)
{
	(void)state;
	expect_error("tls_config:\n  a: b\n", "line 1: unknown key 'tls_config'");
	expect_error("basic_auth_users:\n  u: " HASH "\n  u: " HASH "\n",
		     "line 3: basic_auth_users: 'u' appears twice");
	expect_error("tls_server_config:\n  cert_file: a\n", "needs both cert_file and key_file");
	expect_error("tls_server_config:\n  cert_file: a\n  key_file: b\n  client_ca_file: c\n",
		     "client_ca_file is not supported");
	expect_error("tls_server_config:\n  cert_file: a\n  key_file: b\n  min_version: TLS10\n",
		     "min_version 'TLS10': TLS12 or TLS13");
	expect_error("tls_server_config:\n  cert_file: a\n  key_file: b\n  min_version: TLS13\n"
		     "  max_version: TLS12\n", "max_version is below min_version");
	expect_error("tls_server_config:\n  cert_file: ''\n  key_file: b\n",
		     "cert_file must be a non-empty string");
	expect_error("tls_server_config:\n  cert_file: [a]\n  key_file: b\n",
		     "line 2: cert_file must be a non-empty string");
	expect_error("http_server_config:\n  http2: false\n", "http_server_config is not supported");
	expect_error("- a\n- b\n", "the web config must be a mapping");
	expect_error("a: [\n", "not valid YAML");
	expect_error("basic_auth_users: {}\n---\nbasic_auth_users: {}\n", "more than one YAML document");
	expect_error("basic_auth_users:\n  u: plain\n", "u's password is not a bcrypt hash");
	expect_error("basic_auth_users:\n  u: $2y$17$abcdefghijklmnopqrstuu5Zl8mS5DcpmUw3B1XG7cI1RH6lQjSEi\n",
		     "bcrypt cost 17 is outside 4..16");
	expect_error("basic_auth_users:\n  'a:b': $2y$10$abcdefghijklmnopqrstuu5Zl8mS5DcpmUw3B1XG7cI1RH6lQjSEi\n",
		     "user 'a:b' has a ':'");
	expect_error("basic_auth_users:\n  ? [x]\n  : y\n", "every key must be a non-empty string");
}

static void test_nul_byte_refused(void **state)
{
	static const char text[] = "basic_auth_users:\n  u\0x: y\n";
	struct kmt_web_config cfg;
	char err[256];

	(void)state;
	assert_int_equal(kmt_web_config_parse(&cfg, text, sizeof(text) - 1, "", err, sizeof(err)),
			 -EINVAL);
	assert_non_null(strstr(err, "NUL"));
}

static void test_bcrypt_checked_with_crypt(void **state)
{
	char setting[CRYPT_GENSALT_OUTPUT_SIZE], yaml[256], err[256];
	struct crypt_data data = { 0 };
	struct kmt_web_config cfg;
	const char *hash;

	(void)state;
	assert_non_null(crypt_gensalt_rn("$2b$", 4, NULL, 0, setting, sizeof(setting)));
	hash = crypt_rn("right: horse", setting, &data, sizeof(data));
	assert_non_null(hash);
	snprintf(yaml, sizeof(yaml), "basic_auth_users:\n  prom: '%s'\n", hash);
	assert_int_equal(parse(&cfg, yaml, err, sizeof(err)), 0);
	assert_true(kmt_web_config_check(&cfg, "prom", "right: horse"));
	assert_false(kmt_web_config_check(&cfg, "prom", "right: horsf"));
	assert_false(kmt_web_config_check(&cfg, "prom", ""));
	assert_false(kmt_web_config_check(&cfg, "prom2", "right: horse"));
	assert_false(kmt_web_config_check(&cfg, NULL, "right: horse"));
	kmt_web_config_free(&cfg);
	assert_false(kmt_web_config_check(&cfg, "prom", "right: horse"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_empty_means_plain),
		cmocka_unit_test(test_full_config),
		cmocka_unit_test(test_errors_say_what_and_where),
		cmocka_unit_test(test_nul_byte_refused),
		cmocka_unit_test(test_bcrypt_checked_with_crypt),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
