/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* Log-linear (HDR-style) histogram bucket layout shared by BPF programs and
 * user space, so a BPF per-CPU array can be read straight into struct hist.
 *
 * Values below 2^HIST_SUB_BITS get one bucket each. Above that, every power
 * of two is split into 2^(HIST_SUB_BITS-1) equal buckets, so a bucket's
 * width is at most 1/2^(HIST_SUB_BITS-1) of its lower bound: with
 * HIST_SUB_BITS = 7 that is 1.6%, and reporting the bucket midpoint keeps
 * the error under 0.8%. Values at or above 2^HIST_MAX_BITS are clamped
 * into the last bucket (2^40 ns is about 18 minutes). */
#ifndef BPFCOST_HIST_LAYOUT_H
#define BPFCOST_HIST_LAYOUT_H

#define HIST_SUB_BITS 7
#define HIST_SUB_COUNT (1u << HIST_SUB_BITS)		/* 128 */
#define HIST_HALF_COUNT (1u << (HIST_SUB_BITS - 1))	/* 64 */
#define HIST_MAX_BITS 40
#define HIST_NBUCKETS (HIST_SUB_COUNT + (HIST_MAX_BITS - HIST_SUB_BITS) * HIST_HALF_COUNT)

/* floor(log2(v)) for v > 0 by binary search on shifts: no clz builtin, so
 * the BPF verifier and any C compiler accept it (as bcc's log2l). */
static inline unsigned hist_layout_log2(unsigned long long v)
{
	unsigned r = 0, s;

	s = (v > 0xFFFFFFFFULL) << 5; v >>= s; r |= s;
	s = (v > 0xFFFFULL) << 4; v >>= s; r |= s;
	s = (v > 0xFFULL) << 3; v >>= s; r |= s;
	s = (v > 0xFULL) << 2; v >>= s; r |= s;
	s = (v > 0x3ULL) << 1; v >>= s; r |= s;
	r |= (unsigned)(v >> 1);
	return r;
}

/* Bucket index of v: always < HIST_NBUCKETS, so BPF code can use it to
 * index an array map after a bounds check the verifier can see. */
static inline unsigned hist_layout_index(unsigned long long v)
{
	unsigned b, shift;

	if (v < HIST_SUB_COUNT)
		return (unsigned)v;
	b = hist_layout_log2(v);
	if (b >= HIST_MAX_BITS)
		return HIST_NBUCKETS - 1;
	shift = b - (HIST_SUB_BITS - 1);
	return HIST_SUB_COUNT + (b - HIST_SUB_BITS) * HIST_HALF_COUNT +
	       (unsigned)((v >> shift) - HIST_HALF_COUNT);
}

#endif
