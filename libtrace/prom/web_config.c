// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <crypt.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <yaml.h>
#include "web_config.h"

#define MAX_FILE_BYTES (1 << 20)
#define BCRYPT_LEN 60

struct parse {
	struct kmt_web_config *cfg;
	yaml_document_t *doc;
	const char *base_dir;
	char *err;
	size_t errlen;
};

__attribute__((format(printf, 4, 5)))
static int bad(struct parse *p, const yaml_node_t *node, int code, const char *fmt, ...)
{
	size_t used = 0;
	va_list ap;

	if (node)
		used = (size_t)snprintf(p->err, p->errlen, "line %zu: ", node->start_mark.line + 1);
	if (used >= p->errlen)
		return code;
	va_start(ap, fmt);
	vsnprintf(p->err + used, p->errlen - used, fmt, ap);
	va_end(ap);
	return code;
}

/* A scalar's text, or NULL when node is not a scalar or holds a NUL. */
static const char *scalar(const yaml_node_t *node)
{
	const char *s;

	if (!node || node->type != YAML_SCALAR_NODE)
		return NULL;
	s = (const char *)node->data.scalar.value;
	return strlen(s) == node->data.scalar.length ? s : NULL;
}

/* "key:" with nothing after it, or ~ / null: the section is absent. */
static bool is_null(const yaml_node_t *node)
{
	const char *s = scalar(node);

	return s && node->data.scalar.style == YAML_PLAIN_SCALAR_STYLE &&
	       (!*s || !strcmp(s, "~") || !strcmp(s, "null") || !strcmp(s, "Null") ||
		!strcmp(s, "NULL"));
}

/* Calls fn for each key/value pair of a mapping, after checking the key is a scalar. */
static int each_pair(struct parse *p, const yaml_node_t *map, const char *what,
		     int (*fn)(struct parse *p, const yaml_node_t *key, const char *name,
			       const yaml_node_t *value))
{
	if (map->type != YAML_MAPPING_NODE)
		return bad(p, map, -EINVAL, "%s must be a mapping of keys to values", what);
	for (yaml_node_pair_t *pair = map->data.mapping.pairs.start;
	     pair < map->data.mapping.pairs.top; pair++) {
		const yaml_node_t *key = yaml_document_get_node(p->doc, pair->key);
		const yaml_node_t *value = yaml_document_get_node(p->doc, pair->value);
		const char *name = scalar(key);
		int rc;

		if (!name || !*name)
			return bad(p, key, -EINVAL, "%s: every key must be a non-empty string", what);
		for (yaml_node_pair_t *prev = map->data.mapping.pairs.start; prev < pair; prev++) {
			const char *seen = scalar(yaml_document_get_node(p->doc, prev->key));

			if (seen && !strcmp(seen, name))
				return bad(p, key, -EINVAL, "%s: '%s' appears twice", what, name);
		}
		rc = fn(p, key, name, value);
		if (rc)
			return rc;
	}
	return 0;
}

static int string_value(struct parse *p, const yaml_node_t *value, const char *name,
			const char **out)
{
	*out = scalar(value);
	if (!*out || !**out)
		return bad(p, value, -EINVAL, "%s must be a non-empty string", name);
	return 0;
}

static int path_value(struct parse *p, const yaml_node_t *value, const char *name, char **out)
{
	const char *s;
	int rc = string_value(p, value, name, &s);

	if (rc)
		return rc;
	free(*out);
	if (s[0] == '/' || !p->base_dir || !*p->base_dir)
		*out = strdup(s);
	else if (asprintf(out, "%s/%s", p->base_dir, s) < 0)
		*out = NULL;
	return *out ? 0 : bad(p, NULL, -ENOMEM, "out of memory");
}

static int version_value(struct parse *p, const yaml_node_t *value, const char *name, int *out)
{
	const char *s;
	int rc = string_value(p, value, name, &s);

	if (rc)
		return rc;
	if (!strcmp(s, "TLS12"))
		*out = 12;
	else if (!strcmp(s, "TLS13"))
		*out = 13;
	else
		return bad(p, value, -EINVAL, "%s '%s': TLS12 or TLS13 (older versions are not "
			   "offered)", name, s);
	return 0;
}

static int tls_key(struct parse *p, const yaml_node_t *key, const char *name,
		   const yaml_node_t *value)
{
	struct kmt_web_config *cfg = p->cfg;
	const char *s;

	if (!strcmp(name, "cert_file"))
		return path_value(p, value, name, &cfg->cert_file);
	if (!strcmp(name, "key_file"))
		return path_value(p, value, name, &cfg->key_file);
	if (!strcmp(name, "min_version"))
		return version_value(p, value, name, &cfg->min_version);
	if (!strcmp(name, "max_version"))
		return version_value(p, value, name, &cfg->max_version);
	if (!strcmp(name, "client_auth_type")) {
		s = scalar(value);
		if (s && (!strcmp(s, "NoClientCert") || !*s))
			return 0;
		return bad(p, value, -EINVAL, "client_auth_type '%s' is not supported (only "
			   "NoClientCert)", s ? s : "?");
	}
	if (!strcmp(name, "client_ca_file") || !strcmp(name, "client_allowed_sans") ||
	    !strcmp(name, "cipher_suites") || !strcmp(name, "curve_preferences") ||
	    !strcmp(name, "prefer_server_cipher_suites") || !strcmp(name, "cert") ||
	    !strcmp(name, "key"))
		return bad(p, key, -EINVAL, "tls_server_config: %s is not supported by "
			   "kvm-mmio-top", name);
	return bad(p, key, -EINVAL, "tls_server_config: unknown key '%s' (cert_file, key_file, "
		   "min_version, max_version)", name);
}

/* "$2a$", "$2b$" or "$2y$", a two-digit cost, "$", 53 characters of bcrypt's base64. */
static int bcrypt_cost(const char *h)
{
	static const char b64[] = "./ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

	if (strlen(h) != BCRYPT_LEN || strncmp(h, "$2", 2) || !strchr("aby", h[2]) || !h[2] ||
	    h[3] != '$' || h[4] < '0' || h[4] > '9' || h[5] < '0' || h[5] > '9' || h[6] != '$' ||
	    strspn(h + 7, b64) != BCRYPT_LEN - 7)
		return -1;
	return (h[4] - '0') * 10 + (h[5] - '0');
}

static int user_key(struct parse *p, const yaml_node_t *key, const char *name,
		    const yaml_node_t *value)
{
	struct kmt_web_config *cfg = p->cfg;
	struct kmt_web_user *grown;
	const char *hash = scalar(value);
	int cost;

	if (strchr(name, ':'))
		return bad(p, key, -EINVAL, "basic_auth_users: user '%s' has a ':', which basic "
			   "auth cannot carry", name);
	if (!hash)
		return bad(p, value, -EINVAL, "basic_auth_users: %s's password must be a bcrypt "
			   "hash string", name);
	cost = bcrypt_cost(hash);
	if (cost < 0)
		return bad(p, value, -EINVAL, "basic_auth_users: %s's password is not a bcrypt "
			   "hash ($2y$10$ and 53 more characters; make one with htpasswd -nBC 10 "
			   "\"\")", name);
	if (cost < 4 || cost > KMT_BCRYPT_MAX_COST)
		return bad(p, value, -EINVAL, "basic_auth_users: %s's bcrypt cost %d is outside "
			   "4..%d (higher costs take seconds per scrape)", name, cost,
			   KMT_BCRYPT_MAX_COST);
	grown = realloc(cfg->users, (cfg->nr_users + 1) * sizeof(*grown));
	if (!grown)
		return bad(p, NULL, -ENOMEM, "out of memory");
	cfg->users = grown;
	grown[cfg->nr_users].name = strdup(name);
	grown[cfg->nr_users].hash = strdup(hash);
	if (!grown[cfg->nr_users].name || !grown[cfg->nr_users].hash) {
		free(grown[cfg->nr_users].name);
		free(grown[cfg->nr_users].hash);
		return bad(p, NULL, -ENOMEM, "out of memory");
	}
	cfg->nr_users++;
	return 0;
}

static int top_key(struct parse *p, const yaml_node_t *key, const char *name,
		   const yaml_node_t *value)
{
	if (!strcmp(name, "tls_server_config")) {
		if (is_null(value))
			return 0;
		p->cfg->tls = true;
		return each_pair(p, value, "tls_server_config", tls_key);
	}
	if (!strcmp(name, "basic_auth_users"))
		return is_null(value) ? 0 : each_pair(p, value, "basic_auth_users", user_key);
	if (!strcmp(name, "http_server_config"))
		return bad(p, key, -EINVAL, "http_server_config is not supported by kvm-mmio-top");
	return bad(p, key, -EINVAL, "unknown key '%s' (tls_server_config, basic_auth_users)",
		   name);
}

int kmt_web_config_parse(struct kmt_web_config *cfg, const char *text, size_t len,
			 const char *base_dir, char *err, size_t errlen)
{
	struct parse p = { .cfg = cfg, .base_dir = base_dir, .err = err, .errlen = errlen };
	yaml_parser_t parser;
	yaml_document_t doc, more;
	yaml_node_t *root;
	int rc = 0;

	memset(cfg, 0, sizeof(*cfg));
	cfg->min_version = 12;
	if (memchr(text, '\0', len))
		return bad(&p, NULL, -EINVAL, "the file contains a NUL byte");
	if (!yaml_parser_initialize(&parser))
		return bad(&p, NULL, -ENOMEM, "out of memory");
	yaml_parser_set_input_string(&parser, (const unsigned char *)text, len);
	if (!yaml_parser_load(&parser, &doc)) {
		rc = bad(&p, NULL, -EINVAL, "line %zu: not valid YAML: %s", parser.problem_mark.line + 1,
			 parser.problem ? parser.problem : "parse error");
		yaml_parser_delete(&parser);
		return rc;
	}
	p.doc = &doc;
	root = yaml_document_get_root_node(&doc);
	if (root && !is_null(root))
		rc = each_pair(&p, root, "the web config", top_key);
	if (!rc && root) {
		if (!yaml_parser_load(&parser, &more))
			rc = bad(&p, NULL, -EINVAL, "line %zu: not valid YAML: %s",
				 parser.problem_mark.line + 1,
				 parser.problem ? parser.problem : "parse error");
		else if (yaml_document_get_root_node(&more))
			rc = bad(&p, NULL, -EINVAL, "more than one YAML document");
		if (parser.error == YAML_NO_ERROR)
			yaml_document_delete(&more);
	}
	yaml_document_delete(&doc);
	yaml_parser_delete(&parser);
	if (!rc && cfg->tls && (!cfg->cert_file || !cfg->key_file))
		rc = bad(&p, NULL, -EINVAL, "tls_server_config needs both cert_file and key_file");
	if (!rc && cfg->max_version && cfg->max_version < cfg->min_version)
		rc = bad(&p, NULL, -EINVAL, "tls_server_config: max_version is below min_version");
	if (rc)
		kmt_web_config_free(cfg);
	return rc;
}

/* The whole file, NUL-terminated, at most MAX_FILE_BYTES. */
static int read_file(const char *path, char **out, size_t *len)
{
	struct stat st;
	ssize_t n;
	char *buf;
	int fd, rc = 0;

	*out = NULL;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st))
		rc = -errno;
	else if (!S_ISREG(st.st_mode))
		rc = -EINVAL;
	else if (st.st_size > MAX_FILE_BYTES)
		rc = -EFBIG;
	buf = rc ? NULL : malloc((size_t)st.st_size + 1);
	if (!rc && !buf)
		rc = -ENOMEM;
	if (!rc) {
		n = read(fd, buf, (size_t)st.st_size + 1);
		if (n < 0 || n > st.st_size)
			rc = n < 0 ? -errno : -EAGAIN;	/* it grew while we read it */
		else
			buf[n] = '\0', *len = (size_t)n;
	}
	close(fd);
	if (rc)
		free(buf);
	else
		*out = buf;
	return rc;
}

static const char *read_hint(int rc)
{
	return rc == -EINVAL ? "not a regular file" : rc == -EFBIG ? "larger than 1 MiB"
		: rc == -EAGAIN ? "it changed while being read" : strerror(-rc);
}

int kmt_web_config_load(struct kmt_web_config *cfg, const char *path, char *err, size_t errlen)
{
	char *text, *dir, *slash;
	size_t len, used;
	int rc;

	memset(cfg, 0, sizeof(*cfg));
	rc = read_file(path, &text, &len);
	if (rc) {
		snprintf(err, errlen, "cannot read %s: %s", path, read_hint(rc));
		return rc;
	}
	dir = strdup(path);
	if (!dir) {
		free(text);
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	slash = strrchr(dir, '/');
	if (slash)
		*(slash == dir ? slash + 1 : slash) = '\0';
	else
		strcpy(dir, ".");
	used = (size_t)snprintf(err, errlen, "%s: ", path);
	rc = kmt_web_config_parse(cfg, text, len, dir, err + (used < errlen ? used : 0),
				  used < errlen ? errlen - used : 0);
	free(text);
	free(dir);
	if (rc || !cfg->tls)
		return rc;
	rc = read_file(cfg->cert_file, &cfg->cert, &len);
	if (rc)
		snprintf(err, errlen, "%s: cannot read cert_file %s: %s", path, cfg->cert_file,
			 read_hint(rc));
	else if ((rc = read_file(cfg->key_file, &cfg->key, &len)))
		snprintf(err, errlen, "%s: cannot read key_file %s: %s", path, cfg->key_file,
			 read_hint(rc));
	if (rc)
		kmt_web_config_free(cfg);
	return rc;
}

bool kmt_web_config_check(const struct kmt_web_config *cfg, const char *user,
			  const char *password)
{
	const char *hash = NULL, *out;
	struct crypt_data *data;
	unsigned char diff = 0;

	if (!cfg->nr_users || !user || !password)
		return false;
	for (size_t i = 0; i < cfg->nr_users; i++)
		if (!strcmp(cfg->users[i].name, user))
			hash = cfg->users[i].hash;
	data = calloc(1, sizeof(*data));
	if (!data)
		return false;
	/* An unknown user costs a bcrypt run too, against a known user's hash. */
	out = crypt_rn(password, hash ? hash : cfg->users[0].hash, data, sizeof(*data));
	if (!out || strlen(out) != BCRYPT_LEN)
		diff = 1;
	for (size_t i = 0; !diff && i < BCRYPT_LEN; i++)
		diff |= (unsigned char)(out[i] ^ (hash ? hash : cfg->users[0].hash)[i]);
	explicit_bzero(data, sizeof(*data));
	free(data);
	return hash && !diff;
}

const char *kmt_web_config_tls_priorities(const struct kmt_web_config *cfg)
{
	if (cfg->min_version == 13)
		return "NORMAL:-VERS-ALL:+VERS-TLS1.3";
	if (cfg->max_version == 12)
		return "NORMAL:-VERS-ALL:+VERS-TLS1.2";
	return "NORMAL:-VERS-ALL:+VERS-TLS1.3:+VERS-TLS1.2";
}

void kmt_web_config_free(struct kmt_web_config *cfg)
{
	for (size_t i = 0; i < cfg->nr_users; i++) {
		free(cfg->users[i].name);
		free(cfg->users[i].hash);
	}
	free(cfg->users);
	free(cfg->cert_file);
	free(cfg->key_file);
	if (cfg->key)
		explicit_bzero(cfg->key, strlen(cfg->key));
	free(cfg->key);
	free(cfg->cert);
	memset(cfg, 0, sizeof(*cfg));
}
