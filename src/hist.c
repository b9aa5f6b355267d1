// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Log-linear histogram: the user-space half of bpf/hist_layout.h. */
#include <math.h>
#include <string.h>
#include "hist.h"

unsigned hist_bucket_of(uint64_t v)
{
	return hist_layout_index(v);
}

static unsigned bucket_shift(unsigned idx)
{
	return 1 + (idx - HIST_SUB_COUNT) / HIST_HALF_COUNT;
}

uint64_t hist_bucket_lo(unsigned idx)
{
	unsigned shift;

	if (idx < HIST_SUB_COUNT)
		return idx;
	shift = bucket_shift(idx);
	return (uint64_t)(HIST_HALF_COUNT + (idx - HIST_SUB_COUNT) % HIST_HALF_COUNT) << shift;
}

uint64_t hist_bucket_hi(unsigned idx)
{
	if (idx == HIST_NBUCKETS - 1)
		return UINT64_MAX;	/* the last bucket also holds clamped values */
	if (idx < HIST_SUB_COUNT)
		return idx;
	return hist_bucket_lo(idx) + (1ULL << bucket_shift(idx)) - 1;
}

/* Midpoint for reporting; the last bucket uses its nominal width. */
static uint64_t bucket_mid(unsigned idx)
{
	uint64_t lo = hist_bucket_lo(idx);

	if (idx < HIST_SUB_COUNT)
		return lo;
	return lo + ((1ULL << bucket_shift(idx)) - 1) / 2;
}

void hist_init(struct hist *h)
{
	memset(h, 0, sizeof(*h));
	h->min = UINT64_MAX;
}

static uint64_t sat_add(uint64_t a, uint64_t b)
{
	return a > UINT64_MAX - b ? UINT64_MAX : a + b;
}

static uint64_t sat_mul(uint64_t a, uint64_t b)
{
	if (a && b > UINT64_MAX / a)
		return UINT64_MAX;
	return a * b;
}

void hist_add_n(struct hist *h, uint64_t v, uint64_t n)
{
	if (!n)
		return;
	h->buckets[hist_bucket_of(v)] += n;
	h->count += n;
	h->sum = sat_add(h->sum, sat_mul(v, n));
	if (v < h->min)
		h->min = v;
	if (v > h->max)
		h->max = v;
}

void hist_add(struct hist *h, uint64_t v)
{
	hist_add_n(h, v, 1);
}

void hist_merge(struct hist *dst, const struct hist *src)
{
	if (!src->count)
		return;
	for (unsigned i = 0; i < HIST_NBUCKETS; i++)
		dst->buckets[i] += src->buckets[i];
	dst->count += src->count;
	dst->sum = sat_add(dst->sum, src->sum);
	if (src->min < dst->min)
		dst->min = src->min;
	if (src->max > dst->max)
		dst->max = src->max;
}

void hist_from_buckets(struct hist *h, const uint64_t *buckets, size_t n)
{
	hist_init(h);
	if (n > HIST_NBUCKETS)
		n = HIST_NBUCKETS;
	for (unsigned i = 0; i < n; i++) {
		if (!buckets[i])
			continue;
		h->buckets[i] = buckets[i];
		h->count += buckets[i];
		h->sum = sat_add(h->sum, sat_mul(bucket_mid(i), buckets[i]));
		if (h->min == UINT64_MAX)
			h->min = hist_bucket_lo(i);
		h->max = i == HIST_NBUCKETS - 1 ? hist_bucket_lo(i) : hist_bucket_hi(i);
	}
}

uint64_t hist_percentile(const struct hist *h, double p)
{
	uint64_t rank, cum = 0, v;

	if (!h->count)
		return 0;
	if (p >= 100)
		return h->max;
	if (p < 0)
		p = 0;
	rank = (uint64_t)ceil(p / 100.0 * (double)h->count);
	if (rank < 1)
		rank = 1;
	for (unsigned i = 0; i < HIST_NBUCKETS; i++) {
		cum += h->buckets[i];
		if (cum < rank)
			continue;
		v = bucket_mid(i);
		if (v < h->min)
			v = h->min;
		if (v > h->max)
			v = h->max;
		return v;
	}
	return h->max;
}

double hist_mean(const struct hist *h)
{
	return h->count ? (double)h->sum / (double)h->count : 0.0;
}

double hist_range_mean(const struct hist *h, double p_lo, double p_hi)
{
	double lo, hi, rank = 0, taken = 0, sum = 0;

	if (!h->count || !(p_lo < p_hi))
		return 0;
	lo = floor(fmax(p_lo, 0) / 100.0 * (double)h->count);
	hi = ceil(fmin(p_hi, 100) / 100.0 * (double)h->count);
	if (hi <= lo)
		hi = lo + 1;
	for (unsigned i = 0; i < HIST_NBUCKETS && rank < hi; i++) {
		double n = (double)h->buckets[i], v = (double)bucket_mid(i);
		double from = fmax(rank, lo), to = fmin(rank + n, hi);

		rank += n;
		if (to <= from)
			continue;
		v = fmin(fmax(v, (double)h->min), (double)h->max);
		sum += (to - from) * v;
		taken += to - from;
	}
	return taken > 0 ? sum / taken : 0;
}

/* Rows of power-of-two ranges, as bcc's print_log2_hist, trimmed to the
 * non-empty span. */
void hist_print(FILE *f, const struct hist *h, const char *unit)
{
	uint64_t rows[65] = { 0 }, top = 0;
	int first = -1, last = -1;

	for (unsigned i = 0; i < HIST_NBUCKETS; i++) {
		uint64_t lo = hist_bucket_lo(i);
		int r = lo ? (int)hist_layout_log2(lo) + 1 : 0;

		rows[r] += h->buckets[i];
	}
	for (int r = 0; r < 65; r++) {
		if (!rows[r])
			continue;
		if (first < 0)
			first = r;
		last = r;
		if (rows[r] > top)
			top = rows[r];
	}
	if (first < 0) {
		fprintf(f, "    (no samples)\n");
		return;
	}
	fprintf(f, "%22s : %-10s |%-40s|\n", unit, "count", "distribution");
	for (int r = first; r <= last; r++) {
		uint64_t lo = r ? 1ULL << (r - 1) : 0;
		uint64_t hi = r ? (1ULL << r) - 1 : 0;
		int stars = (int)(rows[r] * 40 / top);
		char bar[41];

		memset(bar, '*', (size_t)stars);
		bar[stars] = '\0';
		fprintf(f, "%10llu -> %-9llu : %-10llu |%-40s|\n", (unsigned long long)lo,
			(unsigned long long)hi, (unsigned long long)rows[r], bar);
	}
}

/* JSON integers are signed 64-bit: clamp rather than wrap to a negative. */
static json_int_t json_u64(uint64_t v)
{
	return v > INT64_MAX ? INT64_MAX : (json_int_t)v;
}

json_t *hist_to_json(const struct hist *h, bool with_buckets)
{
	json_t *o = json_object();

	json_object_set_new(o, "count", json_integer(json_u64(h->count)));
	json_object_set_new(o, "mean", json_real(hist_mean(h)));
	json_object_set_new(o, "min", json_integer(json_u64(h->count ? h->min : 0)));
	json_object_set_new(o, "max", json_integer(json_u64(h->max)));
	json_object_set_new(o, "p50", json_integer(json_u64(hist_percentile(h, 50))));
	json_object_set_new(o, "p90", json_integer(json_u64(hist_percentile(h, 90))));
	json_object_set_new(o, "p99", json_integer(json_u64(hist_percentile(h, 99))));
	json_object_set_new(o, "p999", json_integer(json_u64(hist_percentile(h, 99.9))));
	if (with_buckets) {
		json_t *b = json_array();

		for (unsigned i = 0; i < HIST_NBUCKETS; i++) {
			if (!h->buckets[i])
				continue;
			json_array_append_new(b, json_pack("[III]", (json_int_t)hist_bucket_lo(i),
							   (json_int_t)(i == HIST_NBUCKETS - 1 ?
								hist_bucket_lo(i) * 2 - 1 : hist_bucket_hi(i)),
							   json_u64(h->buckets[i])));
		}
		json_object_set_new(o, "buckets", b);
	}
	return o;
}
