/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* Mergeable log-linear histogram (layout in bpf/hist_layout.h). */
#ifndef BPFCOST_HIST_H
#define BPFCOST_HIST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <jansson.h>
#include "bpf/hist_layout.h"

struct hist {
	uint64_t count;
	uint64_t sum;		/* exact sum of recorded values (saturating) */
	uint64_t min, max;	/* exact; min is UINT64_MAX when empty */
	uint64_t buckets[HIST_NBUCKETS];
};

unsigned hist_bucket_of(uint64_t v);
uint64_t hist_bucket_lo(unsigned idx);	/* smallest value in bucket */
uint64_t hist_bucket_hi(unsigned idx);	/* largest value in bucket */

void hist_init(struct hist *h);
void hist_add(struct hist *h, uint64_t v);
void hist_add_n(struct hist *h, uint64_t v, uint64_t n);
void hist_merge(struct hist *dst, const struct hist *src);
/* Fill from raw bucket counts (a BPF map summed over CPUs). min/max come
 * from the bucket bounds, sum from bucket midpoints, unless the caller has
 * exact figures and sets them afterwards. */
void hist_from_buckets(struct hist *h, const uint64_t *buckets, size_t n);

/* p in [0, 100]. Returns the bucket midpoint (clamped to [min, max]) of the
 * value at rank ceil(p/100 * count); 0 for an empty histogram. */
uint64_t hist_percentile(const struct hist *h, double p);
double hist_mean(const struct hist *h);	/* sum/count; 0 when empty */
/* Mean of the values ranked between the p_lo-th and p_hi-th percentiles,
 * from bucket midpoints (clamped to [min, max]). (25, 75) is the
 * interquartile mean: robust to preempted or interrupted calls in the tail
 * and finer-grained than a median of buckets. 0 when empty. */
double hist_range_mean(const struct hist *h, double p_lo, double p_hi);

/* bcc-style bars over the non-empty range, folded to ~power-of-two rows. */
void hist_print(FILE *f, const struct hist *h, const char *unit);
/* {"count","mean","min","max","p50","p90","p99","p999","buckets":[[lo,hi,n],...]} */
json_t *hist_to_json(const struct hist *h, bool with_buckets);

#endif
