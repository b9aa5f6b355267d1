// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Verdict printers shared by compare and diff (cmpfmt.h). */
#include <math.h>
#include <stdio.h>
#include <string.h>
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

bool cmp_ci_flat(const struct stats_ci *c)
{
	return !(c->hi - c->lo > 1e-9 * fmax(fabs(c->point), 1));
}

const char *cmp_fmt_ci(char *buf, size_t len, const struct stats_ci *c)
{
	if (cmp_ci_flat(c))
		snprintf(buf, len, "%.1f (no spread)", c->point);
	else
		snprintf(buf, len, "%.1f [%.1f, %.1f]", c->point, c->lo, c->hi);
	return buf;
}

const char *cmp_fmt_mover_method(char *buf, size_t len, const struct stats_ci *a,
				 const struct stats_ci *b)
{
	const char *ma = a->method ? a->method : "method not saved";
	const char *mb = b->method ? b->method : "method not saved";

	if (!strcmp(ma, mb))
		snprintf(buf, len, "MOVER of the two files' intervals (each: %s)", ma);
	else
		snprintf(buf, len, "MOVER of A's interval (%s) and B's (%s)", ma, mb);
	return buf;
}

const char *cmp_fmt_ci_method(char *buf, size_t len, const struct stats_ci *ci)
{
	snprintf(buf, len, "%.0f%% CI: %s", ci->level * 100,
		 ci->method ? ci->method : "method not said");
	return buf;
}

const char *cmp_md_code(char *buf, size_t len, const char *s)
{
	char esc[BC_ESC_MAX];
	size_t run = 0, longest = 0, n = 0, fence;
	bool pad;

	s = bc_esc(esc, sizeof(esc), s);
	for (const char *c = s; *c; c++) {
		run = *c == '`' ? run + 1 : 0;
		longest = run > longest ? run : longest;
	}
	fence = longest + 1;
	pad = *s && (strchr("` ", s[0]) || strchr("` ", s[strlen(s) - 1]));
	/* Room for both fences, two pads and the terminator. */
	if (len < 2 * fence + 3) {
		if (len)
			*buf = 0;
		return buf;
	}
	for (size_t i = 0; i < fence; i++)
		buf[n++] = '`';
	if (pad)
		buf[n++] = ' ';
	for (const char *c = s; *c; c++) {
		size_t need = *c == '|' ? 2 : 1;

		if (n + need + pad + fence + 1 > len)
			break;	/* cut: the closing fence still fits */
		if (*c == '|')
			buf[n++] = '\\';
		buf[n++] = *c;
	}
	if (pad)
		buf[n++] = ' ';
	for (size_t i = 0; i < fence; i++)
		buf[n++] = '`';
	buf[n] = 0;
	return buf;
}

void cmp_md_header(FILE *f)
{
	fprintf(f, "| syscall | A adds (ns) | B adds (ns) | B - A (ns, 95%% CI) | verdict | "
		"interval |\n|---|---:|---:|---:|---|---|\n");
}

void cmp_md_row(FILE *f, const char *kind, const struct stats_ci *a, const struct stats_ci *b,
		const struct stats_ci *diff, const struct cmp_verdict *v)
{
	static const char *const mark[] = { [CMP_SLOWER] = "**slower**", [CMP_FASTER] = "faster",
					    [CMP_SAME] = "no difference detectable" };
	char sa[64], sb[64], how[320];

	fprintf(f, "| %s | %s | %s | %+.1f [%.1f, %.1f] | %s%s | %s |\n", kind,
		cmp_fmt_ci(sa, sizeof(sa), a), cmp_fmt_ci(sb, sizeof(sb), b), diff->point, diff->lo,
		diff->hi, mark[v->call], v->fails ? " (fails the gate)" : "",
		cmp_fmt_ci_method(how, sizeof(how), diff));
}
