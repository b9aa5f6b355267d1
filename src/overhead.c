// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* A/B rounds: off, on, off, on, ... after a warm-up, on the pinned timing
 * core. Each round yields one statistic per syscall kind (the mean of its
 * calls between p25 and p75, the interquartile mean, so interrupted or
 * preempted calls don't swamp a round on a busy machine); the
 * confidence intervals are bootstrapped over rounds, which is where the
 * machine's slow drift shows. Off rounds alternate between two groups, A
 * and B, whose difference is the A/A control: what "no change" looks like
 * on this machine today. */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/bpf.h>
#include "common.h"
#include "overhead.h"
#include "progs.h"

#define OH_SEED 0x6270666373747473ULL
#define OH_REST_CI_METHOD "ADDED's and IN_BPF's half-widths in quadrature"

enum round_kind { ROUND_OFF, ROUND_ON };

static int alloc_rounds(struct oh_result *res, int rounds, int decomp_rounds)
{
	size_t nd = decomp_rounds > 0 ? (size_t)decomp_rounds : 1;

	res->cpu_ns = calloc((size_t)rounds, sizeof(double));
	res->cpu_s = calloc((size_t)rounds, sizeof(double));
	res->cpu_syscalls = calloc((size_t)rounds, sizeof(double));
	if (!res->cpu_ns || !res->cpu_s || !res->cpu_syscalls)
		return -ENOMEM;

	for (int k = 0; k < WL_KIND_COUNT; k++) {
		struct oh_kind *ok = &res->k[k];

		hist_init(&ok->off);
		hist_init(&ok->on);
		ok->r_on = calloc((size_t)rounds, sizeof(double));
		ok->r_off = calloc((size_t)rounds, sizeof(double));
		ok->dc_calls = calloc(nd, sizeof(double));
		ok->dc_runs = calloc(nd, sizeof(double));
		ok->dc_time_ns = calloc(nd, sizeof(double));
		ok->dc_biased_runs = calloc(nd, sizeof(double));
		if (!ok->r_on || !ok->r_off || !ok->dc_calls || !ok->dc_runs || !ok->dc_time_ns ||
		    !ok->dc_biased_runs)
			return -ENOMEM;
	}
	return 0;
}

void oh_result_free(struct oh_result *res)
{
	free(res->cpu_ns);
	free(res->cpu_s);
	free(res->cpu_syscalls);
	res->cpu_ns = res->cpu_s = res->cpu_syscalls = NULL;
	for (int k = 0; k < WL_KIND_COUNT; k++) {
		struct oh_kind *ok = &res->k[k];

		free(ok->r_on);
		free(ok->r_off);
		free(ok->dc_calls);
		free(ok->dc_runs);
		free(ok->dc_time_ns);
		free(ok->dc_biased_runs);
		ok->r_on = ok->r_off = NULL;
		ok->dc_calls = ok->dc_runs = ok->dc_time_ns = ok->dc_biased_runs = NULL;
	}
}

static void record_round(struct oh_result *res, const struct wl_result *wr, enum round_kind rk)
{
	for (int k = 0; k < WL_KIND_COUNT; k++) {
		struct oh_kind *ok = &res->k[k];
		const struct hist *h = &wr->k[k].lat;

		if (!(res->mask & (1u << k)) || !h->count)
			continue;
		if (rk == ROUND_ON) {
			hist_merge(&ok->on, h);
			ok->r_on[ok->n_on++] = hist_range_mean(h, OH_ROUND_LO_PCT, OH_ROUND_HI_PCT);
		} else {
			hist_merge(&ok->off, h);
			ok->r_off[ok->n_off++] = hist_range_mean(h, OH_ROUND_LO_PCT, OH_ROUND_HI_PCT);
		}
	}
}

/* The tracer's programs' counters now (0 while stats are off); programs
 * that have gone are left out, and oh_snap_delta matches the rest by id. */
static void read_snap(const struct tracer *t, struct oh_snap *s)
{
	struct bpf_prog_info info;

	s->n = 0;
	for (int i = 0; i < t->nprogs && s->n < TRACER_MAX_PROGS; i++) {
		int fd = prog_fd_info(t->prog_ids[i], &info);

		if (fd < 0)
			continue;	/* gone: the tracer unloaded it */
		close(fd);
		s->id[s->n] = t->prog_ids[i];
		s->runs[s->n] = info.run_cnt;
		s->time_ns[s->n] = info.run_time_ns;
		/* The link type is not known here: a tracing program counts as
		 * trampoline-run, left raw (sb_applies). */
		s->biased[s->n] = sb_applies(info.type, 0);
		s->n++;
	}
	s->at_ns = bc_now_ns();
}

void oh_snap_delta(const struct oh_snap *before, const struct oh_snap *after,
		   struct oh_counts *d)
{
	memset(d, 0, sizeof(*d));
	for (int i = 0; i < after->n; i++) {
		for (int j = 0; j < before->n; j++) {
			if (before->id[j] != after->id[i])
				continue;
			if (after->runs[i] >= before->runs[j] &&
			    after->time_ns[i] >= before->time_ns[j]) {
				d->runs += after->runs[i] - before->runs[j];
				d->time_ns += after->time_ns[i] - before->time_ns[j];
				if (after->biased[i])
					d->biased_runs += after->runs[i] - before->runs[j];
			}
			break;
		}
	}
}

/* The agent's CPU over one on-round's workload window. */
struct cpu_window {
	int err;		/* from tracer_cpu_read */
	uint64_t ns;
	double s;
	uint64_t syscalls;
};

static int timed_workload(const struct oh_config *cfg, const struct tracer *t,
			  struct wl_result *wr, struct cpu_window *cw)
{
	struct tracer_cpu c0, c1;
	uint64_t t0, t1;
	int err;

	cw->err = tracer_cpu_read(t, &c0);
	t0 = bc_now_ns();
	err = wl_run(&cfg->wl, wr);
	t1 = bc_now_ns();
	if (!cw->err)
		cw->err = tracer_cpu_read(t, &c1);
	if (!cw->err)
		cw->ns = tracer_cpu_delta(&c0, &c1);
	cw->s = (double)(t1 - t0) / 1e9;
	cw->syscalls = wr->total_syscalls;
	return err;
}

/* One round; an on-round also reads the agent's CPU into cw. */
static int run_round(const struct oh_config *cfg, struct tracer *t, struct oh_result *res,
		     struct wl_result *wr, struct cpu_window *cw)
{
	struct oh_snap before, after;
	struct oh_counts d;
	int err = 0, off;

	if (!cw) {
		err = wl_run(&cfg->wl, wr);
		return !err && wr->stopped ? -EINTR : err;
	}
	err = tracer_on(t);
	read_snap(t, &before);
	if (!err)
		err = timed_workload(cfg, t, wr, cw);
	if (!err && wr->stopped)
		err = -EINTR;
	/* We keep stats off during A/B rounds; if the counters move,
	 * another process holds them on and every run pays for them. */
	read_snap(t, &after);
	oh_snap_delta(&before, &after, &d);
	res->ab_counted_runs += d.runs;
	off = tracer_off(t);	/* -EBUSY: its programs stay attached */
	return err ? err : off;
}

static void record_cpu(struct oh_result *res, const struct cpu_window *cw)
{
	if (cw->err == -ENOENT) {
		res->cpu_none = true;
	} else if (cw->err == -E2BIG) {
		snprintf(res->cpu_why, sizeof(res->cpu_why), "the tracer's process group has "
			 "more than %d processes", TRACER_CPU_MAX_PROCS);
	} else if (cw->err) {
		snprintf(res->cpu_why, sizeof(res->cpu_why), "cannot read the tracer's CPU "
			 "time: %s", strerror(-cw->err));
	} else {
		res->cpu_ns[res->n_cpu] = (double)cw->ns;
		res->cpu_s[res->n_cpu] = cw->s;
		res->cpu_syscalls[res->n_cpu] = (double)cw->syscalls;
		res->n_cpu++;
	}
}

/* Who held run-time stats on while we measured, for the report. */
static void find_stats_holders(struct oh_result *res)
{
	int on = 0;

	if (!res->ab_counted_runs)
		return;
	res->stats_sysctl_on = bpfstats_sysctl_read(&on) == 0 && on == 1;
	res->n_stats_holders = bpfstats_fd_holders(res->stats_holders, OH_MAX_HOLDERS);
}

static void progress(const struct oh_config *cfg, int i, int total, const char *what)
{
	if (cfg->progress)
		cfg->progress(i, total, what, cfg->progress_arg);
}

static int measure(const struct oh_config *cfg, struct tracer *t, struct oh_result *res,
		   struct wl_result *wr)
{
	int total = 2 * cfg->rounds + 3, err;

	struct cpu_window cw;

	progress(cfg, 1, total, "warm-up off");
	err = run_round(cfg, t, res, wr, NULL);
	progress(cfg, 2, total, "warm-up on");
	if (!err)
		err = run_round(cfg, t, res, wr, &cw);
	for (int r = 0; !err && r < cfg->rounds; r++) {
		progress(cfg, 3 + 2 * r, total, (r & 1) ? "off (B)" : "off (A)");
		err = run_round(cfg, t, res, wr, NULL);
		if (!err) {
			record_round(res, wr, ROUND_OFF);
			progress(cfg, 4 + 2 * r, total, "on");
			err = run_round(cfg, t, res, wr, &cw);
		}
		if (!err) {
			record_round(res, wr, ROUND_ON);
			record_cpu(res, &cw);
			res->tracer_progs = t->nprogs;
		}
	}
	/* A closing off-round, so every on-round has an off-round each side. */
	progress(cfg, total, total, "off (closing)");
	if (!err)
		err = run_round(cfg, t, res, wr, NULL);
	if (!err)
		record_round(res, wr, ROUND_OFF);
	find_stats_holders(res);
	return err;
}

#define OH_BG_WINDOW_S 0.25
#define OH_BIAS_S 0.2	/* sb_measure's batches, for oh_expected_s */
/* A workload window's own cost beyond its length (its threads started and
 * joined, counters read): ~0.04 s a window on a 2-CPU VM with bpftrace as
 * the agent (report --quick's A/B, progress timestamps), for oh_expected_s */
#define OH_WINDOW_COST_S 0.04

/* The counters of one window less what the background rate (runs with no
 * workload) explains over its length. */
static void minus_background(const struct oh_counts *w, double w_s, const struct oh_counts *bg,
			     double bg_s, double out[3])
{
	double f = bg_s > 0 ? w_s / bg_s : 0;

	out[0] = (double)w->runs - f * (double)bg->runs;
	out[1] = (double)w->time_ns - f * (double)bg->time_ns;
	out[2] = (double)w->biased_runs - f * (double)bg->biased_runs;
}

/* A window with no workload: what the programs do for other processes. */
static int background_window(const struct tracer *t, struct oh_counts *bg, double *bg_s)
{
	struct oh_snap a, b;
	struct oh_counts d;
	int err = 0;

	read_snap(t, &a);
	if (bc_sleep_interruptible(OH_BG_WINDOW_S))
		err = -EINTR;
	read_snap(t, &b);
	oh_snap_delta(&a, &b, &d);
	bg->runs += d.runs;
	bg->time_ns += d.time_ns;
	bg->biased_runs += d.biased_runs;
	*bg_s += (double)(b.at_ns - a.at_ns) / 1e9;
	return err;
}

struct kind_window {
	struct oh_counts d;
	double s;		/* its length */
	uint64_t calls, syscalls;
};

/* Each kind alone, the others off, its program counters per window. */
static int kind_windows(const struct oh_config *cfg, const struct tracer *t,
			struct wl_result *wr, struct kind_window *kw)
{
	struct wl_config wl = cfg->wl;
	struct oh_snap a, b;
	int err = 0;

	wl.duration_s = oh_decomp_round_s(&cfg->wl);
	read_snap(t, &a);
	for (int k = 0; !err && k < WL_KIND_COUNT; k++) {
		if (!(cfg->wl.mask & (1u << k)))
			continue;
		wl.mask = 1u << k;
		err = wl_run(&wl, wr);
		if (!err && wr->stopped)
			err = -EINTR;
		read_snap(t, &b);
		oh_snap_delta(&a, &b, &kw[k].d);
		kw[k].s = (double)(b.at_ns - a.at_ns) / 1e9;
		kw[k].calls = wr->k[k].calls;
		kw[k].syscalls = wr->total_syscalls;
		a = b;
	}
	return err;
}

/* One decomposition round: the tracer on, with run-time stats. Its
 * programs also run for every other process's syscalls, so they are
 * watched with no workload before and after the workload windows: that
 * background rate, taken out of each window, leaves the runs our syscalls
 * caused. In between, each kind alone, the others off, so each kind's
 * in-BPF time is its own (a tracer on openat only costs getpid no program
 * time). */
static int decomp_round(const struct oh_config *cfg, struct tracer *t, struct oh_result *res,
			struct wl_result *wr)
{
	struct kind_window kw[WL_KIND_COUNT] = { 0 };
	struct oh_counts bg = { 0 };
	double bg_s = 0, v[3];
	int err, off;

	err = tracer_on(t);
	if (err)
		return err;
	err = background_window(t, &bg, &bg_s);
	if (!err)
		err = kind_windows(cfg, t, wr, kw);
	if (!err)
		err = background_window(t, &bg, &bg_s);
	off = tracer_off(t);
	if (err || off)
		return err ? err : off;
	res->bg_runs_per_s += (double)bg.runs / bg_s / cfg->decomp_rounds;
	for (int k = 0; k < WL_KIND_COUNT; k++) {
		struct oh_kind *ok = &res->k[k];

		if (!(cfg->wl.mask & (1u << k)))
			continue;
		minus_background(&kw[k].d, kw[k].s, &bg, bg_s, v);
		ok->dc_calls[ok->n_dc] = (double)kw[k].calls;
		ok->dc_runs[ok->n_dc] = v[0];
		ok->dc_time_ns[ok->n_dc] = v[1];
		ok->dc_biased_runs[ok->n_dc] = v[2];
		ok->n_dc++;
		res->bpf_runs += kw[k].d.runs;
		res->bpf_time_ns += kw[k].d.time_ns;
		res->unbiased_runs += kw[k].d.runs - kw[k].d.biased_runs;
		res->bpf_wl_runs += v[0] > 0 ? v[0] : 0;
		res->wl_syscalls += kw[k].syscalls;
	}
	return 0;
}

double oh_decomp_round_s(const struct wl_config *wl)
{
	/* Short A/B rounds are right for drift, but a decomposition round
	 * compares its workload windows with a background window of
	 * OH_BG_WINDOW_S: keep them of similar length. */
	return wl->duration_s > OH_BG_WINDOW_S ? wl->duration_s : OH_BG_WINDOW_S;
}

int oh_default_decomp_rounds(const struct oh_config *cfg)
{
	/* A quarter of the on-rounds' workload time, at least 3 rounds. */
	double on_s = cfg->rounds * cfg->wl.duration_s;
	int kinds = __builtin_popcount(cfg->wl.mask);
	int n = (int)ceil(on_s / 4 / (oh_decomp_round_s(&cfg->wl) * (kinds ? kinds : 1)));

	return n > 3 ? n : 3;
}

double oh_expected_s(const struct oh_config *cfg, double toggle_s)
{
	/* warm-up off and on, the pairs, a closing off-round */
	double ab = (2.0 * cfg->rounds + 3) * (cfg->wl.duration_s + OH_WINDOW_COST_S) +
		    (cfg->rounds + 1) * toggle_s;
	int kinds = __builtin_popcount(cfg->wl.mask & WL_MASK_ALL);
	/* a decomposition round: a background window either side of each
	 * kind alone (decomp_round), and the stats' own cost measured once */
	double dc = cfg->decomp_rounds *
		    (toggle_s + 2 * OH_BG_WINDOW_S +
		     (kinds ? kinds : 1) * (oh_decomp_round_s(&cfg->wl) + OH_WINDOW_COST_S));

	return ab + (cfg->decomp_rounds ? dc + OH_BIAS_S : 0);
}

static int decompose(const struct oh_config *cfg, struct tracer *t, struct oh_result *res,
		     struct wl_result *wr)
{
	struct bpfstats_enable se;
	int err = 0;

	if (!cfg->decomp_rounds) {
		snprintf(res->decomp_why, sizeof(res->decomp_why), "disabled (--decomp-rounds 0)");
		return 0;
	}
	if (!cfg->stats_ok) {
		snprintf(res->decomp_why, sizeof(res->decomp_why),
			 "run-time stats do not work here (see bpfcost doctor)");
		return 0;
	}
	err = bpfstats_enable(&se, false);
	if (err) {
		snprintf(res->decomp_why, sizeof(res->decomp_why), "cannot enable run-time "
			 "stats: %s", strerror(-err));
		return 0;
	}
	res->stats_via = se.via;
	res->stats_were_on = se.was_on;
	/* The stats' own share of run_time_ns, while they are on anyway;
	 * when it cannot be measured IN_BPF stays raw, and says why. */
	if (cfg->bias && cfg->bias->valid) {
		res->bias = *cfg->bias;
	} else {
		progress(cfg, 0, cfg->decomp_rounds, "measuring the run-time stats' own cost");
		sb_measure(&res->bias, SB_DEFAULT_BATCHES, SB_DEFAULT_RUNS);
	}
	for (int r = 0; !err && r < cfg->decomp_rounds; r++) {
		progress(cfg, r + 1, cfg->decomp_rounds, "on, with run-time stats, each kind alone");
		err = decomp_round(cfg, t, res, wr);
	}
	bpfstats_restore(&se);
	/* Programs that never ran are a result (no in-BPF time); no program
	 * to read is not. */
	if (!err && !t->nprogs)
		snprintf(res->decomp_why, sizeof(res->decomp_why), "no BPF program of the tracer "
			 "was found to read");
	res->have_decomp = !err && t->nprogs;
	res->decomp_rounds = cfg->decomp_rounds;
	return err;
}

int oh_bracket_deltas(const double *on, int n_on, const double *off, int n_off, double *d)
{
	int nd = 0;

	for (int i = 0; i < n_on && i + 1 < n_off; i++)
		d[nd++] = on[i] - (off[i] + off[i + 1]) / 2;
	return nd;
}

int oh_aa_deltas(const double *off, int n_off, double *aa)
{
	int naa = 0;

	for (int j = 1; j + 1 < n_off; j += 2)
		aa[naa++] = off[j] - (off[j - 1] + off[j + 1]) / 2;
	return naa;
}

/* Each on-round against the mean of the off-rounds either side of it: the
 * machine's slow drift cancels within a bracket instead of widening the
 * interval. The A/A control is the same with off-rounds: every odd one
 * against its even neighbours. Neighbouring brackets share an off-round
 * (and drift is slow), so the differences are correlated: the interval
 * allows for that (stats_series_mean_ci: a t-interval bounded for lag-1
 * correlation for a few rounds, a block bootstrap for many); an
 * independent resample would be ~15% too narrow. */
static int analyse_kind(struct oh_kind *ok)
{
	double d[ok->n_on], aa[ok->n_off];
	int nd, naa, err;

	nd = oh_bracket_deltas(ok->r_on, ok->n_on, ok->r_off, ok->n_off, d);
	naa = oh_aa_deltas(ok->r_off, ok->n_off, aa);
	err = stats_series_mean_ci(d, (size_t)nd, OH_BOOT_ITERS, OH_LEVEL, OH_SEED, &ok->delta);
	if (!err)
		err = stats_series_mean_ci(aa, (size_t)naa, OH_BOOT_ITERS, OH_LEVEL, OH_SEED + 1,
					   &ok->aa);
	return err;
}

static int decomp_analyse_kind(const struct oh_result *res, struct oh_kind *ok)
{
	int err;

	err = oh_decomp_kind(ok->dc_calls, ok->dc_runs, ok->dc_time_ns, ok->dc_biased_runs,
			     ok->n_dc, &res->bias, &ok->runs_per_call, &ok->in_bpf);
	if (!err)
		oh_rest_ci(&ok->delta, &ok->in_bpf, &ok->rest);
	return err;
}

int oh_agent_cpu(const double *cpu_ns, const double *wall_s, const double *syscalls, int n,
		 uint64_t resolution_ns, struct stats_ci *per_syscall, struct stats_ci *pct)
{
	double per[n > 0 ? n : 1], share[n > 0 ? n : 1], bound_per = 0, bound_pct = 0;
	bool any = false;
	int m = 0, err;

	for (int i = 0; i < n; i++) {
		if (syscalls[i] <= 0 || wall_s[i] <= 0)
			continue;
		per[m] = cpu_ns[i] / syscalls[i];
		share[m] = 100.0 * cpu_ns[i] / (wall_s[i] * 1e9);
		bound_per += (double)resolution_ns / syscalls[i];
		bound_pct += 100.0 * (double)resolution_ns / (wall_s[i] * 1e9);
		any |= cpu_ns[i] > 0;
		m++;
	}
	if (!m)
		return -ENODATA;
	err = stats_t_ci(per, (size_t)m, OH_LEVEL, per_syscall);
	if (!err)
		err = stats_t_ci(share, (size_t)m, OH_LEVEL, pct);
	if (err || any || m < 2)
		return err;
	/* Not one unit in any round: below one unit per round, on average. */
	per_syscall->hi = bound_per / m;
	pct->hi = bound_pct / m;
	per_syscall->method = pct->method = "below one unit of the clock in every round";
	return 0;
}

static int analyse(struct oh_result *res)
{
	int err = 0;

	/* A figure from only the rounds that could be read would be biased. */
	if (res->cpu_why[0])
		res->n_cpu = 0;
	if (res->n_cpu)
		err = oh_agent_cpu(res->cpu_ns, res->cpu_s, res->cpu_syscalls, res->n_cpu,
				   res->cpu_resolution_ns, &res->cpu_per_syscall, &res->cpu_pct);
	if (err == -ENODATA) {
		snprintf(res->cpu_why, sizeof(res->cpu_why), "no on-round made a syscall");
		res->n_cpu = 0;
		err = 0;
	}

	for (int k = 0; !err && k < WL_KIND_COUNT; k++) {
		struct oh_kind *ok = &res->k[k];

		if (!(res->mask & (1u << k)))
			continue;
		if (ok->n_on < 2 || ok->n_off < 3) {
			bc_err("too few rounds with %s calls to compare", wl_kind_name(k));
			return -EINVAL;
		}
		err = analyse_kind(ok);
		if (!err && res->have_decomp)
			err = decomp_analyse_kind(res, ok);
	}
	return err;
}

int oh_decomp_kind(const double *calls, const double *runs, const double *time_ns,
		   const double *biased_runs, int n, const struct sb_bias *bias,
		   struct stats_ci *runs_per_call, struct stats_ci *in_bpf)
{
	bool correct = bias && bias->valid;
	double rpc[n > 0 ? n : 1], ns[n > 0 ? n : 1], brpc = 0;
	int m = 0, err;

	for (int i = 0; i < n; i++) {
		if (calls[i] <= 0)
			continue;	/* a kind that made no call in a round */
		rpc[m] = runs[i] / calls[i];
		ns[m] = (time_ns[i] - (correct ? bias->ns_per_run * biased_runs[i] : 0)) / calls[i];
		brpc += biased_runs[i] / calls[i];
		m++;
	}
	if (!m)
		return -ENODATA;
	brpc /= m;
	err = stats_t_ci(rpc, (size_t)m, OH_LEVEL, runs_per_call);
	if (!err)
		err = stats_t_ci(ns, (size_t)m, OH_LEVEL, in_bpf);
	if (err || !correct || !stats_ci_has_interval(in_bpf) || brpc <= 0)
		return err;
	/* The bias is known to its own interval: so is what it takes out. */
	in_bpf->lo -= brpc * (bias->hi - bias->ns_per_run);
	in_bpf->hi += brpc * (bias->ns_per_run - bias->lo);
	return 0;
}

void oh_rest_ci(const struct stats_ci *added, const struct stats_ci *in_bpf,
		struct stats_ci *rest)
{
	memset(rest, 0, sizeof(*rest));
	rest->point = added->point - in_bpf->point;
	rest->level = added->level;
	rest->n = added->n < in_bpf->n ? added->n : in_bpf->n;
	rest->lo = rest->hi = NAN;
	if (!stats_ci_has_interval(added) || !stats_ci_has_interval(in_bpf))
		return;
	rest->lo = rest->point - hypot(added->point - added->lo, in_bpf->hi - in_bpf->point);
	rest->hi = rest->point + hypot(added->hi - added->point, in_bpf->point - in_bpf->lo);
	rest->method = OH_REST_CI_METHOD;
}

enum oh_nn oh_nonneg(const struct stats_ci *ci)
{
	if (!stats_ci_has_interval(ci))
		return OH_NN_NO_CI;
	if (ci->lo > 0)
		return OH_NN_VALUE;
	if (ci->lo == 0 && ci->hi == 0 && ci->point == 0)
		return OH_NN_NONE;
	if (ci->hi > 0)
		return OH_NN_BELOW;
	return OH_NN_NEGATIVE;
}

int oh_run(const struct oh_config *cfg, struct tracer *t, struct oh_result *res)
{
	struct wl_result *wr = wl_result_new();
	int err;

	memset(res, 0, sizeof(*res));
	res->mask = cfg->wl.mask;
	res->rounds = cfg->rounds;
	res->round_s = cfg->wl.duration_s;
	res->cpu_method = tracer_cpu_method(t);
	res->cpu_resolution_ns = tracer_cpu_resolution_ns(t);
	if (!wr)
		return -ENOMEM;
	err = alloc_rounds(res, cfg->rounds + 1, cfg->decomp_rounds);
	if (!err)
		err = measure(cfg, t, res, wr);
	if (!err)
		err = decompose(cfg, t, res, wr);
	if (!err)
		err = analyse(res);
	res->tracer_starts = t->starts;
	wl_result_free(wr);
	return err;
}

double oh_relative(const struct oh_kind *k)
{
	double off = stats_mean(k->r_off, (size_t)k->n_off);

	return off > 0 ? k->delta.point / off : NAN;
}

bool oh_ci_includes_zero(const struct stats_ci *ci)
{
	/* No interval: nothing shows the effect is real. */
	return !stats_ci_has_interval(ci) || (ci->lo <= 0 && ci->hi >= 0);
}

bool oh_aa_exceeds_effect(const struct oh_kind *k)
{
	return fabs(k->aa.point) >= fabs(k->delta.point);
}
