// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Unit tests for the id -> index hash map: basic use, id 0, growth, and a
 * long random run of puts and deletes checked against a plain array (the
 * backward-shift deletion is where a linear-probing map usually breaks). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <string.h>
#include "idmap.h"

static void test_empty_and_zero_id(void **state)
{
	struct idmap m = { 0 };
	size_t v = 7;

	assert_false(idmap_get(&m, 1, &v));
	assert_false(idmap_del(&m, 1));
	assert_int_equal(idmap_put(&m, 0, 1), -EINVAL);
	assert_int_equal(v, 7);
	idmap_free(&m);
	idmap_free(&m);	/* twice is fine */
}

static void test_put_get_overwrite_del(void **state)
{
	struct idmap m = { 0 };
	size_t v;

	assert_int_equal(idmap_put(&m, 42, 3), 0);
	assert_true(idmap_get(&m, 42, &v));
	assert_int_equal(v, 3);
	assert_int_equal(idmap_put(&m, 42, 9), 0);
	assert_int_equal(m.n, 1);
	assert_true(idmap_get(&m, 42, &v));
	assert_int_equal(v, 9);
	assert_false(idmap_get(&m, 43, &v));
	assert_true(idmap_del(&m, 42));
	assert_false(idmap_get(&m, 42, &v));
	assert_int_equal(m.n, 0);
	idmap_free(&m);
}

static void test_grows_keeps_all(void **state)
{
	struct idmap m = { 0 };
	uint32_t id;
	size_t v;

	for (id = 1; id <= 5000; id++)
		assert_int_equal(idmap_put(&m, id * 7, id), 0);
	assert_int_equal(m.n, 5000);
	assert_true(m.cap >= 10000);
	for (id = 1; id <= 5000; id++) {
		assert_true(idmap_get(&m, id * 7, &v));
		assert_int_equal(v, id);
		assert_false(idmap_get(&m, id * 7 + 1, &v));
	}
	idmap_free(&m);
}

/* xorshift32: deterministic, no libc rand state. */
static uint32_t rnd(uint32_t *x)
{
	*x ^= *x << 13;
	*x ^= *x >> 17;
	*x ^= *x << 5;
	return *x;
}

#define REF_IDS 300

static void test_random_against_reference(void **state)
{
	static size_t ref[REF_IDS + 1];	/* 0: absent, else value + 1 */
	struct idmap m = { 0 };
	uint32_t x = 2463534242u, id;
	size_t v, n = 0;
	int i;

	memset(ref, 0, sizeof(ref));
	for (i = 0; i < 200000; i++) {
		id = 1 + rnd(&x) % REF_IDS;
		if (rnd(&x) % 3) {
			assert_int_equal(idmap_put(&m, id, (size_t)i), 0);
			n += !ref[id];
			ref[id] = (size_t)i + 1;
		} else {
			assert_int_equal(idmap_del(&m, id), ref[id] != 0);
			n -= ref[id] != 0;
			ref[id] = 0;
		}
		if (i % 997)
			continue;
		assert_int_equal(m.n, n);
		for (id = 1; id <= REF_IDS; id++) {
			bool in = idmap_get(&m, id, &v);

			assert_int_equal(in, ref[id] != 0);
			if (in)
				assert_int_equal(v + 1, ref[id]);
		}
	}
	idmap_free(&m);
}

/* At the growth threshold, overwriting an id that is there does not grow
 * the map (the stats sampler relies on it: re-pointing cannot fail). */
static void test_overwrite_never_grows(void **state)
{
	struct idmap m = { 0 };
	size_t v;
	uint32_t id;

	for (id = 1; id <= 32; id++)
		assert_int_equal(idmap_put(&m, id, id), 0);
	assert_int_equal(m.cap, 64);
	assert_int_equal(idmap_put(&m, 7, 700), 0);
	assert_int_equal(m.cap, 64);
	assert_true(idmap_get(&m, 7, &v));
	assert_int_equal(v, 700);
	assert_int_equal(idmap_put(&m, 33, 33), 0);
	assert_int_equal(m.cap, 128);
	idmap_free(&m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_empty_and_zero_id),
		cmocka_unit_test(test_put_get_overwrite_del),
		cmocka_unit_test(test_grows_keeps_all),
		cmocka_unit_test(test_random_against_reference),
		cmocka_unit_test(test_overwrite_never_grows),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
