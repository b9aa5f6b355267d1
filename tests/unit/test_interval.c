// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Unit tests for the one interval loop (bc_interval_loop): how it ends on
 * a count, a duration, a tick's own answer, an error, a stop request or a
 * failed write of the output, and which tick it flags as the last. Real
 * sleeps of a few ms. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <signal.h>
#include <string.h>
#include "common.h"

struct ticks {
	int n;			/* ticks so far */
	int nlast;		/* ticks flagged last */
	int last_at;		/* which tick was flagged last (1-based) */
	int ret_at, ret;	/* return ret at tick ret_at */
	int stop_at;		/* raise SIGTERM during tick stop_at */
	int fail_at;		/* a write to ctx's output fails during tick fail_at */
	struct bc_ctx *ctx;
	uint64_t at_ns[64];
};

static int tick(void *arg, bool last)
{
	struct ticks *t = arg;

	t->at_ns[t->n < 64 ? t->n : 63] = bc_now_ns();
	t->n++;
	if (last) {
		t->nlast++;
		t->last_at = t->n;
	}
	if (t->stop_at == t->n)
		raise(SIGTERM);
	if (t->fail_at == t->n)
		t->ctx->out_errno = EPIPE;	/* what the output stream latches */
	return t->ret_at == t->n ? t->ret : 0;
}

static int setup(void **state)
{
	bc_signals_install();
	bc_stop_reset();
	return 0;
}

static void test_count(void **state)
{
	struct bc_interval iv = { .interval_s = 0.002, .count = 5, .start_ns = bc_now_ns() };
	struct ticks t = { 0 };
	bool stopped = true;

	assert_int_equal(bc_interval_loop(NULL, &iv, tick, &t, &stopped), 0);
	assert_int_equal(t.n, 5);
	assert_int_equal(t.nlast, 1);
	assert_int_equal(t.last_at, 5);
	assert_false(stopped);
	/* Each tick comes an interval after the one before. */
	for (int i = 1; i < 5; i++)
		assert_true(t.at_ns[i] - t.at_ns[i - 1] >= 2000000);
}

static void test_duration_ends_on_time(void **state)
{
	uint64_t start = bc_now_ns();
	struct bc_interval iv = { .interval_s = 0.2, .duration_s = 0.25, .start_ns = start };
	struct ticks t = { 0 };

	assert_int_equal(bc_interval_loop(NULL, &iv, tick, &t, NULL), 0);
	/* 200 + 50 ms: the last sleep is cut short (not a whole 200 ms more),
	 * and that tick is flagged last. */
	assert_int_equal(t.n, 2);
	assert_int_equal(t.last_at, 2);
	assert_true(t.at_ns[1] - start >= 249000000);
	assert_true(t.at_ns[1] - start < 380000000);
}

static void test_at_least_one_tick(void **state)
{
	/* The duration is over before the loop starts: one (last) tick. */
	struct bc_interval iv = { .interval_s = 0.01, .duration_s = 0.001,
				  .start_ns = bc_now_ns() - 1000000000ull };
	struct ticks t = { 0 };

	assert_int_equal(bc_interval_loop(NULL, &iv, tick, &t, NULL), 0);
	assert_int_equal(t.n, 1);
	assert_int_equal(t.last_at, 1);
}

static void test_tick_ends_or_fails(void **state)
{
	struct bc_interval iv = { .interval_s = 0.001, .start_ns = bc_now_ns() };
	struct ticks t = { .ret_at = 3, .ret = 1 };

	/* No count, no duration: only the tick's answer ends it. */
	assert_int_equal(bc_interval_loop(NULL, &iv, tick, &t, NULL), 0);
	assert_int_equal(t.n, 3);
	assert_int_equal(t.nlast, 0);
	t = (struct ticks){ .ret_at = 2, .ret = -EPIPE };
	assert_int_equal(bc_interval_loop(NULL, &iv, tick, &t, NULL), -EPIPE);
	assert_int_equal(t.n, 2);
}

static void test_stop_during_tick_ends_without_another(void **state)
{
	struct bc_interval iv = { .interval_s = 0.001, .count = 100, .start_ns = bc_now_ns() };
	struct ticks t = { .stop_at = 2 };
	bool stopped = false;

	assert_int_equal(bc_interval_loop(NULL, &iv, tick, &t, &stopped), 0);
	assert_int_equal(t.n, 2);
	assert_int_equal(t.nlast, 0);
	assert_true(stopped);
	assert_true(bc_should_stop(NULL));
	bc_stop_reset();
}

static void test_stop_before_sleep_gives_a_last_tick(void **state)
{
	struct bc_interval iv = { .interval_s = 10, .start_ns = bc_now_ns() };
	struct ticks t = { 0 };
	uint64_t t0 = bc_now_ns();
	bool stopped = false;

	/* Asked to stop before the first sleep: no 10 s wait, one last tick
	 * (a stop mid-sleep still takes a last, shorter sample). */
	raise(SIGINT);
	assert_int_equal(bc_interval_loop(NULL, &iv, tick, &t, &stopped), 0);
	assert_true(bc_now_ns() - t0 < 1000000000ull);
	assert_int_equal(t.n, 1);
	assert_int_equal(t.last_at, 1);
	assert_true(stopped);
	bc_stop_reset();
}

static void test_failed_write_stops_and_is_returned(void **state)
{
	struct bc_interval iv = { .interval_s = 0.001, .count = 100, .start_ns = bc_now_ns() };
	struct bc_ctx ctx = { .out_fd = -1 };
	struct ticks t = { .fail_at = 2, .ctx = &ctx };
	bool stopped = false;

	/* The loop's stop test is bc_should_stop(ctx): a failed write too. */
	assert_int_equal(bc_interval_loop(&ctx, &iv, tick, &t, &stopped), -EPIPE);
	assert_int_equal(t.n, 2);
	assert_true(stopped);
	assert_false(bc_stop_requested());
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_count, setup),
		cmocka_unit_test_setup(test_duration_ends_on_time, setup),
		cmocka_unit_test_setup(test_at_least_one_tick, setup),
		cmocka_unit_test_setup(test_tick_ends_or_fails, setup),
		cmocka_unit_test_setup(test_stop_during_tick_ends_without_another, setup),
		cmocka_unit_test_setup(test_stop_before_sleep_gives_a_last_tick, setup),
		cmocka_unit_test_setup(test_failed_write_stops_and_is_returned, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
