/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* Printing the run-time stats bias and corrected figures (statsbias.h), the
 * same way in every command that shows run-time stats: stats, top, prog,
 * demo. Formatting only; the figures come from statsbias.c. */
#ifndef BPFCOST_BIASFMT_H
#define BPFCOST_BIASFMT_H

#include <stddef.h>
#include <stdio.h>
#include <jansson.h>
#include "statsbias.h"

/* A corrected value into buf: "12.3" (prec decimals), "<4.5" (the upper
 * bound, when the value is smaller than the bias's own uncertainty), or
 * "-" (no correction: not measured, or a trampoline-run program). */
void bf_corrected_str(char *buf, size_t len, int prec, const struct sb_corrected *c, bool cpu);

/* One or two lines on what the bias is and how it was measured, or why it
 * was not, naming the columns (CORR_NS, CORR%1) it feeds. */
void bf_bias_legend(FILE *f, const struct sb_bias *b);

/* {"ns_per_run", "lo", "hi", "batches", "runs", "elapsed_s", "hook",
 * "clocksource", "method"} when measured, else {"valid": false, "why"}. */
json_t *bf_bias_json(const struct sb_bias *b);
/* {"ns_per_run" (null when unresolved), "lo", "hi", "resolved", "cpu_pct"
 * (null when unresolved), "cpu_pct_lo", "cpu_pct_hi"}, or null when the
 * correction does not apply. */
json_t *bf_corrected_json(const struct sb_corrected *c);

#endif
