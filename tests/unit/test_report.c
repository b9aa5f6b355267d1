// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Unit tests for report's pure parts: the budget split said up front, A/B
 * rounds fitted to an agent's start+stop time, and a verdict that follows
 * the figures (slow path named when the programs do not run on a kind). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <math.h>
#include <string.h>
#include "overhead.h"
#include "report.h"
#include "report_print.h"

static void test_budget_split(void **state)
{
	struct rp_plan p;

	rp_plan_budget(30, true, false, false, &p);
	assert_true(fabs(p.window_s - 12) < 1e-9);
	assert_true(p.ab_s > 0 && p.window_s + p.ab_s <= 30);
	rp_plan_budget(30, false, false, false, &p);
	assert_true(p.ab_s == 0 && p.window_s > 25 && p.window_s <= 30);
	/* a tiny budget still gives the window its least */
	rp_plan_budget(0.5, true, false, false, &p);
	assert_true(p.window_s >= RP_MIN_WINDOW_S && p.ab_s == 0);
	assert_true(p.profile_s == 0 && p.syswrap_s == 0);
}

/* profile and wrapping, when they work, take their share out of A/B's
 * (with A/B) or the window's (without), and none when not planned */
static void test_budget_split_extras(void **state)
{
	struct rp_plan p, q;

	rp_plan_budget(60, true, true, true, &p);
	assert_true(fabs(p.profile_s - 60 * RP_EXTRA_SHARE) < 1e-9);
	assert_true(fabs(p.syswrap_s - 60 * RP_EXTRA_SHARE) < 1e-9);
	assert_true(fabs(p.window_s - 24) < 1e-9);
	assert_true(p.ab_s > 0 && p.window_s + p.ab_s + p.profile_s + p.syswrap_s <= 60);
	rp_plan_budget(60, true, false, false, &q);
	assert_true(fabs(q.window_s - p.window_s) < 1e-9 && q.ab_s > p.ab_s);
	/* no A/B: the window gets what the others leave */
	rp_plan_budget(30, false, true, false, &p);
	assert_true(p.ab_s == 0 && p.syswrap_s == 0 && p.profile_s >= RP_MIN_EXTRA_S);
	assert_true(p.window_s + p.profile_s <= 30 && p.window_s > 20);
	/* a short budget still gives each its least */
	rp_plan_budget(2, false, true, true, &p);
	assert_true(p.profile_s >= RP_MIN_EXTRA_S && p.syswrap_s >= RP_MIN_EXTRA_S);
	assert_true(p.window_s >= RP_MIN_WINDOW_S);
}

static void test_ab_fitted(void **state)
{
	unsigned kinds = (1u << WL_GETPID) | (1u << WL_OPENAT);
	struct rp_plan p, q;
	double need = 0;

	rp_plan_budget(30, true, false, false, &p);
	assert_int_equal(rp_plan_ab(&p, 0.01, kinds, &need), 0);
	assert_true(p.ab_rounds >= RP_MIN_AB_ROUNDS && p.ab_expected_s <= p.ab_s);
	/* a slow agent to start gets fewer rounds in the same budget */
	rp_plan_budget(30, true, false, false, &q);
	assert_int_equal(rp_plan_ab(&q, 1.0, kinds, &need), 0);
	assert_true(q.ab_rounds < p.ab_rounds);
	/* and none when even the fewest do not fit: what they would need */
	rp_plan_budget(6, true, false, false, &q);
	assert_int_equal(rp_plan_ab(&q, 2.0, kinds, &need), -ENOSPC);
	assert_true(need > q.ab_s);
	/* as --help and README say: 0.05 s per kind in a round (0.20 s for
	 * the default four), at most 30 off/on pairs however long the budget */
	assert_true(fabs(p.ab_round_s - 0.10) < 1e-9);
	kinds |= (1u << WL_READ) | (1u << WL_WRITE);
	rp_plan_budget(600, true, false, false, &q);
	assert_int_equal(rp_plan_ab(&q, 0.01, kinds, &need), 0);
	assert_true(fabs(q.ab_round_s - 0.20) < 1e-9);
	assert_int_equal(q.ab_rounds, 30);
}

static struct rp_report *with_ab(void)
{
	static struct rp_report r;

	memset(&r, 0, sizeof(r));
	r.sec[METHOD_AB].state = RP_RAN;
	r.sec[METHOD_ANNOTATE].state = RP_RAN;
	r.nprogs = 1;
	r.window_s = 2;
	snprintf(r.progs[0].full_name, sizeof(r.progs[0].full_name), "handle_openat");
	r.progs[0].has_stats = true;
	r.progs[0].runs = 1000;
	r.progs[0].time_ns = 200000;
	r.progs[0].runs_per_s = 500;
	r.progs[0].ns_per_run = 200;
	r.progs[0].cpu_pct = 0.01;
	r.progs[0].sampled = true;
	r.progs[0].sampled_pct = 0.012;
	return &r;
}

static void kind(struct rp_report *r, int k, double added, double lo, double hi, double bpf)
{
	struct rp_kind *rk = &r->k[k];

	rk->ab = rk->have_decomp = rk->in_bpf_per_kind = true;
	rk->added = (struct stats_ci){ .point = added, .lo = lo, .hi = hi, .level = 0.95,
				       .method = STATS_CI_T, .n = 8 };
	rk->ci_includes_zero = lo <= 0;
	/* A/B's decomposition, known to +-10% */
	rk->in_bpf_from_ab = true;
	rk->ab_in_bpf = (struct stats_ci){ .point = bpf, .lo = bpf * 0.9, .hi = bpf * 1.1,
					   .level = 0.95, .method = STATS_CI_T, .n = 2 };
	rp_rest_figures(rk);
}

/* The trial's input: IN_BPF 154 (7..298) of ADDED 322 (296..347). REST's
 * interval carries IN_BPF's, and the verdict does not call either part the
 * larger; with IN_BPF known to +-10% it does. */
static void test_rest_carries_in_bpf_uncertainty(void **state)
{
	struct rp_report *r = with_ab();
	struct rp_kind *rk = &r->k[WL_GETPID];

	kind(r, WL_GETPID, 322, 296, 347, 154);
	rk->ab_in_bpf.lo = 7;
	rk->ab_in_bpf.hi = 298;
	rp_rest_figures(rk);
	assert_true(rk->rest_lo < 30 && rk->rest_hi > 300);
	assert_int_equal(rk->larger_part, RP_PART_UNRESOLVED);
	rp_verdict(r);
	assert_non_null(strstr(r->verdict[0], "154 ns (95% CI 7..298) runs in the programs"));
	assert_non_null(strstr(r->verdict[0], "within this run's noise"));
	assert_null(strstr(r->verdict[0], "most of it"));
	kind(r, WL_GETPID, 322, 296, 347, 100);
	assert_int_equal(rk->larger_part, RP_PART_REST);
	assert_true(rk->rest_resolved);
	rp_verdict(r);
	assert_non_null(strstr(r->verdict[0], "most of it is outside program code"));
	/* no interval for IN_BPF: REST is ADDED's, shifted; no larger part */
	rk->ab_in_bpf.method = NULL;
	rk->ab_in_bpf.lo = rk->ab_in_bpf.hi = NAN;
	rp_rest_figures(rk);
	assert_float_equal(rk->rest_lo, 196, 1e-9);
	assert_int_equal(rk->larger_part, RP_PART_UNRESOLVED);
}

static void test_verdict_names_slow_path(void **state)
{
	struct rp_report *r = with_ab();

	kind(r, WL_OPENAT, 400, 350, 450, 250);
	kind(r, WL_GETPID, 60, 40, 80, 0);
	rp_verdict(r);
	assert_int_equal(r->nverdict, 4);
	assert_non_null(strstr(r->verdict[0], "openat took 400 ns longer"));
	assert_non_null(strstr(r->verdict[1], "Getpid also took 60 ns longer"));
	assert_non_null(strstr(r->verdict[1], "slow path"));
	assert_non_null(strstr(r->verdict[2], "handle_openat"));
}

/* A/A control as wide as the effect: the verdict says so; the REST sentence
 * names what REST holds, not the slow path alone. */
static void test_verdict_aa_caveat_and_rest(void **state)
{
	struct rp_report *r = with_ab();

	kind(r, WL_OPENAT, 16000, 13000, 19000, 5000);
	kind(r, WL_GETPID, 67, 4, 131, 0);
	r->k[WL_GETPID].aa = (struct stats_ci){ .point = 36, .lo = -136, .hi = 208, .level = 0.95 };
	r->k[WL_GETPID].aa_reaches_effect = true;
	rp_verdict(r);
	assert_non_null(strstr(r->verdict[0], "outside program code"));
	assert_non_null(strstr(r->verdict[0], "wake-ups"));
	assert_null(strstr(r->verdict[0], "A/A control"));
	assert_non_null(strstr(r->verdict[1], "Getpid also took 67 ns longer"));
	assert_non_null(strstr(r->verdict[1], "A/A control (off against off) spans -136..208"));
}

static void test_verdict_without_ab(void **state)
{
	struct rp_report *r = with_ab();

	r->sec[METHOD_AB].state = RP_SKIPPED;
	snprintf(r->sec[METHOD_AB].why, sizeof(r->sec[METHOD_AB].why), "the agent runs already");
	rp_verdict(r);
	assert_int_equal(r->nverdict, 3);
	assert_non_null(strstr(r->verdict[0], "not measured"));
	assert_non_null(strstr(r->verdict[0], "runs already"));
	assert_non_null(strstr(r->verdict[2], "Sampling agrees"));
	/* nothing resolved: said as such, no figure invented */
	r->sec[METHOD_AB].state = RP_RAN;
	kind(r, WL_GETPID, 3, -5, 11, 0);
	rp_verdict(r);
	assert_non_null(strstr(r->verdict[0], "No syscall kind"));
}

/* Counters read at 0, 0.5, 0.5 (a sliver: dropped), 1.0 and 1.5 s. */
static void raw_read(struct rp_series_raw *raw, double t, int prog, uint64_t runs, uint64_t ns)
{
	int n = raw->nreads;

	raw->t_s[n] = t;
	raw->runs[n][prog] = runs;
	raw->ns[n][prog] = ns;
	raw->ok[n][prog] = true;
}

static void test_series_rates_and_pick(void **state)
{
	static struct rp_series_raw raw;
	struct rp_report *r = with_ab();
	const struct rp_series_prog *sp;

	memset(&raw, 0, sizeof(raw));
	r->nprogs = 10;
	for (int i = 0; i < r->nprogs; i++) {
		r->progs[i].id = 100 + i;
		r->progs[i].type = 17;	/* raw_tracepoint: the bias applies */
	}
	r->bias = (struct sb_bias){ .valid = true, .ns_per_run = 20, .lo = 18, .hi = 22 };
	const double t[] = { 0, 0.5, 0.5, 1.0, 1.5 };
	for (int j = 0; j < 5; j++) {
		/* program i runs (i + 1) * 1000 times/s at 100 ns */
		for (int i = 0; i < r->nprogs; i++)
			raw_read(&raw, t[j], i, (uint64_t)(t[j] * 1000 * (i + 1)),
				 (uint64_t)(t[j] * 1000 * (i + 1) * 100));
		raw.nreads++;
	}
	/* program 9 is gone at the last read */
	raw.ok[4][9] = false;
	rp_series_build(r, &raw);
	assert_int_equal(r->series.npoints, 3);
	assert_true(fabs(r->series.t_s[2] - 1.5) < 1e-9);
	assert_int_equal(r->series.nprogs, RP_SERIES_PROGS);
	/* the longest-running first, over the intervals read at both ends:
	 * 109 gone for the last one falls behind 106; 101 and 100 left out */
	assert_int_equal(r->series.p[0].id, 108);
	assert_int_equal(r->series.p[2].id, 106);
	assert_int_equal(r->series.p[3].id, 109);
	assert_int_equal(r->series.p[RP_SERIES_PROGS - 1].id, 102);
	sp = &r->series.p[0];
	assert_true(sp->corrected);
	assert_true(fabs(sp->runs_per_s[0] - 9000) < 1e-6);
	assert_true(fabs(sp->cpu_pct[0] - 9000 * 100 / 1e9 * 100) < 1e-9);
	/* minus 20 ns per run */
	assert_true(fabs(sp->corr_cpu_pct[1] - 9000 * 80 / 1e9 * 100) < 1e-9);
	/* not read at an end: no figure there */
	assert_true(isnan(r->series.p[3].runs_per_s[2]));
	assert_true(fabs(r->series.p[3].runs_per_s[1] - 10000) < 1e-6);
}

/* A report where profile and wrapping ran: one program whose corrected
 * p50 is at or below the calibration, one wrapped syscall whose on-minus-
 * off p50 is below 0. */
static struct rp_report *with_extras(void)
{
	struct rp_report *r = with_ab();
	struct rp_prog *p = &r->progs[0];
	struct rp_sw_sys *s = &r->sw.sys[0];

	r->kinds = 1u << WL_GETPID;
	r->sec[METHOD_PROFILE].state = RP_RAN;
	r->sec[METHOD_SYSCALL_WRAP].state = RP_RAN;
	r->prof_calibrated = true;
	r->prof_calib_ns = 40;
	r->prof_window_s = 1;
	p->profiled = true;
	p->prof_runs = 500;
	p->prof_runs_per_s = 500;
	p->prof_raw = (struct prof_figures){ .mean = 60, .p50 = 35, .p90 = 80, .p99 = 120 };
	p->prof_corr = (struct prof_figures){ .mean = 20, .p50 = 0, .p90 = 40, .p99 = 80,
					      .below_calib = PROF_FIG_P50 };
	snprintf(r->sw.method, sizeof(r->sw.method), "fentry");
	snprintf(r->sw.functions, sizeof(r->sw.functions), "x64_sys_call");
	snprintf(r->sw.includes, sizeof(r->sw.includes), "dispatch, the syscall");
	r->sw.nsys = 1;
	s->nr = 39;
	snprintf(s->name, sizeof(s->name), "getpid");
	s->kinds = 1u << WL_GETPID;
	s->ph[0] = (struct rp_sw_phase){ .ran = true, .windows = 10, .p50 = 300, .p90 = 400,
					 .p99 = 500, .mean = 320, .complete = true };
	s->ph[1] = (struct rp_sw_phase){ .ran = true, .windows = 10, .p50 = 290, .p90 = 420,
					 .p99 = 520, .mean = 330, .complete = true };
	s->have_added = true;
	s->added_below0 = RP_SW_BELOW0_P50;
	s->added_p50 = 0;
	s->added_mean = 10;
	return r;
}

static char *printed(const struct rp_report *r, bool html)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	json_t *doc = rp_json(r);

	assert_non_null(f);
	assert_non_null(doc);
	if (html)
		assert_int_equal(rp_print_html(f, r, doc, NULL), 0);
	else
		rp_print_text(f, r);
	fclose(f);
	json_decref(doc);
	return buf;
}

/* Every printer shows both methods' figures from the model, '<calib' and
 * a difference below 0 as such, never a negative time. */
static void test_printers_profile_and_syswrap(void **state)
{
	struct rp_report *r = with_extras();
	json_t *doc = rp_json(r), *pf, *sw;
	char *text = printed(r, false), *html = printed(r, true);

	assert_non_null(strstr(text, "PROFILE (fentry/fexit"));
	/* RUNS/S P50 P90 P99 MEAN RAW_P50: corrected, then raw */
	assert_non_null(strstr(text, " 500   <calib       40       80     20.0       35"));
	assert_non_null(strstr(text, "SYSCALL PATH, WRAPPED (fentry on x64_sys_call"));
	assert_non_null(strstr(text, "<=0"));
	assert_null(strstr(text, "-10"));
	assert_non_null(strstr(html, "&lt;calib"));
	assert_non_null(strstr(html, "<th>p50 ns/run (profile)</th>"));
	assert_non_null(strstr(html, "Syscall path, wrapped"));
	pf = json_object_get(json_array_get(json_object_get(doc, "programs"), 0), "profile");
	assert_true(json_is_true(json_object_get(pf, "corrected")));
	assert_int_equal(json_integer_value(json_object_get(json_object_get(pf, "ns_per_run"),
							    "p90")), 40);
	assert_string_equal(json_string_value(json_array_get(json_object_get(json_object_get(
		pf, "ns_per_run"), "below_calibration"), 0)), "p50");
	sw = json_array_get(json_object_get(json_array_get(json_object_get(doc, "syscalls"), 0),
					    "syscall_wrap"), 0);
	assert_string_equal(json_string_value(json_object_get(sw, "syscall")), "getpid");
	assert_true(json_real_value(json_object_get(json_object_get(sw, "added"), "p50_ns")) == 0);
	assert_string_equal(json_string_value(json_object_get(doc, "syscall_wrap") ?
		json_object_get(json_object_get(doc, "syscall_wrap"), "method") : NULL), "fentry");
	json_decref(doc);
	free(text);
	free(html);
}


/* The window's kind in chunks: sums, the interval over the chunks, the
 * bias taken out of the runs it applies to only, first and last chunk. */
static void test_window_kind_chunks(void **state)
{
	const double calls[] = { 1000, 1000, 0, 1000, 1000 };
	const double runs[] = { 2000, 2000, 0, 2000, 2000 };
	const double ns[] = { 9e6, 10e6, 0, 10.5e6, 11e6 };
	const double biased[] = { 1000, 1000, 0, 1000, 1000 };	/* half the runs */
	struct sb_bias b = { .valid = true, .ns_per_run = 40, .lo = 38, .hi = 42 };
	struct rp_kind rk = { 0 };

	rp_window_kind(&rk, calls, runs, ns, biased, 5, NULL);
	assert_true(rk.have_window);
	assert_int_equal(rk.window_chunks, 4);	/* the chunk with no call left out */
	assert_int_equal(rk.window_calls, 4000);
	assert_true(fabs(rk.window_runs_per_call - 2) < 1e-9);
	assert_true(fabs(rk.window_bpf_ns - 10125) < 1e-6);
	assert_true(rk.window_bpf_lo < 10125 && rk.window_bpf_hi > 10125);
	assert_true(rk.window_bpf_lo > 8000 && rk.window_bpf_hi < 12500);
	assert_true(fabs(rk.window_bpf_first - 9000) < 1e-6);
	assert_true(fabs(rk.window_bpf_last - 11000) < 1e-6);
	/* one biased run per call: 40 ns less, the interval wider by the bias's */
	rp_window_kind(&rk, calls, runs, ns, biased, 5, &b);
	assert_true(fabs(rk.window_bpf_ns - 10085) < 1e-6);
	assert_true(fabs(rk.window_bpf_first - 8960) < 1e-6);
	/* one chunk: a figure, no interval */
	rp_window_kind(&rk, calls, runs, ns, biased, 1, NULL);
	assert_true(rk.have_window && isnan(rk.window_bpf_lo));
}

/* openat as bpftrace's opensnoop.bt read it: the window 10.1 us per call
 * over five chunks rising 9.9 -> 11.0, A/B's decomposition 8.2 us. */
static void opensnoop_kind(struct rp_report *r, double ab_lo, double ab_hi)
{
	struct rp_kind *rk = &r->k[WL_OPENAT];

	kind(r, WL_OPENAT, 9818, 7612, 12025, 8238);
	rk->in_bpf_from_ab = true;
	rk->have_window = true;
	rk->window_chunks = 5;
	rk->window_runs_per_call = 2.01;
	rk->window_bpf_ns = 10600;
	rk->window_bpf_lo = 10000;
	rk->window_bpf_hi = 11200;
	rk->window_bpf_first = 9900;
	rk->window_bpf_last = 11000;
	rk->ab_in_bpf = (struct stats_ci){ .point = 8238, .lo = ab_lo, .hi = ab_hi, .level = 0.95,
					   .method = "t" };
	rk->added.method = "t";
	rk->ab_runs_per_call = (struct stats_ci){ .point = 2.0, .lo = 1.99, .hi = 2.01,
						  .level = 0.95, .method = "t" };
	rp_check_agreement(rk);
}

static void test_agreement_flags(void **state)
{
	struct rp_report *r = with_ab();
	struct rp_kind *rk = &r->k[WL_OPENAT];

	opensnoop_kind(r, 7900, 8600);
	assert_true(rk->bpf_disagree);
	assert_false(rk->in_bpf_exceeds_added);
	/* overlapping intervals agree */
	opensnoop_kind(r, 7000, 10100);
	assert_false(rk->bpf_disagree);
	/* no interval on one side: cannot tell, not flagged */
	opensnoop_kind(r, 7900, 8600);
	rk->window_bpf_lo = rk->window_bpf_hi = NAN;
	rp_check_agreement(rk);
	assert_false(rk->bpf_disagree);
	/* the part above the whole interval */
	opensnoop_kind(r, 7900, 8600);
	rk->added = (struct stats_ci){ .point = 5000, .lo = 4000, .hi = 6000, .level = 0.95,
				       .method = "t" };
	rp_check_agreement(rk);
	assert_true(rk->in_bpf_exceeds_added);
	/* within its own interval's reach of the whole: not */
	rk->ab_in_bpf.lo = 5900;
	rp_check_agreement(rk);
	assert_false(rk->in_bpf_exceeds_added);
}

/* Disagreement beyond both intervals: the verdict says so with both
 * figures, what differs (runs per call agree; the window drifted), and
 * the plain, JSON and HTML output flag it. */
static void test_verdict_and_printers_flag_disagreement(void **state)
{
	struct rp_report *r = with_ab();
	json_t *doc, *dc;
	char *text, *html;

	r->kinds = 1u << WL_OPENAT;
	opensnoop_kind(r, 7900, 8600);
	rp_verdict(r);
	assert_non_null(strstr(r->verdict[1], "Two methods disagree on openat"));
	assert_non_null(strstr(r->verdict[1], "10600 ns per call (95% CI 10000..11200"));
	assert_non_null(strstr(r->verdict[1], "8238 (7900..8600)"));
	assert_non_null(strstr(r->verdict[1], "runs per call agree (2.01 against 2.00)"));
	assert_non_null(strstr(r->verdict[1], "from 9900 to 11000"));
	assert_non_null(strstr(r->verdict[1], "one start of the agent"));
	/* whole, not cut at the buffer's end */
	assert_non_null(strstr(r->verdict[1], "the range between them."));
	text = printed(r, false);
	html = printed(r, true);
	assert_non_null(strstr(text, "8238#"));
	assert_non_null(strstr(text, "DISAGREE beyond both intervals"));
	assert_non_null(strstr(html, "no: beyond both intervals"));
	doc = rp_json(r);
	dc = json_object_get(json_array_get(json_object_get(doc, "syscalls"), 0), "decomposition");
	assert_true(json_is_true(json_object_get(dc, "window_ab_disagree")));
	assert_true(json_is_false(json_object_get(dc, "in_bpf_above_added")));
	json_decref(doc);
	free(text);
	free(html);
	/* agreeing: no such sentence */
	opensnoop_kind(r, 7000, 10100);
	rp_verdict(r);
	for (int i = 0; i < r->nverdict; i++)
		assert_null(strstr(r->verdict[i], "disagree"));
}

/* REST not resolved: its bound (its interval's upper end) above
 * ADDED's point is marked and explained, never a bare bound larger than
 * the whole; a REST with nothing left is "~0", not "<0". */
static void test_rest_bound_above_whole(void **state)
{
	struct rp_report *r = with_ab();
	struct rp_kind *rk = &r->k[WL_GETPID];
	json_t *doc;
	char *text, *html, cell[32];

	r->kinds = 1u << WL_GETPID;
	kind(r, WL_GETPID, 50, -10, 120, 20);
	rk->rest_hi = 100;
	rp_rest_str(cell, sizeof(cell), rk);
	assert_string_equal(cell, "<100^");
	text = printed(r, false);
	html = printed(r, true);
	assert_non_null(strstr(text, "<100^"));
	assert_non_null(strstr(text, "above ADDED's point"));
	assert_non_null(strstr(html, "&lt;100^"));
	doc = rp_json(r);
	assert_true(json_is_true(json_object_get(json_object_get(json_array_get(json_object_get(
		doc, "syscalls"), 0), "decomposition"), "rest_hi_above_added")));
	json_decref(doc);
	free(text);
	free(html);
	/* a bound under the whole: plain */
	kind(r, WL_GETPID, 100, 30, 120, 20);
	rk->rest_hi = 100;
	rk->rest_resolved = false;
	rp_rest_str(cell, sizeof(cell), rk);
	assert_string_equal(cell, "<100");
	rk->rest_hi = 0;
	rp_rest_str(cell, sizeof(cell), rk);
	assert_string_equal(cell, "~0");
}

/* Profile's per-run distribution and wrapping's added time in the
 * verdict, where they ran. */
static void test_verdict_profile_and_syswrap(void **state)
{
	struct rp_report *r = with_extras();
	struct rp_prog *p = &r->progs[0];
	struct rp_sw_sys *s = &r->sw.sys[0];
	bool prof = false, sw = false;

	kind(r, WL_GETPID, 300, 250, 350, 0);
	s->added_below0 = 0;
	s->added_mean = 290;
	snprintf(r->sw.outside, sizeof(r->sw.outside), "user-space entry and return");
	p->prof_corr = (struct prof_figures){ .mean = 90, .p50 = 40, .p90 = 80, .p99 = 400 };
	rp_verdict(r);
	for (int i = 0; i < r->nverdict; i++) {
		if (strstr(r->verdict[i], "Syscall-path wrapping (fentry on x64_sys_call) times "
			   "getpid's syscalls 290 ns longer")) {
			sw = true;
			assert_non_null(strstr(r->verdict[i], "within A/B's interval"));
			assert_non_null(strstr(r->verdict[i], "against A/B's 300 ns (250..350)"));
		}
		if (strstr(r->verdict[i], "long tail in handle_openat's runs: p50 40 ns, p99 400 ns")) {
			prof = true;
			assert_non_null(strstr(r->verdict[i], "10x"));
		}
	}
	assert_true(sw && prof);
	/* wrapping below A/B's interval names what lies outside its window;
	 * a short tail is said as such */
	s->added_mean = 100;
	p->prof_corr.p99 = 60;
	rp_verdict(r);
	sw = prof = false;
	for (int i = 0; i < r->nverdict; i++) {
		sw |= strstr(r->verdict[i], "less than A/B's") &&
		      strstr(r->verdict[i], "user-space entry and return");
		prof |= strstr(r->verdict[i], "no long tail") != NULL;
	}
	assert_true(sw && prof);
	/* without A/B, wrapping's figure is the slowdown measured, said alone */
	r->sec[METHOD_AB].state = RP_SKIPPED;
	rp_verdict(r);
	sw = false;
	for (int i = 0; i < r->nverdict; i++)
		sw |= strstr(r->verdict[i], "getpid's syscalls 100 ns longer") &&
		      strstr(r->verdict[i], "A/B skipped");
	assert_true(sw);
	/* neither ran: neither is in the verdict */
	r->sec[METHOD_PROFILE].state = RP_SKIPPED;
	r->sec[METHOD_SYSCALL_WRAP].state = RP_SKIPPED;
	rp_verdict(r);
	for (int i = 0; i < r->nverdict; i++)
		assert_null(strstr(r->verdict[i], "Profile") ?: strstr(r->verdict[i], "wrapping"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_budget_split),
		cmocka_unit_test(test_budget_split_extras),
		cmocka_unit_test(test_printers_profile_and_syswrap),
		cmocka_unit_test(test_ab_fitted),
		cmocka_unit_test(test_verdict_names_slow_path),
		cmocka_unit_test(test_rest_carries_in_bpf_uncertainty),
		cmocka_unit_test(test_verdict_aa_caveat_and_rest),
		cmocka_unit_test(test_verdict_without_ab),
		cmocka_unit_test(test_series_rates_and_pick),
		cmocka_unit_test(test_window_kind_chunks),
		cmocka_unit_test(test_agreement_flags),
		cmocka_unit_test(test_verdict_and_printers_flag_disagreement),
		cmocka_unit_test(test_rest_bound_above_whole),
		cmocka_unit_test(test_verdict_profile_and_syswrap),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
