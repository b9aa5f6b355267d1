/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* The verdict of a B - A comparison as text, JSON and a Markdown row:
 * shared by compare and diff, so both say the same thing the same way. */
#ifndef BPFCOST_CMPFMT_H
#define BPFCOST_CMPFMT_H

#include <stddef.h>
#include <stdio.h>
#include <jansson.h>
#include "compare.h"

/* "B adds 23.4 ns [18.0, 28.9] more per getpid than A: slower",
 * "B saves ...: faster", or "no difference detectable: |B - A| < 5.1 ns
 * per getpid at this precision"; ", beyond the 10% threshold (12.0 ns)"
 * added when the verdict fails the gate. */
const char *cmp_fmt_verdict(char *buf, size_t len, const char *kind, const struct stats_ci *diff,
			    const struct cmp_verdict *v);
json_t *cmp_ci_json(const struct stats_ci *ci);
/* {"call", "bound_ns" (same only), "threshold_ns" (set only), "fails", "text"} */
json_t *cmp_verdict_json(const char *kind, const struct stats_ci *diff,
			 const struct cmp_verdict *v);
/* The Markdown table of verdicts: header once, then one row per kind. */
void cmp_md_header(FILE *f);
void cmp_md_row(FILE *f, const char *kind, const struct stats_ci *a, const struct stats_ci *b,
		const struct stats_ci *diff, const struct cmp_verdict *v);

#endif
