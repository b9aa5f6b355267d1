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
#include <unistd.h>
#include "annotate.h"
#include "common.h"
#include "overhead.h"
#include "owners.h"
#include "progs.h"
#include "report.h"

#define RP_BIAS_S 0.5		/* set aside for the stats bias's batches */
#define RP_AB_WINDOW_SHARE 0.4
#define RP_AB_KIND_ROUND_S 0.05
#define RP_AB_DECOMP_ROUNDS 2
#define RP_MAX_AB_ROUNDS 30
#define RP_PROFILE_WL_CHUNK_S 0.1	/* workload runs while profile's window is open */
#define RP_TAIL_S 0.3		/* after the last method: its analysis, the printers */
/* The agent's stop, before it is timed (SIGTERM, reap, programs gone): its
 * start is the slow part (loading and verifying); bpftrace here started in
 * ~0.7 s and started+stopped in 0.82 s (report --quick, plan.toggle_s) */
#define RP_STOP_S 0.15

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

const char *rp_bias_interval(const struct sb_bias *b)
{
	if (b->nparts >= 2)
		return "the envelope of two measurements' t-intervals, before the window and after "
		       "it; it covers those only: reports minutes apart can read it further apart "
		       "than that";
	return "one measurement's t-interval over its batches, before the window; it covers "
	       "that one only: reports minutes apart can read it further apart than that";
}

const char *rp_part_name(enum rp_part p)
{
	static const char *const names[] = { "unresolved", "rest", "in_bpf" };

	return (unsigned)p < sizeof(names) / sizeof(names[0]) ? names[p] : "unresolved";
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

const char *rp_workload_cpu(const struct rp_report *r, char *buf, size_t len)
{
	if (r->cpu < 0)
		snprintf(buf, len, "not pinned");
	else
		snprintf(buf, len, "on CPU %d", r->cpu);
	return buf;
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
	if (r)
		tc_graph_free(&r->tail);
	free(r);
}

static double extra_share(double budget_s, bool planned)
{
	return planned ? fmax(budget_s * RP_EXTRA_SHARE, RP_MIN_EXTRA_S) : 0;
}

void rp_plan_budget(double budget_s, bool ab, bool profile, bool syswrap, struct rp_plan *p)
{
	double left;

	memset(p, 0, sizeof(*p));
	p->budget_s = budget_s;
	p->profile_s = extra_share(budget_s, profile);
	p->syswrap_s = extra_share(budget_s, syswrap);
	left = budget_s - p->profile_s - p->syswrap_s - RP_BIAS_S;
	if (!ab) {
		p->window_s = fmax(left, RP_MIN_WINDOW_S);
		return;
	}
	p->window_s = fmax(budget_s * RP_AB_WINDOW_SHARE, RP_MIN_WINDOW_S);
	p->ab_s = fmax(left - p->window_s, 0);
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
	p->ab_round_s = cfg.wl.duration_s;
	p->ab_decomp_rounds = cfg.decomp_rounds;
	for (cfg.rounds = RP_MAX_AB_ROUNDS; cfg.rounds >= RP_MIN_AB_ROUNDS; cfg.rounds--) {
		double t = oh_expected_s(&cfg, toggle_s);

		if (t <= p->ab_s) {
			p->ab_rounds = cfg.rounds;
			p->ab_expected_s = t;
			return 0;
		}
	}
	cfg.rounds = p->ab_rounds = RP_MIN_AB_ROUNDS;
	*need_s = p->ab_expected_s = oh_expected_s(&cfg, toggle_s);
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

static void say(const struct rp_config *cfg, const char *what, double elapsed_s,
		double expected_s)
{
	if (cfg->progress)
		cfg->progress(what, elapsed_s, expected_s, cfg->arg);
}

static double since_s(uint64_t t0)
{
	return (double)(bc_now_ns() - t0) / 1e9;
}

/* ---- what each program is: read once, before the window ---- */

struct attach_walk {
	struct rp_report *r;
	uint32_t nlinks[RP_MAX_PROGS];
};

static void add_attach(uint32_t prog_id, const char *what, void *arg)
{
	struct attach_walk *w = arg;

	for (int i = 0; i < w->r->nprogs; i++) {
		struct rp_prog *p = &w->r->progs[i];

		if (p->id == prog_id)
			prog_attach_append(p->attach, sizeof(p->attach), w->nlinks[i]++, what);
	}
}

/* The reference service runs in our process, which an owners scan leaves
 * out (its only holds are meant to be our iterators): it holds the
 * programs and their links itself. */
static void self_owner(struct prog_owners *ow)
{
	ow->known = true;
	ow->nprocs = 1;
	ow->v[0].pid = (int32_t)getpid();
	ow->v[0].via = OWNER_VIA_PROG | OWNER_VIA_LINK;
	if (owners_proc_comm(getpid(), ow->v[0].comm))
		snprintf(ow->v[0].comm, sizeof(ow->v[0].comm), "bpfcost");
}

/* One /proc walk, as prog does: a report scans once. */
static void find_owners(struct bc_ctx *ctx, const struct rp_config *cfg, struct rp_report *r)
{
	struct owners o;
	int err = owners_open(ctx, &o, false);

	if (!err)
		err = owners_scan(&o);
	for (int i = 0; !err && i < r->nprogs; i++) {
		owners_lookup(&o, r->progs[i].id, &r->progs[i].owners);
		if (cfg->subject == RP_SUBJECT_SYSMON && !r->progs[i].owners.nprocs)
			self_owner(&r->progs[i].owners);
	}
	owners_close(&o);
	if (err)
		bc_note("owners not read: %s", strerror(-err));
}

/* Over every loaded program: a selected callee's caller may not be one of
 * the agent's. */
static void find_tail_calls(struct rp_report *r)
{
	struct tc_collector c = { 0 };
	int err = tc_refresh(&c);

	if (!err) {
		r->tail = c.g;
		c.g = (struct tc_graph){ 0 };
	}
	for (int i = 0; !err && i < r->nprogs; i++)
		err = tc_role(&r->tail, r->progs[i].id, &r->progs[i].tail);
	r->tail_known = !err;
	tc_collector_free(&c);
	if (err)
		bc_note("tail-call relations not read: %s", strerror(-err));
}

static void prog_facts(struct bc_ctx *ctx, const struct rp_config *cfg, struct rp_report *r)
{
	struct attach_walk w = { .r = r };

	prog_links_walk(add_attach, &w);
	prog_perf_events_walk(add_attach, &w);
	for (int i = 0; i < r->nprogs; i++)
		/* a raw_tp link: a tp_btf program, which the bias applies to */
		r->progs[i].raw_tp_link = strstr(r->progs[i].attach, "raw_tp") != NULL;
	find_owners(ctx, cfg, r);
	find_tail_calls(r);
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

	if (!jp->samples)
		return;
	if (!jp->nlines) {
		p->hot_why = "no BTF line info (built without -g, or by a tool that emits none, "
			     "such as bpftrace)";
		return;
	}
	if (an_listing_build(jp, &l)) {
		p->hot_why = "its instruction listing could not be built";
		return;
	}
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
	if (!p->nhot)
		p->hot_why = "no sample on a line with line info";
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

/* Run-time stats summed over the agent's programs, now; *biased: the runs
 * of those the stats bias applies to (sb_applies), as A/B's decomposition
 * counts them. */
static void sum_counters(const struct rp_report *r, uint64_t *runs, uint64_t *ns,
			 uint64_t *biased)
{
	*runs = *ns = *biased = 0;
	for (int i = 0; i < r->nprogs; i++) {
		const struct rp_prog *p = &r->progs[i];
		uint64_t c, t;

		if (!prog_counters(p->id, &c, &t)) {
			*runs += c;
			*ns += t;
			*biased += sb_applies(p->type, p->raw_tp_link) ? c : 0;
		}
	}
}

/* The window's counters around each chunk of each kind (collection only). */
struct window_raw {
	int n[WL_KIND_COUNT];
	double calls[WL_KIND_COUNT][RP_WINDOW_CHUNKS];
	double runs[WL_KIND_COUNT][RP_WINDOW_CHUNKS];
	double ns[WL_KIND_COUNT][RP_WINDOW_CHUNKS];
	double biased[WL_KIND_COUNT][RP_WINDOW_CHUNKS];
};

void rp_window_kind(struct rp_kind *rk, const double *calls, const double *runs,
		    const double *ns, const double *biased, int n, const struct sb_bias *bias)
{
	double per_call[RP_WINDOW_CHUNKS], sum_calls = 0, sum_runs = 0, sum_ns = 0;
	double sum_biased = 0, b = bias && bias->valid ? bias->ns_per_run : 0;
	struct stats_ci ci;
	int m = 0;

	rk->have_window = false;
	rk->window_bpf_lo = rk->window_bpf_hi = NAN;
	for (int i = 0; i < n && i < RP_WINDOW_CHUNKS; i++) {
		if (calls[i] <= 0)
			continue;
		per_call[m++] = (ns[i] - biased[i] * b) / calls[i];
		sum_calls += calls[i];
		sum_runs += runs[i];
		sum_ns += ns[i];
		sum_biased += biased[i];
	}
	rk->window_chunks = m;
	if (!m)
		return;
	rk->have_window = true;
	rk->window_bpf_first = fmax(per_call[0], 0);
	rk->window_bpf_last = fmax(per_call[m - 1], 0);
	rk->window_calls = (uint64_t)sum_calls;
	rk->window_runs_per_call = sum_runs / sum_calls;
	/* A/B runs with stats off: compare it with their own share taken out */
	rk->window_bpf_ns = fmax((sum_ns - sum_biased * b) / sum_calls, 0);
	if (m >= 2 && !stats_t_ci(per_call, (size_t)m, 0.95, &ci) && stats_ci_has_interval(&ci)) {
		rk->window_bpf_lo = fmax(ci.lo, 0);
		rk->window_bpf_hi = fmax(ci.hi, 0);
		/* the bias is known to its own interval: so is what it takes out */
		if (b > 0) {
			double brpc = sum_biased / sum_calls;

			rk->window_bpf_lo = fmax(rk->window_bpf_lo - brpc *
						 (bias->hi - bias->ns_per_run), 0);
			rk->window_bpf_hi += brpc * (bias->ns_per_run - bias->lo);
		}
	}
}

/* One chunk of kind k: the programs' counters read around it (background
 * runs from other processes in that time included). */
static int window_chunk(struct rp_report *r, struct wl_result *res, int k, double secs,
			struct window_raw *w)
{
	struct wl_config wc = { .mask = 1u << k, .threads = 1, .cpu = r->cpu,
				.duration_s = secs };
	uint64_t runs0, ns0, b0, runs1, ns1, b1;
	int err, i = w->n[k];

	sum_counters(r, &runs0, &ns0, &b0);
	err = wl_run(&wc, res);
	sum_counters(r, &runs1, &ns1, &b1);
	if (!err && res->stopped)
		err = -EINTR;
	/* a program gone between the reads leaves the sums incomparable */
	if (err || runs1 < runs0 || ns1 < ns0)
		return err;
	w->calls[k][i] = (double)res->k[k].calls;
	w->runs[k][i] = (double)(runs1 - runs0);
	w->ns[k][i] = (double)(ns1 - ns0);
	w->biased[k][i] = (double)(b1 - b0);
	w->n[k]++;
	return 0;
}

/* The workload one kind at a time, each in RP_WINDOW_CHUNKS chunks, the
 * programs' counters read around each chunk: their runs and time per call
 * of that kind. */
static int run_window_workload(struct rp_report *r, double secs, uint64_t t0,
			       struct window_raw *w)
{
	struct wl_result *res = wl_result_new();
	unsigned n = kind_count(r->kinds);
	int err = 0;

	if (!res)
		return -ENOMEM;
	for (int k = 0; !err && k < WL_KIND_COUNT; k++) {
		struct rp_series_phase *ph = &r->series.phase[r->series.nphases];

		if (!(r->kinds & (1u << k)))
			continue;
		ph->kind = k;
		ph->start_s = since_s(t0);
		for (int c = 0; !err && c < RP_WINDOW_CHUNKS; c++)
			err = window_chunk(r, res, k, secs / n / RP_WINDOW_CHUNKS, w);
		ph->end_s = since_s(t0);
		r->series.nphases++;
	}
	wl_result_free(res);
	return err;
}

/* The window's per-kind figures, with the bias as finally measured. */
static void window_kinds(struct rp_report *r, const struct window_raw *w)
{
	for (int k = 0; k < WL_KIND_COUNT; k++)
		if (w->n[k])
			rp_window_kind(&r->k[k], w->calls[k], w->runs[k], w->ns[k], w->biased[k],
				       w->n[k], &r->bias);
}

/* The time series: the counters read at even ticks over the window, on
 * their own thread (the workload holds the main one). */
struct series_run {
	pthread_t thread;
	struct rp_report *r;
	const struct rp_config *cfg;
	struct rp_series_raw *raw;
	uint64_t t0;
	bool started;
};

static void series_read(struct series_run *s)
{
	struct rp_series_raw *raw = s->raw;
	int n = raw->nreads;

	if (n > RP_SERIES_POINTS)
		return;
	raw->t_s[n] = since_s(s->t0);
	for (int i = 0; i < s->r->nprogs; i++)
		raw->ok[n][i] = !prog_counters(s->r->progs[i].id, &raw->runs[n][i],
					       &raw->ns[n][i]);
	raw->nreads++;
}

static int series_tick(void *arg, bool last)
{
	struct series_run *s = arg;

	series_read(s);
	say(s->cfg, "stats + sampling window", since_s(s->t0), s->r->plan.window_s);
	return 0;
}

static void *series_main(void *arg)
{
	struct series_run *s = arg;
	struct bc_interval iv = { .interval_s = s->r->series.interval_s,
				  .duration_s = s->r->plan.window_s, .start_ns = s->t0 };

	bc_interval_loop(NULL, &iv, series_tick, s, NULL);
	return NULL;
}

/* Ticks that divide the window evenly, so that none is a sliver. */
static double series_interval(double window_s)
{
	double n = fmin(RP_SERIES_TARGET, floor(window_s / RP_SERIES_MIN_INTERVAL_S));

	return window_s / fmax(n, 1);
}

static void series_start(struct series_run *s)
{
	s->r->series.interval_s = series_interval(s->r->plan.window_s);
	s->raw = calloc(1, sizeof(*s->raw));
	if (!s->raw)
		return;
	series_read(s);
	s->started = !pthread_create(&s->thread, NULL, series_main, s);
	if (!s->started)
		bc_note("no time series: cannot start its thread");
}

/* Join, and read once more where the workload outlasted the last tick. */
static void series_end(struct series_run *s)
{
	if (s->started) {
		pthread_join(s->thread, NULL);
		if (since_s(s->t0) - s->raw->t_s[s->raw->nreads - 1] >
		    s->r->series.interval_s / 4)
			series_read(s);
	}
}

/* The series, once the bias it is corrected by is known. */
static void series_build(struct series_run *s)
{
	if (s->started)
		rp_series_build(s->r, s->raw);
	free(s->raw);
}

/* The stats bias in two halves of SB_DEFAULT_BATCHES, before the window
 * and after it, folded into one: the bias drifts by more than one
 * measurement's interval says, and the halves' envelope shows what it did
 * over the window at the cost of one measurement. */
static void measure_bias(struct rp_report *r, bool after)
{
	struct sb_bias b;

	if (!sb_measure(&b, SB_DEFAULT_BATCHES / 2, SB_DEFAULT_RUNS)) {
		sb_combine(&r->bias, &b);
		return;
	}
	if (after)
		return;	/* the first half stands alone */
	bc_note("stats bias not measured: %s", b.why);
	r->bias = b;
}

/* The window, with the sampler on its own thread when sampling works. */
static int measure_window(struct bc_ctx *ctx, const struct rp_config *cfg, struct rp_report *r)
{
	struct rp_section *ss = &r->sec[METHOD_ANNOTATE];
	struct sampler s = { 0 };
	struct series_run ser = { .r = r, .cfg = cfg };
	struct window_raw w = { 0 };
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
	prog_facts(ctx, cfg, r);
	say(cfg, "stats + sampling window", 0, r->plan.window_s);
	t0 = ser.t0 = bc_now_ns();
	err = read_counters(r, true);
	if (!err && sampling && pthread_create(&s.thread, NULL, sampler_main, &s)) {
		skip(r, METHOD_ANNOTATE, "failed: cannot start the sampling thread");
		sampling = false;
	}
	if (!err) {
		series_start(&ser);
		err = run_window_workload(r, r->plan.window_s, t0, &w);
	}
	if (sampling)
		pthread_join(s.thread, NULL);
	/* its last read beside the window's last */
	series_end(&ser);
	if (!err || err == -EINTR) {
		double wall_s = since_s(t0);
		int rerr = read_counters(r, false);

		if (!err)
			measure_bias(r, true);
		window_figures(r, wall_s);
		window_kinds(r, &w);
		err = err ? err : rerr;
	}
	series_build(&ser);
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
	return err == -EINTR ? -EINTR : 0;
}

/* ---- A/B ---- */

struct ab_progress_arg {
	const struct rp_config *cfg;
	uint64_t t0;
	double expected_s;
};

static void ab_progress(int round, int total, const char *what, void *arg)
{
	const struct ab_progress_arg *a = arg;
	char buf[96];

	snprintf(buf, sizeof(buf), "A/B round %d/%d: %s", round, total, what);
	say(a->cfg, buf, since_s(a->t0), a->expected_s);
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
	rk->aa_reaches_effect = stats_ci_has_interval(&k->aa) &&
				fmax(fabs(k->aa.lo), fabs(k->aa.hi)) >= fabs(k->delta.point);
	/* In the programs: from A/B's decomposition rounds (each kind alone,
	 * stats bias taken out), else from the window (each kind alone too). */
	rk->have_decomp = res->have_decomp || rk->have_window;
	if (!rk->have_decomp)
		return;
	rk->in_bpf_per_kind = true;
	rk->in_bpf_from_ab = res->have_decomp;
	if (res->have_decomp) {
		rk->ab_in_bpf = k->in_bpf;
		rk->ab_runs_per_call = k->runs_per_call;
	}
	rp_rest_figures(rk);
	rp_check_agreement(rk);
}

void rp_in_bpf_ci(const struct rp_kind *rk, struct stats_ci *ci)
{
	if (rk->in_bpf_from_ab) {
		*ci = rk->ab_in_bpf;
		return;
	}
	*ci = (struct stats_ci){ .point = rk->window_bpf_ns, .lo = rk->window_bpf_lo,
				 .hi = rk->window_bpf_hi, .level = 0.95,
				 .n = (size_t)rk->window_chunks };
	if (isfinite(ci->lo) && isfinite(ci->hi))
		ci->method = STATS_CI_T " over the window's chunks";
}

/* REST = ADDED - IN_BPF with both intervals in it (oh_rest_ci, as overhead
 * does): the trial saw REST printed resolved as ADDED's interval shifted by
 * IN_BPF's point, while IN_BPF alone spanned 5..755 ns. Where IN_BPF has
 * no interval, ADDED's alone, shifted. Which part is the larger is said
 * only where added - 2 x in_bpf has an interval clear of 0. */
void rp_rest_figures(struct rp_kind *rk)
{
	struct stats_ci in, rest;
	double d;

	rp_in_bpf_ci(rk, &in);
	rk->in_bpf_ns = fmax(in.point, 0);
	rk->in_bpf_lo = stats_ci_has_interval(&in) ? fmax(in.lo, 0) : NAN;
	rk->in_bpf_hi = stats_ci_has_interval(&in) ? fmax(in.hi, 0) : NAN;
	oh_rest_ci(&rk->added, &in, &rest);
	if (!stats_ci_has_interval(&rest)) {
		rest.lo = rk->added.lo - in.point;
		rest.hi = rk->added.hi - in.point;
	}
	rk->rest_ns = fmax(rest.point, 0);
	rk->rest_lo = fmax(rest.lo, 0);
	rk->rest_hi = fmax(rest.hi, 0);
	rk->rest_resolved = rest.lo > 0;
	rk->larger_part = RP_PART_UNRESOLVED;
	if (!stats_ci_has_interval(&rk->added) || !stats_ci_has_interval(&in))
		return;
	d = rk->added.point - 2 * in.point;
	if (d - hypot(rk->added.point - rk->added.lo, 2 * (in.hi - in.point)) > 0)
		rk->larger_part = RP_PART_REST;
	else if (d + hypot(rk->added.hi - rk->added.point, 2 * (in.point - in.lo)) < 0)
		rk->larger_part = RP_PART_IN_BPF;
}

void rp_check_agreement(struct rp_kind *rk)
{
	double lo = rk->in_bpf_ns;

	rk->bpf_disagree = rk->have_window && rk->in_bpf_from_ab &&
			   isfinite(rk->window_bpf_lo) && isfinite(rk->window_bpf_hi) &&
			   stats_ci_has_interval(&rk->ab_in_bpf) &&
			   (rk->window_bpf_lo > rk->ab_in_bpf.hi ||
			    rk->window_bpf_hi < rk->ab_in_bpf.lo);
	/* the part's lower end: its own interval's where it has one */
	if (rk->in_bpf_from_ab && stats_ci_has_interval(&rk->ab_in_bpf))
		lo = rk->ab_in_bpf.lo;
	else if (!rk->in_bpf_from_ab && isfinite(rk->window_bpf_lo))
		lo = rk->window_bpf_lo;
	rk->in_bpf_exceeds_added = rk->have_decomp && stats_ci_has_interval(&rk->added) &&
				   lo > rk->added.hi;
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
		/* in-program time corrected as the window's is */
		.bias = &r->bias,
	};
	struct ab_progress_arg pa = { .cfg = cfg, .t0 = bc_now_ns(),
				      .expected_s = r->plan.ab_expected_s };
	struct oh_result res = { 0 };
	int err;

	oc.progress = ab_progress;
	oc.progress_arg = &pa;
	say(cfg, "A/B rounds", 0, pa.expected_s);
	err = oh_run(&oc, t, &res);
	r->sec[METHOD_AB].elapsed_s = since_s(pa.t0);
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

/* ---- profile: fentry/fexit around each program ---- */

struct prof_thread {
	pthread_t thread;
	struct bc_ctx *ctx;
	struct prof_config cfg;
	struct prof_result res;
	int err;
	bool done;		/* atomic: prof_run returned */
};

static void *prof_main(void *arg)
{
	struct prof_thread *pt = arg;

	pt->err = prof_run(pt->ctx, &pt->cfg, &pt->res);
	__atomic_store_n(&pt->done, true, __ATOMIC_RELEASE);
	return NULL;
}

/* The programs fentry/fexit can attach to here; the others get why. */
static size_t prof_targets(struct bc_ctx *ctx, struct rp_report *r, uint32_t *ids)
{
	size_t n = 0;

	for (int i = 0; i < r->nprogs; i++) {
		struct rp_prog *p = &r->progs[i];
		struct prog_desc d = { .id = p->id, .type = p->type };

		snprintf(d.full_name, sizeof(d.full_name), "%s", p->full_name);
		if (p->gone)
			snprintf(p->prof_why, sizeof(p->prof_why), "gone before profiling");
		else if (!prof_target_check(ctx, &d, p->prof_why, sizeof(p->prof_why)))
			ids[n++] = p->id;
	}
	return n;
}

static const char *first_prof_why(const struct rp_report *r)
{
	for (int i = 0; i < r->nprogs; i++)
		if (r->progs[i].prof_why[0])
			return r->progs[i].prof_why;
	return "none";
}

static void prof_figures_in(struct rp_report *r, const struct prof_result *res)
{
	r->prof_calibrated = res->calibrated;
	r->prof_calib_ns = res->calib_ns;
	r->prof_window_s = res->elapsed_s;
	for (size_t i = 0; i < res->n; i++) {
		const struct prof_target *t = &res->t[i];

		for (int k = 0; k < r->nprogs; k++) {
			struct rp_prog *p = &r->progs[k];

			if (p->id != t->desc.id)
				continue;
			p->profiled = true;
			p->prof_runs = t->runs;
			p->prof_runs_per_s = t->runs_per_s;
			p->prof_raw = t->raw;
			p->prof_corr = t->corrected;
			p->prof_detached = t->detached;
		}
	}
}

/* prof_run on its own thread for the planned time while this one keeps
 * the workload going in short runs, so that the programs run under the
 * observers; then the figures into the model. */
static void measure_profile(struct bc_ctx *ctx, const struct rp_config *cfg,
			    struct rp_report *r)
{
	struct prof_thread pt = { .ctx = ctx };
	uint32_t ids[RP_MAX_PROGS];
	struct wl_result *wl = wl_result_new();
	struct wl_config wc = { .mask = r->kinds, .threads = 1, .cpu = r->cpu,
				.duration_s = RP_PROFILE_WL_CHUNK_S };
	uint64_t t0 = bc_now_ns();
	int err = 0;

	pt.cfg = (struct prof_config){ .ids = ids, .nids = prof_targets(ctx, r, ids),
				       .duration_s = r->plan.profile_s, .calibrate = true };
	if (!pt.cfg.nids) {
		skip(r, METHOD_PROFILE, "fentry/fexit can attach to none of the programs here: "
		     "%s", first_prof_why(r));
		wl_result_free(wl);
		return;
	}
	say(cfg, "profile (fentry/fexit)", 0, r->plan.profile_s);
	if (!wl || pthread_create(&pt.thread, NULL, prof_main, &pt)) {
		wl_result_free(wl);
		skip(r, METHOD_PROFILE, "failed: cannot start its thread");
		return;
	}
	while (!__atomic_load_n(&pt.done, __ATOMIC_ACQUIRE) && !err) {
		err = wl_run(&wc, wl);
		if (!err && (wl->stopped || bc_stop_requested()))
			err = -EINTR;
		say(cfg, "profile (fentry/fexit)", since_s(t0), r->plan.profile_s);
	}
	pthread_join(pt.thread, NULL);
	wl_result_free(wl);
	r->sec[METHOD_PROFILE].elapsed_s = since_s(t0);
	if (pt.res.stopped)
		err = -EINTR;
	method_ended(r, METHOD_PROFILE, pt.err ? pt.err : err, NULL);
	if (r->sec[METHOD_PROFILE].state == RP_RAN)
		prof_figures_in(r, &pt.res);
	prof_result_free(&pt.res);
}

/* ---- syscall-path wrapping ---- */

struct sw_progress_arg {
	const struct rp_config *cfg;
	uint64_t t0;
	double expected_s;
};

static void sw_progress(const char *what, void *arg)
{
	const struct sw_progress_arg *a = arg;
	char buf[96];

	snprintf(buf, sizeof(buf), "syscall-path wrapping: %s", what);
	say(a->cfg, buf, since_s(a->t0), a->expected_s);
}

/* "a + b + c", and the briefs of the elements inside and outside. */
static void sw_window_in(struct rp_syswrap *w, const struct sw_result *res)
{
	static const enum sw_role order[] = { SW_ROLE_ENTER, SW_ROLE_BODY, SW_ROLE_EXIT };
	size_t nf = 0, ni = 0, no = 0;

	snprintf(w->method, sizeof(w->method), "%s", sw_method_name(res->method));
	for (size_t i = 0; i < ARRAY_SIZE(order); i++)
		if (res->func[order[i]] && nf < sizeof(w->functions))
			nf += (size_t)snprintf(w->functions + nf, sizeof(w->functions) - nf,
					       "%s%s", nf ? " + " : "", res->func[order[i]]);
	if (res->per_syscall && nf < sizeof(w->functions))
		snprintf(w->functions + nf, sizeof(w->functions) - nf, " (each syscall's own)");
	memcpy(w->inside, res->inside, sizeof(w->inside));
	for (int e = 0; e < SW_EL_COUNT; e++) {
		const char *b = sw_elem_info(e)->brief;

		if (res->inside[e] >= 0 && ni < sizeof(w->includes))
			ni += (size_t)snprintf(w->includes + ni, sizeof(w->includes) - ni, "%s%s",
					       ni ? ", " : "", b);
		else if (res->inside[e] < 0 && no < sizeof(w->outside))
			no += (size_t)snprintf(w->outside + no, sizeof(w->outside) - no, "%s%s",
					       no ? ", " : "", b);
	}
}

static void sw_phase_in(struct rp_sw_phase *ph, const struct sw_phase_syscall *s, bool complete)
{
	ph->ran = true;
	ph->windows = s->lat.count;
	ph->lost = s->lost;
	ph->slow = s->slow;
	ph->complete = complete;
	if (!s->lat.count)
		return;
	ph->p50 = (double)hist_percentile(&s->lat, 50);
	ph->p90 = (double)hist_percentile(&s->lat, 90);
	ph->p99 = (double)hist_percentile(&s->lat, 99);
	ph->mean = hist_mean(&s->lat);
}

static void sw_figures_in(struct rp_report *r, const struct sw_result *res)
{
	struct rp_syswrap *w = &r->sw;

	sw_window_in(w, res);
	w->maxactive = res->maxactive;
	for (int ph = 0; ph < SW_PHASES; ph++)
		w->missed[ph] = res->missed[ph];
	w->nsys = res->nsys < SW_SLOTS ? res->nsys : SW_SLOTS;
	for (int i = 0; i < w->nsys; i++) {
		const struct sw_syscall *s = &res->sys[i];
		struct rp_sw_sys *o = &w->sys[i];
		unsigned nrs[SW_SLOTS];

		o->nr = s->nr;
		snprintf(o->name, sizeof(o->name), "%s", s->name ? s->name : "?");
		for (int k = 0; k < WL_KIND_COUNT; k++) {
			int n = (r->kinds & (1u << k)) ? sw_kind_syscalls(1u << k, nrs, SW_SLOTS) : 0;

			for (int j = 0; j < n; j++)
				if (nrs[j] == s->nr)
					o->kinds |= 1u << k;
		}
		for (int ph = 0; ph < SW_PHASES; ph++)
			if (res->ran[ph])
				sw_phase_in(&o->ph[ph], &s->ph[ph], !sw_incomplete(res, ph));
		o->have_added = sw_added(res, s, &o->added_p50, &o->added_mean);
		o->added_below0 = (o->have_added && o->added_p50 < 0 ? RP_SW_BELOW0_P50 : 0) |
				  (o->have_added && o->added_mean < 0 ? RP_SW_BELOW0_MEAN : 0);
		o->added_p50 = fmax(o->added_p50, 0);
		o->added_mean = fmax(o->added_mean, 0);
	}
}

/* t NULL: the agent runs already and stays on (the with-agent phase
 * only); else it is off now, and sw_run switches it on for the second of
 * two phases. */
static void measure_syswrap(const struct rp_config *cfg, struct rp_report *r, struct tracer *t)
{
	struct sw_progress_arg pa = { .cfg = cfg, .t0 = bc_now_ns(),
				      .expected_s = r->plan.syswrap_s };
	struct sw_config sc = {
		.method = SW_METHOD_AUTO,
		.kinds = r->kinds,
		.compare = t != NULL,
		.wl = { .threads = 1, .cpu = r->cpu },
		.progress = sw_progress,
		.progress_arg = &pa,
	};
	struct sw_result res = { 0 };
	int err;

	sc.duration_s = r->plan.syswrap_s / (t ? SW_PHASES : 1);
	r->sw.phase_s = sc.duration_s;
	say(cfg, "syscall-path wrapping", 0, r->plan.syswrap_s);
	err = sw_run(&sc, t, &res);
	r->sec[METHOD_SYSCALL_WRAP].elapsed_s = since_s(pa.t0);
	method_ended(r, METHOD_SYSCALL_WRAP, err, NULL);
	if (!err)
		sw_figures_in(r, &res);
	sw_result_free(&res);
}

/* The methods that run with the agent on, after the window: profile
 * (agent on) then, for a running agent, wrapping (with it on only). */
static void measure_extras_on(struct bc_ctx *ctx, const struct rp_config *cfg,
			      struct rp_report *r, bool running)
{
	if (r->sec[METHOD_PROFILE].state == RP_NOT_RUN && !bc_stop_requested())
		measure_profile(ctx, cfg, r);
	if (running && r->sec[METHOD_SYSCALL_WRAP].state == RP_NOT_RUN && !bc_stop_requested())
		measure_syswrap(cfg, r, NULL);
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
	say(cfg, "stats bias (empty program)", 0, RP_BIAS_S);
	measure_bias(r, false);
	err = measure_window(ctx, cfg, r);
	/* A/B rounds run without stats: their clock reads would be measured */
	bpfstats_restore(&se);
	return err;
}

/* The reference service's event counters, since it was switched on. */
static void sysmon_counters(const struct rp_config *cfg, struct rp_report *r, struct tracer *t)
{
	struct sysmon_summary sum;

	if (cfg->subject != RP_SUBJECT_SYSMON || !t->sm || sysmon_read_summary(t->sm, &sum))
		return;
	r->have_sysmon = true;
	r->sysmon_events = sum.events;
	r->sysmon_lost = sum.lost;
}

/* A/B's fewest rounds (need_s) did not fit its share: take them out of
 * the window's, as long as the window keeps its least. */
static bool fit_ab_in_window(struct rp_plan *p, double need_s)
{
	double window_s = p->window_s + p->ab_s - need_s;

	if (window_s < RP_MIN_WINDOW_S)
		return false;
	p->window_s = window_s;
	p->ab_s = need_s;
	return true;
}

/* Split what is left of the budget after spent_s and say it before
 * anything is measured. A/B's rounds are fitted here to the agent's
 * start (start_s, measured) and RP_STOP_S for its stop: when even the fewest
 * do not fit in its share, the window gives up what it can above its
 * least; when that is not enough, A/B is skipped now, with why, and the
 * window takes its share, so that the plan said is the plan run. */
static void plan(const struct rp_config *cfg, struct rp_report *r, double spent_s,
		 double start_s)
{
	bool ab = r->sec[METHOD_AB].state != RP_SKIPPED;
	bool profile = r->sec[METHOD_PROFILE].state != RP_SKIPPED;
	bool syswrap = r->sec[METHOD_SYSCALL_WRAP].state != RP_SKIPPED;
	double left = cfg->budget_s - spent_s - RP_TAIL_S, need_s = 0;

	rp_plan_budget(left, ab, profile, syswrap, &r->plan);
	if (ab && rp_plan_ab(&r->plan, start_s + RP_STOP_S, r->kinds, &need_s) &&
	    (!fit_ab_in_window(&r->plan, need_s) ||
	     rp_plan_ab(&r->plan, start_s + RP_STOP_S, r->kinds, &need_s))) {
		skip(r, METHOD_AB, "does not fit the budget: %.1f s left for it, the fewest rounds "
		     "need %.1f s with this agent (its start took %.1f s; raise --duration)",
		     r->plan.ab_s, need_s, start_s);
		rp_plan_budget(left, false, profile, syswrap, &r->plan);
	}
	if (r->sec[METHOD_AB].state == RP_SKIPPED)
		snprintf(r->plan.ab_why, sizeof(r->plan.ab_why), "%s", r->sec[METHOD_AB].why);
	r->plan.budget_s = cfg->budget_s;
	r->plan.spent_s = spent_s;
	r->sec[METHOD_STATS].planned_s = r->sec[METHOD_ANNOTATE].planned_s = r->plan.window_s;
	r->sec[METHOD_AB].planned_s = r->plan.ab_expected_s;
	r->sec[METHOD_PROFILE].planned_s = r->plan.profile_s;
	r->sec[METHOD_SYSCALL_WRAP].planned_s = r->plan.syswrap_s;
	if (cfg->planned)
		cfg->planned(&r->plan, cfg->arg);
}

/* A/B last, refitted to what is left of the budget now that the agent's
 * start+stop (on_s) is known; when the fewest rounds no longer fit (its
 * stop took longer than the plan assumed) they run anyway, as the plan
 * said, and the overrun is said before it happens. */
static void fit_and_measure_ab(struct bc_ctx *ctx, const struct rp_config *cfg,
			       struct rp_report *r, struct tracer *t, double on_s, uint64_t t0)
{
	double assumed = r->plan.toggle_s, need_s = 0;

	r->plan.ab_s = fmax(cfg->budget_s - since_s(t0) - RP_TAIL_S, 0);
	if (rp_plan_ab(&r->plan, on_s, r->kinds, &need_s))
		bc_note("report: A/B's fewest rounds need %.1f s, %.1f s of the budget is left: "
			"it runs over by about %.1f s (the agent's start+stop took %.1f s, the "
			"plan assumed %.1f s)", need_s, r->plan.ab_s, need_s - r->plan.ab_s,
			on_s, assumed);
	r->sec[METHOD_AB].planned_s = r->plan.ab_expected_s;
	measure_ab(ctx, cfg, r, t);
}

static int collect_agent(struct bc_ctx *ctx, const struct rp_config *cfg, struct rp_report *r,
			 uint64_t t_start)
{
	struct tracer t;
	double on_s = 0;
	uint64_t t0;
	int err;

	err = tracer_init(&t, &cfg->tracer);
	if (err)
		return err;
	say(cfg, "starting the agent", 0, 0);
	err = agent_on(cfg, r, &t, &on_s);
	if (err) {
		tracer_fini(&t);
		return err;
	}
	plan(cfg, r, since_s(t_start), on_s);
	err = collect_window(ctx, cfg, r);
	if (!err)
		measure_extras_on(ctx, cfg, r, false);
	sysmon_counters(cfg, r, &t);
	t0 = bc_now_ns();
	tracer_off(&t);
	/* the agent's stop: before wrapping starts and stops it once more */
	on_s += (double)(bc_now_ns() - t0) / 1e9;
	if (!err && r->sec[METHOD_SYSCALL_WRAP].state == RP_NOT_RUN && !bc_stop_requested())
		measure_syswrap(cfg, r, &t);
	if (!err && r->sec[METHOD_AB].state != RP_SKIPPED && !bc_stop_requested())
		fit_and_measure_ab(ctx, cfg, r, &t, on_s, t_start);
	tracer_fini(&t);
	return err;
}

/* After a stop request: the methods that had not started say so, not an
 * empty reason, in every printer and the verdict. */
static void not_started(struct rp_report *r)
{
	for (int m = 0; m < METHOD_COUNT; m++)
		if (r->sec[m].state == RP_NOT_RUN && !r->sec[m].why[0])
			snprintf(r->sec[m].why, sizeof(r->sec[m].why),
				 "stopped before it started");
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
	if (cfg->subject == RP_SUBJECT_RUNNING) {
		r->nprogs = (int)(cfg->nids < RP_MAX_PROGS ? cfg->nids : RP_MAX_PROGS);
		for (int i = 0; i < r->nprogs; i++)
			r->progs[i].id = cfg->ids[i];
		plan(cfg, r, since_s(t0), 0);
		err = collect_window(ctx, cfg, r);
		if (!err)
			measure_extras_on(ctx, cfg, r, true);
	} else {
		err = collect_agent(ctx, cfg, r, t0);
	}
	r->elapsed_s = (double)(bc_now_ns() - t0) / 1e9;
	if (err == -EINTR || bc_stop_requested()) {
		r->partial = true;
		if (!r->partial_why[0])
			snprintf(r->partial_why, sizeof(r->partial_why), "stopped by a signal");
		err = r->nprogs && r->sec[METHOD_STATS].state != RP_NOT_RUN ? 0 : -EINTR;
		not_started(r);
	}
	if (!err)
		rp_verdict(r);
	return err;
}

/* ---- the time series ---- */

/* Program i's run time over the reads: the intervals read at both ends. */
static uint64_t series_total_ns(const struct rp_series_raw *raw, int i)
{
	uint64_t sum = 0;

	for (int j = 1; j < raw->nreads; j++)
		if (raw->ok[j - 1][i] && raw->ok[j][i] && raw->ns[j][i] >= raw->ns[j - 1][i])
			sum += raw->ns[j][i] - raw->ns[j - 1][i];
	return sum;
}

/* The RP_SERIES_PROGS programs that ran longest (none that did not run),
 * most first: their indexes in r->progs. */
static int series_pick(const struct rp_report *r, const struct rp_series_raw *raw, int *pick)
{
	uint64_t total[RP_MAX_PROGS];
	int n = 0;

	for (int i = 0; i < r->nprogs; i++)
		total[i] = series_total_ns(raw, i);
	while (n < RP_SERIES_PROGS) {
		int best = -1;

		for (int i = 0; i < r->nprogs; i++) {
			bool taken = false;

			for (int k = 0; k < n; k++)
				taken |= pick[k] == i;
			if (!taken && total[i] && (best < 0 || total[i] > total[best]))
				best = i;
		}
		if (best < 0)
			break;
		pick[n++] = best;
	}
	return n;
}

static void series_point(const struct rp_report *r, const struct rp_series_raw *raw, int i,
			 int j, double dt, struct rp_series_prog *sp, int pt)
{
	struct sb_corrected c;
	uint64_t runs, ns;

	if (!raw->ok[j - 1][i] || !raw->ok[j][i] || raw->runs[j][i] < raw->runs[j - 1][i] ||
	    raw->ns[j][i] < raw->ns[j - 1][i]) {
		sp->runs_per_s[pt] = sp->cpu_pct[pt] = sp->corr_cpu_pct[pt] = NAN;
		return;
	}
	runs = raw->runs[j][i] - raw->runs[j - 1][i];
	ns = raw->ns[j][i] - raw->ns[j - 1][i];
	sp->runs_per_s[pt] = (double)runs / dt;
	sp->cpu_pct[pt] = (double)ns / (dt * 1e9) * 100.0;
	sb_correct(&r->bias, sp->corrected, runs, ns, dt, &c);
	sp->corr_cpu_pct[pt] = c.applies ? c.cpu_pct : sp->cpu_pct[pt];
}

void rp_series_build(struct rp_report *r, const struct rp_series_raw *raw)
{
	struct rp_series *se = &r->series;
	int pick[RP_SERIES_PROGS];

	se->npoints = 0;
	se->nprogs = series_pick(r, raw, pick);
	for (int k = 0; k < se->nprogs; k++) {
		const struct rp_prog *p = &r->progs[pick[k]];

		se->p[k].id = p->id;
		se->p[k].corrected = r->bias.valid && sb_applies(p->type, p->raw_tp_link);
	}
	for (int j = 1; j < raw->nreads && se->npoints < RP_SERIES_POINTS; j++) {
		double dt = raw->t_s[j] - raw->t_s[j - 1];

		if (dt <= 1e-6)
			continue;
		se->t_s[se->npoints] = raw->t_s[j];
		for (int k = 0; k < se->nprogs; k++)
			series_point(r, raw, pick[k], j, dt, &se->p[k], se->npoints);
		se->npoints++;
	}
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

/* "; the A/A control ..." when the run's own noise floor reaches the effect,
 * else "": the reader is told before acting on a small figure. */
static const char *aa_caveat(const struct rp_kind *rk, char *buf, size_t len)
{
	buf[0] = '\0';
	if (rk->aa_reaches_effect)
		snprintf(buf, len, "; but the A/A control (off against off) spans %.0f..%.0f ns "
			 "in this run, as far as that: a longer --duration would tell", rk->aa.lo,
			 rk->aa.hi);
	return buf;
}

/* "154 ns (95% CI 7..298)", or "154 ns" where IN_BPF has no interval. */
static void in_bpf_str(const struct rp_kind *rk, char *buf, size_t len)
{
	if (isfinite(rk->in_bpf_lo) && isfinite(rk->in_bpf_hi))
		snprintf(buf, len, "%.0f ns (95%% CI %.0f..%.0f)", rk->in_bpf_ns, rk->in_bpf_lo,
			 rk->in_bpf_hi);
	else
		snprintf(buf, len, "%.0f ns", rk->in_bpf_ns);
}

static void verdict_ab(struct rp_report *r, char *buf, size_t len)
{
	int kind = 0;
	const struct rp_kind *rk = most_added(r, &kind);
	const char *name;
	char aa[160], in[96];

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
			 "95%% CI %.0f..%.0f ns; A/B)%s.", name, rk->added.point,
			 rk->relative * 100, rk->added.lo, rk->added.hi,
			 aa_caveat(rk, aa, sizeof(aa)));
		return;
	}
	/* REST is everything A/B saw outside the programs: dispatch, the slow
	 * path, wake-ups made in the syscall, cache effects, and agent work
	 * sharing the workload's CPU; the verdict names no one of them. */
	in_bpf_str(rk, in, sizeof(in));
	if (rk->larger_part == RP_PART_REST)
		snprintf(buf, len, "With the agent on, %s took %.0f ns longer per call (95%% CI "
			 "%.0f..%.0f; A/B)%s; most of it is outside program code (dispatch, slow "
			 "path, wake-ups, cache effects): %s of it runs in the programs "
			 "(run-time stats).", name, rk->added.point, rk->added.lo, rk->added.hi,
			 aa_caveat(rk, aa, sizeof(aa)), in);
	else if (rk->larger_part == RP_PART_IN_BPF)
		snprintf(buf, len, "With the agent on, %s took %.0f ns longer per call (95%% CI "
			 "%.0f..%.0f; A/B)%s, of which %s runs in the programs (run-time "
			 "stats): program code is the larger part of the added time.", name,
			 rk->added.point, rk->added.lo, rk->added.hi, aa_caveat(rk, aa, sizeof(aa)),
			 in);
	else
		snprintf(buf, len, "With the agent on, %s took %.0f ns longer per call (95%% CI "
			 "%.0f..%.0f; A/B)%s, of which %s runs in the programs (run-time "
			 "stats); whether program code or the rest (dispatch, slow path, wake-ups, "
			 "cache effects) is the larger part is within this run's noise.", name,
			 rk->added.point, rk->added.lo, rk->added.hi, aa_caveat(rk, aa, sizeof(aa)),
			 in);
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
	char aa[160];

	buf[0] = '\0';
	if (r->sec[METHOD_AB].state != RP_RAN || !most_added(r, &kind))
		return;
	sp = slow_path_kind(r, kind);
	if (sp < 0)
		return;
	snprintf(buf, len, "%s also took %.0f ns longer (95%% CI %.0f..%.0f) though only "
		 "%.1f ns of it runs in the programs: that is the syscall slow path and dispatch, "
		 "not program code%s.", wl_kind_name(sp), r->k[sp].added.point, r->k[sp].added.lo,
		 r->k[sp].added.hi, r->k[sp].in_bpf_ns, aa_caveat(&r->k[sp], aa, sizeof(aa)));
	buf[0] = (char)toupper((unsigned char)buf[0]);
}

/* A kind whose in-program figures disagree (rp_check_agreement): the
 * window's against A/B's, or the part above the whole. */
static int disagree_kind(const struct rp_report *r)
{
	for (int k = 0; k < WL_KIND_COUNT; k++)
		if (r->k[k].ab && (r->k[k].bpf_disagree || r->k[k].in_bpf_exceeds_added))
			return k;
	return -1;
}

/* What differs between the window and A/B's decomposition rounds that
 * could explain it, from the figures: runs per call, and the window's own
 * drift from its first chunk to its last. */
static void disagree_why(const struct rp_kind *rk, int starts, char *buf, size_t len)
{
	double rw = rk->window_runs_per_call, ra = rk->ab_runs_per_call.point;
	double drift = rk->window_bpf_last - rk->window_bpf_first;
	size_t n;

	if (ra > 0 && fabs(rw - ra) > 0.1 * ra)
		n = (size_t)snprintf(buf, len, "the programs ran %.2f times per call in the window "
				     "against %.2f in A/B's rounds%s", rw, ra, rw > ra ?
				     " (the window counts other processes' runs, A/B takes them "
				     "out)" : "");
	else
		n = (size_t)snprintf(buf, len, "runs per call agree (%.2f against %.2f), so each "
				     "run cost %s in the window", rw, ra,
				     rk->window_bpf_ns > rk->in_bpf_ns ? "more" : "less");
	if (n < len && fabs(drift) > 0.1 * fmax(rk->window_bpf_ns, 1))
		n += (size_t)snprintf(buf + n, len - n, "; over the window the cost per call went "
				      "from %.0f to %.0f ns (first chunk to last): it drifts as the "
				      "workload runs, and A/B's rounds are short, each right after a "
				      "start", rk->window_bpf_first, rk->window_bpf_last);
	/* bpftrace's opensnoop.bt read 6.9 to 12.4 us per openat in six
	 * reports: its cost differs from one start to the next */
	if (n < len)
		snprintf(buf + n, len - n, "; the window is one start of the agent and A/B's "
			 "rounds %d others, and an agent's cost can differ from start to start",
			 starts);
}

static void verdict_disagree(struct rp_report *r, char *buf, size_t len)
{
	int k = disagree_kind(r);
	const struct rp_kind *rk;
	char why[400];

	buf[0] = '\0';
	if (k < 0)
		return;
	rk = &r->k[k];
	if (rk->bpf_disagree) {
		disagree_why(rk, r->plan.ab_decomp_rounds, why, sizeof(why));
		snprintf(buf, len, "Two methods disagree on %s's time in the programs: the window "
			 "reads %.0f ns per call (95%% CI %.0f..%.0f, run-time stats) and A/B's "
			 "decomposition %.0f (%.0f..%.0f); %s. Until that is explained, take the "
			 "in-program time as the range between them.", wl_kind_name(k),
			 rk->window_bpf_ns, rk->window_bpf_lo, rk->window_bpf_hi, rk->in_bpf_ns,
			 fmax(rk->ab_in_bpf.lo, 0), rk->ab_in_bpf.hi, why);
		return;
	}
	snprintf(buf, len, "On %s the time in the programs (%.0f ns per call, run-time stats) is "
		 "above A/B's whole added interval (%.0f..%.0f): the part exceeds the whole, so "
		 "the methods disagree and this run does not decompose %s.", wl_kind_name(k),
		 rk->in_bpf_ns, rk->added.lo, rk->added.hi, wl_kind_name(k));
}

/* Syscall-path wrapping's added ns for kind k: the mean, summed over the
 * syscalls of that kind; false when none has an added figure. */
static bool wrapped_added(const struct rp_report *r, int k, double *added)
{
	bool any = false;

	*added = 0;
	for (int i = 0; i < r->sw.nsys; i++) {
		const struct rp_sw_sys *s = &r->sw.sys[i];

		if ((s->kinds & (1u << k)) && s->have_added) {
			*added += s->added_mean;
			any = true;
		}
	}
	return any;
}

/* Without A/B: the kind wrapping found most added, said alone. */
static void verdict_syswrap_alone(struct rp_report *r, char *buf, size_t len)
{
	int best = -1;
	double w, best_w = 0;

	for (int k = 0; k < WL_KIND_COUNT; k++)
		if (wrapped_added(r, k, &w) && (best < 0 || w > best_w)) {
			best = k;
			best_w = w;
		}
	if (best < 0)
		return;
	snprintf(buf, len, "Syscall-path wrapping (%s on %s) times %s's syscalls %.0f ns longer "
		 "with the agent on (mean, one run per phase, no interval): the syscall slowdown "
		 "measured here, A/B %s.", r->sw.method, r->sw.functions, wl_kind_name(best),
		 best_w, rp_state_name(r->sec[METHOD_AB].state));
}

/* Wrapping's added time against A/B's, for the kind A/B found most added
 * (else the first that both measured); alone where A/B did not run. */
static void verdict_syswrap(struct rp_report *r, char *buf, size_t len)
{
	int k = -1;
	double w = 0;
	const struct rp_kind *rk;
	char how[512];

	buf[0] = '\0';
	if (r->sec[METHOD_SYSCALL_WRAP].state != RP_RAN)
		return;
	if (r->sec[METHOD_AB].state != RP_RAN) {
		verdict_syswrap_alone(r, buf, len);
		return;
	}
	if (!most_added(r, &k) || !wrapped_added(r, k, &w))
		for (k = 0; k < WL_KIND_COUNT; k++)
			if (r->k[k].ab && wrapped_added(r, k, &w))
				break;
	if (k < 0 || k >= WL_KIND_COUNT)
		return;
	rk = &r->k[k];
	if (w < rk->added.lo)
		snprintf(how, sizeof(how), "less than A/B's: the rest of the added time falls "
			 "outside the wrapped window (outside it: %s)",
			 r->sw.outside[0] ? r->sw.outside : "nothing listed");
	else if (w > rk->added.hi)
		snprintf(how, sizeof(how), "more than A/B's interval: the wrapped window saw work "
			 "A/B's timing did not, or one run per phase misled (no interval: a longer "
			 "--duration would tell)");
	else
		snprintf(how, sizeof(how), "within A/B's interval: the added time is inside the "
			 "syscall path it wraps (%s)", r->sw.includes);
	snprintf(buf, len, "Syscall-path wrapping (%s on %s) times %s's syscalls %.0f ns longer "
		 "with the agent on (mean, one run per phase), %s, against A/B's %.0f ns "
		 "(%.0f..%.0f).", r->sw.method, r->sw.functions, wl_kind_name(k), w, how,
		 rk->added.point, rk->added.lo, rk->added.hi);
}

/* A profiled program's per-run figure: the calibrated one unless it is at
 * or below the calibration (stored as 0), then the raw one. */
static double prof_fig(const struct rp_report *r, const struct rp_prog *p, unsigned bit,
		       uint64_t corr, uint64_t raw, bool *is_raw)
{
	*is_raw = !r->prof_calibrated || (p->prof_corr.below_calib & bit);
	return (double)(*is_raw ? raw : corr);
}

/* The profiled program with the most run time (stats): its per-run
 * distribution, and a long tail where p99 >= RP_LONG_TAIL x p50. */
static void verdict_profile(struct rp_report *r, char *buf, size_t len)
{
	const struct rp_prog *top = NULL;
	double p50, p99, mean;
	bool raw50, raw99, rawm;

	buf[0] = '\0';
	if (r->sec[METHOD_PROFILE].state != RP_RAN)
		return;
	for (int i = 0; i < r->nprogs; i++) {
		const struct rp_prog *p = &r->progs[i];

		if (p->profiled && p->prof_runs && (!top || p->time_ns > top->time_ns))
			top = p;
	}
	if (!top)
		return;
	p50 = prof_fig(r, top, PROF_FIG_P50, top->prof_corr.p50, top->prof_raw.p50, &raw50);
	p99 = prof_fig(r, top, PROF_FIG_P99, top->prof_corr.p99, top->prof_raw.p99, &raw99);
	rawm = !r->prof_calibrated || (top->prof_corr.below_calib & PROF_FIG_MEAN);
	mean = rawm ? top->prof_raw.mean : top->prof_corr.mean;
	if (raw50 != raw99) {	/* a ratio of like with like */
		p50 = (double)top->prof_raw.p50;
		p99 = (double)top->prof_raw.p99;
		raw50 = raw99 = true;
	}
	if (p50 > 0 && p99 >= RP_LONG_TAIL * p50)
		snprintf(buf, len, "Profile (fentry/fexit) shows a long tail in %s's runs: p50 %.0f "
			 "ns, p99 %.0f ns%s, %.0fx: a few runs cost far more than most, which a mean "
			 "per run (run-time stats: %.0f ns/run) hides.", top->full_name, p50, p99,
			 raw50 ? " (raw, observer included)" : "", p99 / p50, top->ns_per_run);
	else
		snprintf(buf, len, "Profile (fentry/fexit) puts %s's runs at p50 %.0f ns, p99 %.0f "
			 "ns%s: no long tail; its mean %.0f ns/run%s against run-time stats' %.0f.",
			 top->full_name, p50, p99, raw50 ? " (raw, observer included)" : "", mean,
			 rawm ? " (raw)" : "", top->ns_per_run);
}

/* The next verdict sentence from fill, kept when it says something. */
static void verdict_add(struct rp_report *r, void (*fill)(struct rp_report *, char *, size_t))
{
	char buf[RP_VERDICT_LEN];

	if (r->nverdict >= RP_MAX_VERDICT)
		return;
	fill(r, buf, sizeof(buf));
	if (buf[0])
		snprintf(r->verdict[r->nverdict++], sizeof(r->verdict[0]), "%s", buf);
}

void rp_verdict(struct rp_report *r)
{
	r->nverdict = 0;
	verdict_add(r, verdict_ab);
	verdict_add(r, verdict_disagree);
	verdict_add(r, verdict_slow_path);
	verdict_add(r, verdict_progs);
	verdict_add(r, verdict_syswrap);
	verdict_add(r, verdict_profile);
	verdict_add(r, verdict_sampling);
}
