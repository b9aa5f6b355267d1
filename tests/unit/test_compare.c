// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Unit tests for compare's pure parts: the B - A analysis of interleaved
 * rounds with a known shift and a drift that must cancel, the verdicts and
 * the gate, the threshold parser, the MOVER interval of two saved results,
 * the saved-result reader (savedres.c), and the hot lines' model
 * (cmplines.c: A's and B's lines merged, ranked by the change). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "cmpfmt.h"
#include "cmplines.h"
#include "compare.h"
#include "savedres.h"

#define NBLK 60

/* Rounds of NBLK blocks: off 1000 ns plus a steep linear drift, A adds 100,
 * B adds 130, noise from the seed; order random per block. */
static void synth(struct cmp_kind *k, char *order, uint64_t seed, double b_add)
{
	uint64_t rng = seed;
	int r = 0;

	memset(k, 0, sizeof(*k));
	k->r_off = calloc(2 * NBLK + 1, sizeof(double));
	k->r_on = calloc(2 * NBLK, sizeof(double));
	for (int blk = 0; blk < NBLK; blk++) {
		int first = (int)(stats_rand_next(&rng) & 1);

		for (int j = 0; j < 2; j++, r++) {
			int v = j ? !first : first;
			double noise = (double)(stats_rand_next(&rng) % 1000) / 100.0 - 5;

			k->r_off[k->n_off++] = 1000 + 2.0 * r * 2 + noise;
			k->r_on[k->n_on++] = 1000 + 2.0 * (r * 2 + 1) + (v ? b_add : 100) - noise;
			order[r] = v ? 'B' : 'A';
		}
	}
	k->r_off[k->n_off++] = 1000 + 2.0 * r * 2;
	order[r] = '\0';
}

static void test_analyse_finds_the_shift_despite_drift(void **state)
{
	struct cmp_kind k;
	char order[2 * NBLK + 1];

	synth(&k, order, 7, 130);
	assert_int_equal(cmp_analyse_kind(&k, order, 1), 0);
	/* The drift (2 ns per round) cancels against the off-rounds around. */
	assert_true(fabs(k.a.point - 100) < 3 && fabs(k.b.point - 130) < 3);
	assert_true(k.diff.lo > 20 && k.diff.hi < 40 && k.diff.lo <= k.diff.point);
	assert_true(k.aa.lo < 0 && k.aa.hi > 0);
	free(k.r_off);
	free(k.r_on);
}

static void test_analyse_same_contains_zero(void **state)
{
	struct cmp_kind k;
	char order[2 * NBLK + 1];

	synth(&k, order, 11, 100);
	assert_int_equal(cmp_analyse_kind(&k, order, 1), 0);
	assert_true(k.diff.lo < 0 && k.diff.hi > 0);
	free(k.r_off);
	free(k.r_on);
}

static void test_analyse_refuses_bad_shapes(void **state)
{
	double off[5] = { 1, 1, 1, 1, 1 }, on[4] = { 2, 2, 2, 2 };
	struct cmp_kind k = { .r_off = off, .r_on = on, .n_off = 5, .n_on = 4 };

	/* Two blocks are too few for an interval. */
	assert_int_equal(cmp_analyse_kind(&k, "ABBA", 1), -EINVAL);
	k.n_off = 4;
	assert_int_equal(cmp_analyse_kind(&k, "ABBA", 1), -EINVAL);
}

static void test_verdicts_and_gate(void **state)
{
	struct stats_ci above = { .point = 30, .lo = 20, .hi = 40, .level = 0.95 },
			around = { .point = 2, .lo = -5, .hi = 8, .level = 0.95 },
			below = { .point = -30, .lo = -40, .hi = -20, .level = 0.95 };
	struct cmp_threshold pct = { true, true, 10 }, ns = { true, false, 25 };
	struct cmp_verdict v;

	cmp_verdict_make(&above, 100, NULL, &v);
	assert_int_equal(v.call, CMP_SLOWER);
	assert_false(v.fails);
	cmp_verdict_make(&above, 100, &pct, &v);	/* 10% of 100 = 10 < lo 20 */
	assert_true(v.fails);
	cmp_verdict_make(&above, 100, &ns, &v);		/* lo 20 is not above 25 */
	assert_false(v.fails);
	cmp_verdict_make(&around, 100, &pct, &v);
	assert_int_equal(v.call, CMP_SAME);
	assert_true(fabs(v.bound - 8) < 1e-12 && !v.fails);
	cmp_verdict_make(&below, 100, &pct, &v);
	assert_int_equal(v.call, CMP_FASTER);
	assert_false(v.fails);
	assert_string_equal(cmp_call_name(CMP_SAME), "same");
}

static void test_threshold_parse(void **state)
{
	struct cmp_threshold t;

	assert_int_equal(cmp_threshold_parse("10%", &t), 0);
	assert_true(t.set && t.pct && t.value == 10);
	assert_int_equal(cmp_threshold_parse("25ns", &t), 0);
	assert_true(t.set && !t.pct && t.value == 25);
	assert_int_equal(cmp_threshold_parse("2.5", &t), 0);
	assert_true(!t.pct && t.value == 2.5);
	for (const char *bad[] = { "", "%", "ns", "0", "-5%", "10%%", "ten", " 5", "5 ns", "0x10",
				   "nan", "inf%", "1e3", "10.5.1", ".", "2000000%", "1000000001",
				   NULL }, **b = bad; *b; b++)
		assert_int_equal(cmp_threshold_parse(*b, &t), -EINVAL);
}

static void test_mover_interval(void **state)
{
	struct stats_ci a = { .point = 100, .lo = 97, .hi = 103, .level = 0.95 },
			b = { .point = 150, .lo = 146, .hi = 154, .level = 0.95 }, d;

	cmp_diff_independent(&a, &b, &d);
	assert_true(fabs(d.point - 50) < 1e-12);
	assert_true(fabs(d.lo - (50 - 5)) < 1e-12);	/* sqrt(4^2 + 3^2) */
	assert_true(fabs(d.hi - (50 + 5)) < 1e-12);
}

/* Each text refused with a one-line reason. */
static void assert_refused(const char *const *bad)
{
	struct saved_result r;
	char why[256];

	for (int i = 0; bad[i]; i++) {
		why[0] = '\0';
		assert_int_equal(sr_parse(bad[i], strlen(bad[i]), &r, why, sizeof(why)), -EINVAL);
		assert_true(why[0] && !strchr(why, '\n'));
		sr_free(&r);
	}
}

/* text cut to each length below upto: refused. */
static void assert_cuts_refused(const char *text, size_t upto)
{
	struct saved_result r;
	char why[256];

	for (size_t n = 0; n < upto; n++) {
		assert_int_equal(sr_parse(text, n, &r, why, sizeof(why)), -EINVAL);
		sr_free(&r);
	}
}

static const char good[] =
	"{\"tracer\": {\"describe\": \"sysmon count\"}, \"syscalls\": {\"getpid\": {"
	"\"off\": {\"mean\": 400.5}, \"added_ns\": {\"point\": 120, \"lo\": 110, \"hi\": 130, "
	"\"level\": 0.95}, \"aa_ns\": {\"point\": 1, \"lo\": -2, \"hi\": 3, \"level\": 0.95}}}}";

static void test_saved_result_reads(void **state)
{
	struct saved_result r;
	char why[256];

	assert_int_equal(sr_parse(good, strlen(good), &r, why, sizeof(why)), 0);
	assert_string_equal(sr_source_name(r.source), "overhead");
	assert_string_equal(r.describe, "sysmon count");
	assert_int_equal(r.mask, 1u << WL_GETPID);
	assert_true(r.k[WL_GETPID].added.point == 120 && r.k[WL_GETPID].has_aa);
	assert_true(r.k[WL_GETPID].off_mean_ns == 400.5);
}

static void test_saved_result_refusals(void **state)
{
	static const char *const bad[] = {
		"", "{", "[]", "{\"syscalls\": {}}", "{\"syscalls\": {\"getpid\": 3}}",
		"{\"syscalls\": {\"getpid\": {\"added_ns\": {\"point\": 1}}}}",
		"{\"syscalls\": {\"x\": {}}}",
		"{\"syscalls\": {\"op\\nat\": {}}}",
		"{\"syscalls\": {\"getpid\": {\"added_ns\": {\"point\": 1, \"lo\": 0, \"hi\": 2, "
		"\"level\": 1.5}}}}",
		"{\"a\": 1, \"a\": 2, \"syscalls\": {}}",
		NULL,
	};

	assert_refused(bad);
	/* Truncated anywhere: refused. */
	assert_cuts_refused(good, sizeof(good) - 1);
}

static void test_saved_ci_keeps_method_and_n(void **state)
{
	static const char t[] =
		"{\"syscalls\": {\"getpid\": {\"added_ns\": {\"point\": 120, \"lo\": 110, \"hi\": 130, "
		"\"level\": 0.95, \"method\": \"circular block bootstrap\", \"n\": 150}}}}";
	struct saved_result r;
	char why[256];

	assert_int_equal(sr_parse(t, strlen(t), &r, why, sizeof(why)), 0);
	assert_string_equal(r.k[WL_GETPID].added.method, "circular block bootstrap");
	assert_int_equal(r.k[WL_GETPID].added.n, 150);
	sr_free(&r);
}

/* Two interval lines and the summary, as `bpfcost -j stats` prints them:
 * "a" twice in the first interval (summed), "b" idle in the second. */
#define ST_RATE(runs, ns, corr) "{\"runs\": " #runs ", \"run_time_ns\": " #ns ", \"wall_s\": 0.5" \
	", \"corrected\": " corr "}"
#define ST_CORR "{\"ns_per_run\": 1}"
static const char stats_text[] =
	"{\"type\": \"interval\", \"interval\": 1, \"programs\": ["
	"{\"full_name\": \"a\", \"rate\": " ST_RATE(100, 10000, ST_CORR) "},"
	"{\"full_name\": \"a\", \"rate\": " ST_RATE(100, 30000, ST_CORR) "},"
	"{\"full_name\": \"b\", \"rate\": " ST_RATE(10, 1000, "null") "}]}\n"
	"{\"type\": \"interval\", \"interval\": 2, \"programs\": ["
	"{\"full_name\": \"a\", \"rate\": " ST_RATE(600, 180000, ST_CORR) "},"
	"{\"full_name\": \"b\", \"rate\": " ST_RATE(0, 0, "null") "},"
	"{\"full_name\": \"c\", \"rate\": null}]}\n"
	"{\"type\": \"summary\", \"intervals\": 2, \"duration_s\": 1.0, \"stats_bias\": "
	"{\"valid\": true, \"ns_per_run\": 40, \"lo\": 38, \"hi\": 42, \"level\": 0.95}}\n";

static void test_saved_stats_reads(void **state)
{
	struct saved_result r;
	const struct sr_prog *a, *b;
	char why[256];

	assert_int_equal(sr_parse(stats_text, strlen(stats_text), &r, why, sizeof(why)), 0);
	assert_int_equal(r.source, SR_STATS);
	assert_true(r.has_programs && !r.mask);
	assert_int_equal(r.nintervals, 2);
	assert_int_equal(r.nprogs, 2);	/* c never had a rate */
	a = &r.progs[0];
	b = &r.progs[1];
	assert_string_equal(a->name, "a");
	assert_string_equal(a->attach, "");
	/* Interval 1: 200 runs, 40000 ns (200 ns/run); interval 2: 600 runs,
	 * 180000 ns (300 ns/run). Weighted by runs: 220000 / 800 = 275 (the
	 * plain mean of the two would be 250). Residuals -15000 and 15000:
	 * SE = sqrt(2 * 4.5e8) / 800 = 37.5; t(0.975, 1) = 12.7062. */
	assert_true(a->runs == 800 && a->ns_raw.n == 2 && !a->no_spread);
	assert_true(fabs(a->ns_raw.point - 275) < 1e-9);
	assert_string_equal(a->ns_raw.method, STATS_CI_T_RATIO);
	assert_true(fabs(a->ns_raw.hi - 275 - 12.7062 * 37.5) < 0.01);
	assert_true(fabs(275 - a->ns_raw.lo - 12.7062 * 37.5) < 0.01);
	assert_true(a->corr && fabs(a->ns_corr.point - 235) < 1e-9);
	/* widened by the bias's interval */
	assert_true(a->ns_corr.hi - a->ns_corr.point > a->ns_raw.hi - a->ns_raw.point);
	assert_true(fabs(a->runs_per_s.point - 800) < 1e-9);	/* 800 runs in 1 s */
	/* kept unclamped in the model (B - A uses it); printers clamp */
	assert_true(a->runs_per_s.lo < 0);
	assert_true(fabs(a->cpu_pct - 220000 / 1.0 / 1e7) < 1e-12);
	/* b: not corrected (corrected null), one interval with runs: no interval */
	assert_true(!b->corr && b->runs == 10);
	assert_true(b->ns_raw.method == NULL && fabs(b->ns_raw.point - 100) < 1e-9);
	assert_true(b->runs_per_s.method != NULL);	/* 20 and 0 runs/s */
	sr_free(&r);
}

/* The same ns/run in both intervals: a zero-width interval is none. */
static const char flat_text[] =
	"{\"type\": \"interval\", \"interval\": 1, \"programs\": ["
	"{\"full_name\": \"a\", \"rate\": " ST_RATE(100, 10000, "null") "}]}\n"
	"{\"type\": \"interval\", \"interval\": 2, \"programs\": ["
	"{\"full_name\": \"a\", \"rate\": " ST_RATE(300, 30000, "null") "}]}\n"
	"{\"type\": \"summary\", \"intervals\": 2, \"duration_s\": 1.0, \"stats_bias\": "
	"{\"valid\": false}}\n";

/* A bound under 0.05 ns keeps its digits: never "|B - A| < 0.0 ns". */
static void test_verdict_text_tiny_bound(void **state)
{
	struct stats_ci d = { .point = 0, .lo = -0.004, .hi = 0.003, .level = 0.95 };
	struct cmp_threshold t = { 0 };
	struct cmp_verdict v;
	char buf[256];

	cmp_verdict_make(&d, 10, &t, &v);
	assert_int_equal(v.call, CMP_SAME);
	cmp_fmt_verdict(buf, sizeof(buf), "getpid", &d, &v);
	assert_null(strstr(buf, "< 0.0 "));
	assert_non_null(strstr(buf, "< 0.004 ns"));
}

/* A program name that would break a Markdown table cell or code span:
 * '|' escaped, a fence longer than its longest run of backquotes, padded
 * where it starts or ends with one, control characters shown escaped. */
static void test_md_code_hostile_names(void **state)
{
	char buf[128];

	assert_string_equal(cmp_md_code(buf, sizeof(buf), "plain_name"), "`plain_name`");
	assert_string_equal(cmp_md_code(buf, sizeof(buf), "a|b`c``d"), "```a\\|b`c``d```");
	assert_string_equal(cmp_md_code(buf, sizeof(buf), "`x`"), "`` `x` ``");
	assert_string_equal(cmp_md_code(buf, sizeof(buf), "x\n| y"), "`x\\n\\| y`");
	assert_string_equal(cmp_md_code(buf, sizeof(buf), ""), "``");
	/* Cut to fit, the fences kept. */
	assert_string_equal(cmp_md_code(buf, 8, "abcdefgh"), "`abcde`");
	assert_string_equal(cmp_md_code(buf, 9, "||||"), "`\\|\\|\\|`");
	assert_string_equal(cmp_md_code(buf, 2, "abc"), "");
}

/* The Markdown verdict row: a zero-width side as "P (no spread)", never
 * "[x, x]"; the last cell names the interval's method and confidence. */
static void test_md_row_no_spread_and_method(void **state)
{
	struct stats_ci a = { .point = 50, .lo = 50, .hi = 50, .level = 0.95 };
	struct stats_ci b = { .point = 80, .lo = 70, .hi = 90, .level = 0.95 };
	struct stats_ci d = { .point = 30, .lo = 20, .hi = 40, .level = 0.95,
			      .method = STATS_CI_PERCENTILE_BOOT };
	struct cmp_verdict v = { .call = CMP_SLOWER, .threshold_ns = NAN };
	char *out = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&out, &len);

	assert_non_null(f);
	cmp_md_row(f, "getpid", &a, &b, &d, &v);
	fclose(f);
	assert_non_null(strstr(out, "| 50.0 (no spread) | 80.0 [70.0, 90.0] |"));
	assert_null(strstr(out, "[50.0, 50.0]"));
	assert_non_null(strstr(out, "| 95% CI: expanded percentile bootstrap |\n"));
	free(out);
}

/* How diff's B - A interval was made, from the two saved methods. */
static void test_mover_method_text(void **state)
{
	struct stats_ci a = { .level = 0.95, .method = STATS_CI_PERCENTILE_BOOT };
	struct stats_ci b = { .level = 0.95, .method = STATS_CI_BLOCK_BOOT };
	char buf[256], how[300];

	assert_string_equal(cmp_fmt_mover_method(buf, sizeof(buf), &a, &a),
			    "MOVER of the two files' intervals (each: expanded percentile bootstrap)");
	assert_string_equal(cmp_fmt_mover_method(buf, sizeof(buf), &a, &b),
			    "MOVER of A's interval (expanded percentile bootstrap) and B's "
			    "(circular block bootstrap)");
	b.method = NULL;
	assert_non_null(strstr(cmp_fmt_mover_method(buf, sizeof(buf), &a, &b),
			       "B's (method not saved)"));
	a.level = 0.9;
	a.method = buf;
	assert_non_null(strstr(cmp_fmt_ci_method(how, sizeof(how), &a), "90% CI: MOVER of"));
}

static void test_saved_stats_no_spread(void **state)
{
	struct saved_result r;
	char why[256];

	assert_int_equal(sr_parse(flat_text, strlen(flat_text), &r, why, sizeof(why)), 0);
	assert_int_equal(r.nprogs, 1);
	assert_true(r.progs[0].no_spread && r.progs[0].ns_raw.method == NULL);
	assert_true(fabs(r.progs[0].ns_raw.point - 100) < 1e-9 && r.progs[0].ns_raw.n == 2);
	assert_true(isnan(r.progs[0].ns_raw.lo) && isnan(r.progs[0].ns_raw.hi));
	/* runs/s did spread: 200 and 600 */
	assert_true(r.progs[0].runs_per_s.method != NULL);
	sr_free(&r);
}

static const char report_text[] =
	"{\"schema_version\": 1, \"title\": \"name x\", \"methods\": {\"ab\": {\"state\": "
	"\"skipped\", \"why\": \"the agent runs already\"}}, \"window\": {\"wall_s\": 2}, "
	"\"stats_bias\": {\"valid\": true, \"ns_per_run\": 40, \"lo\": 38, \"hi\": 42}, "
	"\"syscalls\": [{\"kind\": \"getpid\", \"ab\": false}], \"programs\": [{\"full_name\": "
	"\"x\", \"has_stats\": true, \"stats\": {\"runs\": 1000, \"run_time_ns\": 100000, "
	"\"wall_s\": 2, \"corrected\": {\"applies\": true}}}, {\"full_name\": \"y\", "
	"\"has_stats\": false}]}";

static void test_saved_report_reads(void **state)
{
	struct saved_result r;
	char why[256];

	assert_int_equal(sr_parse(report_text, strlen(report_text), &r, why, sizeof(why)), 0);
	assert_int_equal(r.source, SR_REPORT);
	assert_string_equal(r.describe, "name x");
	assert_int_equal(r.mask, 0);
	assert_string_equal(r.ab_why, "A/B skipped: the agent runs already");
	assert_true(r.nintervals == 1 && r.nprogs == 1);
	assert_true(r.progs[0].corr && r.progs[0].ns_corr.method == NULL);
	assert_true(fabs(r.progs[0].ns_corr.point - 60) < 1e-9);
	assert_true(fabs(r.progs[0].cpu_pct - 0.005) < 1e-12);
	assert_false(r.partial || r.has_attach);
	sr_free(&r);
}

/* A report marked partial says so, with its reason; attach points seen. */
static void test_saved_report_partial(void **state)
{
	static const char text[] =
		"{\"schema_version\": 1, \"partial\": true, \"partial_why\": \"stopped by a "
		"signal\", \"methods\": {\"ab\": {\"state\": \"skipped\"}}, \"stats_bias\": "
		"{\"valid\": false}, \"syscalls\": [], \"programs\": [{\"full_name\": \"x\", "
		"\"attach\": \"raw_tp:sys_enter\", \"has_stats\": true, \"stats\": {\"runs\": 1, "
		"\"run_time_ns\": 1, \"wall_s\": 1}}]}";
	struct saved_result r;
	char why[256];

	assert_int_equal(sr_parse(text, strlen(text), &r, why, sizeof(why)), 0);
	assert_true(r.partial && r.has_attach);
	assert_string_equal(r.partial_why, "stopped by a signal");
	sr_free(&r);
}

static void test_saved_stats_and_report_refusals(void **state)
{
	static const char *const bad[] = {
		/* a newer report schema */
		"{\"schema_version\": 2, \"syscalls\": [], \"programs\": []}",
		"{\"schema_version\": \"1\", \"syscalls\": [], \"programs\": []}",
		/* the summary counts another number of intervals */
		"{\"type\": \"summary\", \"intervals\": 1, \"stats_bias\": {\"valid\": false}}",
		/* no summary at the end */
		"{\"type\": \"interval\", \"programs\": []}\n",
		/* two values that are not stats output */
		"{\"syscalls\": {}}\n{\"syscalls\": {}}",
		/* a program without a name, a rate without wall time */
		"{\"type\": \"interval\", \"programs\": [{\"rate\": {\"runs\": 1, \"run_time_ns\": 1, "
		"\"wall_s\": 1}}]}\n{\"type\": \"summary\", \"intervals\": 1, \"stats_bias\": "
		"{\"valid\": false}}",
		"{\"type\": \"interval\", \"programs\": [{\"full_name\": \"a\", \"rate\": {\"runs\": 1, "
		"\"run_time_ns\": 1, \"wall_s\": 0}}]}\n{\"type\": \"summary\", \"intervals\": 1, "
		"\"stats_bias\": {\"valid\": false}}",
		NULL,
	};
	struct saved_result r;
	char why[256];

	assert_refused(bad);
	assert_int_equal(sr_parse(bad[0], strlen(bad[0]), &r, why, sizeof(why)), -EINVAL);
	assert_non_null(strstr(why, "schema_version 2 is newer"));
	/* Truncated anywhere (a line boundary too: no summary): refused. */
	assert_cuts_refused(stats_text, sizeof(stats_text) - 2);
	assert_cuts_refused(report_text, sizeof(report_text) - 1);
}

static void test_lines_merge_and_rank(void **state)
{
	struct cmp_lines l = { .wl_calls = { 1000, 2000 } };
	struct cmp_lines_prog *p = cmp_lines_prog_get(&l, "bc_loop", "raw_tp:sys_enter");
	size_t idx[CMP_HOT_LINES], n;

	assert_non_null(p);
	assert_ptr_equal(cmp_lines_prog_get(&l, "bc_loop", "raw_tp:sys_enter"), p);
	assert_non_null(cmp_lines_prog_get(&l, "bc_loop", "raw_tp:sys_exit"));
	p = &l.progs[0];	/* the array may have moved */
	assert_int_equal(l.nprogs, 2);
	p->samples[0] = 10;
	p->samples[1] = 40;
	p->has_lines[0] = p->has_lines[1] = true;
	assert_string_equal(cmp_lines_prog_why(p), "no sample on a line with line info");
	/* Two builds from two trees: matched by base name, number and text. */
	assert_int_equal(cmp_lines_add(p, 0, "/a/loop.bpf.c", 22, "*acc += i;", 6, 6000), 0);
	assert_int_equal(cmp_lines_add(p, 1, "/b/loop.bpf.c", 22, "*acc += i;", 30, 60000), 0);
	assert_int_equal(cmp_lines_add(p, 0, "/a/loop.bpf.c", 31, "bpf_loop(N, step);", 4, 4000), 0);
	assert_int_equal(cmp_lines_add(p, 1, "/b/loop.bpf.c", 31, "bpf_loop(N, step);", 4, 4000), 0);
	/* Same number, other text (the line changed): another line. */
	assert_int_equal(cmp_lines_add(p, 1, "/b/loop.bpf.c", 31, "bpf_loop(M, step);", 6, 12000), 0);
	assert_int_equal(cmp_lines_add(p, 0, "/a/loop.bpf.c", 40, "return 0;", 0, 0), 0);
	assert_int_equal(p->nlines, 4);
	assert_null(cmp_lines_prog_why(p));
	/* ns per syscall: 6000/1000 = 6 -> 60000/2000 = 30 */
	assert_true(fabs(cmp_line_ns_per_call(&l, &p->lines[0], 0) - 6) < 1e-9);
	assert_true(fabs(cmp_line_ns_per_call(&l, &p->lines[0], 1) - 30) < 1e-9);
	assert_true(fabs(cmp_line_share(p, &p->lines[0], 1) - 0.75) < 1e-9);
	/* Ranked by |B - A|: +24, +6 (new text), -2; the unsampled one is out. */
	n = cmp_lines_top(&l, p, idx, CMP_HOT_LINES);
	assert_int_equal(n, 3);
	assert_int_equal(p->lines[idx[0]].line, 22);
	assert_string_equal(p->lines[idx[1]].src, "bpf_loop(M, step);");
	assert_string_equal(p->lines[idx[2]].src, "bpf_loop(N, step);");
	assert_string_equal(p->lines[idx[0]].file, "loop.bpf.c");
	/* A shorter list keeps the largest. */
	n = cmp_lines_top(&l, p, idx, 1);
	assert_int_equal(n, 1);
	assert_int_equal(p->lines[idx[0]].line, 22);
	/* No syscalls in a phase: no figure, not a division by zero. */
	l.wl_calls[0] = 0;
	assert_true(cmp_line_ns_per_call(&l, &p->lines[0], 0) == 0);
	p->has_lines[0] = p->has_lines[1] = false;
	assert_string_equal(cmp_lines_prog_why(p), "no BTF line info (built without -g?)");
	cmp_lines_free(&l);
	assert_int_equal(l.nprogs, 0);
}

static void test_lines_top_orders_many(void **state)
{
	struct cmp_lines l = { .wl_calls = { 1, 1 } };
	struct cmp_lines_prog *p = cmp_lines_prog_get(&l, "p", "");
	size_t idx[CMP_HOT_LINES], n;

	/* 40 lines, line i changing by (i * 7) % 40 ns: the top five are the
	 * changes 39..35, whatever order they came in. */
	for (uint32_t i = 0; i < 40; i++) {
		assert_int_equal(cmp_lines_add(p, 0, "f.c", i, "", 1, 100), 0);
		assert_int_equal(cmp_lines_add(p, 1, "f.c", i, "", 1, 100 + (double)((i * 7) % 40)),
				 0);
	}
	n = cmp_lines_top(&l, p, idx, CMP_HOT_LINES);
	assert_int_equal(n, CMP_HOT_LINES);
	for (size_t j = 0; j < n; j++)
		assert_int_equal((p->lines[idx[j]].line * 7) % 40, 39 - j);
	cmp_lines_free(&l);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_analyse_finds_the_shift_despite_drift),
		cmocka_unit_test(test_analyse_same_contains_zero),
		cmocka_unit_test(test_analyse_refuses_bad_shapes),
		cmocka_unit_test(test_verdicts_and_gate),
		cmocka_unit_test(test_threshold_parse),
		cmocka_unit_test(test_mover_interval),
		cmocka_unit_test(test_saved_result_reads),
		cmocka_unit_test(test_saved_result_refusals),
		cmocka_unit_test(test_saved_ci_keeps_method_and_n),
		cmocka_unit_test(test_saved_stats_reads),
		cmocka_unit_test(test_saved_stats_no_spread),
		cmocka_unit_test(test_verdict_text_tiny_bound),
		cmocka_unit_test(test_md_code_hostile_names),
		cmocka_unit_test(test_md_row_no_spread_and_method),
		cmocka_unit_test(test_mover_method_text),
		cmocka_unit_test(test_saved_report_reads),
		cmocka_unit_test(test_saved_report_partial),
		cmocka_unit_test(test_saved_stats_and_report_refusals),
		cmocka_unit_test(test_lines_merge_and_rank),
		cmocka_unit_test(test_lines_top_orders_many),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
