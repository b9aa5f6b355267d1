/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* Small statistics toolkit for the measuring methods. Pure functions. */
#ifndef BPFCOST_STATS_H
#define BPFCOST_STATS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

double stats_mean(const double *x, size_t n);
double stats_stddev(const double *x, size_t n);		/* sample (n-1) */
/* Percentile with linear interpolation between order statistics (type 7,
 * as numpy's default); x is not modified. p in [0,100]. NAN when n == 0. */
double stats_percentile(const double *x, size_t n, double p);
double stats_median(const double *x, size_t n);

struct stats_ci {
	double point;		/* the statistic on the full sample */
	double lo, hi;		/* the interval; NAN when there is none */
	double level;		/* e.g. 0.95 */
	const char *method;	/* how lo and hi were made (STATS_CI_*); NULL
				 * when there were too few values for any */
	size_t n;		/* values it was made from */
};

#define STATS_CI_PERCENTILE_BOOT "expanded percentile bootstrap"
#define STATS_CI_BLOCK_BOOT "circular block bootstrap"
#define STATS_CI_T "t-interval"
#define STATS_CI_T_RATIO "t-interval of a ratio of sums (linearized)"
#define STATS_CI_T_LAG1 "t-interval, variance bounded for lag-1 correlation"

/* An interval exists (ci->method set); else only the point is known. */
bool stats_ci_has_interval(const struct stats_ci *ci);

typedef double (*stats_fn)(const double *x, size_t n);

/* Percentile bootstrap CI of fn over x, with a deterministic seed. The
 * percentiles are expanded for small samples (n-1 variance, t quantiles),
 * so a 95% interval from 5 values is not the far too narrow plain one. */
int stats_bootstrap_ci(const double *x, size_t n, stats_fn fn, unsigned iters,
		       double level, uint64_t seed, struct stats_ci *ci);
/* CI of fn(b) - fn(a), resampling a and b independently. */
int stats_bootstrap_diff_ci(const double *a, size_t na, const double *b, size_t nb,
			    stats_fn fn, unsigned iters, double level, uint64_t seed,
			    struct stats_ci *ci);

/* Circular block bootstrap CI of fn over a series x whose neighbours are
 * correlated (rounds that share a neighbour, slow drift): resampling runs
 * of `block` consecutive values keeps that correlation, so the interval
 * widens as it should where an independent resample would be too narrow.
 * block 1 is the ordinary bootstrap. Fewer than two blocks' worth of
 * values is -EINVAL: every replicate would be a rotation of x, an interval
 * of width zero. For the mean of a short series use stats_series_mean_ci. */
int stats_block_bootstrap_ci(const double *x, size_t n, size_t block, stats_fn fn,
			     unsigned iters, double level, uint64_t seed, struct stats_ci *ci);
/* Block length for n values: about n^(1/3), at least 2 (at most n). */
size_t stats_block_len(size_t n);

/* Student's t-interval of the mean of independent values. n < 2: no
 * interval (point = the mean or NAN, method NULL), returns 0. */
int stats_t_ci(const double *x, size_t n, double level, struct stats_ci *ci);

/* The ratio of sums R = sum num / sum den (e.g. run time over runs: the
 * ns per run of all runs together, each interval weighted by its runs)
 * and its t-interval with n-1 degrees of freedom and the linearized
 * (delta-method) standard error of a ratio estimator:
 * e_i = num_i - R den_i, SE = sqrt(n/(n-1) sum e_i^2) / sum den.
 * n < 2: no interval (point only, or NAN when sum den is 0; method NULL).
 * Returns 0, or -EINVAL for a bad level or sum den <= 0 with n >= 2. */
int stats_ratio_t_ci(const double *num, const double *den, size_t n, double level,
		     struct stats_ci *ci);

/* Below this many values the block bootstrap covers too rarely (circular
 * blocks of 2 over a handful of values are little more than rotations of
 * the same values; ~89% at 30-50 values of an MA(1) series with
 * theta = 1, ~91% from 60 on: tests/unit/test_stats.c). */
#define STATS_SERIES_BOOT_MIN 60

/* CI of the mean of a series whose neighbours may be correlated, with the
 * method its length allows:
 *   n < 2: none (point only, method NULL);
 *   n < STATS_SERIES_BOOT_MIN: a t-interval whose variance is widened for
 *     the largest lag-1 autocorrelation a moving average of order 1 can
 *     have (rho = 1/2): Var(mean) = g0 (1 + 2 rho (n-1)/n) / n while the
 *     sample variance expects g0 (1 - 2 rho / n), so s^2/n is scaled by
 *     (2n-1)/(n-1). Conservative (about 99% for independent values), and
 *     right for rounds that share a neighbour;
 *   else: the circular block bootstrap with stats_block_len(n), which
 *     follows correlation beyond lag 1 (slow drift) as well.
 * ci->method says which. Returns 0, or -EINVAL/-ENOMEM. */
int stats_series_mean_ci(const double *x, size_t n, unsigned iters, double level,
			 uint64_t seed, struct stats_ci *ci);

/* Quantiles: standard normal, and Student's t for p > 0.5. */
double stats_normal_quantile(double p);
double stats_t_quantile(double p, unsigned df);

/* Deterministic PRNG (splitmix64) so results are reproducible. */
uint64_t stats_rand_next(uint64_t *state);

#endif
