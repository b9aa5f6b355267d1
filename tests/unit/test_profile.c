// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Unit tests for profile's pure helpers: figures from a histogram minus the
 * calibration offset (never negative; a figure at or below the offset is
 * flagged, not shown as 0 ns), and counters scaled for multiplexing. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>
#include "hist.h"
#include "profile.h"

/* 100 runs of 50 ns and 100 of 100 ns (values below 128 are exact). */
static void two_values(struct hist *h)
{
	hist_init(h);
	hist_add_n(h, 50, 100);
	hist_add_n(h, 100, 100);
}

static void test_figures_raw(void **state)
{
	struct prof_figures f;
	struct hist h;

	two_values(&h);
	prof_figures_from_hist(&h, 0, &f);
	assert_true(f.mean > 74.9 && f.mean < 75.1);
	assert_int_equal(f.p50, 50);
	assert_int_equal(f.p99, 100);
	assert_int_equal(f.max, 100);
	assert_int_equal(f.below_calib, 0);
}

static void test_figures_offset_flags_what_it_eats(void **state)
{
	struct prof_figures f;
	struct hist h;

	two_values(&h);
	prof_figures_from_hist(&h, 60, &f);
	assert_true(f.mean > 14.9 && f.mean < 15.1);
	assert_int_equal(f.p50, 0);
	assert_int_equal(f.below_calib, PROF_FIG_P50);
	assert_int_equal(f.p90, 40);
	assert_int_equal(f.max, 40);

	prof_figures_from_hist(&h, 100, &f);
	assert_int_equal(f.below_calib, PROF_FIG_MEAN | PROF_FIG_P50 | PROF_FIG_P90 |
					PROF_FIG_P99 | PROF_FIG_MAX);
	assert_true(f.mean == 0);
}

static void test_figures_empty(void **state)
{
	struct prof_figures f;
	struct hist h;

	hist_init(&h);
	prof_figures_from_hist(&h, 10, &f);
	assert_int_equal(f.below_calib, 0);	/* no runs: nothing to flag */
	assert_true(f.mean == 0);
}

static void test_counter_scaling_and_calibration(void **state)
{
	struct prof_counter c;

	memset(&c, 0, sizeof(c));
	c.raw = 1000, c.enabled = 200, c.running = 100;
	prof_counter_finish(&c, 10, 50);
	assert_true(c.multiplexed);
	assert_true(c.scaled == 2000);
	assert_true(c.per_run == 200);
	assert_true(c.per_run_corrected == 150);
	assert_false(c.below_calib);

	prof_counter_finish(&c, 10, 250);
	assert_true(c.below_calib);
	assert_true(c.per_run_corrected == 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_figures_raw),
		cmocka_unit_test(test_figures_offset_flags_what_it_eats),
		cmocka_unit_test(test_figures_empty),
		cmocka_unit_test(test_counter_scaling_and_calibration),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
