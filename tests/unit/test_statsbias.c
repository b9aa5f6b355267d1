// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Unit tests for the run-time stats bias arithmetic: the interval over
 * batch means, which programs the correction applies to, and corrected
 * figures that are never negative and say when they are unresolved. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <math.h>
#include <string.h>
#include <linux/bpf.h>
#include "statsbias.h"

static struct sb_bias bias(double ns, double half)
{
	struct sb_bias b = { .valid = true, .ns_per_run = ns, .lo = ns - half, .hi = ns + half };

	return b;
}

static void test_batches_interval(void **state)
{
	const double x[] = { 50, 52, 54, 56, 58 };
	struct sb_bias b;

	memset(&b, 0, sizeof(b));
	assert_int_equal(sb_from_batches(&b, x, 5), 0);
	assert_true(fabs(b.ns_per_run - 54) < 1e-9);
	/* t(0.975, 4) = 2.776, sd = 3.162: half-width 3.93 */
	assert_true(fabs((b.hi - b.lo) / 2 - 2.776 * 3.1623 / sqrt(5)) < 0.01);
	assert_int_equal(b.batches, 5);
	/* One batch has no spread to give an interval from. */
	assert_int_equal(sb_from_batches(&b, x, 1), -EINVAL);
}

static void test_applies(void **state)
{
	assert_true(sb_applies(BPF_PROG_TYPE_RAW_TRACEPOINT, true));
	assert_true(sb_applies(BPF_PROG_TYPE_TRACEPOINT, false));
	assert_true(sb_applies(BPF_PROG_TYPE_KPROBE, false));
	assert_true(sb_applies(BPF_PROG_TYPE_XDP, false));
	/* tp_btf runs from bpf_trace_run; fentry from a trampoline. */
	assert_true(sb_applies(BPF_PROG_TYPE_TRACING, true));
	assert_false(sb_applies(BPF_PROG_TYPE_TRACING, false));
	assert_false(sb_applies(BPF_PROG_TYPE_LSM, false));
	assert_false(sb_applies(BPF_PROG_TYPE_STRUCT_OPS, false));
}

static void test_correct_resolved(void **state)
{
	struct sb_bias b = bias(50, 2);
	struct sb_corrected c;

	/* 1,000,000 runs of 150 ns over 1 s: 15% raw, 10% corrected. */
	sb_correct(&b, true, 1000000, 150000000, 1.0, &c);
	assert_true(c.applies && c.resolved);
	assert_true(fabs(c.ns_per_run - 100) < 1e-9);
	assert_true(fabs(c.lo - 98) < 1e-9 && fabs(c.hi - 102) < 1e-9);
	assert_true(fabs(c.cpu_pct - 10.0) < 1e-9);
	assert_true(fabs(c.cpu_pct_lo - 9.8) < 1e-9 && fabs(c.cpu_pct_hi - 10.2) < 1e-9);
}

static void test_correct_below_uncertainty(void **state)
{
	struct sb_bias b = bias(50, 4);
	struct sb_corrected c;

	/* raw 52: corrected 2 +- 4 reaches zero: unresolved, "< 6". */
	sb_correct(&b, true, 1000, 52000, 1.0, &c);
	assert_true(c.applies);
	assert_false(c.resolved);
	assert_true(c.ns_per_run == 0 && c.lo == 0);
	assert_true(fabs(c.hi - 6) < 1e-9);
	/* raw below the whole bias interval: still never negative. */
	sb_correct(&b, true, 1000, 40000, 1.0, &c);
	assert_false(c.resolved);
	assert_true(c.ns_per_run == 0 && c.lo == 0 && c.hi == 0);
	assert_true(c.cpu_pct == 0 && c.cpu_pct_lo == 0 && c.cpu_pct_hi == 0);
}

static void test_correct_not_applicable(void **state)
{
	struct sb_bias b = bias(50, 2), invalid;
	struct sb_corrected c;

	sb_correct(&b, false, 1000, 150000, 1.0, &c);
	assert_false(c.applies);
	memset(&invalid, 0, sizeof(invalid));
	sb_correct(&invalid, true, 1000, 150000, 1.0, &c);
	assert_false(c.applies);
	sb_correct(&b, true, 0, 0, 1.0, &c);	/* no runs: nothing to correct */
	assert_false(c.applies);
	sb_correct(NULL, true, 1000, 150000, 1.0, &c);
	assert_false(c.applies);
}


/* Two measurements minutes apart, each with a tight interval (33.8 and
 * 48.0 ns): the combined interval covers both, not one batch's spread. */
static void test_combine_envelope(void **state)
{
	const double early[] = { 33.5, 33.8, 34.1 }, late[] = { 47.7, 48.0, 48.3 };
	struct sb_bias a = { 0 }, b = { 0 }, none = { 0 };

	assert_int_equal(sb_from_batches(&a, early, 3), 0);
	assert_int_equal(sb_from_batches(&b, late, 3), 0);
	a.valid = b.valid = true;
	assert_true(a.hi < 35 && b.lo > 46);	/* each alone excludes the other */
	sb_combine(&a, &b);
	assert_true(fabs(a.ns_per_run - 40.9) < 1e-9);
	assert_true(a.lo <= 33.8 && a.hi >= 48.0);
	assert_int_equal(a.batches, 6);
	assert_int_equal(a.nparts, 2);
	assert_true(fabs(a.part_ns[0] - 33.8) < 1e-9 && fabs(a.part_ns[1] - 48.0) < 1e-9);
	/* an invalid part changes nothing; an invalid whole takes the part */
	sb_combine(&a, &none);
	assert_int_equal(a.nparts, 2);
	sb_combine(&none, &b);
	assert_true(none.valid && fabs(none.ns_per_run - 48.0) < 1e-9);
}

/* A bias interval reaching below 0 never makes a corrected bound above
 * the raw figure. */
static void test_correct_bound_not_above_raw(void **state)
{
	struct sb_bias b = bias(5, 10);
	struct sb_corrected c;

	sb_correct(&b, true, 1000, 10000, 1.0, &c);	/* 10 ns/run raw */
	assert_false(c.resolved);
	assert_true(c.hi <= 10 + 1e-9);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_batches_interval),
		cmocka_unit_test(test_combine_envelope),
		cmocka_unit_test(test_correct_bound_not_above_raw),
		cmocka_unit_test(test_applies),
		cmocka_unit_test(test_correct_resolved),
		cmocka_unit_test(test_correct_below_uncertainty),
		cmocka_unit_test(test_correct_not_applicable),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
