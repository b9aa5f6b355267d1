// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Verdict printers shared by compare and diff (cmpfmt.h). */
#include <math.h>
#include <stdio.h>
#include "common.h"
#include "cmpfmt.h"

const char *cmp_fmt_verdict(char *buf, size_t len, const char *kind, const struct stats_ci *diff,
			    const struct cmp_verdict *v)
{
	int n;

	if (v->call == CMP_SLOWER)
		n = snprintf(buf, len, "B adds %.1f ns [%.1f, %.1f] more per %s than A: slower",
			     diff->point, diff->lo, diff->hi, kind);
	else if (v->call == CMP_FASTER)
		n = snprintf(buf, len, "B saves %.1f ns [%.1f, %.1f] per %s against A: faster",
			     -diff->point, -diff->hi, -diff->lo, kind);
	else
		/* Never "< 0.0": a bound under 0.05 ns keeps its digits. */
		n = snprintf(buf, len, v->bound < 0.05 ? "no difference detectable: |B - A| < %.2g "
			     "ns per %s at this precision" : "no difference detectable: |B - A| < "
			     "%.1f ns per %s at this precision", v->bound, kind);
	if (v->fails && n > 0 && (size_t)n < len)
		snprintf(buf + n, len - (size_t)n, " (the whole interval above the %.1f ns "
			 "threshold)", v->threshold_ns);
	return buf;
}

json_t *cmp_ci_json(const struct stats_ci *ci)
{
	return bc_json_pack("{s:o, s:o, s:o, s:f, s:s?, s:I}", "point", bc_json_real(ci->point),
			    "lo", bc_json_real(ci->lo), "hi", bc_json_real(ci->hi), "level", ci->level,
			    "method", ci->method, "n", (json_int_t)ci->n);
}

json_t *cmp_verdict_json(const char *kind, const struct stats_ci *diff,
			 const struct cmp_verdict *v)
{
	char text[256];
	json_t *o = bc_json_pack("{s:s, s:b, s:s}", "call", cmp_call_name(v->call), "fails",
				 v->fails, "text", cmp_fmt_verdict(text, sizeof(text), kind, diff, v));

	if (o && v->call == CMP_SAME)
		json_object_set_new(o, "bound_ns", json_real(v->bound));
	if (o && isfinite(v->threshold_ns))
		json_object_set_new(o, "threshold_ns", json_real(v->threshold_ns));
	return o;
}

void cmp_md_header(FILE *f)
{
	fprintf(f, "| syscall | A adds (ns) | B adds (ns) | B - A (ns, 95%% CI) | verdict |\n"
		"|---|---:|---:|---:|---|\n");
}

void cmp_md_row(FILE *f, const char *kind, const struct stats_ci *a, const struct stats_ci *b,
		const struct stats_ci *diff, const struct cmp_verdict *v)
{
	static const char *const mark[] = { [CMP_SLOWER] = "**slower**", [CMP_FASTER] = "faster",
					    [CMP_SAME] = "no difference detectable" };

	fprintf(f, "| %s | %.1f [%.1f, %.1f] | %.1f [%.1f, %.1f] | %+.1f [%.1f, %.1f] | %s%s |\n",
		kind, a->point, a->lo, a->hi, b->point, b->lo, b->hi, diff->point, diff->lo,
		diff->hi, mark[v->call], v->fails ? " (fails the gate)" : "");
}
