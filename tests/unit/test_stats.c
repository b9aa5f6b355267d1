// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Unit tests for the statistics toolkit: descriptive statistics on values
 * worked out by hand (numpy's defaults), type-7 percentiles against order
 * statistics, and the bootstrap CIs checked for determinism and for their
 * actual coverage over repeated samples from known distributions. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "stats.h"
#include "near.h"

#define EPS 1e-12
#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

static double rand_unit(uint64_t *rng)	/* (0, 1] */
{
	return (double)((stats_rand_next(rng) >> 11) + 1) * 0x1.0p-53;
}

/* Box-Muller: one standard normal per call (the sine half is dropped). */
static double rand_normal(uint64_t *rng, double mu, double sigma)
{
	double u1 = rand_unit(rng), u2 = rand_unit(rng);

	return mu + sigma * sqrt(-2.0 * log(u1)) * cos(2.0 * M_PI * u2);
}

static void fill_normal(double *x, size_t n, uint64_t *rng, double mu, double sigma)
{
	for (size_t i = 0; i < n; i++)
		x[i] = rand_normal(rng, mu, sigma);
}

static void test_mean_stddev_known(void **state)
{
	const double x[] = { 2, 4, 4, 4, 5, 5, 7, 9 };
	const double one[] = { 3.5 };

	assert_near(stats_mean(x, 8), 5.0, EPS);
	/* Sum of squared deviations is 32: sqrt(32 / 7). */
	assert_near(stats_stddev(x, 8), 2.1380899352993950, 1e-12);
	assert_near(stats_mean(one, 1), 3.5, EPS);
	assert_true(isnan(stats_stddev(one, 1)));
	assert_true(isnan(stats_mean(x, 0)));
	assert_true(isnan(stats_stddev(x, 0)));
	/* Large offset: a naive sum-of-squares formula would lose it all. */
	{
		const double y[] = { 1e9 + 4, 1e9 + 7, 1e9 + 13, 1e9 + 16 };

		assert_near(stats_mean(y, 4), 1e9 + 10, 1e-6);
		assert_near(stats_stddev(y, 4), sqrt(90.0 / 3.0), 1e-6);
	}
}

static void test_percentile_numpy_values(void **state)
{
	double x[] = { 4, 1, 3, 2 };	/* unsorted on purpose */
	const double orig[] = { 4, 1, 3, 2 };
	double y[] = { 10, 7, 4, 3, 2, 1 };

	assert_near(stats_percentile(x, 4, 50), 2.5, EPS);
	assert_near(stats_percentile(x, 4, 25), 1.75, EPS);
	assert_near(stats_percentile(x, 4, 90), 3.7, EPS);
	assert_near(stats_percentile(x, 4, 75), 3.25, EPS);
	assert_near(stats_percentile(x, 4, 0), 1.0, EPS);
	assert_near(stats_percentile(x, 4, 100), 4.0, EPS);
	assert_near(stats_median(x, 4), 2.5, EPS);
	/* numpy.percentile([10,7,4,3,2,1], [30, 75, 99]) = 2.5, 6.25, 9.85 */
	assert_near(stats_percentile(y, 6, 30), 2.5, EPS);
	assert_near(stats_percentile(y, 6, 75), 6.25, EPS);
	assert_near(stats_percentile(y, 6, 99), 9.85, 1e-9);
	assert_near(stats_median(y, 6), 3.5, EPS);
	/* Out-of-range p clamps to the extremes. */
	assert_near(stats_percentile(y, 6, -10), 1.0, EPS);
	assert_near(stats_percentile(y, 6, 250), 10.0, EPS);
	/* The input is left as it was. */
	assert_memory_equal(x, orig, sizeof(orig));
}

static void test_percentile_edge_sizes(void **state)
{
	const double one[] = { 42 };
	const double dup[] = { 5, 5, 5, 5, 5 };

	for (double p = 0; p <= 100; p += 12.5) {
		assert_near(stats_percentile(one, 1, p), 42.0, EPS);
		assert_near(stats_percentile(dup, 5, p), 5.0, EPS);
	}
	assert_true(isnan(stats_percentile(one, 0, 50)));
	assert_true(isnan(stats_median(one, 0)));
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* At p = 100 k/(n-1) type 7 hits order statistic k exactly; in between it is
 * linear, and it never decreases with p. */
static void test_percentile_order_statistics(void **state)
{
	enum { N = 101 };
	double x[N], s[N], copy[N], prev = -INFINITY;
	uint64_t rng = 17;

	fill_normal(x, N, &rng, 0, 1);
	memcpy(s, x, sizeof(x));
	memcpy(copy, x, sizeof(x));
	qsort(s, N, sizeof(*s), cmp_double);
	for (int k = 0; k < N; k++)
		assert_near(stats_percentile(x, N, 100.0 * k / (N - 1)), s[k], 1e-12);
	/* Halfway between two order statistics is their average. */
	for (int k = 0; k + 1 < N; k++)
		assert_near(stats_percentile(x, N, 100.0 * (k + 0.5) / (N - 1)),
				    (s[k] + s[k + 1]) / 2, 1e-12);
	assert_near(stats_median(x, N), s[N / 2], EPS);
	for (double p = 0; p <= 100; p += 0.37) {
		double v = stats_percentile(x, N, p);

		assert_true(v >= prev);
		prev = v;
	}
	assert_memory_equal(x, copy, sizeof(x));
}

static void test_bootstrap_deterministic(void **state)
{
	enum { N = 200 };
	struct stats_ci a, b, c;
	double x[N], copy[N];
	uint64_t rng = 3;

	fill_normal(x, N, &rng, 100, 15);
	memcpy(copy, x, sizeof(x));
	assert_int_equal(stats_bootstrap_ci(x, N, stats_mean, 2000, 0.95, 77, &a), 0);
	assert_int_equal(stats_bootstrap_ci(x, N, stats_mean, 2000, 0.95, 77, &b), 0);
	assert_memory_equal(&a, &b, sizeof(a));
	assert_memory_equal(x, copy, sizeof(x));
	assert_near(a.point, stats_mean(x, N), EPS);
	assert_true(a.level == 0.95);
	assert_true(a.lo <= a.point && a.point <= a.hi);
	assert_true(a.lo < a.hi);
	/* About 2 x 1.96 x sigma / sqrt(n) = 4.16 wide. */
	assert_true(a.hi - a.lo > 3.0 && a.hi - a.lo < 5.5);
	/* Another seed: a different but similar interval. */
	assert_int_equal(stats_bootstrap_ci(x, N, stats_mean, 2000, 0.95, 78, &c), 0);
	assert_true(c.lo != a.lo || c.hi != a.hi);
	assert_true(fabs((c.hi - c.lo) - (a.hi - a.lo)) < 0.15 * (a.hi - a.lo));
	/* A lower level gives a nested, narrower interval from the same replicates. */
	assert_int_equal(stats_bootstrap_ci(x, N, stats_mean, 2000, 0.5, 77, &c), 0);
	assert_true(a.lo <= c.lo && c.hi <= a.hi);
	assert_true(c.hi - c.lo < 0.5 * (a.hi - a.lo));
	/* Any statistic works; the median CI brackets the sample median. */
	assert_int_equal(stats_bootstrap_ci(x, N, stats_median, 1000, 0.95, 5, &c), 0);
	assert_near(c.point, stats_median(x, N), EPS);
	assert_true(c.lo <= c.point && c.point <= c.hi);
}

static void test_bootstrap_constant_and_single(void **state)
{
	const double k[] = { 7, 7, 7, 7, 7, 7 };
	struct stats_ci ci;

	assert_int_equal(stats_bootstrap_ci(k, 6, stats_mean, 500, 0.95, 1, &ci), 0);
	assert_near(ci.lo, 7, EPS);
	assert_near(ci.hi, 7, EPS);
	assert_near(ci.point, 7, EPS);
	assert_int_equal(stats_bootstrap_ci(k, 1, stats_mean, 1, 0.95, 1, &ci), 0);
	assert_near(ci.lo, 7, EPS);
	assert_near(ci.hi, 7, EPS);
}

static double ci_width(size_t n, uint64_t seed)
{
	double *x = malloc(n * sizeof(*x));
	uint64_t rng = seed;
	struct stats_ci ci;

	assert_non_null(x);
	fill_normal(x, n, &rng, 0, 1);
	assert_int_equal(stats_bootstrap_ci(x, n, stats_mean, 1000, 0.95, seed, &ci), 0);
	free(x);
	return ci.hi - ci.lo;
}

static void test_bootstrap_width_shrinks(void **state)
{
	double w25 = ci_width(25, 10), w100 = ci_width(100, 11), w400 = ci_width(400, 12);

	/* Width goes as 1/sqrt(n): halves for every 4x more data. */
	assert_true(w100 < w25 && w400 < w100);
	assert_true(w400 < 0.35 * w25);
	assert_true(w400 > 0.15 * w25);
	assert_near(w400, 2 * 1.96 / sqrt(400), 0.2 * 2 * 1.96 / sqrt(400));
}

/* The whole point of a 95% CI: over repeated experiments it covers the true
 * value about 95% of the time (the percentile bootstrap runs a bit narrow for
 * small n, so accept 90-99%). */
static void test_bootstrap_coverage(void **state)
{
	enum { TRIALS = 200, N = 60 };
	const double mu = 50, sigma = 8;
	uint64_t rng = 2024;
	double x[N];
	int covered = 0;

	for (int t = 0; t < TRIALS; t++) {
		struct stats_ci ci;

		fill_normal(x, N, &rng, mu, sigma);
		assert_int_equal(stats_bootstrap_ci(x, N, stats_mean, 1000, 0.95,
						    1000 + (uint64_t)t, &ci), 0);
		covered += ci.lo <= mu && mu <= ci.hi;
	}
	print_message("bootstrap 95%% CI of the mean covered the true mean in %d/%d trials\n",
		      covered, TRIALS);
	assert_in_range(covered, TRIALS * 90 / 100, TRIALS * 99 / 100);
}

static void test_bootstrap_diff(void **state)
{
	enum { TRIALS = 100, N = 50 };
	uint64_t rng = 555;
	double a[N], b[N];
	int zero_in = 0, shift_excl = 0;

	for (int t = 0; t < TRIALS; t++) {
		struct stats_ci ci;

		fill_normal(a, N, &rng, 10, 1);
		fill_normal(b, N, &rng, 10, 1);
		assert_int_equal(stats_bootstrap_diff_ci(a, N, b, N, stats_mean, 500, 0.95,
							 (uint64_t)t, &ci), 0);
		assert_near(ci.point, stats_mean(b, N) - stats_mean(a, N), 1e-9);
		assert_true(ci.lo <= ci.point && ci.point <= ci.hi);
		zero_in += ci.lo <= 0 && 0 <= ci.hi;

		/* b shifted up by 1 sigma: SE of the difference is 0.2, so 5 SE clear. */
		fill_normal(b, N, &rng, 11, 1);
		assert_int_equal(stats_bootstrap_diff_ci(a, N, b, N, stats_mean, 500, 0.95,
							 (uint64_t)t, &ci), 0);
		shift_excl += ci.lo > 0;
		/* The sign follows fn(b) - fn(a): swapping gives a negative CI. */
		assert_int_equal(stats_bootstrap_diff_ci(b, N, a, N, stats_mean, 500, 0.95,
							 (uint64_t)t, &ci), 0);
		assert_true(ci.point < 0);
	}
	print_message("diff CI: same distribution covered 0 in %d/%d, shifted excluded 0 in %d/%d\n",
		      zero_in, TRIALS, shift_excl, TRIALS);
	assert_in_range(zero_in, 85, 100);
	assert_true(shift_excl >= 98);
}

static void test_bootstrap_diff_unequal_sizes(void **state)
{
	double a[30], b[300];
	uint64_t rng = 8;
	struct stats_ci ci, ci2;

	fill_normal(a, 30, &rng, 0, 1);
	fill_normal(b, 300, &rng, 0, 1);
	assert_int_equal(stats_bootstrap_diff_ci(a, 30, b, 300, stats_mean, 2000, 0.9, 4, &ci), 0);
	assert_int_equal(stats_bootstrap_diff_ci(a, 30, b, 300, stats_mean, 2000, 0.9, 4, &ci2), 0);
	assert_memory_equal(&ci, &ci2, sizeof(ci));
	assert_true(ci.level == 0.9);
	/* Dominated by the small sample: SE ~ sqrt(1/30 + 1/300) = 0.19. */
	assert_true(ci.hi - ci.lo > 0.4 && ci.hi - ci.lo < 0.8);
}

static void test_bootstrap_errors(void **state)
{
	const double x[] = { 1, 2, 3 };
	const double bad_levels[] = { 0, 1, -0.5, 1.5, NAN };
	struct stats_ci ci;

	assert_int_equal(stats_bootstrap_ci(x, 0, stats_mean, 100, 0.95, 1, &ci), -EINVAL);
	assert_int_equal(stats_bootstrap_ci(x, 3, stats_mean, 0, 0.95, 1, &ci), -EINVAL);
	for (size_t i = 0; i < sizeof(bad_levels) / sizeof(bad_levels[0]); i++) {
		assert_int_equal(stats_bootstrap_ci(x, 3, stats_mean, 100, bad_levels[i], 1, &ci),
				 -EINVAL);
		assert_int_equal(stats_bootstrap_diff_ci(x, 3, x, 3, stats_mean, 100,
							 bad_levels[i], 1, &ci), -EINVAL);
	}
	assert_int_equal(stats_bootstrap_diff_ci(x, 0, x, 3, stats_mean, 100, 0.95, 1, &ci),
			 -EINVAL);
	assert_int_equal(stats_bootstrap_diff_ci(x, 3, x, 0, stats_mean, 100, 0.95, 1, &ci),
			 -EINVAL);
	assert_int_equal(stats_bootstrap_diff_ci(x, 3, x, 3, stats_mean, 0, 0.95, 1, &ci),
			 -EINVAL);
	/* Just inside the bounds is fine. */
	assert_int_equal(stats_bootstrap_ci(x, 3, stats_mean, 10, 0.001, 1, &ci), 0);
	assert_int_equal(stats_bootstrap_ci(x, 3, stats_mean, 10, 0.999, 1, &ci), 0);
}

/* Block length 1 is the ordinary bootstrap, draw for draw. */
static void test_block_bootstrap_block1_is_plain(void **state)
{
	enum { N = 80 };
	struct stats_ci a, b;
	double x[N];
	uint64_t rng = 9;

	fill_normal(x, N, &rng, 3, 2);
	assert_int_equal(stats_bootstrap_ci(x, N, stats_mean, 1000, 0.95, 31, &a), 0);
	assert_int_equal(stats_block_bootstrap_ci(x, N, 1, stats_mean, 1000, 0.95, 31, &b), 0);
	assert_memory_equal(&a, &b, sizeof(a));
}

/* x[i] = e[i] + e[i+1]: neighbours correlate, the variance of the mean is
 * twice what an independent resample sees, so its 95% interval covers the
 * true mean only ~83% of the time; blocks bring coverage back near 95%. */
static void test_block_bootstrap_correlated_coverage(void **state)
{
	enum { TRIALS = 400, N = 125 };
	uint64_t rng = 77;
	double e[N + 1], x[N];
	int plain = 0, blocks = 0;

	for (int t = 0; t < TRIALS; t++) {
		struct stats_ci ci;

		fill_normal(e, N + 1, &rng, 0, 1);
		for (int i = 0; i < N; i++)
			x[i] = e[i] + e[i + 1];
		assert_int_equal(stats_bootstrap_ci(x, N, stats_mean, 500, 0.95,
						    (uint64_t)t, &ci), 0);
		plain += ci.lo <= 0 && 0 <= ci.hi;
		assert_int_equal(stats_block_bootstrap_ci(x, N, stats_block_len(N), stats_mean,
							  500, 0.95, (uint64_t)t, &ci), 0);
		blocks += ci.lo <= 0 && 0 <= ci.hi;
	}
	print_message("correlated series: plain bootstrap covered %d/%d, block bootstrap %d/%d\n",
		      plain, TRIALS, blocks, TRIALS);
	assert_true(plain < TRIALS * 88 / 100);
	assert_in_range(blocks, TRIALS * 88 / 100, TRIALS * 99 / 100);
}

static void test_block_bootstrap_errors_and_len(void **state)
{
	const double x[] = { 1, 2, 3, 4 };
	struct stats_ci ci;

	assert_int_equal(stats_block_bootstrap_ci(x, 4, 0, stats_mean, 10, 0.95, 1, &ci), -EINVAL);
	assert_int_equal(stats_block_bootstrap_ci(x, 4, 5, stats_mean, 10, 0.95, 1, &ci), -EINVAL);
	assert_int_equal(stats_block_bootstrap_ci(x, 0, 1, stats_mean, 10, 0.95, 1, &ci), -EINVAL);
	assert_int_equal(stats_block_bootstrap_ci(x, 4, 2, stats_mean, 0, 0.95, 1, &ci), -EINVAL);
	assert_int_equal(stats_block_bootstrap_ci(x, 4, 2, stats_mean, 10, 1.0, 1, &ci), -EINVAL);
	/* Fewer than two blocks: every replicate would be a rotation of x, a
	 * zero-width interval (issue 12, item 4: "2.7 [2.7, 2.7]"). */
	assert_int_equal(stats_block_bootstrap_ci(x, 4, 4, stats_mean, 10, 0.95, 1, &ci), -EINVAL);
	assert_int_equal(stats_block_bootstrap_ci(x, 3, 2, stats_mean, 10, 0.95, 1, &ci), -EINVAL);
	assert_int_equal(stats_block_bootstrap_ci(x, 4, 2, stats_mean, 10, 0.95, 1, &ci), 0);
	assert_string_equal(ci.method, STATS_CI_BLOCK_BOOT);
	assert_int_equal(stats_block_len(1), 1);
	assert_int_equal(stats_block_len(2), 2);
	assert_int_equal(stats_block_len(26), 2);
	assert_int_equal(stats_block_len(27), 3);
	assert_int_equal(stats_block_len(125), 5);
	assert_int_equal(stats_block_len(1000), 10);
}

static void test_quantiles(void **state)
{
	/* Tables: 1.959964; t(0.975) for df 1, 2, 3, 5, 10, 30. */
	const struct { unsigned df; double t; } tab[] = {
		{ 1, 12.7062 }, { 2, 4.3027 }, { 3, 3.1824 }, { 5, 2.5706 }, { 10, 2.2281 },
		{ 30, 2.0423 },
	};

	assert_near(stats_normal_quantile(0.975), 1.959964, 1e-5);
	assert_near(stats_normal_quantile(0.5), 0, 1e-9);
	assert_near(stats_normal_quantile(0.8413447), 1.0, 1e-5);
	for (size_t i = 0; i < sizeof(tab) / sizeof(tab[0]); i++)
		assert_near(stats_t_quantile(0.975, tab[i].df), tab[i].t, 0.01 * tab[i].t);
	assert_near(stats_t_quantile(0.95, 4), 2.1318, 0.01 * 2.1318);
}

/* Five values: the plain percentile bootstrap covers the true mean only
 * ~80% of the time; the expanded percentiles bring it near 95%. */
static void test_bootstrap_small_sample_coverage(void **state)
{
	enum { TRIALS = 400, N = 5 };
	uint64_t rng = 4242;
	double x[N];
	int covered = 0;

	for (int t = 0; t < TRIALS; t++) {
		struct stats_ci ci;

		fill_normal(x, N, &rng, 10, 3);
		assert_int_equal(stats_bootstrap_ci(x, N, stats_mean, 1000, 0.95,
						    (uint64_t)t, &ci), 0);
		covered += ci.lo <= 10 && 10 <= ci.hi;
	}
	print_message("n=5: expanded percentile bootstrap covered %d/%d\n", covered, TRIALS);
	assert_in_range(covered, TRIALS * 89 / 100, TRIALS * 99 / 100);
}

static void test_t_ci_known(void **state)
{
	const double x[] = { 50, 52, 54, 56, 58 };
	struct stats_ci ci;

	/* t(0.975, 4) = 2.7764, sd = 3.1623: half-width 3.926 */
	assert_int_equal(stats_t_ci(x, 5, 0.95, &ci), 0);
	assert_string_equal(ci.method, STATS_CI_T);
	assert_near(ci.point, 54, EPS);
	assert_near((ci.hi - ci.lo) / 2, 2.7764 * 3.16228 / sqrt(5), 0.01);
	assert_true(ci.n == 5);
	/* The lag-1 bound scales the variance by (2n-1)/(n-1) = 9/4. */
	assert_int_equal(stats_series_mean_ci(x, 5, 100, 0.95, 1, &ci), 0);
	assert_string_equal(ci.method, STATS_CI_T_LAG1);
	assert_near((ci.hi - ci.lo) / 2, 1.5 * 2.7764 * 3.16228 / sqrt(5), 0.02);
	/* One value: the point, no interval. */
	assert_int_equal(stats_series_mean_ci(x, 1, 100, 0.95, 1, &ci), 0);
	assert_false(stats_ci_has_interval(&ci));
	assert_near(ci.point, 50, EPS);
	assert_true(isnan(ci.lo) && isnan(ci.hi));
	assert_int_equal(stats_t_ci(x, 1, 0.95, &ci), 0);
	assert_false(stats_ci_has_interval(&ci));
	assert_int_equal(stats_t_ci(x, 5, 1.0, &ci), -EINVAL);
}

/* Many values: the block bootstrap, as before. */
static void test_series_ci_long_is_block_bootstrap(void **state)
{
	enum { N = STATS_SERIES_BOOT_MIN };
	struct stats_ci a, b;
	uint64_t rng = 8;
	double x[N];

	fill_normal(x, N, &rng, 0, 1);
	assert_int_equal(stats_series_mean_ci(x, N, 500, 0.95, 3, &a), 0);
	assert_int_equal(stats_block_bootstrap_ci(x, N, stats_block_len(N), stats_mean, 500, 0.95,
						  3, &b), 0);
	assert_memory_equal(&a, &b, sizeof(a));
	assert_string_equal(a.method, STATS_CI_BLOCK_BOOT);
	assert_int_equal(stats_series_mean_ci(x, N - 1, 500, 0.95, 3, &a), 0);
	assert_string_equal(a.method, STATS_CI_T_LAG1);
}

/* Coverage of the interval overhead uses (stats_series_mean_ci) at nominal
 * 95% over short series, n = 2..10 and either side of the switch to the
 * block bootstrap: independent values, and MA(1) x[i] = e[i+1] + theta
 * e[i] with theta = 1 (lag-1 correlation 1/2, the strongest an MA(1) has)
 * and 1/6-ish (theta = 0.17: what two comparisons sharing an off-round
 * give). Each must cover the true mean at least 90% of the time; and the
 * interval is never of width zero. */
static int series_coverage(size_t n, double theta, int trials, uint64_t *rng)
{
	double e[STATS_SERIES_BOOT_MIN + 2], x[STATS_SERIES_BOOT_MIN + 1];
	int covered = 0;

	for (int t = 0; t < trials; t++) {
		struct stats_ci ci;

		fill_normal(e, n + 1, rng, 0, 1);
		for (size_t i = 0; i < n; i++)
			x[i] = e[i + 1] + theta * e[i];
		assert_int_equal(stats_series_mean_ci(x, n, 400, 0.95, (uint64_t)t, &ci), 0);
		assert_true(stats_ci_has_interval(&ci));
		assert_true(ci.hi > ci.lo);
		covered += ci.lo <= 0 && 0 <= ci.hi;
	}
	return covered;
}

/* The ratio of sums and its linearized t-interval, worked by hand:
 * num 10, 40, 30 over den 1, 2, 3: R = 80 / 6; e = num - R den. */
static void test_ratio_t_ci(void **state)
{
	const double num[] = { 10, 40, 30 }, den[] = { 1, 2, 3 };
	double r = 80.0 / 6, se2 = 0, half;
	struct stats_ci ci;

	for (int i = 0; i < 3; i++)
		se2 += (num[i] - r * den[i]) * (num[i] - r * den[i]);
	half = 4.302653 * sqrt(3.0 / 2 * se2) / 6;	/* t(0.975, 2) */
	assert_int_equal(stats_ratio_t_ci(num, den, 3, 0.95, &ci), 0);
	assert_true(fabs(ci.point - r) < 1e-12);
	assert_true(fabs(ci.hi - r - half) < 1e-4 && fabs(r - ci.lo - half) < 1e-4);
	assert_string_equal(ci.method, STATS_CI_T_RATIO);
	/* one value: the point only */
	assert_int_equal(stats_ratio_t_ci(num, den, 1, 0.95, &ci), 0);
	assert_true(ci.method == NULL && fabs(ci.point - 10) < 1e-12 && isnan(ci.lo));
	assert_int_equal(stats_ratio_t_ci(num, den, 3, 1.5, &ci), -EINVAL);
}

static void test_series_ci_coverage_short(void **state)
{
	enum { TRIALS = 1000 };
	const double thetas[] = { 0, 0.17, 1 };
	const size_t ns[] = { 2, 3, 4, 5, 6, 7, 8, 9, 10, STATS_SERIES_BOOT_MIN - 1,
			      STATS_SERIES_BOOT_MIN };
	uint64_t rng = 1212;

	for (size_t a = 0; a < ARRAY_LEN(thetas); a++) {
		for (size_t b = 0; b < ARRAY_LEN(ns); b++) {
			int trials = ns[b] >= STATS_SERIES_BOOT_MIN ? 300 : TRIALS;
			int c = series_coverage(ns[b], thetas[a], trials, &rng);

			print_message("theta %.2f n %2zu: covered %d/%d\n", thetas[a], ns[b], c,
				      trials);
			assert_true(c >= trials * 90 / 100);
		}
	}
}

static void test_rand_deterministic(void **state)
{
	uint64_t s1 = 123, s2 = 123, s3 = 124, first;
	double sum = 0;
	int differ = 0;

	first = stats_rand_next(&s1);
	assert_true(first == stats_rand_next(&s2));
	differ = first != stats_rand_next(&s3);
	assert_true(differ);
	/* Uniform on [0,1): mean 0.5, sd of the mean 0.29/sqrt(1e5) < 0.001. */
	for (int i = 0; i < 100000; i++)
		sum += (double)(stats_rand_next(&s1) >> 11) * 0x1.0p-53;
	assert_near(sum / 100000, 0.5, 0.005);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mean_stddev_known),
		cmocka_unit_test(test_percentile_numpy_values),
		cmocka_unit_test(test_percentile_edge_sizes),
		cmocka_unit_test(test_percentile_order_statistics),
		cmocka_unit_test(test_rand_deterministic),
		cmocka_unit_test(test_bootstrap_deterministic),
		cmocka_unit_test(test_bootstrap_constant_and_single),
		cmocka_unit_test(test_bootstrap_width_shrinks),
		cmocka_unit_test(test_bootstrap_coverage),
		cmocka_unit_test(test_bootstrap_diff),
		cmocka_unit_test(test_bootstrap_diff_unequal_sizes),
		cmocka_unit_test(test_bootstrap_errors),
		cmocka_unit_test(test_block_bootstrap_block1_is_plain),
		cmocka_unit_test(test_block_bootstrap_correlated_coverage),
		cmocka_unit_test(test_block_bootstrap_errors_and_len),
		cmocka_unit_test(test_quantiles),
		cmocka_unit_test(test_bootstrap_small_sample_coverage),
		cmocka_unit_test(test_t_ci_known),
		cmocka_unit_test(test_series_ci_long_is_block_bootstrap),
		cmocka_unit_test(test_series_ci_coverage_short),
		cmocka_unit_test(test_ratio_t_ci),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
