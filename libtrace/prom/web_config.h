/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * --web-config FILE: TLS and basic auth for /metrics, in the Prometheus
 * exporter-toolkit's format, so one file serves every exporter of a host:
 *
 *   tls_server_config:
 *     cert_file: server.crt        # relative to the file's directory
 *     key_file: server.key
 *     min_version: TLS12           # TLS12 (default) or TLS13
 *   basic_auth_users:
 *     prometheus: $2y$10$...       # bcrypt, e.g. htpasswd -nBC 10 ""
 *
 * Parsed with libyaml; passwords are checked with libxcrypt's crypt(3).
 * Unknown keys are errors (exporter-toolkit's files are strict too), and
 * so are its options we do not implement (client certificates, cipher
 * lists, http_server_config): refusing beats silently weaker security.
 */
#ifndef KMT_WEB_CONFIG_H
#define KMT_WEB_CONFIG_H

#include <stdbool.h>
#include <stddef.h>

/* bcrypt above this cost takes seconds per scrape: refused at load. */
#define KMT_BCRYPT_MAX_COST 16

struct kmt_web_user {
	char *name;
	char *hash;
};

struct kmt_web_config {
	bool tls;
	char *cert_file, *key_file;	/* resolved paths when tls */
	char *cert, *key;		/* their PEM contents, NUL-terminated (kmt_web_config_load) */
	int min_version;		/* 12 or 13 */
	int max_version;		/* 12 or 13; 0: newest */
	struct kmt_web_user *users;
	size_t nr_users;
};

/*
 * Parses len bytes of YAML; relative file names are resolved against
 * base_dir. Reads no file. Returns 0, or -EINVAL with err saying what is
 * wrong and where (line numbers are 1-based).
 */
int kmt_web_config_parse(struct kmt_web_config *cfg, const char *text, size_t len,
			 const char *base_dir, char *err, size_t errlen);

/* Reads and parses path, then reads the certificate and key. Returns 0 or -errno. */
int kmt_web_config_load(struct kmt_web_config *cfg, const char *path, char *err, size_t errlen);

/*
 * Whether user/password is one of basic_auth_users. Takes as long for an
 * unknown user as for a known one (a bcrypt run either way).
 */
bool kmt_web_config_check(const struct kmt_web_config *cfg, const char *user,
			  const char *password);

/* GnuTLS priorities for the configured versions. */
const char *kmt_web_config_tls_priorities(const struct kmt_web_config *cfg);

void kmt_web_config_free(struct kmt_web_config *cfg);

#endif /* KMT_WEB_CONFIG_H */
