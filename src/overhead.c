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
#include "common.h"
#include "overhead.h"
#include "progs.h"

#define OH_SEED 0x6270666373747473ULL

enum round_kind { ROUND_OFF, ROUND_ON };

static int alloc_rounds(struct oh_result *res, int rounds)
{
	for (int k = 0; k < WL_KIND_COUNT; k++) {
		struct oh_kind *ok = &res->k[k];

		hist_init(&ok->off);
		hist_init(&ok->on);
		ok->r_on = calloc((size_t)rounds, sizeof(double));
		ok->r_off = calloc((size_t)rounds, sizeof(double));
		if (!ok->r_on || !ok->r_off)
			return -ENOMEM;
	}
	return 0;
}

void oh_result_free(struct oh_result *res)
{
	for (int k = 0; k < WL_KIND_COUNT; k++) {
		free(res->k[k].r_on);
		free(res->k[k].r_off);
		res->k[k].r_on = res->k[k].r_off = NULL;
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

/* The tracer's programs' run-time stats counters, summed (0 while stats
 * are off). */
struct prog_totals {
	uint64_t runs, time_ns, at_ns;
};

static void read_totals(const struct tracer *t, struct prog_totals *pt)
{
	uint64_t cnt, ns;

	memset(pt, 0, sizeof(*pt));
	for (int i = 0; i < t->nprogs; i++) {
		if (prog_counters(t->prog_ids[i], &cnt, &ns))
			continue;	/* gone: the tracer unloaded it */
		pt->runs += cnt;
		pt->time_ns += ns;
	}
	pt->at_ns = bc_now_ns();
}

static int run_round(const struct oh_config *cfg, struct tracer *t, struct oh_result *res,
		     struct wl_result *wr, bool on)
{
	struct prog_totals before = { 0 }, after;
	int err = 0;

	if (on) {
		err = tracer_on(t);
		read_totals(t, &before);
	}
	if (!err)
		err = wl_run(&cfg->wl, wr);
	if (!err && wr->stopped)
		err = -EINTR;
	if (on) {
		/* We keep stats off during A/B rounds; if the counters move,
		 * another process holds them on and every run pays for them. */
		read_totals(t, &after);
		res->ab_counted_runs += after.runs - before.runs;
		tracer_off(t);
	}
	return err;
}

/* Who held run-time stats on while we measured, for the report. */
static void find_stats_holders(struct oh_result *res)
{
	int on = 0;

	if (!res->ab_counted_runs)
		return;
	res->stats_sysctl_on = stats_sysctl_read(&on) == 0 && on == 1;
	res->n_stats_holders = stats_fd_holders(res->stats_holders, OH_MAX_HOLDERS);
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

	progress(cfg, 1, total, "warm-up off");
	err = run_round(cfg, t, res, wr, false);
	progress(cfg, 2, total, "warm-up on");
	if (!err)
		err = run_round(cfg, t, res, wr, true);
	for (int r = 0; !err && r < cfg->rounds; r++) {
		progress(cfg, 3 + 2 * r, total, (r & 1) ? "off (B)" : "off (A)");
		err = run_round(cfg, t, res, wr, false);
		if (!err) {
			record_round(res, wr, ROUND_OFF);
			progress(cfg, 4 + 2 * r, total, "on");
			err = run_round(cfg, t, res, wr, true);
		}
		if (!err) {
			record_round(res, wr, ROUND_ON);
			res->tracer_progs = t->nprogs;
		}
	}
	/* A closing off-round, so every on-round has an off-round each side. */
	progress(cfg, total, total, "off (closing)");
	if (!err)
		err = run_round(cfg, t, res, wr, false);
	if (!err)
		record_round(res, wr, ROUND_OFF);
	find_stats_holders(res);
	return err;
}

#define OH_BG_WINDOW_S 0.25

/* One on-round with run-time stats. The programs also run for every other
 * process's syscalls, so first watch them for a moment with no workload:
 * that background rate, taken out of the workload window, leaves the runs
 * our syscalls caused. */
static int decomp_round(const struct oh_config *cfg, struct tracer *t, struct oh_result *res,
			struct wl_result *wr)
{
	struct wl_config wl = cfg->wl;
	struct prog_totals p0, p1, p2;
	double bg_rate, wl_runs;
	int err;

	wl.duration_s = oh_decomp_round_s(&cfg->wl);

	err = tracer_on(t);
	if (err)
		return err;
	read_totals(t, &p0);
	if (bc_sleep_interruptible(OH_BG_WINDOW_S))
		err = -EINTR;
	read_totals(t, &p1);
	if (!err)
		err = wl_run(&wl, wr);
	if (!err && wr->stopped)
		err = -EINTR;
	read_totals(t, &p2);
	tracer_off(t);
	if (err)
		return err;
	bg_rate = (double)(p1.runs - p0.runs) / ((double)(p1.at_ns - p0.at_ns) / 1e9);
	wl_runs = (double)(p2.runs - p1.runs) - bg_rate * (double)(p2.at_ns - p1.at_ns) / 1e9;
	res->bpf_runs += p2.runs - p1.runs;
	res->bpf_time_ns += p2.time_ns - p1.time_ns;
	res->bpf_wl_runs += wl_runs > 0 ? wl_runs : 0;
	res->bg_runs_per_s += bg_rate / cfg->decomp_rounds;
	res->wl_syscalls += wr->total_syscalls;
	return 0;
}

double oh_decomp_round_s(const struct wl_config *wl)
{
	/* Short A/B rounds are right for drift, but a decomposition round
	 * compares its workload window with a background window of
	 * OH_BG_WINDOW_S: keep the two of similar length. */
	return wl->duration_s > OH_BG_WINDOW_S ? wl->duration_s : OH_BG_WINDOW_S;
}

int oh_default_decomp_rounds(const struct oh_config *cfg)
{
	/* A quarter of the on-rounds' workload time, at least 2 rounds. */
	double on_s = cfg->rounds * cfg->wl.duration_s;
	int n = (int)ceil(on_s / 4 / oh_decomp_round_s(&cfg->wl));

	return n > 2 ? n : 2;
}

double oh_expected_s(const struct oh_config *cfg, double toggle_s)
{
	/* warm-up off and on, the pairs, a closing off-round */
	double ab = (2.0 * cfg->rounds + 3) * cfg->wl.duration_s + (cfg->rounds + 1) * toggle_s;
	double dc = cfg->decomp_rounds *
		    (toggle_s + OH_BG_WINDOW_S + oh_decomp_round_s(&cfg->wl));

	return ab + dc;
}

static int decompose(const struct oh_config *cfg, struct tracer *t, struct oh_result *res,
		     struct wl_result *wr)
{
	struct stats_enable se;
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
	err = stats_enable(&se, false);
	if (err) {
		snprintf(res->decomp_why, sizeof(res->decomp_why), "cannot enable run-time "
			 "stats: %s", strerror(-err));
		return 0;
	}
	res->stats_via = se.via;
	res->stats_were_on = se.was_on;
	for (int r = 0; !err && r < cfg->decomp_rounds; r++) {
		progress(cfg, r + 1, cfg->decomp_rounds, "on, with run-time stats");
		err = decomp_round(cfg, t, res, wr);
	}
	stats_restore(&se);
	if (!err && !res->bpf_runs)
		snprintf(res->decomp_why, sizeof(res->decomp_why), "the tracer's programs did not "
			 "run during the workload");
	res->have_decomp = !err && res->bpf_runs;
	res->decomp_rounds = cfg->decomp_rounds;
	return err;
}

/* Each on-round against the mean of the off-rounds either side of it: the
 * machine's slow drift cancels within a bracket instead of widening the
 * interval. The A/A control is the same with off-rounds: every odd one
 * against its even neighbours. Neighbouring brackets share an off-round
 * (and drift is slow), so the differences are correlated: the interval
 * comes from a block bootstrap, which keeps runs of neighbours together;
 * an independent resample would be ~15% too narrow. */
static int analyse_kind(struct oh_kind *ok, unsigned syscalls_per_call, double bpf_per_syscall)
{
	double d[ok->n_on], aa[ok->n_off];
	int nd = 0, naa = 0, err;

	for (int i = 0; i < ok->n_on && i + 1 < ok->n_off; i++)
		d[nd++] = ok->r_on[i] - (ok->r_off[i] + ok->r_off[i + 1]) / 2;
	for (int j = 1; j + 1 < ok->n_off; j += 2)
		aa[naa++] = ok->r_off[j] - (ok->r_off[j - 1] + ok->r_off[j + 1]) / 2;
	err = stats_block_bootstrap_ci(d, (size_t)nd, stats_block_len((size_t)nd), stats_mean,
				       OH_BOOT_ITERS, OH_LEVEL, OH_SEED, &ok->delta);
	if (!err)
		err = stats_block_bootstrap_ci(aa, (size_t)naa, stats_block_len((size_t)naa),
					       stats_mean, OH_BOOT_ITERS, OH_LEVEL, OH_SEED + 1,
					       &ok->aa);
	ok->bpf_ns = bpf_per_syscall * syscalls_per_call;
	return err;
}

static int analyse(struct oh_result *res)
{
	double bpf_per_syscall = 0;
	int err = 0;

	/* ns per run times the runs our syscalls caused, per syscall. */
	if (res->have_decomp)
		bpf_per_syscall = (double)res->bpf_time_ns / (double)res->bpf_runs *
				  res->bpf_wl_runs / (double)res->wl_syscalls;
	for (int k = 0; !err && k < WL_KIND_COUNT; k++) {
		struct oh_kind *ok = &res->k[k];

		if (!(res->mask & (1u << k)))
			continue;
		if (ok->n_on < 2 || ok->n_off < 3) {
			bc_err("too few rounds with %s calls to compare", wl_kind_name(k));
			return -EINVAL;
		}
		err = analyse_kind(ok, wl_kind_syscalls(k), bpf_per_syscall);
	}
	return err;
}

int oh_run(const struct oh_config *cfg, struct tracer *t, struct oh_result *res)
{
	struct wl_result *wr = wl_result_new();
	int err;

	memset(res, 0, sizeof(*res));
	res->mask = cfg->wl.mask;
	res->rounds = cfg->rounds;
	res->round_s = cfg->wl.duration_s;
	if (!wr)
		return -ENOMEM;
	err = alloc_rounds(res, cfg->rounds + 1);
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
	return ci->lo <= 0 && ci->hi >= 0;
}

bool oh_aa_exceeds_effect(const struct oh_kind *k)
{
	return fabs(k->aa.point) >= fabs(k->delta.point);
}
