// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Descriptive statistics and percentile-bootstrap confidence intervals. */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "stats.h"

double stats_mean(const double *x, size_t n)
{
	double s = 0;

	if (!n)
		return NAN;
	for (size_t i = 0; i < n; i++)
		s += x[i];
	return s / (double)n;
}

double stats_stddev(const double *x, size_t n)
{
	double m, ss = 0;

	if (n < 2)
		return NAN;
	m = stats_mean(x, n);
	for (size_t i = 0; i < n; i++)
		ss += (x[i] - m) * (x[i] - m);
	return sqrt(ss / (double)(n - 1));
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* Type-7 interpolation on an already sorted array. */
static double percentile_sorted(const double *s, size_t n, double p)
{
	double h, frac;
	size_t lo;

	if (p <= 0)
		return s[0];
	if (p >= 100)
		return s[n - 1];
	h = (double)(n - 1) * p / 100.0;
	lo = (size_t)floor(h);
	frac = h - (double)lo;
	if (lo + 1 >= n)
		return s[n - 1];
	return s[lo] + frac * (s[lo + 1] - s[lo]);
}

double stats_percentile(const double *x, size_t n, double p)
{
	double *s, r;

	if (!n)
		return NAN;
	s = malloc(n * sizeof(*s));
	if (!s)
		return NAN;
	memcpy(s, x, n * sizeof(*s));
	qsort(s, n, sizeof(*s), cmp_double);
	r = percentile_sorted(s, n, p);
	free(s);
	return r;
}

double stats_median(const double *x, size_t n)
{
	return stats_percentile(x, n, 50);
}

uint64_t stats_rand_next(uint64_t *state)
{
	uint64_t z = (*state += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static void resample(const double *x, size_t n, double *out, uint64_t *rng)
{
	for (size_t i = 0; i < n; i++)
		out[i] = x[stats_rand_next(rng) % n];
}

/* Student's t quantile for probability p > 0.5 and df degrees of freedom:
 * exact for df 1 and 2, else the Cornish-Fisher expansion around the
 * normal quantile (within 1% at df 3, better above). */
double stats_t_quantile(double p, unsigned df)
{
	double z, z3, z5, z7, d = df;

	if (df == 1)
		return tan(M_PI * (p - 0.5));
	if (df == 2)
		return (2 * p - 1) / sqrt(2 * p * (1 - p));
	z = stats_normal_quantile(p);
	z3 = z * z * z;
	z5 = z3 * z * z;
	z7 = z5 * z * z;
	return z + (z3 + z) / (4 * d) + (5 * z5 + 16 * z3 + 3 * z) / (96 * d * d) +
	       (3 * z7 + 19 * z5 + 17 * z3 - 15 * z) / (384 * d * d * d);
}

/* Inverse of the standard normal CDF by bisection on erfc: slow but exact
 * enough, and only called once per interval. */
double stats_normal_quantile(double p)
{
	double lo = -40, hi = 40;

	for (int i = 0; i < 200; i++) {
		double mid = (lo + hi) / 2;

		if (0.5 * erfc(-mid / M_SQRT2) < p)
			lo = mid;
		else
			hi = mid;
	}
	return (lo + hi) / 2;
}

/* The percentile bootstrap is too narrow for small samples: it behaves
 * like a z interval with the plug-in variance. Hesterberg's expanded
 * percentile interval (Hesterberg 2015, "What teachers should know about
 * the bootstrap") widens the percentiles so the interval matches a t
 * interval with the n-1 variance: tail = Phi(-sqrt(n/(n-1)) t(n-1)). */
static double expanded_tail_pct(double level, size_t n)
{
	double t;

	if (n < 2)
		return (1.0 - level) / 2.0 * 100.0;
	t = stats_t_quantile(1.0 - (1.0 - level) / 2.0, (unsigned)(n - 1));
	return 0.5 * erfc(sqrt((double)n / (double)(n - 1)) * t / M_SQRT2) * 100.0;
}

static void ci_from_replicates(double *reps, unsigned iters, double level, size_t n,
			       struct stats_ci *ci)
{
	double tail = expanded_tail_pct(level, n);

	qsort(reps, iters, sizeof(*reps), cmp_double);
	ci->lo = percentile_sorted(reps, iters, tail);
	ci->hi = percentile_sorted(reps, iters, 100.0 - tail);
	ci->level = level;
	ci->n = n;
}

bool stats_ci_has_interval(const struct stats_ci *ci)
{
	return ci->method != NULL;
}

int stats_bootstrap_diff_ci(const double *a, size_t na, const double *b, size_t nb,
			    stats_fn fn, unsigned iters, double level, uint64_t seed,
			    struct stats_ci *ci)
{
	double *reps = NULL, *ra = NULL, *rb = NULL;
	uint64_t rng = seed;
	int err = 0;

	if (!nb || !iters || !(level > 0 && level < 1) || (a && !na)) {
		err = -EINVAL;
		goto cleanup;
	}
	reps = malloc(iters * sizeof(*reps));
	rb = malloc(nb * sizeof(*rb));
	ra = a ? malloc(na * sizeof(*ra)) : NULL;
	if (!reps || !rb || (a && !ra)) {
		err = -ENOMEM;
		goto cleanup;
	}
	ci->point = fn(b, nb) - (a ? fn(a, na) : 0.0);
	for (unsigned i = 0; i < iters; i++) {
		resample(b, nb, rb, &rng);
		reps[i] = fn(rb, nb);
		if (a) {
			resample(a, na, ra, &rng);
			reps[i] -= fn(ra, na);
		}
	}
	ci_from_replicates(reps, iters, level, a && na < nb ? na : nb, ci);
	ci->method = STATS_CI_PERCENTILE_BOOT;
cleanup:
	free(reps);
	free(ra);
	free(rb);
	return err;
}

int stats_bootstrap_ci(const double *x, size_t n, stats_fn fn, unsigned iters,
		       double level, uint64_t seed, struct stats_ci *ci)
{
	/* A one-sample CI is the difference CI against nothing. */
	return stats_bootstrap_diff_ci(NULL, 0, x, n, fn, iters, level, seed, ci);
}

/* Circular block resample: runs of `block` consecutive values from random
 * starts, wrapping at the end, until n are drawn. */
static void resample_blocks(const double *x, size_t n, size_t block, double *out,
			    uint64_t *rng)
{
	size_t i = 0;

	while (i < n) {
		size_t start = stats_rand_next(rng) % n;

		for (size_t j = 0; j < block && i < n; j++)
			out[i++] = x[(start + j) % n];
	}
}

int stats_block_bootstrap_ci(const double *x, size_t n, size_t block, stats_fn fn,
			     unsigned iters, double level, uint64_t seed, struct stats_ci *ci)
{
	double *reps = NULL, *rx = NULL;
	uint64_t rng = seed;
	int err = 0;

	if (!n || !block || (block > 1 && n < 2 * block) || !iters || !(level > 0 && level < 1)) {
		err = -EINVAL;
		goto cleanup;
	}
	reps = malloc(iters * sizeof(*reps));
	rx = malloc(n * sizeof(*rx));
	if (!reps || !rx) {
		err = -ENOMEM;
		goto cleanup;
	}
	ci->point = fn(x, n);
	for (unsigned i = 0; i < iters; i++) {
		resample_blocks(x, n, block, rx, &rng);
		reps[i] = fn(rx, n);
	}
	ci_from_replicates(reps, iters, level, n, ci);
	ci->method = block > 1 ? STATS_CI_BLOCK_BOOT : STATS_CI_PERCENTILE_BOOT;
cleanup:
	free(reps);
	free(rx);
	return err;
}

size_t stats_block_len(size_t n)
{
	size_t b = 2;

	/* The usual n^(1/3) rate for the block length of a block bootstrap,
	 * at least 2 so that lag-1 correlation is always kept. */
	while ((b + 1) * (b + 1) * (b + 1) <= n)
		b++;
	return b < n ? b : (n ? n : 1);
}

/* The interval of the mean from its standard error: t(n-1) quantile times
 * sqrt(var_scale * s^2 / n). n < 2 leaves only the point. */
static int t_interval(const double *x, size_t n, double level, double var_scale,
		      const char *method, struct stats_ci *ci)
{
	double half;

	if (!(level > 0 && level < 1))
		return -EINVAL;
	memset(ci, 0, sizeof(*ci));
	ci->point = stats_mean(x, n);
	ci->level = level;
	ci->n = n;
	ci->lo = ci->hi = NAN;
	if (n < 2)
		return 0;
	half = stats_t_quantile(0.5 + level / 2, (unsigned)(n - 1)) *
	       sqrt(var_scale * stats_stddev(x, n) * stats_stddev(x, n) / (double)n);
	ci->lo = ci->point - half;
	ci->hi = ci->point + half;
	ci->method = method;
	return 0;
}

int stats_t_ci(const double *x, size_t n, double level, struct stats_ci *ci)
{
	return t_interval(x, n, level, 1.0, STATS_CI_T, ci);
}

int stats_ratio_t_ci(const double *num, const double *den, size_t n, double level,
		     struct stats_ci *ci)
{
	double sn = 0, sd = 0, se2 = 0, half;

	if (!(level > 0 && level < 1))
		return -EINVAL;
	for (size_t i = 0; i < n; i++) {
		sn += num[i];
		sd += den[i];
	}
	*ci = (struct stats_ci){ .point = sd > 0 ? sn / sd : NAN, .lo = NAN, .hi = NAN,
				 .level = level, .n = n };
	if (n < 2)
		return 0;
	if (!(sd > 0))
		return -EINVAL;
	for (size_t i = 0; i < n; i++) {
		double e = num[i] - ci->point * den[i];

		se2 += e * e;
	}
	half = stats_t_quantile(0.5 + level / 2, (unsigned)(n - 1)) *
	       sqrt((double)n / (double)(n - 1) * se2) / sd;
	ci->lo = ci->point - half;
	ci->hi = ci->point + half;
	ci->method = STATS_CI_T_RATIO;
	return 0;
}

int stats_series_mean_ci(const double *x, size_t n, unsigned iters, double level,
			 uint64_t seed, struct stats_ci *ci)
{
	if (n < STATS_SERIES_BOOT_MIN)
		return t_interval(x, n, level, n >= 2 ? (2.0 * n - 1) / (n - 1.0) : 1.0,
				  STATS_CI_T_LAG1, ci);
	return stats_block_bootstrap_ci(x, n, stats_block_len(n), stats_mean, iters, level, seed,
					ci);
}
