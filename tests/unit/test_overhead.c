// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Unit tests for the A/B method's pure parts: per-program deltas of the
 * run-time stats counters when programs come and go between readings. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>
#include "overhead.h"

static void snap_add(struct oh_snap *s, uint32_t id, uint64_t runs, uint64_t ns)
{
	s->id[s->n] = id;
	s->runs[s->n] = runs;
	s->time_ns[s->n] = ns;
	s->n++;
}

static void test_delta_same_programs(void **state)
{
	struct oh_snap a = { 0 }, b = { 0 };
	struct oh_counts d;

	snap_add(&a, 10, 100, 5000);
	snap_add(&a, 11, 7, 700);
	/* Another order at the other end: matched by id. */
	snap_add(&b, 11, 9, 900);
	snap_add(&b, 10, 150, 7500);
	oh_snap_delta(&a, &b, &d);
	assert_true(d.runs == 52);
	assert_true(d.time_ns == 2700);
}

/* A command tracer reloaded during the round: the old program is gone at
 * the end, a new one was not there at the start. Neither takes part; the
 * sum of totals (159 - 107) would have been right only by chance, and
 * with the big program gone, 9 - 107 wraps to ~1.8e19. */
static void test_delta_programs_come_and_go(void **state)
{
	struct oh_snap a = { 0 }, b = { 0 };
	struct oh_counts d;

	snap_add(&a, 10, 100, 5000);
	snap_add(&a, 11, 7, 700);
	snap_add(&b, 11, 9, 900);
	snap_add(&b, 12, 50, 2500);
	oh_snap_delta(&a, &b, &d);
	assert_true(d.runs == 2);
	assert_true(d.time_ns == 200);
	/* Everything gone: nothing, not a wrapped difference. */
	b.n = 0;
	oh_snap_delta(&a, &b, &d);
	assert_true(d.runs == 0 && d.time_ns == 0);
}

/* An id reused by a new program with smaller counters takes no part. */
static void test_delta_counters_went_back(void **state)
{
	struct oh_snap a = { 0 }, b = { 0 };
	struct oh_counts d;

	snap_add(&a, 10, 100, 5000);
	snap_add(&a, 11, 7, 700);
	snap_add(&b, 10, 3, 150);
	snap_add(&b, 11, 8, 800);
	oh_snap_delta(&a, &b, &d);
	assert_true(d.runs == 1);
	assert_true(d.time_ns == 100);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_delta_same_programs),
		cmocka_unit_test(test_delta_programs_come_and_go),
		cmocka_unit_test(test_delta_counters_went_back),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
