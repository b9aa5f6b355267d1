/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* The verdict of a B - A comparison as text, JSON and a Markdown row:
 * shared by compare and diff, so both say the same thing the same way. */
#ifndef BPFCOST_CMPFMT_H
#define BPFCOST_CMPFMT_H

#include <stdbool.h>
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
/* Whether an interval has (almost) zero width: no spread, no interval. */
bool cmp_ci_flat(const struct stats_ci *c);
/* "P [LO, HI]", or "P (no spread)" for an interval of zero width (never
 * printed as "[x, x]"). */
const char *cmp_fmt_ci(char *buf, size_t len, const struct stats_ci *c);
/* How B - A's interval was made from two saved ones, a and b: "MOVER of
 * the two files' expanded percentile bootstrap intervals", or "... of A's X
 * and B's Y intervals" when they differ; "method not saved" for one
 * without a method (a report before it recorded one). */
const char *cmp_fmt_mover_method(char *buf, size_t len, const struct stats_ci *a,
				 const struct stats_ci *b);
/* "95% CI: METHOD" of an interval (diff->method, else "method not said"). */
const char *cmp_fmt_ci_method(char *buf, size_t len, const struct stats_ci *ci);
/* s as a Markdown code span that stays one table cell: a fence of one more
 * backquote than s's longest run (padded by a space where s starts or ends
 * with one), '|' as "\|" (GitHub's tables split cells on it even inside
 * code), control characters as by bc_esc. Cut to fit len. */
const char *cmp_md_code(char *buf, size_t len, const char *s);
/* The Markdown table of verdicts: header once, then one row per kind; a
 * zero-width side shows as "P (no spread)", the last cell says the
 * interval's confidence and method (cmp_fmt_ci_method). */
void cmp_md_header(FILE *f);
void cmp_md_row(FILE *f, const char *kind, const struct stats_ci *a, const struct stats_ci *b,
		const struct stats_ci *diff, const struct cmp_verdict *v);

#endif
