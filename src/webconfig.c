// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* exporter-toolkit web-config: parsed from a buffer with libyaml's
 * document loader, no I/O, no global state (a fuzzing target:
 * tests/fuzz/fuzz_webconfig.c). libyaml keeps aliases as references to
 * one node rather than expanding them, and we only ever walk two levels
 * down, so neither alias bombs nor cycles reach us. */
#include <crypt.h>
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>
#include "webconfig.h"

struct wc_parse {
	yaml_document_t *doc;
	struct web_config *c;
	char *err;
	size_t errlen;
	int seen_tls, seen_users;	/* top-level keys met so far */
};

static int fail(struct wc_parse *p, const yaml_node_t *n, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int fail(struct wc_parse *p, const yaml_node_t *n, const char *fmt, ...)
{
	char msg[200];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (n)
		snprintf(p->err, p->errlen, "line %zu: %s", n->start_mark.line + 1, msg);
	else
		snprintf(p->err, p->errlen, "%s", msg);
	/* Keys from the file go into the message: a line break or a
	 * terminal escape in one must not reach the user's terminal. */
	for (char *c = p->err; *c; c++)
		if ((unsigned char)*c < 0x20 || *c == 0x7f)
			*c = '?';
	return -EINVAL;
}

/* A scalar's text, or NULL for anything else and for scalars holding a
 * NUL byte (a "\0" escape): no key or path of ours can contain one. */
static const char *scalar(const yaml_node_t *n)
{
	const char *s;

	if (!n || n->type != YAML_SCALAR_NODE)
		return NULL;
	s = (const char *)n->data.scalar.value;
	return strlen(s) == n->data.scalar.length ? s : NULL;
}

/* YAML's null: an empty plain scalar, ~ or null in any of its spellings. */
static bool is_null(const yaml_node_t *n)
{
	const char *s = scalar(n);

	if (!s || n->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
		return false;
	return !*s || !strcmp(s, "~") || !strcmp(s, "null") || !strcmp(s, "Null") ||
	       !strcmp(s, "NULL");
}

static int dup_str(struct wc_parse *p, const yaml_node_t *n, const char *what, char **out)
{
	const char *s = scalar(n);

	if (!s || is_null(n))
		return fail(p, n, "%s: expected a string", what);
	if (*out)
		return fail(p, n, "%s given twice", what);
	*out = strdup(s);
	return *out ? 0 : -ENOMEM;
}

/* Every key of a mapping, in order; fn gets key text and value node. */
typedef int (*pair_fn)(struct wc_parse *p, const char *key, const yaml_node_t *k,
		       const yaml_node_t *v);

static int for_each_pair(struct wc_parse *p, const yaml_node_t *map, const char *where,
			 pair_fn fn)
{
	const yaml_node_pair_t *pair;
	int err;

	if (map->type != YAML_MAPPING_NODE)
		return fail(p, map, "%s: expected a mapping", where);
	for (pair = map->data.mapping.pairs.start; pair < map->data.mapping.pairs.top; pair++) {
		const yaml_node_t *k = yaml_document_get_node(p->doc, pair->key);
		const yaml_node_t *v = yaml_document_get_node(p->doc, pair->value);
		const char *key = scalar(k);

		if (!key || !v)
			return fail(p, k, "%s: keys must be plain strings", where);
		err = fn(p, key, k, v);
		if (err)
			return err;
	}
	return 0;
}

static const char *const tls_names[] = {
	[WC_TLS10] = "TLS10", [WC_TLS11] = "TLS11", [WC_TLS12] = "TLS12", [WC_TLS13] = "TLS13",
};

int wc_tls_version_parse(const char *s, enum wc_tls_version *out)
{
	int i;

	for (i = WC_TLS10; i <= WC_TLS13; i++)
		if (s && !strcmp(s, tls_names[i])) {
			*out = (enum wc_tls_version)i;
			return 0;
		}
	return -EINVAL;
}

/* Keys of exporter-toolkit's tls_server_config that bpfcost does not
 * implement: refused by name, so nobody believes they took effect. */
static const char *const tls_unsupported[] = {
	"cert", "key", "client_auth_type", "client_ca_file", "client_ca", "cipher_suites",
	"curve_preferences", "prefer_server_cipher_suites", "client_allowed_sans",
};

static int tls_version(struct wc_parse *p, const yaml_node_t *v, const char *key,
		       enum wc_tls_version *out)
{
	if (*out != WC_TLS_DEFAULT)
		return fail(p, v, "tls_server_config.%s given twice", key);
	if (wc_tls_version_parse(scalar(v), out))
		return fail(p, v, "tls_server_config.%s: expected TLS10, TLS11, TLS12 or TLS13", key);
	return 0;
}

static int tls_pair(struct wc_parse *p, const char *key, const yaml_node_t *k,
		    const yaml_node_t *v)
{
	size_t i;

	if (!strcmp(key, "cert_file"))
		return dup_str(p, v, "tls_server_config.cert_file", &p->c->cert_file);
	if (!strcmp(key, "key_file"))
		return dup_str(p, v, "tls_server_config.key_file", &p->c->key_file);
	if (!strcmp(key, "min_version"))
		return tls_version(p, v, key, &p->c->min_version);
	if (!strcmp(key, "max_version"))
		return tls_version(p, v, key, &p->c->max_version);
	for (i = 0; i < sizeof(tls_unsupported) / sizeof(tls_unsupported[0]); i++)
		if (!strcmp(key, tls_unsupported[i]))
			return fail(p, k, "tls_server_config.%s is not supported by bpfcost", key);
	return fail(p, k, "unknown key '%.64s' in tls_server_config", key);
}

static int parse_tls(struct wc_parse *p, const yaml_node_t *v)
{
	struct web_config *c = p->c;
	int err;

	if (is_null(v))
		return 0;	/* present but empty: no TLS, as exporter-toolkit */
	err = for_each_pair(p, v, "tls_server_config", tls_pair);
	if (err)
		return err;
	if (!c->cert_file != !c->key_file)
		return fail(p, v, "tls_server_config needs both cert_file and key_file");
	if (c->min_version && c->max_version && c->min_version > c->max_version)
		return fail(p, v, "tls_server_config: min_version is above max_version");
	c->tls = c->cert_file != NULL;
	if (!c->tls && (c->min_version || c->max_version))
		return fail(p, v, "tls_server_config: versions given without cert_file/key_file");
	return 0;
}

/* $2a$/$2b$/$2y$, two-digit cost 04..31, '$', 53 characters of bcrypt's
 * base64 (22 salt + 31 hash). */
static bool bcrypt_shaped(const char *h)
{
	static const char b64[] =
		"./ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
	int cost;

	if (strlen(h) != 60 || h[0] != '$' || h[1] != '2' || !strchr("aby", h[2]) || !h[2] ||
	    h[3] != '$' || h[6] != '$' || h[4] < '0' || h[4] > '9' || h[5] < '0' || h[5] > '9')
		return false;
	cost = (h[4] - '0') * 10 + (h[5] - '0');
	return cost >= 4 && cost <= 31 && strspn(h + 7, b64) == 53;
}

static int user_pair(struct wc_parse *p, const char *key, const yaml_node_t *k,
		     const yaml_node_t *v)
{
	struct web_config *c = p->c;
	const char *hash = scalar(v);
	struct wc_user *u;

	if (!*key || strchr(key, ':'))
		return fail(p, k, "basic_auth_users: a user name must be non-empty, without ':'");
	if (wc_user_hash(c, key))
		return fail(p, k, "basic_auth_users: user '%.64s' given twice", key);
	if (!hash || !bcrypt_shaped(hash))
		return fail(p, v, "basic_auth_users.%.64s: expected a bcrypt hash ($2y$10$...)", key);
	if (c->nusers == WC_MAX_USERS)
		return fail(p, k, "basic_auth_users: more than %d users", WC_MAX_USERS);
	u = realloc(c->users, (c->nusers + 1) * sizeof(*u));
	if (!u)
		return -ENOMEM;
	c->users = u;
	u = &c->users[c->nusers];
	u->name = strdup(key);
	u->hash = strdup(hash);
	if (!u->name || !u->hash) {
		free(u->name);
		free(u->hash);
		return -ENOMEM;
	}
	c->nusers++;
	return 0;
}

static int top_pair(struct wc_parse *p, const char *key, const yaml_node_t *k,
		    const yaml_node_t *v)
{
	if (!strcmp(key, "tls_server_config")) {
		if (p->seen_tls++)
			return fail(p, k, "tls_server_config given twice");
		return parse_tls(p, v);
	}
	if (!strcmp(key, "basic_auth_users")) {
		if (p->seen_users++)
			return fail(p, k, "basic_auth_users given twice");
		return is_null(v) ? 0 : for_each_pair(p, v, "basic_auth_users", user_pair);
	}
	if (!strcmp(key, "http_server_config"))
		return fail(p, k, "http_server_config is not supported by bpfcost");
	return fail(p, k, "unknown key '%.64s'", key);
}

/* Load the first document; a second one is an error (one config per file). */
static int load(yaml_parser_t *parser, yaml_document_t *doc, struct wc_parse *p)
{
	yaml_document_t next;
	bool more;

	if (!yaml_parser_load(parser, doc)) {
		snprintf(p->err, p->errlen, "line %zu: %s", parser->problem_mark.line + 1,
			 parser->problem ? parser->problem : "malformed YAML");
		return parser->error == YAML_MEMORY_ERROR ? -ENOMEM : -EINVAL;
	}
	if (!yaml_document_get_root_node(doc))
		return 0;
	if (!yaml_parser_load(parser, &next)) {
		snprintf(p->err, p->errlen, "line %zu: %s", parser->problem_mark.line + 1,
			 parser->problem ? parser->problem : "malformed YAML");
		yaml_document_delete(doc);
		memset(doc, 0, sizeof(*doc));
		return -EINVAL;
	}
	more = yaml_document_get_root_node(&next) != NULL;
	yaml_document_delete(&next);
	if (more) {
		snprintf(p->err, p->errlen, "more than one YAML document");
		yaml_document_delete(doc);
		memset(doc, 0, sizeof(*doc));
		return -EINVAL;
	}
	return 0;
}

int wc_parse(const char *buf, size_t len, struct web_config *out, char *err, size_t errlen)
{
	struct wc_parse p = { .c = out, .err = err, .errlen = errlen };
	yaml_parser_t parser;
	yaml_document_t doc;
	yaml_node_t *root;
	int ret;

	memset(out, 0, sizeof(*out));
	if (errlen)
		err[0] = '\0';
	if (len > WC_MAX_INPUT) {
		snprintf(err, errlen, "larger than %u bytes", WC_MAX_INPUT);
		return -E2BIG;
	}
	if (!yaml_parser_initialize(&parser))
		return -ENOMEM;
	yaml_parser_set_input_string(&parser, (const unsigned char *)buf, len);
	memset(&doc, 0, sizeof(doc));
	ret = load(&parser, &doc, &p);
	if (ret)
		goto out;
	p.doc = &doc;
	root = yaml_document_get_root_node(&doc);
	if (root && !is_null(root))
		ret = for_each_pair(&p, root, "the top level", top_pair);
	yaml_document_delete(&doc);
out:
	yaml_parser_delete(&parser);
	if (ret)
		wc_free(out);
	return ret;
}

void wc_free(struct web_config *c)
{
	size_t i;

	free(c->cert_file);
	free(c->key_file);
	for (i = 0; i < c->nusers; i++) {
		free(c->users[i].name);
		free(c->users[i].hash);
	}
	free(c->users);
	memset(c, 0, sizeof(*c));
}

const char *wc_tls_priorities(const struct web_config *c, char *buf, size_t len)
{
	static const char *const gnutls_names[] = {
		[WC_TLS10] = "+VERS-TLS1.0", [WC_TLS11] = "+VERS-TLS1.1",
		[WC_TLS12] = "+VERS-TLS1.2", [WC_TLS13] = "+VERS-TLS1.3",
	};
	int lo = c->min_version ? (int)c->min_version : WC_TLS12;
	int hi = c->max_version ? (int)c->max_version : WC_TLS13;
	size_t n;
	int v;

	n = (size_t)snprintf(buf, len, "NORMAL:-VERS-ALL");
	for (v = hi; v >= lo && n < len; v--)
		n += (size_t)snprintf(buf + n, len - n, ":%s", gnutls_names[v]);
	return buf;
}

const char *wc_user_hash(const struct web_config *c, const char *name)
{
	size_t i;

	for (i = 0; i < c->nusers; i++)
		if (!strcmp(c->users[i].name, name))
			return c->users[i].hash;
	return NULL;
}

bool wc_secret_equal(const char *a, const char *b)
{
	size_t n = strlen(a), m = strlen(b), i;
	unsigned char d = n != m;

	/* No early exit: the time taken does not say how many leading bytes
	 * of a guess were right (only, at most, its length). */
	for (i = 0; i < n; i++)
		d |= (unsigned char)(a[i] ^ b[i < m ? i : 0]);
	return d == 0;
}

bool wc_bcrypt_ok(const char *hash, const char *password)
{
	struct crypt_data *cd = calloc(1, sizeof(*cd));
	bool ok;

	if (!cd)
		return false;
	/* crypt_rn returns NULL (not a "*0" string) on failure. */
	ok = crypt_rn(password, hash, cd, (int)sizeof(*cd)) && wc_secret_equal(cd->output, hash);
	explicit_bzero(cd, sizeof(*cd));
	free(cd);
	return ok;
}
