// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Unit tests for the exporter-toolkit web-config parser and the bcrypt
 * check: a full config, empty and null sections, each refusal with its
 * line, YAML traps (NUL escapes, aliases, several documents), the size
 * limit, and $2b$/$2y$ hashes through libcrypt. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "webconfig.h"

/* bcrypt of "s3cret" at cost 4 (python3 crypt.METHOD_BLOWFISH). */
#define HASH_2B "$2b$04$zkc2mzicBs2D0wgm4gl61OV6lweCTPFZixXC6C81.OCjTBRG.kIUi"
#define HASH_2Y "$2y$04$zkc2mzicBs2D0wgm4gl61OV6lweCTPFZixXC6C81.OCjTBRG.kIUi"

static char err[256];

static int parse(const char *text, struct web_config *c)
{
	return wc_parse(text, strlen(text), c, err, sizeof(err));
}

static void test_full_config(void **state)
{
	struct web_config c;
	char prio[128];

	assert_int_equal(parse("tls_server_config:\n"
			       "  cert_file: server.crt\n"
			       "  key_file: /etc/k.key\n"
			       "  min_version: TLS13\n"
			       "basic_auth_users:\n"
			       "  alice: " HASH_2Y "\n"
			       "  'bob smith': \"" HASH_2B "\"\n", &c), 0);
	assert_true(c.tls);
	assert_string_equal(c.cert_file, "server.crt");
	assert_string_equal(c.key_file, "/etc/k.key");
	assert_int_equal(c.min_version, WC_TLS13);
	assert_int_equal(c.nusers, 2);
	assert_string_equal(wc_user_hash(&c, "bob smith"), HASH_2B);
	assert_null(wc_user_hash(&c, "carol"));
	assert_string_equal(wc_tls_priorities(&c, prio, sizeof(prio)),
			    "NORMAL:-VERS-ALL:+VERS-TLS1.3");
	wc_free(&c);
	wc_free(&c);
}

static void test_empty_and_null(void **state)
{
	static const char *const empty[] = {
		"", "# only a comment\n", "---\n", "~\n", "tls_server_config:\nbasic_auth_users:\n",
		"tls_server_config: {}\nbasic_auth_users: {}\n",
	};
	struct web_config c;
	char prio[128];
	size_t i;

	for (i = 0; i < sizeof(empty) / sizeof(empty[0]); i++) {
		assert_int_equal(parse(empty[i], &c), 0);
		assert_false(c.tls);
		assert_int_equal(c.nusers, 0);
		wc_free(&c);
	}
	assert_string_equal(wc_tls_priorities(&c, prio, sizeof(prio)),
			    "NORMAL:-VERS-ALL:+VERS-TLS1.3:+VERS-TLS1.2");
}

static void refused(const char *text, const char *why)
{
	struct web_config c;
	int ret = parse(text, &c);

	if (ret != -EINVAL || !strstr(err, why))
		fail_msg("'%s': got %d '%s', wanted '%s'", text, ret, err, why);
	assert_null(c.users);
	assert_null(c.cert_file);
}

static void test_refusals(void **state)
{
	refused("foo: 1\n", "line 1: unknown key 'foo'");
	refused("basic_auth_users:\n  a: " HASH_2B "\nbar: 2\n", "line 3: unknown key 'bar'");
	refused("tls_server_config:\n  cert_file: a\n", "both cert_file and key_file");
	refused("tls_server_config:\n  key_file: a\n  bogus: 1\n", "unknown key 'bogus' in tls");
	refused("tls_server_config:\n  client_auth_type: RequireAndVerifyClientCert\n",
		"client_auth_type is not supported");
	refused("http_server_config:\n  http2: false\n", "http_server_config is not supported");
	refused("tls_server_config: {cert_file: a, key_file: b, min_version: TLS1.2}\n",
		"expected TLS10");
	refused("tls_server_config: {cert_file: a, key_file: b, min_version: TLS13, "
		"max_version: TLS12}\n", "min_version is above max_version");
	refused("tls_server_config: {min_version: TLS12}\n", "versions given without");
	refused("tls_server_config: {cert_file: [a], key_file: b}\n", "expected a string");
	refused("tls_server_config: {cert_file: a, cert_file: b, key_file: c}\n", "given twice");
	refused("tls_server_config: {cert_file: a, key_file: b}\ntls_server_config: {}\n",
		"tls_server_config given twice");
	refused("basic_auth_users:\n  a: plain\n", "expected a bcrypt hash");
	refused("basic_auth_users:\n  a: $1$abc$def\n", "expected a bcrypt hash");
	refused("basic_auth_users:\n  a: $2b$03$zkc2mzicBs2D0wgm4gl61OV6lweCTPFZixXC6C81.OCjTBRG.kIUi\n",
		"expected a bcrypt hash");
	refused("basic_auth_users:\n  a: " HASH_2B "\n  a: " HASH_2B "\n", "given twice");
	refused("basic_auth_users:\n  'a:b': " HASH_2B "\n", "without ':'");
	refused("basic_auth_users: [a]\n", "expected a mapping");
	refused("- a\n- b\n", "expected a mapping");
	refused("plain scalar\n", "expected a mapping");
	refused("? [a]\n: b\n", "keys must be plain strings");
	refused("tls_server_config: {cert_file: \"a\\0b\", key_file: c}\n", "expected a string");
	refused("a: [\n", "line");
	refused("a: 1\n---\nb: 2\n", "more than one YAML document");
}

/* Found by fuzz_webconfig: a key folded over CR line breaks carried a
 * newline (and could carry an escape) into the one-line error. */
static void test_error_is_one_printable_line(void **state)
{
	static const char *const texts[] = {
		"tls_server_config: {cert_\r\r\r\ra, ke: a}\n",
		"\"a\\nb\\e[31m\": 1\n",
	};
	struct web_config c;
	size_t i;
	char *e;

	for (i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
		assert_int_equal(parse(texts[i], &c), -EINVAL);
		for (e = err; *e; e++)
			assert_true((unsigned char)*e >= 0x20 && *e != 0x7f);
		assert_non_null(strstr(err, "unknown key"));
	}
}

static void test_aliases_are_not_expanded_into_trouble(void **state)
{
	struct web_config c;

	/* an alias to a mapping used as a section: read, not copied */
	assert_int_equal(parse("x: &u {alice: " HASH_2B "}\n", &c), -EINVAL);
	wc_free(&c);
	assert_int_equal(parse("basic_auth_users: &u\n  alice: " HASH_2B "\n", &c), 0);
	assert_int_equal(c.nusers, 1);
	wc_free(&c);
	/* an undefined alias is a parse error, not a crash */
	assert_int_equal(parse("basic_auth_users: *nope\n", &c), -EINVAL);
	wc_free(&c);
}

static void test_size_limit(void **state)
{
	struct web_config c;
	char *big = malloc(WC_MAX_INPUT + 1);

	assert_non_null(big);
	memset(big, '#', WC_MAX_INPUT + 1);
	assert_int_equal(wc_parse(big, WC_MAX_INPUT + 1, &c, err, sizeof(err)), -E2BIG);
	free(big);
}

static void test_not_nul_terminated(void **state)
{
	const char text[] = "basic_auth_users: {}\nfoo: 1\n";
	struct web_config c;

	/* only the first line counts: the rest lies past len */
	assert_int_equal(wc_parse(text, 21, &c, err, sizeof(err)), 0);
	wc_free(&c);
}

static void test_bcrypt(void **state)
{
	assert_true(wc_bcrypt_ok(HASH_2B, "s3cret"));
	assert_true(wc_bcrypt_ok(HASH_2Y, "s3cret"));
	assert_false(wc_bcrypt_ok(HASH_2B, "s3cret "));
	assert_false(wc_bcrypt_ok(HASH_2B, ""));
	assert_false(wc_bcrypt_ok("$2b$04$short", "s3cret"));
	assert_false(wc_bcrypt_ok("", ""));
}

static void test_secret_equal(void **state)
{
	assert_true(wc_secret_equal("abc", "abc"));
	assert_true(wc_secret_equal("", ""));
	assert_false(wc_secret_equal("abc", "abd"));
	assert_false(wc_secret_equal("abc", "ab"));
	assert_false(wc_secret_equal("ab", "abc"));
	assert_false(wc_secret_equal("", "a"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_full_config),
		cmocka_unit_test(test_empty_and_null),
		cmocka_unit_test(test_refusals),
		cmocka_unit_test(test_error_is_one_printable_line),
		cmocka_unit_test(test_aliases_are_not_expanded_into_trouble),
		cmocka_unit_test(test_size_limit),
		cmocka_unit_test(test_not_nul_terminated),
		cmocka_unit_test(test_bcrypt),
		cmocka_unit_test(test_secret_equal),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
