// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Unit tests for the shared layer every command parses and writes through:
 * the strict number and duration parsers, and the JSON helpers (a NaN must
 * become null, a failed build must be an error, control characters must be
 * escaped). Errors go to stderr, which these tests do not read. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <unistd.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "common.h"

static void test_parse_u64(void **state)
{
	uint64_t v = 7;

	assert_int_equal(parse_u64("n", "42", 0, 100, &v), 0);
	assert_int_equal(v, 42);
	assert_int_equal(parse_u64("n", "18446744073709551615", 0, UINT64_MAX, &v), 0);
	assert_true(v == UINT64_MAX);
	v = 7;
	assert_int_equal(parse_u64("n", "18446744073709551616", 0, UINT64_MAX, &v), -ERANGE);
	assert_int_equal(parse_u64("n", "101", 0, 100, &v), -ERANGE);
	assert_int_equal(parse_u64("n", "0", 1, 100, &v), -ERANGE);
	/* Trailing junk, signs, blanks and empty strings are not numbers. */
	assert_int_equal(parse_u64("n", "12x", 0, 100, &v), -EINVAL);
	assert_int_equal(parse_u64("n", "-1", 0, 100, &v), -EINVAL);
	assert_int_equal(parse_u64("n", " 1", 0, 100, &v), -EINVAL);
	assert_int_equal(parse_u64("n", "", 0, 100, &v), -EINVAL);
	assert_int_equal(parse_u64("n", NULL, 0, 100, &v), -EINVAL);
	assert_int_equal(v, 7);	/* untouched on failure */
}

/* Decimal only: "id 010" is program 10, not 8; hex and blanks are errors. */
static void test_parse_decimal_only(void **state)
{
	static const char *const bad[] = { "0x10", "0X10", "+5", "\t5", "\n5", "5 ", "0b1", "1e3",
					   "1.0", "0x", "" };
	uint64_t v = 7;
	int i;

	assert_int_equal(parse_u64("id", "010", 0, 100, &v), 0);
	assert_int_equal(v, 10);
	assert_int_equal(parse_u64("id", "0", 0, 100, &v), 0);
	assert_int_equal(v, 0);
	assert_int_equal(parse_u64("id", "00000000000000000000042", 0, 100, &v), 0);
	assert_int_equal(v, 42);
	for (size_t k = 0; k < ARRAY_SIZE(bad); k++)
		assert_int_equal(parse_u64("id", bad[k], 0, 100, &v), -EINVAL);
	assert_int_equal(parse_int("n", "010", -100, 100, &i), 0);
	assert_int_equal(i, 10);
	assert_int_equal(parse_int("n", "-010", -100, 100, &i), 0);
	assert_int_equal(i, -10);
	for (size_t k = 0; k < ARRAY_SIZE(bad); k++)
		assert_int_equal(parse_int("n", bad[k], -100, 100, &i), -EINVAL);
	assert_int_equal(parse_int("n", "-", -100, 100, &i), -EINVAL);
	assert_int_equal(parse_int("n", "--1", -100, 100, &i), -EINVAL);
}

static void test_parse_double_decimal_only(void **state)
{
	static const char *const bad[] = { "0x10", "0x1p3", "+5", "\t5", "infinity", ".", "-",
					   "1e", "5 " };
	double v = 7;

	assert_int_equal(parse_double("x", "1e3", 0, 1e9, &v), 0);
	assert_true(v == 1000);
	assert_int_equal(parse_double("x", ".5", 0, 1, &v), 0);
	assert_true(v == 0.5);
	assert_int_equal(parse_double("x", "010", 0, 100, &v), 0);
	assert_true(v == 10);
	assert_int_equal(parse_double("x", "-1", -2, 0, &v), 0);
	assert_true(v == -1);
	for (size_t k = 0; k < ARRAY_SIZE(bad); k++)
		assert_int_equal(parse_double("x", bad[k], -1e9, 1e9, &v), -EINVAL);
	assert_true(parse_duration("d", "0x10s", &v) < 0);
	assert_true(parse_duration("d", "0x1p3", &v) < 0);
	assert_true(parse_duration("d", "\t1s", &v) < 0);
	assert_int_equal(parse_duration("d", "010s", &v), 0);
	assert_true(v == 10);
}

static void test_parse_int(void **state)
{
	int v = 7;

	assert_int_equal(parse_int("n", "-5", -10, 10, &v), 0);
	assert_int_equal(v, -5);
	v = 7;
	assert_int_equal(parse_int("n", "11", -10, 10, &v), -ERANGE);
	assert_int_equal(parse_int("n", "99999999999999999999", -10, 10, &v), -ERANGE);
	assert_int_equal(parse_int("n", "1.5", -10, 10, &v), -EINVAL);
	assert_int_equal(parse_int("n", "", -10, 10, &v), -EINVAL);
	assert_int_equal(v, 7);
}

static void test_parse_double(void **state)
{
	double v = 7;

	assert_int_equal(parse_double("x", "0.25", 0, 1, &v), 0);
	assert_true(v == 0.25);
	v = 7;
	assert_int_equal(parse_double("x", "1.5", 0, 1, &v), -ERANGE);
	assert_int_equal(parse_double("x", "nan", 0, 1, &v), -EINVAL);
	assert_int_equal(parse_double("x", "inf", 0, 1e300, &v), -EINVAL);
	assert_int_equal(parse_double("x", "0.5s", 0, 1, &v), -EINVAL);
	assert_int_equal(parse_double("x", " 0.5", 0, 1, &v), -EINVAL);
	assert_true(v == 7);
}

static void test_parse_duration(void **state)
{
	static const struct { const char *s; double secs; } ok[] = {
		{ "10", 10 }, { "10s", 10 }, { "250ms", 0.25 }, { "2m", 120 }, { "1h", 3600 },
		{ "0.5", 0.5 },
	};
	static const char *const bad[] = { "", "s", "ms", "10x", "1d", "-1", "0", "0ms", "nan",
					   " 5", "8d", "169h" };
	double v;

	for (size_t i = 0; i < ARRAY_SIZE(ok); i++) {
		v = -1;
		assert_int_equal(parse_duration("d", ok[i].s, &v), 0);
		assert_true(fabs(v - ok[i].secs) < 1e-12);
	}
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		v = -1;
		assert_true(parse_duration("d", bad[i], &v) < 0);
		assert_true(v == -1);
	}
	assert_int_equal(parse_duration("d", "168h", &v), 0);	/* a week exactly */
}

static void test_json_real(void **state)
{
	json_t *j = bc_json_real(1.5);

	assert_true(json_is_real(j) && json_real_value(j) == 1.5);
	json_decref(j);
	assert_true(json_is_null(bc_json_real(NAN)));
	assert_true(json_is_null(bc_json_real(INFINITY)));
	assert_true(json_is_null(bc_json_real(-INFINITY)));
}

/* A NaN through "f" fails the whole build; through bc_json_real it is null. */
static void test_json_pack(void **state)
{
	json_t *j = bc_json_pack("{s:f}", "x", NAN);

	assert_null(j);
	j = bc_json_pack("{s:o, s:i}", "x", bc_json_real(NAN), "n", 3);
	assert_non_null(j);
	assert_true(json_is_null(json_object_get(j, "x")));
	assert_int_equal(json_integer_value(json_object_get(j, "n")), 3);
	json_decref(j);
}

static char *emit_to_string(json_t *doc, bool pretty, int *err)
{
	struct bc_ctx ctx = { .json = true, .pretty = pretty };
	char *buf = NULL;
	size_t len = 0;

	ctx.out = open_memstream(&buf, &len);
	assert_non_null(ctx.out);
	*err = bc_json_emit(&ctx, doc);
	assert_int_equal(fclose(ctx.out), 0);
	return buf;
}

static void test_json_emit(void **state)
{
	char *out;
	int err;

	out = emit_to_string(bc_json_pack("{s:s}", "name", "a\"b\\c\n\t\x01\x7f\xc3\xa9"),
			     false, &err);
	assert_int_equal(err, 0);
	/* One line; every control character escaped; non-ASCII as \u. */
	assert_string_equal(out, "{\"name\":\"a\\\"b\\\\c\\n\\t\\u0001\x7f\\u00E9\"}\n");
	free(out);
	out = emit_to_string(bc_json_pack("[i, i]", 1, 2), true, &err);
	assert_int_equal(err, 0);
	assert_non_null(strchr(out, '\n'));
	assert_true(strchr(out, '\n') < out + strlen(out) - 1);	/* indented: several lines */
	free(out);
	out = emit_to_string(NULL, false, &err);
	assert_int_equal(err, -EINVAL);
	assert_true(!out || !*out);	/* nothing written for a failed build */
	free(out);
}

/* ---- escaping ---- */

static void assert_esc(const char *in, const char *want)
{
	char buf[BC_ESC_MAX];
	char *mem = NULL;
	size_t len = 0;
	FILE *f;

	assert_string_equal(bc_esc(buf, sizeof(buf), in), want);
	assert_string_equal(BC_ESC(in), want);
	f = open_memstream(&mem, &len);
	assert_non_null(f);
	assert_int_equal(bc_fputs_esc(in, f), 0);
	assert_int_equal(fclose(f), 0);
	assert_string_equal(mem, want);
	free(mem);
}

static void test_esc_controls(void **state)
{
	char all[32];
	size_t i;

	assert_esc("", "");
	assert_esc("sysmon_cnt_enter", "sysmon_cnt_enter");
	assert_esc("\x1b[31mevil", "\\x1b[31mevil");
	assert_esc("a\nb\rc\td", "a\\nb\\rc\\td");
	assert_esc("del\x7f", "del\\x7f");
	assert_esc("back\\slash", "back\\slash");
	/* Every C0 control, none left raw. */
	for (i = 1; i < 32; i++)
		all[i - 1] = (char)i;
	all[31] = '\0';
	for (const char *p = BC_ESC(all); *p; p++)
		assert_true((unsigned char)*p >= 0x20 && (unsigned char)*p < 0x7f);
	assert_string_equal(BC_ESC(NULL), "(null)");
}

static void test_esc_utf8(void **state)
{
	/* Printable UTF-8 passes: 2, 3 and 4 byte forms. */
	assert_esc("caf\xc3\xa9", "caf\xc3\xa9");
	assert_esc("\xe2\x82\xac 5", "\xe2\x82\xac 5");
	assert_esc("\xf0\x9f\x90\x9d", "\xf0\x9f\x90\x9d");
	/* C1 controls as UTF-8 (U+009B is CSI) and as raw bytes. */
	assert_esc("\xc2\x9b" "31m", "\\xc2\\x9b31m");
	assert_esc("\x9b" "31m", "\\x9b31m");
	/* Malformed: lone continuation, truncated, overlong, surrogate, > U+10FFFF. */
	assert_esc("\x80", "\\x80");
	assert_esc("\xc3", "\\xc3");
	assert_esc("\xe2\x82", "\\xe2\\x82");
	assert_esc("\xc0\xaf", "\\xc0\\xaf");
	assert_esc("\xe0\x80\xaf", "\\xe0\\x80\\xaf");
	assert_esc("\xed\xa0\x80", "\\xed\\xa0\\x80");
	assert_esc("\xf4\x90\x80\x80", "\\xf4\\x90\\x80\\x80");
	assert_esc("\xff", "\\xff");
	/* Characters that reorder or hide text: RLO, ZWSP, LRI, BOM, a tag. */
	assert_esc("a\xe2\x80\xae" "b", "a\\xe2\\x80\\xaeb");
	assert_esc("\xe2\x80\x8b", "\\xe2\\x80\\x8b");
	assert_esc("\xe2\x81\xa6", "\\xe2\\x81\\xa6");
	assert_esc("\xef\xbb\xbf", "\\xef\\xbb\\xbf");
	assert_esc("\xf3\xa0\x80\x81", "\\xf3\\xa0\\x80\\x81");
}

static void test_esc_cut(void **state)
{
	char buf[12];
	char long_in[3000];

	/* Fits exactly (11 chars), returned as is. */
	assert_string_equal(bc_esc(buf, sizeof(buf), "hello world"), "hello world");
	/* One more: cut to 8 and "...". */
	assert_string_equal(bc_esc(buf, sizeof(buf), "hello world!"), "hello wo...");
	/* Never inside an escape or a UTF-8 character. */
	assert_string_equal(bc_esc(buf, sizeof(buf), "abcdef\x1b[31m"), "abcdef...");
	assert_string_equal(bc_esc(buf, sizeof(buf), "abcdefg\xc3\xa9\xc3\xa9"),
			    "abcdefg\xc3\xa9\xc3\xa9");
	assert_string_equal(bc_esc(buf, sizeof(buf), "abcdefg\xc3\xa9\xc3\xa9\xc3\xa9"),
			    "abcdefg...");
	assert_string_equal(bc_esc(buf, sizeof(buf), "\x01\x02\x03"), "\\x01\\x02...");
	assert_string_equal(bc_esc(buf, 4, "\x01"), "...");
	memset(long_in, '\x1b', sizeof(long_in) - 1);
	long_in[sizeof(long_in) - 1] = '\0';
	/* As many whole 4-byte escapes as leave room for "..." and the NUL. */
	assert_int_equal(strlen(BC_ESC(long_in)), (BC_ESC_MAX - 1 - 3) / 4 * 4 + 3);
}

/* ---- the output stream ---- */

static int out_to_pipe(struct bc_ctx *ctx, bool close_reader, int *rfd)
{
	int fds[2];

	assert_int_equal(pipe(fds), 0);
	if (close_reader) {
		close(fds[0]);
		fds[0] = -1;
	}
	*rfd = fds[0];
	assert_int_equal(bc_out_open(ctx, fds[1]), 0);
	return fds[1];
}

static void test_out_epipe_latched(void **state)
{
	struct bc_ctx ctx = { 0 };
	int rfd, wfd;

	signal(SIGPIPE, SIG_IGN);	/* as bc_signals_install does */
	bc_stop_reset();
	wfd = out_to_pipe(&ctx, true, &rfd);
	assert_int_equal(bc_out_error(&ctx), 0);
	assert_false(bc_should_stop(&ctx));
	fprintf(ctx.out, "line\n");
	assert_int_equal(bc_out_error(&ctx), 0);	/* still in the buffer */
	fflush(ctx.out);
	assert_int_equal(bc_out_error(&ctx), -EPIPE);
	assert_true(bc_should_stop(&ctx));
	/* The sleep of a loop whose output failed returns at once. */
	assert_true(bc_sleep_ctx(&ctx, 10));
	/* JSON says so too, and the first error stays. */
	assert_int_equal(bc_json_emit(&ctx, json_pack("[i]", 1)), -EPIPE);
	assert_int_equal(bc_out_close(&ctx), -EPIPE);
	assert_null(ctx.out);
	close(wfd);
}

static void test_out_enospc(void **state)
{
	struct bc_ctx ctx = { 0 };
	int fd = open("/dev/full", O_WRONLY);

	assert_true(fd >= 0);
	assert_int_equal(bc_out_open(&ctx, fd), 0);
	fputs("x\n", ctx.out);
	assert_int_equal(bc_out_close(&ctx), -ENOSPC);
	close(fd);
}

static void test_out_ok(void **state)
{
	struct bc_ctx ctx = { 0 };
	char buf[64] = "";
	int rfd, wfd;

	wfd = out_to_pipe(&ctx, false, &rfd);
	fprintf(ctx.out, "%s\n", BC_ESC("a\x1b"));
	assert_int_equal(bc_json_emit(&ctx, json_pack("[i]", 5)), 0);
	assert_int_equal(bc_out_close(&ctx), 0);
	close(wfd);
	assert_int_equal(read(rfd, buf, sizeof(buf) - 1), 10);
	assert_string_equal(buf, "a\\x1b\n[5]\n");
	close(rfd);
	assert_false(bc_sleep_ctx(&ctx, 0.01));
}

static void test_shell_join(void **state)
{
	char *cmd[] = { "unshare", "-m", "sh", "-c",
			"mount -t tracefs none /sys/kernel/tracing && exec bpftrace x.bt", NULL };
	char *odd[] = { "echo", "it's", "", "a=b,c:d/e.f@g%h+i_j-k", "$HOME", NULL };
	char buf[128], small[24];

	assert_string_equal(bc_shell_join(buf, sizeof(buf), -1, cmd),
			    "unshare -m sh -c 'mount -t tracefs none /sys/kernel/tracing && "
			    "exec bpftrace x.bt'");
	assert_string_equal(bc_shell_join(buf, sizeof(buf), -1, odd),
			    "echo 'it'\\''s' '' a=b,c:d/e.f@g%h+i_j-k '$HOME'");
	assert_string_equal(bc_shell_join(buf, sizeof(buf), 2, odd), "echo 'it'\\''s'");
	/* whole words only, and says it cut */
	assert_string_equal(bc_shell_join(small, sizeof(small), -1, cmd), "unshare -m sh -c ...");
	assert_string_equal(bc_shell_join(small, 5, -1, cmd), "...");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_u64),
		cmocka_unit_test(test_parse_decimal_only),
		cmocka_unit_test(test_parse_double_decimal_only),
		cmocka_unit_test(test_esc_controls),
		cmocka_unit_test(test_esc_utf8),
		cmocka_unit_test(test_esc_cut),
		cmocka_unit_test(test_out_epipe_latched),
		cmocka_unit_test(test_out_enospc),
		cmocka_unit_test(test_out_ok),
		cmocka_unit_test(test_parse_int),
		cmocka_unit_test(test_parse_double),
		cmocka_unit_test(test_parse_duration),
		cmocka_unit_test(test_json_real),
		cmocka_unit_test(test_json_pack),
		cmocka_unit_test(test_json_emit),
		cmocka_unit_test(test_shell_join),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
