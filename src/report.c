// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* bpfcost report: collection into struct rp_report (see report.h for what
 * is measured, in which order, and why). Nothing here formats. */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "annotate.h"
#include "common.h"
#include "overhead.h"
#include "progs.h"
#include "report.h"

#define RP_BIAS_S 0.5		/* set aside for the stats bias's batches */
#define RP_AB_WINDOW_SHARE 0.4
#define RP_AB_KIND_ROUND_S 0.05
#define RP_AB_DECOMP_ROUNDS 2
#define RP_MAX_AB_ROUNDS 30

const char *rp_method_includes(enum method_id m)
{
	switch (m) {
	case METHOD_STATS:
		return "kernel run-time stats: time between the two clock reads around each run, "
		       "helpers included; corrected = minus the stats' own share measured here";
	case METHOD_AB:
		return "A/B: syscall latency with the agent off and on, interleaved rounds: programs, "
		       "dispatch, slow path and wake-ups together";
	case METHOD_ANNOTATE:
		return "cpu-clock sampling on every CPU: samples whose innermost BPF frame is the "
		       "program, helpers it called included";
	case METHOD_PROFILE:
		return "fentry/fexit around each program, calibrated for the observer's own cost";
	case METHOD_SYSCALL_WRAP:
		return "the kernel syscall path timed with probes inside, agent on against off";
	default:
		return "";
	}
}

const char *rp_state_name(enum rp_state s)
{
	static const char *const names[] = { "not run", "ran", "skipped", "interrupted" };

	return (unsigned)s < ARRAY_SIZE(names) ? names[s] : "?";
}

const char *rp_subject_name(enum rp_subject s)
{
	static const char *const names[] = { "command", "running", "sysmon" };

	return (unsigned)s < ARRAY_SIZE(names) ? names[s] : "?";
}

struct rp_report *rp_new(void)
{
	struct rp_report *r = calloc(1, sizeof(*r));

	if (r)
		r->schema_version = RP_SCHEMA_VERSION;
	return r;
}

void rp_free(struct rp_report *r)
{
	free(r);
}

void rp_plan_budget(double budget_s, bool ab, struct rp_plan *p)
{
	memset(p, 0, sizeof(*p));
	p->budget_s = budget_s;
	if (!ab) {
		p->window_s = fmax(budget_s - RP_BIAS_S, RP_MIN_WINDOW_S);
		return;
	}
	p->window_s = fmax(budget_s * RP_AB_WINDOW_SHARE, RP_MIN_WINDOW_S);
	p->ab_s = fmax(budget_s - p->window_s - RP_BIAS_S, 0);
}

static unsigned kind_count(unsigned kinds)
{
	return (unsigned)__builtin_popcount(kinds & WL_MASK_ALL);
}

int rp_plan_ab(struct rp_plan *p, double toggle_s, unsigned kinds, double *need_s)
{
	struct oh_config cfg = {
		.wl = { .mask = kinds, .threads = 1,
			.duration_s = RP_AB_KIND_ROUND_S * fmax(kind_count(kinds), 1) },
		.decomp_rounds = RP_AB_DECOMP_ROUNDS,
	};

	p->toggle_s = toggle_s;
	for (cfg.rounds = RP_MAX_AB_ROUNDS; cfg.rounds >= RP_MIN_AB_ROUNDS; cfg.rounds--) {
		double t = oh_expected_s(&cfg, toggle_s);

		if (t <= p->ab_s) {
			p->ab_rounds = cfg.rounds;
			p->ab_round_s = cfg.wl.duration_s;
			p->ab_decomp_rounds = cfg.decomp_rounds;
			p->ab_expected_s = t;
			return 0;
		}
	}
	cfg.rounds = RP_MIN_AB_ROUNDS;
	*need_s = oh_expected_s(&cfg, toggle_s);
	return -ENOSPC;
}

static void skip(struct rp_report *r, enum method_id m, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void skip(struct rp_report *r, enum method_id m, const char *fmt, ...)
{
	va_list ap;

	r->sec[m].state = RP_SKIPPED;
	va_start(ap, fmt);
	vsnprintf(r->sec[m].why, sizeof(r->sec[m].why), fmt, ap);
	va_end(ap);
}

/* A method ended by err: a stop request marks the report partial, any
 * other error skips the section with its reason. */
static void method_ended(struct rp_report *r, enum method_id m, int err, const char *why)
{
	if (err == -EINTR || bc_stop_requested()) {
		r->sec[m].state = RP_INTERRUPTED;
		snprintf(r->sec[m].why, sizeof(r->sec[m].why), "stopped by a signal");
		r->partial = true;
		snprintf(r->partial_why, sizeof(r->partial_why), "stopped by a signal during %s",
			 method_name(m));
		return;
	}
	if (err) {
		skip(r, m, "failed: %s", why && why[0] ? why : strerror(-err));
		return;
	}
	r->sec[m].state = RP_RAN;
}

static void say(const struct rp_config *cfg, const char *what, double expected_s)
{
	if (cfg->progress)
		cfg->progress(what, expected_s, cfg->arg);
}

/* ---- the window: run-time stats and sampling beside the workload ---- */

struct sampler {
	pthread_t thread;
	struct an_opts opts;
	struct an_result res;
	int err;
};

static void *sampler_main(void *arg)
{
	struct sampler *s = arg;

	s->err = an_run(&s->opts, &s->res);
	return NULL;
}

static int read_counters(struct rp_report *r, bool first)
{
	for (int i = 0; i < r->nprogs; i++) {
		struct rp_prog *p = &r->progs[i];
		struct prog_desc d;
		int err = prog_describe(p->id, &d);

		if (err == -ENOENT) {
			p->gone = true;
			continue;
		}
		if (err)
			return err;
		if (first) {
			p->type = d.type;
			snprintf(p->name, sizeof(p->name), "%s", d.name);
			snprintf(p->full_name, sizeof(p->full_name), "%s", d.full_name);
			snprintf(p->tag, sizeof(p->tag), "%s", d.tag);
			p->runs = d.run_cnt;
			p->time_ns = d.run_time_ns;
			p->misses = d.recursion_misses;
			/* raw_tp link: a tp_btf program, which the bias applies to */
			p->raw_tp_link = strstr(d.attach, "raw_tp") != NULL;
			continue;
		}
		p->runs = d.run_cnt - p->runs;
		p->time_ns = d.run_time_ns - p->time_ns;
		p->misses = d.recursion_misses - p->misses;
		p->has_stats = true;
	}
	return 0;
}

static void window_figures(struct rp_report *r, double wall_s)
{
	r->window_s = wall_s;
	for (int i = 0; i < r->nprogs; i++) {
		struct rp_prog *p = &r->progs[i];

		if (!p->has_stats || p->gone)
			continue;
		p->wall_s = wall_s;
		p->runs_per_s = (double)p->runs / wall_s;
		p->ns_per_run = p->runs ? (double)p->time_ns / (double)p->runs : 0;
		p->cpu_pct = (double)p->time_ns / (wall_s * 1e9) * 100.0;
		sb_correct(&r->bias, sb_applies(p->type, p->raw_tp_link), p->runs, p->time_ns, wall_s,
			   &p->corr);
	}
}

static int row_by_samples(const void *a, const void *b)
{
	const struct an_row *x = a, *y = b;

	return x->samples < y->samples ? 1 : x->samples > y->samples ? -1 : 0;
}

/* The hottest source lines of p from annotate's listing model. */
static void hot_lines(const struct jm_prog *jp, struct rp_prog *p)
{
	struct an_listing l;

	if (!jp->samples || an_listing_build(jp, &l))
		return;
	qsort(l.rows, l.nrows, sizeof(*l.rows), row_by_samples);
	for (size_t i = 0; i < l.nrows && p->nhot < RP_HOT_LINES; i++) {
		const struct an_row *row = &l.rows[i];
		struct rp_hot *h = &p->hot[p->nhot];
		const char *base;

		if (!row->samples)
			break;
		base = row->file ? strrchr(row->file, '/') : NULL;
		snprintf(h->file, sizeof(h->file), "%s", base ? base + 1 : row->file ? row->file : "");
		h->line = row->line;
		snprintf(h->src, sizeof(h->src), "%s", row->src ? row->src : "");
		h->samples = row->samples;
		h->share = l.samples ? (double)row->samples / (double)l.samples : 0;
		p->nhot++;
	}
	an_listing_free(&l);
}

static void sampling_figures(struct rp_report *r, struct sampler *s)
{
	r->samples = s->res.samples;
	r->samples_other = s->res.other;
	r->samples_lost = s->res.lost;
	for (size_t i = 0; i < s->res.map.n; i++) {
		const struct jm_prog *jp = s->res.map.v[i];

		for (int k = 0; k < r->nprogs; k++) {
			struct rp_prog *p = &r->progs[k];

			if (p->id != jp->id)
				continue;
			p->sampled = true;
			p->samples = jp->samples;
			p->sampled_pct = an_cpu_pct(&s->res, jp);
			hot_lines(jp, p);
		}
	}
}

/* Run-time stats summed over the agent's programs, now. */
static void sum_counters(const struct rp_report *r, uint64_t *runs, uint64_t *ns)
{
	*runs = *ns = 0;
	for (int i = 0; i < r->nprogs; i++) {
		uint64_t c, t;

		if (!prog_counters(r->progs[i].id, &c, &t)) {
			*runs += c;
			*ns += t;
		}
	}
}

/* The stats bias was measured and applies to every program. */
static bool bias_applies(const struct rp_report *r)
{
	if (!r->bias.valid)
		return false;
	for (int i = 0; i < r->nprogs; i++)
		if (!sb_applies(r->progs[i].type, r->progs[i].raw_tp_link))
			return false;
	return true;
}

/* The workload one kind at a time, the programs' counters read around each
 * kind: their runs and time per call of that kind (background runs from
 * other processes in that time included). */
static int run_window_workload(struct rp_report *r, double secs)
{
	struct wl_result *res = wl_result_new();
	unsigned n = kind_count(r->kinds);
	int err = 0;

	if (!res)
		return -ENOMEM;
	for (int k = 0; !err && k < WL_KIND_COUNT; k++) {
		struct wl_config wc = { .mask = 1u << k, .threads = 1, .cpu = r->cpu,
					.duration_s = secs / n };
		struct rp_kind *rk = &r->k[k];
		uint64_t runs0, ns0, runs1, ns1;

		if (!(r->kinds & (1u << k)))
			continue;
		sum_counters(r, &runs0, &ns0);
		err = wl_run(&wc, res);
		sum_counters(r, &runs1, &ns1);
		if (!err && res->stopped)
			err = -EINTR;
		rk->window_calls = res->k[k].calls;
		/* a program gone between the reads leaves the sums incomparable */
		if (err || !rk->window_calls || runs1 < runs0 || ns1 < ns0)
			continue;
		rk->have_window = true;
		rk->window_runs_per_call = (double)(runs1 - runs0) / (double)rk->window_calls;
		rk->window_bpf_ns = (double)(ns1 - ns0) / (double)rk->window_calls;
		/* A/B runs with stats off: compare it with their own share taken out */
		if (bias_applies(r))
			rk->window_bpf_ns = fmax(rk->window_bpf_ns - rk->window_runs_per_call *
						 r->bias.ns_per_run, 0);
	}
	wl_result_free(res);
	return err;
}

/* The window, with the sampler on its own thread when sampling works. */
static int measure_window(struct bc_ctx *ctx, const struct rp_config *cfg, struct rp_report *r)
{
	struct rp_section *ss = &r->sec[METHOD_ANNOTATE];
	struct sampler s = { 0 };
	uint32_t ids[RP_MAX_PROGS];
	bool sampling = ss->works_here && ss->state != RP_SKIPPED;
	uint64_t t0;
	char why[160] = "";
	int err;

	for (int i = 0; i < r->nprogs; i++)
		ids[i] = r->progs[i].id;
	s.opts = (struct an_opts){ .ids = ids, .nids = (size_t)r->nprogs,
				   .duration_s = r->plan.window_s, .freq = r->sample_hz,
				   .event = r->sample_event, .detail = true };
	say(cfg, "stats + sampling window", r->plan.window_s);
	t0 = bc_now_ns();
	err = read_counters(r, true);
	if (!err && sampling && pthread_create(&s.thread, NULL, sampler_main, &s)) {
		skip(r, METHOD_ANNOTATE, "failed: cannot start the sampling thread");
		sampling = false;
	}
	if (!err)
		err = run_window_workload(r, r->plan.window_s);
	if (sampling)
		pthread_join(s.thread, NULL);
	if (!err || err == -EINTR) {
		int rerr = read_counters(r, false);

		window_figures(r, (double)(bc_now_ns() - t0) / 1e9);
		err = err ? err : rerr;
	}
	r->sec[METHOD_STATS].elapsed_s = r->sec[METHOD_ANNOTATE].elapsed_s = r->window_s;
	method_ended(r, METHOD_STATS, err, NULL);
	if (sampling) {
		if (s.err)
			smp_open_why(s.err, r->sample_hz, why, sizeof(why));
		else if (!err)
			sampling_figures(r, &s);
		method_ended(r, METHOD_ANNOTATE, s.err ? s.err : err, why);
		an_result_free(&s.res);
	}
	(void)ctx;
	return err == -EINTR ? -EINTR : 0;
}

/* ---- A/B ---- */

static void ab_progress(int round, int total, const char *what, void *arg)
{
	const struct rp_config *cfg = arg;
	char buf[96];

	snprintf(buf, sizeof(buf), "A/B round %d/%d: %s", round, total, what);
	say(cfg, buf, 0);
}

static void kind_figures(const struct oh_result *res, struct rp_kind *rk, const struct oh_kind *k)
{
	rk->ab = true;
	rk->calls_off = k->off.count;
	rk->calls_on = k->on.count;
	rk->off_p50 = (double)hist_percentile(&k->off, 50);
	rk->off_p90 = (double)hist_percentile(&k->off, 90);
	rk->off_p99 = (double)hist_percentile(&k->off, 99);
	rk->off_mean = hist_mean(&k->off);
	rk->on_p50 = (double)hist_percentile(&k->on, 50);
	rk->on_p90 = (double)hist_percentile(&k->on, 90);
	rk->on_p99 = (double)hist_percentile(&k->on, 99);
	rk->on_mean = hist_mean(&k->on);
	for (int i = 0; i < RP_CDF_POINTS; i++) {
		double q = 2.0 + 96.0 * i / (RP_CDF_POINTS - 1);

		rk->cdf_off[i] = (double)hist_percentile(&k->off, q);
		rk->cdf_on[i] = (double)hist_percentile(&k->on, q);
	}
	rk->added = k->delta;
	rk->aa = k->aa;
	rk->relative = oh_relative(k);
	rk->ci_includes_zero = oh_ci_includes_zero(&k->delta);
	rk->aa_exceeds_effect = oh_aa_exceeds_effect(k);
	/* In the programs: from A/B's decomposition rounds (each kind alone,
	 * stats bias taken out), else from the window (each kind alone too). */
	rk->have_decomp = res->have_decomp || rk->have_window;
	if (!rk->have_decomp)
		return;
	rk->in_bpf_per_kind = true;
	rk->in_bpf_from_ab = res->have_decomp;
	rk->in_bpf_ns = res->have_decomp ? fmax(k->in_bpf.point, 0) : rk->window_bpf_ns;
	rk->rest_ns = fmax(k->delta.point - rk->in_bpf_ns, 0);
	rk->rest_lo = fmax(k->delta.lo - rk->in_bpf_ns, 0);
	rk->rest_hi = fmax(k->delta.hi - rk->in_bpf_ns, 0);
	rk->rest_resolved = k->delta.lo - rk->in_bpf_ns > 0;
}

static void measure_ab(struct bc_ctx *ctx, const struct rp_config *cfg, struct rp_report *r,
		       struct tracer *t)
{
	struct oh_config oc = {
		.wl = { .mask = r->kinds, .threads = 1, .cpu = r->cpu,
			.duration_s = r->plan.ab_round_s },
		.rounds = r->plan.ab_rounds,
		.decomp_rounds = r->plan.ab_decomp_rounds,
		.stats_ok = r->sec[METHOD_STATS].works_here,
		.progress = ab_progress, .progress_arg = (void *)cfg,
	};
	struct oh_result res = { 0 };
	uint64_t t0 = bc_now_ns();
	int err;

	say(cfg, "A/B rounds", r->plan.ab_expected_s);
	err = oh_run(&oc, t, &res);
	r->sec[METHOD_AB].elapsed_s = (double)(bc_now_ns() - t0) / 1e9;
	method_ended(r, METHOD_AB, err, NULL);
	if (!err) {
		for (int k = 0; k < WL_KIND_COUNT; k++)
			if (r->kinds & (1u << k))
				kind_figures(&res, &r->k[k], &res.k[k]);
		r->ab_tracer_progs = res.tracer_progs;
		r->ab_counted_runs = res.ab_counted_runs;
		if (!res.have_decomp)
			snprintf(r->decomp_why, sizeof(r->decomp_why), "%s", res.decomp_why);
	}
	oh_result_free(&res);
	(void)ctx;
}

/* ---- the whole ---- */

static void probe_methods(struct bc_ctx *ctx, const struct rp_config *cfg, struct rp_report *r)
{
	for (int m = 0; m < METHOD_COUNT; m++) {
		struct rp_section *s = &r->sec[m];

		s->works_here = method_available(ctx, m, s->why, sizeof(s->why));
		if (!s->works_here) {
			s->state = RP_SKIPPED;
			continue;
		}
		s->why[0] = '\0';
		if (m == METHOD_PROFILE || m == METHOD_SYSCALL_WRAP)
			skip(r, m, "works here; not part of the report yet (run 'bpfcost %s')",
			     method_command(m));
	}
	if (cfg->subject == RP_SUBJECT_RUNNING && r->sec[METHOD_AB].works_here)
		skip(r, METHOD_AB, "the agent runs already: A/B stops and starts it, so it "
		     "needs 'bpfcost report -- COMMAND' (or overhead)");
	if (r->sec[METHOD_ANNOTATE].works_here &&
	    an_resolve_event(ctx, SMP_EVENT_AUTO, &r->sample_event))
		skip(r, METHOD_ANNOTATE, "no sampling event could be chosen");
}

static void stamp(struct rp_report *r)
{
	time_t now = time(NULL);
	struct tm tm;

	if (gmtime_r(&now, &tm))
		strftime(r->generated, sizeof(r->generated), "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* Switch the agent on (started, or attached in-process) and take its
 * programs; the time it took, and later its stop, fit A/B's rounds. */
static int agent_on(const struct rp_config *cfg, struct rp_report *r, struct tracer *t,
		    double *on_s)
{
	uint64_t t0 = bc_now_ns();
	int err = tracer_on(t);

	*on_s = (double)(bc_now_ns() - t0) / 1e9;
	if (err)
		return err;
	if (!t->nprogs) {
		bc_err("%s loaded no BPF program", r->title);
		return -ENOENT;
	}
	r->nprogs = t->nprogs;
	for (int i = 0; i < t->nprogs; i++)
		r->progs[i].id = t->prog_ids[i];
	return 0;
}

static int collect_window(struct bc_ctx *ctx, const struct rp_config *cfg, struct rp_report *r)
{
	struct bpfstats_enable se;
	int err;

	err = bpfstats_enable(&se, false);
	if (err) {
		bc_err("cannot enable run-time stats: %s", strerror(-err));
		return err;
	}
	r->stats_via = se.via;
	r->stats_were_on = se.was_on;
	say(cfg, "stats bias (empty program)", RP_BIAS_S);
	if (sb_measure(&r->bias, SB_DEFAULT_BATCHES, SB_DEFAULT_RUNS))
		bc_note("stats bias not measured: %s", r->bias.why);
	err = measure_window(ctx, cfg, r);
	/* A/B rounds run without stats: their clock reads would be measured */
	bpfstats_restore(&se);
	return err;
}

static int collect_agent(struct bc_ctx *ctx, const struct rp_config *cfg, struct rp_report *r)
{
	struct tracer t;
	double on_s = 0, need_s = 0;
	uint64_t t0;
	int err;

	err = tracer_init(&t, &cfg->tracer);
	if (err)
		return err;
	err = agent_on(cfg, r, &t, &on_s);
	if (err) {
		tracer_fini(&t);
		return err;
	}
	err = collect_window(ctx, cfg, r);
	t0 = bc_now_ns();
	tracer_off(&t);
	if (!err && r->sec[METHOD_AB].state != RP_SKIPPED) {
		if (rp_plan_ab(&r->plan, on_s + (double)(bc_now_ns() - t0) / 1e9, r->kinds,
			       &need_s))
			skip(r, METHOD_AB, "does not fit the budget: %.0f s left for it, the fewest "
			     "rounds need %.0f s (raise --duration)", r->plan.ab_s, need_s);
		else
			measure_ab(ctx, cfg, r, &t);
	}
	tracer_fini(&t);
	return err;
}

int rp_collect(struct bc_ctx *ctx, const struct rp_config *cfg, struct rp_report *r)
{
	uint64_t t0 = bc_now_ns();
	char why[256];
	int err;

	if (!method_available(ctx, METHOD_STATS, why, sizeof(why))) {
		bc_err("report needs run-time stats: %s", why);
		return -EOPNOTSUPP;
	}
	stamp(r);
	machine_describe(&r->machine);
	r->subject = cfg->subject;
	snprintf(r->title, sizeof(r->title), "%s", cfg->title);
	r->kinds = cfg->kinds;
	r->cpu = cfg->cpu;
	r->sample_hz = cfg->sample_hz;
	probe_methods(ctx, cfg, r);
	rp_plan_budget(cfg->budget_s, r->sec[METHOD_AB].state != RP_SKIPPED, &r->plan);
	r->sec[METHOD_STATS].planned_s = r->sec[METHOD_ANNOTATE].planned_s = r->plan.window_s;
	r->sec[METHOD_AB].planned_s = r->plan.ab_s;
	if (cfg->planned)
		cfg->planned(&r->plan, cfg->arg);
	if (cfg->subject == RP_SUBJECT_RUNNING) {
		r->nprogs = (int)(cfg->nids < RP_MAX_PROGS ? cfg->nids : RP_MAX_PROGS);
		for (int i = 0; i < r->nprogs; i++)
			r->progs[i].id = cfg->ids[i];
		err = collect_window(ctx, cfg, r);
	} else {
		err = collect_agent(ctx, cfg, r);
	}
	r->elapsed_s = (double)(bc_now_ns() - t0) / 1e9;
	if (err == -EINTR || bc_stop_requested()) {
		r->partial = true;
		if (!r->partial_why[0])
			snprintf(r->partial_why, sizeof(r->partial_why), "stopped by a signal");
		err = r->nprogs && r->sec[METHOD_STATS].state != RP_NOT_RUN ? 0 : -EINTR;
	}
	if (!err)
		rp_verdict(r);
	return err;
}

/* ---- the verdict ---- */

static const struct rp_kind *most_added(const struct rp_report *r, int *kind)
{
	const struct rp_kind *best = NULL;

	for (int k = 0; k < WL_KIND_COUNT; k++) {
		const struct rp_kind *rk = &r->k[k];

		if (!rk->ab || rk->ci_includes_zero || rk->aa_exceeds_effect)
			continue;
		if (!best || rk->added.point > best->added.point) {
			best = rk;
			*kind = k;
		}
	}
	return best;
}

static void verdict_ab(struct rp_report *r, char *buf, size_t len)
{
	int kind = 0;
	const struct rp_kind *rk = most_added(r, &kind);
	const char *name;

	if (r->sec[METHOD_AB].state != RP_RAN) {
		snprintf(buf, len, "Syscall slowdown was not measured (A/B %s: %s).",
			 rp_state_name(r->sec[METHOD_AB].state), r->sec[METHOD_AB].why);
		return;
	}
	if (!rk) {
		snprintf(buf, len, "No syscall kind measured got resolvably slower with the agent "
			 "on: every A/B interval includes zero or is within the A/A drift.");
		return;
	}
	name = wl_kind_name(kind);
	if (!rk->have_decomp) {
		snprintf(buf, len, "With the agent on, %s took %.0f ns longer per call (%+.1f%%, "
			 "95%% CI %.0f..%.0f ns; A/B).", name, rk->added.point,
			 rk->relative * 100, rk->added.lo, rk->added.hi);
		return;
	}
	if (rk->rest_resolved && rk->rest_ns > rk->in_bpf_ns)
		snprintf(buf, len, "With the agent on, %s took %.0f ns longer per call (95%% CI "
			 "%.0f..%.0f; A/B); most of it is the syscall slow path and dispatch, not "
			 "program code: %.0f ns of it runs in the programs (run-time stats).",
			 name, rk->added.point, rk->added.lo, rk->added.hi, rk->in_bpf_ns);
	else
		snprintf(buf, len, "With the agent on, %s took %.0f ns longer per call (95%% CI "
			 "%.0f..%.0f; A/B), of which %.0f ns runs in the programs (run-time "
			 "stats): program code is %s of the added time.", name, rk->added.point,
			 rk->added.lo, rk->added.hi, rk->in_bpf_ns,
			 rk->rest_resolved ? "the larger part" : "all that is resolved");
}

static void verdict_progs(struct rp_report *r, char *buf, size_t len)
{
	const struct rp_prog *top = NULL;
	double cpu = 0, corr = 0;
	bool corrected = false;

	for (int i = 0; i < r->nprogs; i++) {
		const struct rp_prog *p = &r->progs[i];

		if (!p->has_stats)
			continue;
		cpu += p->cpu_pct;
		corr += p->corr.applies ? p->corr.cpu_pct : p->cpu_pct;
		corrected |= p->corr.applies;
		if (!top || p->time_ns > top->time_ns)
			top = p;
	}
	if (!top) {
		snprintf(buf, len, "Run-time stats gave no figures for the programs.");
		return;
	}
	if (!top->runs) {
		snprintf(buf, len, "The agent's %d program(s) did not run in the %.1f s window "
			 "(run-time stats): the workload's syscalls do not reach them.", r->nprogs,
			 r->window_s);
		return;
	}
	snprintf(buf, len, "Its %d program(s) used %.2f%% of one CPU in the window (run-time "
		 "stats; %.2f%% corrected); the costliest, %s, ran %.0f times/s at %.0f ns/run.",
		 r->nprogs, cpu, corrected ? corr : cpu, top->full_name,
		 top->runs_per_s, top->ns_per_run);
}

static void verdict_sampling(struct rp_report *r, char *buf, size_t len)
{
	double stats = 0, smp = 0;

	if (r->sec[METHOD_ANNOTATE].state != RP_RAN) {
		buf[0] = '\0';
		return;
	}
	for (int i = 0; i < r->nprogs; i++) {
		stats += r->progs[i].corr.applies ? r->progs[i].corr.cpu_pct : r->progs[i].cpu_pct;
		smp += r->progs[i].sampled_pct;
	}
	if (stats > 0 && (smp > 2 * stats || smp < stats / 2))
		snprintf(buf, len, "Sampling charged them %.2f%% of one CPU, more than a factor two "
			 "from the stats: at %u Hz over %.1f s, treat the smaller share with care.",
			 smp, r->sample_hz, r->window_s);
	else
		snprintf(buf, len, "Sampling agrees: %.2f%% of one CPU charged to them.", smp);
}

/* A kind that got resolvably slower while the programs hardly run on it
 * (under a tenth of the added time in them): the slow path's doing, as
 * when syscall tracepoints switch every task to the traced entry. */
static int slow_path_kind(const struct rp_report *r, int skip_kind)
{
	for (int k = 0; k < WL_KIND_COUNT; k++) {
		const struct rp_kind *rk = &r->k[k];

		if (k != skip_kind && rk->ab && rk->in_bpf_per_kind && rk->rest_resolved &&
		    !rk->aa_exceeds_effect && rk->in_bpf_ns < 0.1 * rk->added.point)
			return k;
	}
	return -1;
}

static void verdict_slow_path(struct rp_report *r, char *buf, size_t len)
{
	int kind = -1, sp;

	buf[0] = '\0';
	if (r->sec[METHOD_AB].state != RP_RAN || !most_added(r, &kind))
		return;
	sp = slow_path_kind(r, kind);
	if (sp < 0)
		return;
	snprintf(buf, len, "%s also took %.0f ns longer (95%% CI %.0f..%.0f) though only "
		 "%.1f ns of it runs in the programs: that is the syscall slow path and dispatch, "
		 "not program code.", wl_kind_name(sp), r->k[sp].added.point, r->k[sp].added.lo,
		 r->k[sp].added.hi, r->k[sp].in_bpf_ns);
	buf[0] = (char)toupper((unsigned char)buf[0]);
}

void rp_verdict(struct rp_report *r)
{
	char slow[sizeof(r->verdict[0])];

	r->nverdict = 0;
	verdict_ab(r, r->verdict[r->nverdict++], sizeof(r->verdict[0]));
	verdict_slow_path(r, slow, sizeof(slow));
	if (slow[0])
		snprintf(r->verdict[r->nverdict++], sizeof(r->verdict[0]), "%s", slow);
	verdict_progs(r, r->verdict[r->nverdict++], sizeof(r->verdict[0]));
	if (r->nverdict == RP_MAX_VERDICT)
		return;
	verdict_sampling(r, r->verdict[r->nverdict], sizeof(r->verdict[0]));
	if (r->verdict[r->nverdict][0])
		r->nverdict++;
}
