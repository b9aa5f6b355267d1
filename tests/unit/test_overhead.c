// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Unit tests for the A/B method's pure parts: per-program deltas of the
 * run-time stats counters when programs come and go between readings; the
 * bracketing of rounds; the per-kind decomposition, its correction for the
 * stats bias, REST's interval, and parts that are never shown negative. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <math.h>
#include <string.h>
#include "overhead.h"
#include "near.h"

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
	a.biased[1] = b.biased[1] = true;
	snap_add(&b, 10, 3, 150);
	snap_add(&b, 11, 8, 800);
	oh_snap_delta(&a, &b, &d);
	assert_true(d.runs == 1);
	assert_true(d.time_ns == 100);
	/* Runs of programs the stats bias applies to, counted apart. */
	assert_true(d.biased_runs == 1);
}

static void test_bracket_and_aa(void **state)
{
	/* off, on, off, on, off, on, off */
	const double off[] = { 100, 104, 102, 106 }, on[] = { 120, 121, 125 };
	double d[3], aa[2];

	assert_int_equal(oh_bracket_deltas(on, 3, off, 4, d), 3);
	assert_near(d[0], 120 - 102, 1e-12);
	assert_near(d[1], 121 - 103, 1e-12);
	assert_near(d[2], 125 - 104, 1e-12);
	/* Off-round 1 against 0 and 2; off-round 3 has no right neighbour. */
	assert_int_equal(oh_aa_deltas(off, 4, aa), 1);
	assert_near(aa[0], 104 - 101, 1e-12);
	/* An on-round with no closing off-round is not compared. */
	assert_int_equal(oh_bracket_deltas(on, 3, off, 3, d), 2);
}

static struct sb_bias bias(double ns, double half)
{
	struct sb_bias b = { .valid = true, .ns_per_run = ns, .lo = ns - half, .hi = ns + half };

	return b;
}

/* The failing input of issue 12 item 2: a tracer whose programs run only
 * on openat. getpid's windows hold background runs only (taken out, so
 * about 0 either way); openat's about 2 runs per call. */
static void test_decomp_kind_programs_on_one_kind(void **state)
{
	const double g_calls[] = { 400000, 350000, 380000 };
	const double g_runs[] = { 3.0, -2.5, 0.5 };
	const double g_time[] = { 12000, -10000, 2000 };
	const double o_calls[] = { 17000, 18000, 17500 };
	const double o_runs[] = { 34000, 36000, 35000 };
	const double o_time[] = { 34000 * 2000.0, 36000 * 2010.0, 35000 * 1990.0 };
	struct sb_bias b = bias(50, 2);
	struct stats_ci rpc, in;

	assert_int_equal(oh_decomp_kind(g_calls, g_runs, g_time, g_runs, 3, &b, &rpc, &in), 0);
	assert_true(fabs(rpc.point) < 1e-4);
	assert_true(in.lo < 0 && in.hi > 0 && in.hi < 1);
	assert_int_equal(oh_nonneg(&in), OH_NN_BELOW);
	/* openat: 2 runs per call of 2000 ns, less 2 x 50 ns of bias. */
	assert_int_equal(oh_decomp_kind(o_calls, o_runs, o_time, o_runs, 3, &b, &rpc, &in), 0);
	assert_near(rpc.point, 2.0, 1e-9);
	assert_near(in.point, (2000 + 2010 + 1990) / 3.0 * 2 - 100, 1e-6);
	assert_int_equal(oh_nonneg(&in), OH_NN_VALUE);
	assert_string_equal(in.method, STATS_CI_T);
}

/* The bias's own uncertainty widens the interval: by biased runs per call
 * x its half-widths on either side. Without a valid bias: raw. */
static void test_decomp_kind_bias(void **state)
{
	const double calls[] = { 1000, 1000 }, runs[] = { 1000, 1000 };
	const double time_ns[] = { 100000, 100000 }, none[] = { 0, 0 };
	struct sb_bias b = bias(40, 5), invalid = { 0 };
	struct stats_ci rpc, in;

	/* Every round alike: a t-interval of width 0, then the bias's. */
	assert_int_equal(oh_decomp_kind(calls, runs, time_ns, runs, 2, &b, &rpc, &in), 0);
	assert_near(in.point, 60, 1e-9);
	assert_near(in.lo, 55, 1e-9);
	assert_near(in.hi, 65, 1e-9);
	/* Runs of programs the bias does not apply to: not corrected. */
	assert_int_equal(oh_decomp_kind(calls, runs, time_ns, none, 2, &b, &rpc, &in), 0);
	assert_near(in.point, 100, 1e-9);
	assert_int_equal(oh_decomp_kind(calls, runs, time_ns, runs, 2, &invalid, &rpc, &in), 0);
	assert_near(in.point, 100, 1e-9);
	assert_int_equal(oh_decomp_kind(calls, runs, time_ns, runs, 2, NULL, &rpc, &in), 0);
	assert_near(in.point, 100, 1e-9);
	/* One round: the point, no interval. No call at all: no data. */
	assert_int_equal(oh_decomp_kind(calls, runs, time_ns, runs, 1, &b, &rpc, &in), 0);
	assert_false(stats_ci_has_interval(&in));
	assert_int_equal(oh_nonneg(&in), OH_NN_NO_CI);
	assert_int_equal(oh_decomp_kind(none, runs, time_ns, runs, 2, &b, &rpc, &in), -ENODATA);
}

static void test_rest_ci(void **state)
{
	struct stats_ci added = { .point = 100, .lo = 70, .hi = 140, .level = 0.95,
				  .method = STATS_CI_T_LAG1, .n = 6 };
	struct stats_ci in = { .point = 60, .lo = 50, .hi = 90, .level = 0.95,
			       .method = STATS_CI_T, .n = 3 };
	struct stats_ci rest;

	oh_rest_ci(&added, &in, &rest);
	assert_near(rest.point, 40, 1e-12);
	/* Low side: ADDED's low half-width (30) with IN_BPF's high one (30). */
	assert_near(rest.lo, 40 - hypot(30, 30), 1e-9);
	assert_near(rest.hi, 40 + hypot(40, 10), 1e-9);
	assert_true(rest.n == 3);
	assert_int_equal(oh_nonneg(&rest), OH_NN_BELOW);
	/* Either without an interval: REST has none. */
	in.method = NULL;
	oh_rest_ci(&added, &in, &rest);
	assert_false(stats_ci_has_interval(&rest));
}

static void test_nonneg(void **state)
{
	struct stats_ci ci = { .point = 5, .lo = 1, .hi = 9, .method = STATS_CI_T };

	assert_int_equal(oh_nonneg(&ci), OH_NN_VALUE);
	ci.lo = -1;
	assert_int_equal(oh_nonneg(&ci), OH_NN_BELOW);
	ci.point = -3;
	assert_int_equal(oh_nonneg(&ci), OH_NN_BELOW);
	ci.hi = -0.5;
	assert_int_equal(oh_nonneg(&ci), OH_NN_NEGATIVE);
	ci.point = ci.lo = ci.hi = 0;
	assert_int_equal(oh_nonneg(&ci), OH_NN_NONE);
	ci.method = NULL;
	assert_int_equal(oh_nonneg(&ci), OH_NN_NO_CI);
}

static void test_agent_cpu(void **state)
{
	/* 3 rounds of 1 s, 1e6 syscalls each: 20, 30, 40 ms of agent CPU. */
	const double ns[] = { 20e6, 30e6, 40e6 }, s[] = { 1, 1, 1 }, calls[] = { 1e6, 1e6, 1e6 };
	const double zero[] = { 0, 0, 0 }, none[] = { 0, 0, 0 };
	struct stats_ci per, pct;

	assert_int_equal(oh_agent_cpu(ns, s, calls, 3, 10000000, &per, &pct), 0);
	assert_near(per.point, 30, 1e-9);		/* ns per workload syscall */
	assert_near(pct.point, 3, 1e-9);		/* % of one CPU */
	/* t(2) 0.975 = 4.303, sd 10 ns per call: half-width 4.303 * 10 / sqrt(3). */
	assert_near(per.hi - per.point, 4.303 * 10 / sqrt(3), 0.01);
	assert_string_equal(per.method, STATS_CI_T);
	assert_int_equal(oh_nonneg(&per), OH_NN_VALUE);
	/* Not one clock tick in any round: below one tick per round, never a
	 * zero-width 0 [0, 0]. */
	assert_int_equal(oh_agent_cpu(zero, s, calls, 3, 10000000, &per, &pct), 0);
	assert_int_equal(oh_nonneg(&per), OH_NN_BELOW);
	assert_near(per.hi, 10, 1e-9);
	assert_near(pct.hi, 1, 1e-9);
	/* One round: the point only. */
	assert_int_equal(oh_agent_cpu(ns, s, calls, 1, 10000000, &per, &pct), 0);
	assert_int_equal(oh_nonneg(&per), OH_NN_NO_CI);
	/* No round made a syscall: nothing to divide by. */
	assert_int_equal(oh_agent_cpu(ns, s, none, 3, 1, &per, &pct), -ENODATA);
}

static void test_tracer_cpu_delta(void **state)
{
	/* pid 10 runs on (+5 ms); pid 11 exits (its part is lost, not
	 * negative); pid 12 is a new process under a reused pid (all of it
	 * counts); pid 13 is born (all of it). */
	struct tracer_cpu before = { .n = 3, .pid = { 10, 11, 12 }, .start = { 100, 101, 102 },
				     .ns = { 50000000, 70000000, 90000000 } };
	struct tracer_cpu after = { .n = 3, .pid = { 10, 12, 13 }, .start = { 100, 555, 556 },
				    .ns = { 55000000, 10000000, 20000000 } };

	assert_true(tracer_cpu_delta(&before, &after) == 5000000ull + 10000000 + 20000000);
	assert_true(tracer_cpu_delta(&after, &after) == 0);
	/* Reversed: pid 10's counter goes back (no negative part); 11 and
	 * 12 (start 102) are new, all of their time. */
	assert_true(tracer_cpu_delta(&after, &before) == 70000000ull + 90000000);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_delta_same_programs),
		cmocka_unit_test(test_delta_programs_come_and_go),
		cmocka_unit_test(test_delta_counters_went_back),
		cmocka_unit_test(test_bracket_and_aa),
		cmocka_unit_test(test_decomp_kind_programs_on_one_kind),
		cmocka_unit_test(test_decomp_kind_bias),
		cmocka_unit_test(test_rest_ci),
		cmocka_unit_test(test_nonneg),
		cmocka_unit_test(test_agent_cpu),
		cmocka_unit_test(test_tracer_cpu_delta),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
