/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* The web-config file of Prometheus' exporter-toolkit, so the exporter
 * fits deployments that already have one:
 *
 *   tls_server_config:
 *     cert_file: server.crt        # PEM; relative to the file's directory
 *     key_file: server.key
 *     min_version: TLS12           # TLS10..TLS13 (default TLS12)
 *     max_version: TLS13
 *   basic_auth_users:
 *     alice: $2y$10$...            # bcrypt hashes ($2a$, $2b$, $2y$)
 *
 * Parsed with libyaml; strict like exporter-toolkit (unknown keys are an
 * error), and keys exporter-toolkit knows that bpfcost does not implement
 * (client certificates, cipher lists, http_server_config) are refused by
 * name rather than silently ignored. Password checks go through libcrypt
 * (libxcrypt's crypt_rn), which knows every bcrypt prefix. */
#ifndef BPFCOST_WEBCONFIG_H
#define BPFCOST_WEBCONFIG_H

#include <stdbool.h>
#include <stddef.h>

/* Inputs larger than this are refused before parsing. */
#define WC_MAX_INPUT (1u << 20)
#define WC_MAX_USERS 1024

enum wc_tls_version { WC_TLS_DEFAULT, WC_TLS10, WC_TLS11, WC_TLS12, WC_TLS13 };

struct wc_user {
	char *name;
	char *hash;		/* bcrypt, checked for shape when parsed */
};

struct web_config {
	bool tls;		/* tls_server_config given */
	char *cert_file, *key_file;	/* as written in the file */
	enum wc_tls_version min_version, max_version;
	struct wc_user *users;
	size_t nusers;
};

/* Pure: parse len bytes of YAML (need not be NUL-terminated). 0, or
 * -EINVAL with one line in err ("line 3: unknown key 'foo' in
 * tls_server_config"), -ENOMEM, -E2BIG past WC_MAX_INPUT. out is valid to
 * wc_free in every case. An empty document is an empty config. */
int wc_parse(const char *buf, size_t len, struct web_config *out, char *err, size_t errlen);
void wc_free(struct web_config *c);

/* "TLS12" -> WC_TLS12; -EINVAL otherwise. */
int wc_tls_version_parse(const char *s, enum wc_tls_version *out);
/* The GnuTLS priority string for the version range ("NORMAL:-VERS-ALL:
 * +VERS-TLS1.3:+VERS-TLS1.2"); exporter-toolkit's default minimum is TLS 1.2. */
const char *wc_tls_priorities(const struct web_config *c, char *buf, size_t len);

/* bcrypt check of password against hash through crypt_rn: true only
 * when they match. Slow by design (the hash's cost). */
bool wc_bcrypt_ok(const char *hash, const char *password);
/* a equals b, compared in time that depends on their lengths only. */
bool wc_secret_equal(const char *a, const char *b);
/* The user's hash, or NULL. */
const char *wc_user_hash(const struct web_config *c, const char *name);

#endif
