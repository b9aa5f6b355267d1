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

#endif
