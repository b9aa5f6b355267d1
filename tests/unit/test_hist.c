// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Unit tests for the log-linear histogram, checked against brute force:
 * bucket bounds recomputed from the layout's definition, percentiles against
 * exact order statistics of the sorted data, merge against the histogram of
 * the concatenated data, and the printers parsed back. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "hist.h"
#include "stats.h"

#define NDATA 20000

/* floor(log2(v)) the slow, obviously right way. */
static unsigned naive_log2(uint64_t v)
{
	unsigned r = 0;

	while (v >>= 1)
		r++;
	return r;
}

/* Bucket bounds from the layout's definition: exact below 2^7, then 64
 * equal slices per power of two up to 2^40; the last slice below 2^40 is
 * also the last bucket, which takes every clamped value from 2^40 up. */
static void ref_bounds(uint64_t v, uint64_t *lo, uint64_t *hi)
{
	unsigned b;
	uint64_t w;

	if (v < 128) {
		*lo = *hi = v;
		return;
	}
	b = naive_log2(v);
	if (b >= 40)
		v = (1ULL << 40) - 1;
	w = 1ULL << (b < 40 ? b - 6 : 33);
	*lo = v & ~(w - 1);
	*hi = *lo == (1ULL << 40) - (1ULL << 33) ? UINT64_MAX : *lo + w - 1;
}

static void check_value(uint64_t v)
{
	unsigned i = hist_bucket_of(v);
	uint64_t lo, hi;

	assert_true(i < HIST_NBUCKETS);
	ref_bounds(v, &lo, &hi);
	assert_true(hist_bucket_lo(i) <= v);
	assert_true(v <= hist_bucket_hi(i));
	assert_int_equal(hist_bucket_lo(i), lo);
	assert_int_equal(hist_bucket_hi(i), hi);
	if (v)
		assert_int_equal(hist_layout_log2(v), naive_log2(v));
}

/* Random 64-bit values of every magnitude, not just huge ones. */
static uint64_t rand_any(uint64_t *rng)
{
	uint64_t r = stats_rand_next(rng);

	return r >> (stats_rand_next(rng) % 64);
}

static double rand_unit(uint64_t *rng)	/* (0, 1] */
{
	return (double)((stats_rand_next(rng) >> 11) + 1) * 0x1.0p-53;
}

static struct hist *hist_new(void)
{
	struct hist *h = malloc(sizeof(*h));

	assert_non_null(h);
	hist_init(h);
	return h;
}

static void test_layout_contiguous(void **state)
{
	assert_int_equal(HIST_NBUCKETS, 128 + 33 * 64);
	assert_int_equal(hist_bucket_lo(0), 0);
	assert_int_equal(hist_bucket_hi(0), 0);
	for (unsigned i = 0; i + 1 < HIST_NBUCKETS; i++) {
		uint64_t lo = hist_bucket_lo(i), hi = hist_bucket_hi(i);

		assert_true(lo <= hi);
		assert_int_equal(hi + 1, hist_bucket_lo(i + 1));
		/* Both ends map back to the bucket. */
		assert_int_equal(hist_bucket_of(lo), i);
		assert_int_equal(hist_bucket_of(hi), i);
		/* Relative width at most 1/64 once buckets are wider than 1. */
		if (i >= HIST_SUB_COUNT)
			assert_true((hi - lo + 1) * 64 <= lo);
		else
			assert_int_equal(lo, hi);
	}
	assert_int_equal(hist_bucket_hi(HIST_NBUCKETS - 2), (1ULL << 40) - (1ULL << 33) - 1);
	assert_int_equal(hist_bucket_lo(HIST_NBUCKETS - 1), (1ULL << 40) - (1ULL << 33));
	assert_int_equal(hist_bucket_hi(HIST_NBUCKETS - 1), UINT64_MAX);
}

static void test_bucket_of_exhaustive_small(void **state)
{
	for (uint64_t v = 0; v <= 100000; v++)
		check_value(v);
}

static void test_bucket_of_edges_and_random(void **state)
{
	uint64_t rng = 42;

	for (unsigned k = 0; k < 64; k++) {
		uint64_t p = 1ULL << k;

		check_value(p - 1);
		check_value(p);
		check_value(p + 1);
		check_value(p | (p - 1));	/* all ones below */
	}
	check_value(UINT64_MAX);
	check_value(UINT64_MAX - 1);
	for (int i = 0; i < 200000; i++)
		check_value(rand_any(&rng));
	/* Clamping: 2^40 and beyond land in the last bucket, just below does not. */
	assert_int_equal(hist_bucket_of(1ULL << 40), HIST_NBUCKETS - 1);
	assert_int_equal(hist_bucket_of(UINT64_MAX), HIST_NBUCKETS - 1);
	assert_int_equal(hist_bucket_of(1ULL << 63), HIST_NBUCKETS - 1);
	assert_int_equal(hist_bucket_of((1ULL << 40) - 1), HIST_NBUCKETS - 1);
	assert_int_equal(hist_bucket_of((1ULL << 40) - (1ULL << 33) - 1), HIST_NBUCKETS - 2);
}

static void test_layout_log2(void **state)
{
	uint64_t rng = 7;

	for (uint64_t v = 1; v <= 100000; v++)
		assert_int_equal(hist_layout_log2(v), naive_log2(v));
	for (unsigned k = 0; k < 64; k++) {
		uint64_t p = 1ULL << k;

		assert_int_equal(hist_layout_log2(p), k);
		assert_int_equal(hist_layout_log2(p | (p - 1)), k);
		if (k)
			assert_int_equal(hist_layout_log2(p - 1), k - 1);
		assert_int_equal(hist_layout_log2(p + 1), k ? k : 1);
	}
	for (int i = 0; i < 200000; i++) {
		uint64_t v = rand_any(&rng);

		if (v)
			assert_int_equal(hist_layout_log2(v), naive_log2(v));
	}
}

enum dist { D_UNIFORM, D_SMALL, D_EXP, D_BIMODAL, D_CONST, D_LOGUNIFORM, D_COUNT };

static uint64_t draw(enum dist d, uint64_t *rng)
{
	switch (d) {
	case D_UNIFORM:
		return stats_rand_next(rng) % 1000000;
	case D_SMALL:
		return stats_rand_next(rng) % 128;
	case D_EXP:
		return (uint64_t)(-log(rand_unit(rng)) * 1e5);
	case D_BIMODAL:
		if (stats_rand_next(rng) & 1)
			return 1900 + stats_rand_next(rng) % 200;
		return 4900000 + stats_rand_next(rng) % 200000;
	case D_CONST:
		return 12345;
	case D_LOGUNIFORM:
		return (uint64_t)exp2(rand_unit(rng) * 39.0);
	default:
		return 0;
	}
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return (x > y) - (x < y);
}

static void assert_within_1pct(uint64_t got, uint64_t exact)
{
	uint64_t diff = got > exact ? got - exact : exact - got;

	if (diff * 100 > exact)
		fail_msg("got %llu, exact %llu: off by more than 1%%", (unsigned long long)got,
			 (unsigned long long)exact);
}

static void check_percentiles(const struct hist *h, const uint64_t *sorted, size_t n)
{
	static const double ps[] = { 0, 1, 50, 90, 99, 99.9, 100 };

	for (size_t j = 0; j < sizeof(ps) / sizeof(ps[0]); j++) {
		size_t rank = (size_t)ceil(ps[j] / 100.0 * (double)n);
		uint64_t got = hist_percentile(h, ps[j]);

		if (rank < 1)
			rank = 1;
		assert_within_1pct(got, sorted[rank - 1]);
		assert_true(got >= sorted[0]);
		assert_true(got <= sorted[n - 1]);
	}
	assert_int_equal(hist_percentile(h, 100), sorted[n - 1]);
	assert_int_equal(hist_percentile(h, 1000), sorted[n - 1]);
	assert_int_equal(hist_percentile(h, -5), hist_percentile(h, 0));
}

static void test_percentiles_vs_sorted(void **state)
{
	uint64_t *x = malloc(NDATA * sizeof(*x)), rng = 1234, sum;
	struct hist *h = hist_new();

	assert_non_null(x);
	for (int d = 0; d < D_COUNT; d++) {
		hist_init(h);
		sum = 0;
		for (size_t i = 0; i < NDATA; i++) {
			x[i] = draw((enum dist)d, &rng);
			sum += x[i];
			hist_add(h, x[i]);
		}
		qsort(x, NDATA, sizeof(*x), cmp_u64);
		assert_int_equal(h->count, NDATA);
		assert_int_equal(h->sum, sum);
		assert_int_equal(h->min, x[0]);
		assert_int_equal(h->max, x[NDATA - 1]);
		assert_true(hist_mean(h) == (double)sum / NDATA);
		check_percentiles(h, x, NDATA);
		/* Small values have exact buckets: every percentile is exact. */
		if (d == D_SMALL || d == D_CONST)
			assert_int_equal(hist_percentile(h, 37.5),
					 x[(size_t)ceil(0.375 * NDATA) - 1]);
	}
	/* Tiny samples too, where rank rounding matters most. */
	for (size_t n = 1; n <= 9; n++) {
		hist_init(h);
		for (size_t i = 0; i < n; i++) {
			x[i] = 1000 * (n - i);
			hist_add(h, x[i]);
		}
		qsort(x, n, sizeof(*x), cmp_u64);
		check_percentiles(h, x, n);
	}
	free(h);
	free(x);
}

/* Mean of sorted[floor(lo%*n) .. ceil(hi%*n)), as hist_range_mean defines it. */
static double exact_range_mean(const uint64_t *sorted, size_t n, double lo, double hi)
{
	size_t a = (size_t)floor(lo / 100.0 * (double)n), b = (size_t)ceil(hi / 100.0 * (double)n);
	double sum = 0;

	for (size_t i = a; i < b; i++)
		sum += (double)sorted[i];
	return sum / (double)(b - a);
}

static void test_range_mean_vs_sorted(void **state)
{
	static const double ranges[][2] = { { 25, 75 }, { 0, 100 }, { 0, 99 }, { 10, 20 } };
	uint64_t *x = malloc(NDATA * sizeof(*x)), rng = 99;
	struct hist *h = hist_new();

	assert_non_null(x);
	for (int d = 0; d < D_COUNT; d++) {
		hist_init(h);
		for (size_t i = 0; i < NDATA; i++) {
			x[i] = draw((enum dist)d, &rng);
			hist_add(h, x[i]);
		}
		qsort(x, NDATA, sizeof(*x), cmp_u64);
		for (size_t r = 0; r < sizeof(ranges) / sizeof(ranges[0]); r++) {
			double exact = exact_range_mean(x, NDATA, ranges[r][0], ranges[r][1]);
			double got = hist_range_mean(h, ranges[r][0], ranges[r][1]);

			if (fabs(got - exact) > exact * 0.01 + 0.5)
				fail_msg("dist %d range %g..%g: got %f, exact %f", d, ranges[r][0],
					 ranges[r][1], got, exact);
		}
	}
	free(h);
	free(x);
}

/* The reason A/B rounds use it: a tenth of calls hit by preemption moves the
 * mean a lot and the interquartile mean hardly at all. */
static void test_range_mean_ignores_a_slow_tail(void **state)
{
	struct hist *clean = hist_new(), *hit = hist_new();
	uint64_t rng = 5;

	for (int i = 0; i < 100000; i++) {
		uint64_t v = 900 + stats_rand_next(&rng) % 200;

		hist_add(clean, v);
		hist_add(hit, i % 10 == 0 ? v + 2000000 : v);
	}
	assert_true(fabs(hist_range_mean(hit, 25, 75) - hist_range_mean(clean, 25, 75)) < 25);
	assert_true(hist_mean(hit) - hist_mean(clean) > 100000);
	assert_true(hist_range_mean(clean, 50, 50) == 0);	/* empty range */
	hist_init(clean);
	assert_true(hist_range_mean(clean, 25, 75) == 0);	/* empty histogram */
	free(clean);
	free(hit);
}

static void test_empty(void **state)
{
	struct hist *h = hist_new(), *z = hist_new();

	assert_int_equal(h->count, 0);
	assert_int_equal(h->min, UINT64_MAX);
	assert_int_equal(h->max, 0);
	assert_int_equal(hist_percentile(h, 0), 0);
	assert_int_equal(hist_percentile(h, 50), 0);
	assert_int_equal(hist_percentile(h, 100), 0);
	assert_true(hist_mean(h) == 0.0);
	/* Adding zero copies changes nothing. */
	hist_add_n(h, 777, 0);
	assert_memory_equal(h, z, sizeof(*h));
	free(h);
	free(z);
}

static void test_add_n_equals_repeated_add(void **state)
{
	struct hist *a = hist_new(), *b = hist_new();
	static const uint64_t vals[] = { 0, 5, 127, 128, 1000, 123456789, 1ULL << 41 };

	for (size_t i = 0; i < sizeof(vals) / sizeof(vals[0]); i++) {
		hist_add_n(a, vals[i], 3 + i);
		for (size_t k = 0; k < 3 + i; k++)
			hist_add(b, vals[i]);
	}
	assert_memory_equal(a, b, sizeof(*a));
	free(a);
	free(b);
}

static void test_merge_equals_concat(void **state)
{
	struct hist *a = hist_new(), *b = hist_new(), *all = hist_new(), *m = hist_new();
	uint64_t rng = 99;

	for (int i = 0; i < NDATA; i++) {
		/* Different ranges so min and max come from different sides. */
		uint64_t va = draw(D_EXP, &rng) + 50, vb = draw(D_LOGUNIFORM, &rng);

		hist_add(a, va);
		hist_add(all, va);
		if (i % 3)
			continue;
		hist_add(b, vb);
		hist_add(all, vb);
	}
	hist_merge(m, a);	/* into an empty one */
	hist_merge(m, b);
	assert_memory_equal(m->buckets, all->buckets, sizeof(all->buckets));
	assert_int_equal(m->count, all->count);
	assert_int_equal(m->sum, all->sum);
	assert_int_equal(m->min, all->min);
	assert_int_equal(m->max, all->max);
	/* Merging an empty histogram is a no-op (its min must not leak in). */
	hist_init(b);
	hist_merge(m, b);
	assert_memory_equal(m, all, sizeof(*m));
	free(a);
	free(b);
	free(all);
	free(m);
}

static void test_from_buckets_roundtrip(void **state)
{
	uint64_t *x = malloc(NDATA * sizeof(*x)), rng = 5, sum = 0;
	uint64_t raw[HIST_NBUCKETS + 4];
	struct hist *h = hist_new(), *r = hist_new();

	assert_non_null(x);
	for (size_t i = 0; i < NDATA; i++) {
		x[i] = draw(D_BIMODAL, &rng) + (i % 7) * 1000;
		sum += x[i];
		hist_add(h, x[i]);
	}
	memcpy(raw, h->buckets, sizeof(h->buckets));
	/* Entries past HIST_NBUCKETS are ignored. */
	for (int i = 0; i < 4; i++)
		raw[HIST_NBUCKETS + i] = 1000;
	hist_from_buckets(r, raw, HIST_NBUCKETS + 4);
	assert_memory_equal(r->buckets, h->buckets, sizeof(h->buckets));
	assert_int_equal(r->count, NDATA);
	assert_int_equal(r->min, hist_bucket_lo(hist_bucket_of(h->min)));
	assert_int_equal(r->max, hist_bucket_hi(hist_bucket_of(h->max)));
	/* Midpoint sums stay within the bucket error of the exact sum. */
	assert_within_1pct(r->sum, sum);
	qsort(x, NDATA, sizeof(*x), cmp_u64);
	{
		static const double ps[] = { 1, 50, 90, 99, 99.9 };

		for (size_t j = 0; j < sizeof(ps) / sizeof(ps[0]); j++)
			assert_within_1pct(hist_percentile(r, ps[j]),
					   x[(size_t)ceil(ps[j] / 100.0 * NDATA) - 1]);
	}
	/* A short array fills only its prefix; zeros leave it empty. */
	memset(raw, 0, sizeof(raw));
	hist_from_buckets(r, raw, HIST_NBUCKETS);
	assert_int_equal(r->count, 0);
	assert_int_equal(r->min, UINT64_MAX);
	assert_int_equal(hist_percentile(r, 50), 0);
	raw[3] = 2;
	raw[200] = 1;
	hist_from_buckets(r, raw, 100);
	assert_int_equal(r->count, 2);
	assert_int_equal(r->sum, 6);
	assert_int_equal(r->min, 3);
	assert_int_equal(r->max, 3);
	free(h);
	free(r);
	free(x);
}

static void test_saturating_sum(void **state)
{
	struct hist *h = hist_new(), *g = hist_new();

	hist_add(h, UINT64_MAX);
	hist_add(h, 1);
	assert_int_equal(h->sum, UINT64_MAX);
	assert_int_equal(h->count, 2);
	assert_int_equal(h->min, 1);
	assert_int_equal(h->max, UINT64_MAX);
	assert_int_equal(hist_percentile(h, 100), UINT64_MAX);
	/* v * n overflowing on its own. */
	hist_add_n(g, 1ULL << 62, 8);
	assert_int_equal(g->sum, UINT64_MAX);
	assert_int_equal(g->count, 8);
	hist_init(g);
	hist_add_n(g, 1ULL << 62, 3);
	assert_int_equal(g->sum, 3ULL << 62);
	hist_merge(g, h);
	assert_int_equal(g->sum, UINT64_MAX);
	assert_int_equal(g->count, 5);
	free(h);
	free(g);
}

static json_int_t jint(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);

	assert_non_null(v);
	assert_true(json_is_integer(v));
	return json_integer_value(v);
}

static void test_to_json(void **state)
{
	struct hist *h = hist_new();
	uint64_t rng = 11;
	json_int_t total = 0, prev_hi = -1;
	json_t *o, *b, *t;
	size_t i;

	for (int k = 0; k < NDATA; k++)
		hist_add(h, draw(D_EXP, &rng));
	hist_add(h, 1ULL << 45);	/* something in the clamped last bucket */
	o = hist_to_json(h, true);
	assert_non_null(o);
	assert_int_equal(jint(o, "count"), (json_int_t)h->count);
	assert_int_equal(jint(o, "min"), (json_int_t)h->min);
	assert_int_equal(jint(o, "max"), (json_int_t)h->max);
	assert_int_equal(jint(o, "p50"), (json_int_t)hist_percentile(h, 50));
	assert_int_equal(jint(o, "p90"), (json_int_t)hist_percentile(h, 90));
	assert_int_equal(jint(o, "p99"), (json_int_t)hist_percentile(h, 99));
	assert_int_equal(jint(o, "p999"), (json_int_t)hist_percentile(h, 99.9));
	assert_true(json_is_real(json_object_get(o, "mean")));
	assert_true(json_real_value(json_object_get(o, "mean")) == hist_mean(h));
	b = json_object_get(o, "buckets");
	assert_true(json_is_array(b));
	assert_true(json_array_size(b) > 10);
	json_array_foreach(b, i, t) {
		json_int_t lo, hi, n;

		assert_true(json_is_array(t));
		assert_int_equal(json_array_size(t), 3);
		lo = json_integer_value(json_array_get(t, 0));
		hi = json_integer_value(json_array_get(t, 1));
		n = json_integer_value(json_array_get(t, 2));
		assert_true(lo > prev_hi);	/* ascending, disjoint */
		assert_true(lo <= hi);
		assert_true(n > 0);
		assert_int_equal(n, (json_int_t)h->buckets[hist_bucket_of((uint64_t)lo)]);
		assert_int_equal((uint64_t)lo, hist_bucket_lo(hist_bucket_of((uint64_t)lo)));
		if (hist_bucket_of((uint64_t)lo) != HIST_NBUCKETS - 1)
			assert_int_equal((uint64_t)hi, hist_bucket_hi(hist_bucket_of((uint64_t)lo)));
		total += n;
		prev_hi = hi;
	}
	assert_int_equal(total, (json_int_t)h->count);
	json_decref(o);

	o = hist_to_json(h, false);
	assert_null(json_object_get(o, "buckets"));
	assert_int_equal(jint(o, "count"), (json_int_t)h->count);
	json_decref(o);

	hist_init(h);
	o = hist_to_json(h, true);
	assert_int_equal(jint(o, "count"), 0);
	assert_int_equal(jint(o, "min"), 0);
	assert_int_equal(jint(o, "max"), 0);
	assert_int_equal(jint(o, "p99"), 0);
	assert_true(json_real_value(json_object_get(o, "mean")) == 0.0);
	assert_int_equal(json_array_size(json_object_get(o, "buckets")), 0);
	json_decref(o);
	free(h);
}

/* JSON integers are signed 64-bit: huge values must not come out negative. */
static void test_to_json_huge_values(void **state)
{
	static const char *const keys[] = { "count", "min", "max", "p50", "p90", "p99", "p999" };
	struct hist *h = hist_new();
	json_t *o, *t;
	size_t i;

	hist_add(h, (1ULL << 63) + 5);
	hist_add(h, UINT64_MAX);
	o = hist_to_json(h, true);
	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		assert_true(jint(o, keys[i]) >= 0);
	assert_int_equal(jint(o, "max"), INT64_MAX);
	json_array_foreach(json_object_get(o, "buckets"), i, t) {
		assert_true(json_integer_value(json_array_get(t, 0)) >= 0);
		assert_true(json_integer_value(json_array_get(t, 1)) >= 0);
		assert_int_equal(json_integer_value(json_array_get(t, 2)), 2);
	}
	json_decref(o);
	free(h);
}

static char *print_to_string(const struct hist *h, const char *unit)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	hist_print(f, h, unit);
	assert_int_equal(fclose(f), 0);
	assert_non_null(buf);
	return buf;
}

/* Parse the rows back and compare each with a brute-force count. */
static void test_print(void **state)
{
	uint64_t *x = malloc(NDATA * sizeof(*x)), rng = 3, total = 0, prev_hi = 0;
	struct hist *h = hist_new();
	char *out, *line, *save = NULL;
	int rows = 0, full_bar = 0;

	assert_non_null(x);
	out = print_to_string(h, "nsecs");
	assert_non_null(strstr(out, "no samples"));
	assert_null(strchr(strchr(out, '\n') + 1, '\n'));	/* one line */
	free(out);

	for (size_t i = 0; i < NDATA; i++) {
		x[i] = draw(D_BIMODAL, &rng);
		hist_add(h, x[i]);
	}
	out = print_to_string(h, "nsecs");
	line = strtok_r(out, "\n", &save);
	assert_non_null(line);
	assert_non_null(strstr(line, "nsecs"));
	assert_non_null(strstr(line, "count"));
	assert_non_null(strstr(line, "distribution"));
	while ((line = strtok_r(NULL, "\n", &save))) {
		unsigned long long lo, hi, n, want = 0;
		char *bar = strchr(line, '|');
		int stars = 0;

		assert_int_equal(sscanf(line, "%llu -> %llu : %llu", &lo, &hi, &n), 3);
		assert_non_null(bar);
		while (bar[1 + stars] == '*')
			stars++;
		assert_int_equal(strlen(bar), 42);	/* |40 columns| */
		if (stars == 40)
			full_bar = 1;
		if (rows)
			assert_int_equal(lo, prev_hi + 1);	/* no gaps */
		for (size_t i = 0; i < NDATA; i++)
			want += x[i] >= lo && x[i] <= hi;
		assert_int_equal(n, want);
		assert_true(stars == 0 || n > 0);
		total += n;
		prev_hi = hi;
		rows++;
	}
	assert_int_equal(total, NDATA);
	assert_true(full_bar);
	/* 1900..2099 to 4.9M..5.1M: rows [2^10, 2^11) .. [2^22, 2^23), gaps included. */
	assert_int_equal(rows, 22 - 10 + 1);
	free(out);
	free(h);
	free(x);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_layout_contiguous),
		cmocka_unit_test(test_bucket_of_exhaustive_small),
		cmocka_unit_test(test_bucket_of_edges_and_random),
		cmocka_unit_test(test_layout_log2),
		cmocka_unit_test(test_percentiles_vs_sorted),
		cmocka_unit_test(test_empty),
		cmocka_unit_test(test_add_n_equals_repeated_add),
		cmocka_unit_test(test_merge_equals_concat),
		cmocka_unit_test(test_from_buckets_roundtrip),
		cmocka_unit_test(test_saturating_sum),
		cmocka_unit_test(test_range_mean_vs_sorted),
		cmocka_unit_test(test_range_mean_ignores_a_slow_tail),
		cmocka_unit_test(test_to_json),
		cmocka_unit_test(test_to_json_huge_values),
		cmocka_unit_test(test_print),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
