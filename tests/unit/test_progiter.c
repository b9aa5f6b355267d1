// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Unit tests for the pure part of the iterator reader: record layout
 * (shared with the BPF program), parsing a read buffer, hiding our own
 * program, tag formatting. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <string.h>
#include "progiter.h"
#include "progs.h"

static struct progstats_rec rec(uint32_t id, uint64_t runs)
{
	struct progstats_rec r;

	memset(&r, 0, sizeof(r));
	r.id = id;
	r.type = 17;
	r.run_cnt = runs;
	r.run_time_ns = runs * 100;
	strcpy(r.name, "p");
	return r;
}

static void test_layout(void **state)
{
	/* No padding holes: both compilers must agree on every offset. */
	assert_int_equal(sizeof(struct progstats_rec), 64);
	assert_int_equal(offsetof(struct progstats_rec, tag), 8);
	assert_int_equal(offsetof(struct progstats_rec, load_time), 16);
	assert_int_equal(offsetof(struct progstats_rec, name), 24);
	assert_int_equal(offsetof(struct progstats_rec, run_cnt), 40);
	assert_int_equal(offsetof(struct progstats_rec, recursion_misses), 56);
}

static void test_parse_whole_and_torn(void **state)
{
	struct progstats_rec b[3] = { rec(1, 10), rec(2, 20), rec(5, 50) };

	assert_int_equal(progiter_parse(b, sizeof(b), 0, NULL), 3);
	assert_int_equal(progiter_parse(b, 0, 0, NULL), 0);
	assert_int_equal(progiter_parse(b, sizeof(b) - 1, 0, NULL), -EPROTO);
	assert_int_equal(progiter_parse(b, 10, 0, NULL), -EPROTO);
}

static void test_parse_skips_self(void **state)
{
	struct progstats_rec b[4] = { rec(1, 10), rec(2, 20), rec(3, 30), rec(9, 90) };
	struct progstats_rec self;

	memset(&self, 0xff, sizeof(self));
	assert_int_equal(progiter_parse(b, sizeof(b), 2, &self), 3);
	assert_int_equal(b[0].id, 1);
	assert_int_equal(b[1].id, 3);
	assert_int_equal(b[1].run_cnt, 30);
	assert_int_equal(b[2].id, 9);
	assert_int_equal(self.id, 2);
	assert_int_equal(self.run_cnt, 20);
	/* absent: nothing dropped, *skipped untouched */
	self.id = 77;
	assert_int_equal(progiter_parse(b, 3 * sizeof(b[0]), 4, &self), 3);
	assert_int_equal(self.id, 77);
}

static void test_tag_hex(void **state)
{
	const uint8_t tag[PROGSTATS_TAG_SIZE] = { 0xa0, 0x93, 0x39, 0x1a, 0xa4, 0xe7, 0xf7, 0x0f };
	char out[2 * PROGSTATS_TAG_SIZE + 1];

	memset(out, 'x', sizeof(out));
	prog_tag_hex(tag, out);
	assert_string_equal(out, "a093391aa4e7f70f");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_layout),
		cmocka_unit_test(test_parse_whole_and_torn),
		cmocka_unit_test(test_parse_skips_self),
		cmocka_unit_test(test_tag_hex),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
