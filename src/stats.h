/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* Small statistics toolkit for the measuring methods. Pure functions. */
#ifndef BPFCOST_STATS_H
#define BPFCOST_STATS_H

#include <stddef.h>
#include <stdint.h>

double stats_mean(const double *x, size_t n);
double stats_stddev(const double *x, size_t n);		/* sample (n-1) */
/* Percentile with linear interpolation between order statistics (type 7,
 * as numpy's default); x is not modified. p in [0,100]. NAN when n == 0. */
double stats_percentile(const double *x, size_t n, double p);
double stats_median(const double *x, size_t n);

struct stats_ci {
	double point;	/* the statistic on the full sample */
	double lo, hi;	/* percentile bootstrap interval */
	double level;	/* e.g. 0.95 */
};

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
 * block 1 is the ordinary bootstrap. */
int stats_block_bootstrap_ci(const double *x, size_t n, size_t block, stats_fn fn,
			     unsigned iters, double level, uint64_t seed, struct stats_ci *ci);
/* Block length for n values: about n^(1/3), at least 2 (at most n). */
size_t stats_block_len(size_t n);

/* Quantiles: standard normal, and Student's t for p > 0.5. */
double stats_normal_quantile(double p);
double stats_t_quantile(double p, unsigned df);

/* Deterministic PRNG (splitmix64) so results are reproducible. */
uint64_t stats_rand_next(uint64_t *state);

#endif
