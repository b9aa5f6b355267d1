// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Unit tests for the run-time stats sampler, without the kernel: rate math
 * (zero runs, zero wall time, counters going backwards), and tracking of
 * programs that appear, vanish, or whose id is reused by another program. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "runstats.h"

#define SEC 1000000000ull

static void test_rate_basic(void **state)
{
	struct rs_sample a = { 100, 10000, 1 }, b = { 1100, 60000, 3 };
	struct rs_rate r;

	assert_int_equal(rs_rate_compute(&a, &b, 2 * SEC, 4, &r), 0);
	assert_int_equal(r.runs, 1000);
	assert_int_equal(r.time_ns, 50000);
	assert_int_equal(r.misses, 2);
	assert_true(r.has_runs);
	assert_true(fabs(r.runs_per_s - 500.0) < 1e-9);
	assert_true(fabs(r.ns_per_run - 50.0) < 1e-9);
	/* 50 us of 2 s = 0.0025 % of one CPU, a quarter of that of 4 CPUs */
	assert_true(fabs(r.cpu_pct - 0.0025) < 1e-12);
	assert_true(fabs(r.cpu_pct_machine - 0.000625) < 1e-12);
	assert_true(fabs(r.wall_s - 2.0) < 1e-12);
}

static void test_rate_zero_runs_is_not_nan(void **state)
{
	struct rs_sample a = { 7, 700, 0 };
	struct rs_rate r;

	assert_int_equal(rs_rate_compute(&a, &a, SEC, 2, &r), 0);
	assert_false(r.has_runs);
	assert_int_equal(r.runs, 0);
	assert_false(isnan(r.ns_per_run));
	assert_true(r.ns_per_run == 0);
	assert_true(r.runs_per_s == 0 && r.cpu_pct == 0 && r.cpu_pct_machine == 0);
}

static void test_rate_bad_inputs(void **state)
{
	struct rs_sample a = { 10, 100, 0 }, b = { 5, 200, 0 }, c = { 20, 50, 0 };
	struct rs_rate r;

	assert_int_equal(rs_rate_compute(&a, &a, 0, 2, &r), -EINVAL);
	assert_int_equal(rs_rate_compute(&a, &a, SEC, 0, &r), -EINVAL);
	assert_int_equal(rs_rate_compute(&a, &b, SEC, 2, &r), -ERANGE);
	assert_int_equal(rs_rate_compute(&a, &c, SEC, 2, &r), -ERANGE);
	assert_int_equal(r.runs, 0);
	assert_false(r.has_runs);
}

static void test_rate_add(void **state)
{
	struct rs_sample z = { 0, 0, 0 }, a = { 10, 1000, 0 }, b = { 30, 1000, 1 };
	struct rs_rate ra, rb, sum = { 0 };

	assert_int_equal(rs_rate_compute(&z, &a, SEC, 2, &ra), 0);
	assert_int_equal(rs_rate_compute(&z, &b, SEC, 2, &rb), 0);
	rs_rate_add(&sum, &ra);
	rs_rate_add(&sum, &rb);
	assert_int_equal(sum.runs, 40);
	assert_int_equal(sum.time_ns, 2000);
	assert_int_equal(sum.misses, 1);
	assert_true(fabs(sum.ns_per_run - 50.0) < 1e-9);
	assert_true(fabs(sum.runs_per_s - 40.0) < 1e-9);
}

static struct rs_prog_obs obs(uint32_t id, const char *tag, uint64_t load, uint64_t runs,
			      uint64_t ns)
{
	struct rs_prog_obs o;

	memset(&o, 0, sizeof(o));
	o.id = id;
	o.type = 17;
	snprintf(o.name, sizeof(o.name), "p%u", id);
	snprintf(o.tag, sizeof(o.tag), "%s", tag);
	o.load_time = load;
	o.c.run_cnt = runs;
	o.c.run_time_ns = ns;
	return o;
}

static void new_sampler(struct rs_sampler *s, bool fixed)
{
	memset(s, 0, sizeof(*s));
	s->ncpu = 2;
	s->fixed = fixed;
}

/* One pass: the observations given, at time t (monotonic = boottime here). */
static void pass(struct rs_sampler *s, uint64_t t, const struct rs_prog_obs *o, size_t n)
{
	struct rs_prog *p;
	size_t i;

	rs_pass_begin(s, t, t);
	for (i = 0; i < n; i++)
		assert_true(rs_observe(s, &o[i], t, &p) >= 0);
	rs_pass_end(s);
}

static void test_track_new_live_gone(void **state)
{
	struct rs_sampler s;
	struct rs_prog_obs o1[] = { obs(5, "aaaaaaaaaaaaaaaa", 1, 100, 1000),
				    obs(6, "bbbbbbbbbbbbbbbb", 1, 0, 0) };
	struct rs_prog_obs o2[] = { obs(5, "aaaaaaaaaaaaaaaa", 1, 300, 5000),
				    obs(6, "bbbbbbbbbbbbbbbb", 1, 0, 0) };
	struct rs_prog_obs o3[] = { obs(6, "bbbbbbbbbbbbbbbb", 1, 0, 0) };
	struct rs_rate tot;

	new_sampler(&s, false);
	pass(&s, 10 * SEC, o1, 2);
	assert_int_equal(s.n, 2);
	assert_int_equal(s.v[0].state, RS_NEW);
	assert_false(s.v[0].has_rate);

	pass(&s, 11 * SEC, o2, 2);
	assert_int_equal(s.v[0].state, RS_LIVE);
	assert_true(s.v[0].has_rate);
	assert_int_equal(s.v[0].last.runs, 200);
	assert_true(fabs(s.v[0].last.ns_per_run - 20.0) < 1e-9);
	assert_true(s.v[1].has_rate);
	assert_false(s.v[1].last.has_runs);	/* ran zero times: no ns/run */

	pass(&s, 12 * SEC, o3, 1);
	assert_int_equal(s.v[0].state, RS_GONE);
	assert_true(rs_prog_current(&s, &s.v[0]));	/* shown in the pass it went */
	assert_int_equal(s.v[0].last.runs, 200);	/* last figures kept */
	assert_int_equal(rs_prog_total(&s, &s.v[0], &tot), 0);
	assert_int_equal(tot.runs, 200);
	assert_int_equal(tot.time_ns, 4000);

	/* Shown once: the next pass drops it, its totals kept in the sum. */
	pass(&s, 13 * SEC, o3, 1);
	assert_int_equal(s.n, 1);
	assert_int_equal(s.v[0].id, 6);
	assert_int_equal(s.dropped.n, 1);
	assert_int_equal(s.dropped.total.run_cnt, 200);
	assert_int_equal(s.dropped.total.run_time_ns, 4000);
	rs_free(&s);
}

/* After a drop moves entries down, every id still finds its own entry:
 * counters keep adding up per program, and the freed slots' user data
 * goes with them (ASan: make SAN=1). */
static void test_drop_keeps_ids_paired(void **state)
{
	enum { N = 10 };
	struct rs_prog_obs o[N], keep[N];
	struct rs_sampler s;
	size_t i, n = 0;

	new_sampler(&s, false);
	for (i = 0; i < N; i++)
		o[i] = obs((uint32_t)i + 1, "aa", 1, 100 * (i + 1), 1000);
	pass(&s, 1 * SEC, o, N);
	for (i = 0; i < s.n; i++)
		s.v[i].user = malloc(64);
	/* Even ids vanish. */
	for (i = 0; i < N; i++)
		if (o[i].id % 2)
			keep[n++] = o[i];
	pass(&s, 2 * SEC, keep, n);
	assert_int_equal(s.n, N);
	for (i = 0; i < n; i++)
		keep[i].c.run_cnt += keep[i].id;	/* id N ran N times more */
	pass(&s, 3 * SEC, keep, n);
	assert_int_equal(s.n, n);
	assert_int_equal(s.dropped.n, N / 2);
	for (i = 0; i < s.n; i++) {
		assert_int_equal(s.v[i].id % 2, 1);
		assert_int_equal(s.v[i].state, RS_LIVE);
		assert_int_equal(s.v[i].last.runs, s.v[i].id);
		assert_non_null(s.v[i].user);
	}
	/* A vanished id reused by a new program is a new entry, not an old one. */
	keep[n] = obs(2, "bb", 3 * SEC + 1, 7, 70);
	pass(&s, 4 * SEC, keep, n + 1);
	assert_int_equal(s.v[s.n - 1].id, 2);
	assert_int_equal(s.v[s.n - 1].last.runs, 7);
	rs_free(&s);
}

static void test_gone_keep_passes(void **state)
{
	struct rs_prog_obs a = obs(3, "aa", 1, 50, 500), b = obs(4, "bb", 1, 50, 500);
	struct rs_sampler s;
	int k;

	new_sampler(&s, false);
	s.gone_keep = 3;
	pass(&s, 1 * SEC, (struct rs_prog_obs[]){ a, b }, 2);
	pass(&s, 2 * SEC, &b, 1);	/* a gone */
	for (k = 0; k < 2; k++) {
		pass(&s, (3 + k) * SEC, &b, 1);
		assert_int_equal(s.n, 2);
		assert_true(rs_prog_current(&s, &s.v[0]));
	}
	pass(&s, 5 * SEC, &b, 1);
	assert_int_equal(s.n, 1);
	assert_int_equal(s.v[0].id, 4);
	rs_free(&s);
}

/* A fixed selection is bounded by itself: a gone program stays (not
 * listed per interval) for the summary. */
static void test_fixed_selection_keeps_gone(void **state)
{
	struct rs_prog_obs a = obs(3, "aa", 1, 50, 500);
	struct rs_sampler s;
	int k;

	new_sampler(&s, true);
	pass(&s, 1 * SEC, &a, 1);
	for (k = 0; k < 5; k++)
		pass(&s, (2 + k) * SEC, NULL, 0);
	assert_int_equal(s.n, 1);
	assert_int_equal(s.v[0].state, RS_GONE);
	assert_false(rs_prog_current(&s, &s.v[0]));
	assert_int_equal(s.dropped.n, 0);
	rs_free(&s);
}

/* Churn: 100 programs at a time, each living 3 passes, 100,000 lifetimes.
 * What the sampler holds stays that of the live set. */
static void test_churn_stays_bounded(void **state)
{
	enum { W = 100, PER_PASS = 34, LIFETIMES = 100000 };
	static struct rs_prog_obs o[W];
	struct rs_sampler s;
	uint32_t next = 1;
	size_t i, max_cap = 0, max_live_cap = 0;
	uint64_t t = SEC;

	new_sampler(&s, false);
	for (i = 0; i < W; i++, next++)
		o[i] = obs(next, "aa", 0, 0, 0);
	while (next < LIFETIMES) {
		for (i = 0; i < W; i++)
			o[i].c.run_cnt++;
		/* The oldest PER_PASS go, as many new ones come. */
		for (i = 0; i < PER_PASS; i++, next++)
			o[(next - 1) % W] = obs(next, "aa", t, 0, 0);
		pass(&s, t, o, W);
		t += SEC / 10;
		max_cap = s.cap > max_cap ? s.cap : max_cap;
		max_live_cap = s.live.cap > max_live_cap ? s.live.cap : max_live_cap;
	}
	assert_true(s.n <= W + PER_PASS);
	assert_true(max_cap <= 256);
	assert_true(max_live_cap <= 512);
	assert_int_equal(s.live.n, W);
	assert_true(s.dropped.n >= LIFETIMES - W - 2 * PER_PASS);
	rs_free(&s);
}

static void test_id_reuse_is_gone_plus_new(void **state)
{
	struct rs_sampler s;
	struct rs_prog_obs a1 = obs(9, "aaaaaaaaaaaaaaaa", 1, 1000, 1000000);
	struct rs_prog_obs a2 = obs(9, "aaaaaaaaaaaaaaaa", 1, 2000, 2000000);
	/* Same id, other program loaded in between: fewer runs, new load time. */
	struct rs_prog_obs b = obs(9, "cccccccccccccccc", 11 * SEC + 5, 10, 500);

	new_sampler(&s, false);
	pass(&s, 10 * SEC, &a1, 1);
	pass(&s, 11 * SEC, &a2, 1);
	pass(&s, 12 * SEC, &b, 1);
	assert_int_equal(s.n, 2);
	assert_int_equal(s.v[0].state, RS_GONE);
	assert_string_equal(s.v[0].tag, "aaaaaaaaaaaaaaaa");
	assert_int_equal(s.v[0].last.runs, 1000);
	/* Loaded after the previous pass: its runs all fall in this interval. */
	assert_int_equal(s.v[1].state, RS_LIVE);
	assert_int_equal(s.v[1].last.runs, 10);
	assert_true(fabs(s.v[1].last.ns_per_run - 50.0) < 1e-9);
	rs_free(&s);
}

static void test_same_tag_new_load_time_is_new(void **state)
{
	struct rs_sampler s;
	struct rs_prog_obs a = obs(3, "aaaaaaaaaaaaaaaa", 1, 50, 500);
	struct rs_prog_obs b = obs(3, "aaaaaaaaaaaaaaaa", 2, 60, 600);

	new_sampler(&s, false);
	pass(&s, 10 * SEC, &a, 1);
	pass(&s, 11 * SEC, &b, 1);
	assert_int_equal(s.n, 2);
	assert_int_equal(s.v[0].state, RS_GONE);
	/* loaded (t=2) before the previous pass (t=10): no interval yet */
	assert_int_equal(s.v[1].state, RS_NEW);
	rs_free(&s);
}

static void test_fixed_selection_adds_nothing(void **state)
{
	struct rs_sampler s;
	struct rs_prog_obs a = obs(3, "aaaaaaaaaaaaaaaa", 1, 50, 500);
	struct rs_prog_obs two[] = { obs(3, "dddddddddddddddd", 10 * SEC + 1, 1, 1),
				     obs(4, "eeeeeeeeeeeeeeee", 10 * SEC + 1, 1, 1) };

	new_sampler(&s, true);
	pass(&s, 10 * SEC, &a, 1);
	pass(&s, 11 * SEC, two, 2);
	assert_int_equal(s.n, 1);
	assert_int_equal(s.v[0].state, RS_GONE);
	rs_free(&s);
}

static void test_total_needs_an_interval(void **state)
{
	struct rs_sampler s;
	struct rs_prog_obs a = obs(3, "aaaaaaaaaaaaaaaa", 1, 50, 500);
	struct rs_rate tot;

	new_sampler(&s, false);
	pass(&s, 10 * SEC, &a, 1);
	assert_int_equal(rs_prog_total(&s, &s.v[0], &tot), -EINVAL);
	assert_false(tot.has_runs);
	rs_free(&s);
}

static void test_reader_names_strict(void **state)
{
	enum rs_reader r = RS_READER_SYSCALL;

	assert_int_equal(rs_reader_parse("auto", &r), 0);
	assert_int_equal(r, RS_READER_AUTO);
	assert_int_equal(rs_reader_parse("iter", &r), 0);
	assert_int_equal(r, RS_READER_ITER);
	assert_int_equal(rs_reader_parse("syscall", &r), 0);
	assert_int_equal(r, RS_READER_SYSCALL);
	assert_int_equal(rs_reader_parse("Iter", &r), -EINVAL);
	assert_int_equal(rs_reader_parse("iter ", &r), -EINVAL);
	assert_int_equal(rs_reader_parse("", &r), -EINVAL);
	assert_int_equal(rs_reader_parse("sys", &r), -EINVAL);
	assert_int_equal(r, RS_READER_SYSCALL);
	assert_string_equal(rs_reader_name(RS_READER_ITER), "iter");
	assert_string_equal(rs_reader_name((enum rs_reader)9), "unknown");
}

/* A large fleet with churn: every other program vanishes, its id comes
 * back as another program; lookups (hashed) must still pair each
 * observation with the right entry. */
static void test_fleet_churn(void **state)
{
	enum { N = 2000 };
	static struct rs_prog_obs o[N];
	struct rs_sampler s;
	size_t i, live = 0, gone = 0;

	new_sampler(&s, false);
	for (i = 0; i < N; i++)
		o[i] = obs((uint32_t)i + 1, "aa", 100, 10, 1000);
	pass(&s, 1 * SEC, o, N);
	for (i = 0; i < N; i++)
		o[i].c.run_cnt += i;
	pass(&s, 2 * SEC, o, N);
	/* odd ids: a new program under the same id */
	for (i = 0; i < N; i += 2)
		o[i].load_time = 3 * SEC;
	pass(&s, 3 * SEC, o, N);
	assert_int_equal(s.n, N + N / 2);
	for (i = 0; i < s.n; i++) {
		live += s.v[i].state == RS_LIVE;
		gone += s.v[i].state == RS_GONE;
	}
	assert_int_equal(gone, N / 2);
	assert_int_equal(live, N);	/* N/2 old ones live, N/2 born this interval */
	for (i = 0; i < N; i++) {
		const struct rs_prog *p = &s.v[i];

		if (p->state == RS_LIVE)
			assert_int_equal(p->last.runs, 0);	/* unchanged since pass 2 */
		else
			assert_int_equal(p->id % 2, 1);
	}
	/* the newcomers: born this interval, every run of theirs counted */
	for (i = N; i < s.n; i++) {
		assert_int_equal(s.v[i].state, RS_LIVE);
		assert_int_equal(s.v[i].id, 2 * (i - N) + 1);
		assert_int_equal(s.v[i].last.runs, 10 + 2 * (i - N));
	}
	rs_free(&s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rate_basic),
		cmocka_unit_test(test_rate_zero_runs_is_not_nan),
		cmocka_unit_test(test_rate_bad_inputs),
		cmocka_unit_test(test_rate_add),
		cmocka_unit_test(test_track_new_live_gone),
		cmocka_unit_test(test_drop_keeps_ids_paired),
		cmocka_unit_test(test_gone_keep_passes),
		cmocka_unit_test(test_fixed_selection_keeps_gone),
		cmocka_unit_test(test_churn_stays_bounded),
		cmocka_unit_test(test_id_reuse_is_gone_plus_new),
		cmocka_unit_test(test_same_tag_new_load_time_is_new),
		cmocka_unit_test(test_fixed_selection_adds_nothing),
		cmocka_unit_test(test_total_needs_an_interval),
		cmocka_unit_test(test_reader_names_strict),
		cmocka_unit_test(test_fleet_churn),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
