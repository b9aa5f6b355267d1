// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Two tracer versions in interleaved blocks (see compare.h). The round
 * figure is overhead's (OH_ROUND_*: the interquartile mean of the calls),
 * so compare's "added" means what overhead's does. */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "common.h"
#include "bpfstats.h"
#include "compare.h"
#include "overhead.h"
#include "progs.h"

#define CMP_STATS_ROUND_MIN_S 0.25

static int alloc_rounds(struct cmp_result *res, int blocks)
{
	res->order = calloc((size_t)blocks * 2 + 1, 1);
	if (!res->order)
		return -ENOMEM;
	for (int k = 0; k < WL_KIND_COUNT; k++) {
		res->k[k].r_on = calloc((size_t)blocks * 2, sizeof(double));
		res->k[k].r_off = calloc((size_t)blocks * 2 + 1, sizeof(double));
		if (!res->k[k].r_on || !res->k[k].r_off)
			return -ENOMEM;
	}
	return 0;
}

void cmp_result_free(struct cmp_result *res)
{
	for (int k = 0; k < WL_KIND_COUNT; k++) {
		free(res->k[k].r_on);
		free(res->k[k].r_off);
		res->k[k].r_on = res->k[k].r_off = NULL;
	}
	free(res->order);
	res->order = NULL;
	cmp_lines_free(&res->lines);
}

static void record_round(struct cmp_result *res, const struct wl_result *wr, bool on)
{
	for (int k = 0; k < WL_KIND_COUNT; k++) {
		struct cmp_kind *ck = &res->k[k];
		const struct hist *h = &wr->k[k].lat;
		double v;

		if (!(res->mask & (1u << k)))
			continue;
		v = h->count ? hist_range_mean(h, OH_ROUND_LO_PCT, OH_ROUND_HI_PCT) : NAN;
		if (on)
			ck->r_on[ck->n_on++] = v;
		else
			ck->r_off[ck->n_off++] = v;
	}
}

/* One round: t NULL for an off-round. */
static int run_round(const struct cmp_config *cfg, struct tracer *t, struct wl_result *wr)
{
	int err = t ? tracer_on(t) : 0;

	if (!err)
		err = wl_run(&cfg->wl, wr);
	if (!err && wr->stopped)
		err = -EINTR;
	if (t)
		tracer_off(t);
	return err;
}

static void progress(const struct cmp_config *cfg, int i, int total, const char *what)
{
	if (cfg->progress)
		cfg->progress(i, total, what, cfg->progress_arg);
}

static int measure(const struct cmp_config *cfg, struct tracer *t[2], struct cmp_result *res,
		   struct wl_result *wr)
{
	int total = 4 * cfg->blocks + 4, i = 0, err;
	uint64_t rng = cfg->seed;

	/* Warm-up: each state once, so neither version pays the first start. */
	progress(cfg, ++i, total, "warm-up off");
	err = run_round(cfg, NULL, wr);
	for (int v = 0; v < 2 && !err; v++) {
		progress(cfg, ++i, total, v ? "warm-up B" : "warm-up A");
		err = run_round(cfg, t[v], wr);
	}
	for (int blk = 0; !err && blk < cfg->blocks; blk++) {
		int first = (int)(stats_rand_next(&rng) & 1);

		for (int j = 0; !err && j < 2; j++) {
			int v = j ? !first : first;

			progress(cfg, ++i, total, "off");
			err = run_round(cfg, NULL, wr);
			if (err)
				break;
			record_round(res, wr, false);
			progress(cfg, ++i, total, v ? "B" : "A");
			err = run_round(cfg, t[v], wr);
			if (!err) {
				record_round(res, wr, true);
				res->order[2 * blk + j] = v ? 'B' : 'A';
			}
		}
	}
	progress(cfg, total, total, "off (closing)");
	if (!err)
		err = run_round(cfg, NULL, wr);
	if (!err)
		record_round(res, wr, false);
	return err;
}

int cmp_analyse_kind(struct cmp_kind *k, const char *order, uint64_t seed)
{
	int nblk = k->n_on / 2, n = 0, naa = 0, err;
	double da[nblk > 0 ? nblk : 1], db[nblk > 0 ? nblk : 1], dd[nblk > 0 ? nblk : 1];
	double aa[k->n_off > 0 ? k->n_off : 1];

	if (k->n_off != k->n_on + 1 || nblk < 3 || strlen(order) < (size_t)k->n_on)
		return -EINVAL;
	k->off_ns = 0;
	for (int i = 0; i < k->n_off; i++)
		k->off_ns += k->r_off[i] / k->n_off;
	for (int blk = 0; blk < nblk; blk++) {
		double d[2] = { 0, 0 };
		bool ok = true;

		for (int j = 0; j < 2; j++) {
			int i = 2 * blk + j;

			d[order[i] == 'B'] = k->r_on[i] - (k->r_off[i] + k->r_off[i + 1]) / 2;
			ok = ok && isfinite(d[order[i] == 'B']);
		}
		if (!ok || order[2 * blk] == order[2 * blk + 1])
			continue;	/* a round without calls of this kind */
		da[n] = d[0];
		db[n] = d[1];
		dd[n++] = d[1] - d[0];
	}
	for (int j = 1; j + 1 < k->n_off; j += 2)
		aa[naa++] = k->r_off[j] - (k->r_off[j - 1] + k->r_off[j + 1]) / 2;
	if (n < 3 || !isfinite(k->off_ns))
		return -EINVAL;
	/* Neighbouring blocks share an off-round: the series CI (a block
	 * bootstrap, or a lag-1-bounded t-interval for few blocks). */
	err = stats_series_mean_ci(da, (size_t)n, CMP_BOOT_ITERS, CMP_LEVEL, seed, &k->a);
	if (!err)
		err = stats_series_mean_ci(db, (size_t)n, CMP_BOOT_ITERS, CMP_LEVEL, seed + 1, &k->b);
	if (!err)
		err = stats_series_mean_ci(dd, (size_t)n, CMP_BOOT_ITERS, CMP_LEVEL, seed + 2,
					   &k->diff);
	if (!err)
		err = stats_series_mean_ci(aa, (size_t)naa, CMP_BOOT_ITERS, CMP_LEVEL, seed + 3,
					   &k->aa);
	return err;
}

/* --- per-program figures from stats rounds --- */

struct attach_find {
	struct cmp_prog *p;
	uint32_t id;
	uint32_t nlinks;
};

static void find_attach(uint32_t prog_id, const char *attach, void *arg)
{
	struct attach_find *af = arg;

	if (prog_id == af->id)
		prog_attach_append(af->p->attach, sizeof(af->p->attach), af->nlinks++, attach);
}

bool cmp_prog_same(const char *name_a, const char *attach_a, const char *name_b,
		   const char *attach_b)
{
	return !strcmp(name_a, name_b) && !strcmp(attach_a, attach_b);
}

int cmp_prog_key(uint32_t id, struct cmp_prog *p)
{
	struct prog_desc d;
	struct attach_find af = { .p = p, .id = id };
	int err = prog_describe(id, &d);

	if (err)
		return err;
	snprintf(p->name, sizeof(p->name), "%s", d.full_name);
	p->type = d.type;
	prog_links_walk(find_attach, &af);
	prog_perf_events_walk(find_attach, &af);
	return 0;
}

/* The side's entry for program id (matched by name and attach point, as a
 * restarted command loads new ids each round), added when new. */
static struct cmp_prog *side_prog(struct cmp_side *s, uint32_t id)
{
	struct cmp_prog p = { 0 };

	if (cmp_prog_key(id, &p))
		return NULL;
	for (int i = 0; i < s->nprogs; i++)
		if (cmp_prog_same(s->progs[i].name, s->progs[i].attach, p.name, p.attach))
			return &s->progs[i];
	if (s->nprogs == CMP_MAX_PROGS)
		return NULL;
	s->progs[s->nprogs] = p;
	return &s->progs[s->nprogs++];
}

static int stats_round(const struct cmp_config *cfg, struct tracer *t, struct cmp_side *s,
		       struct wl_result *wr)
{
	struct wl_config wl = cfg->wl;
	struct cmp_prog *p[TRACER_MAX_PROGS];
	uint64_t c0[TRACER_MAX_PROGS], n0[TRACER_MAX_PROGS], t0, c, n;
	double wall;
	int err;

	if (wl.duration_s < CMP_STATS_ROUND_MIN_S)
		wl.duration_s = CMP_STATS_ROUND_MIN_S;
	err = tracer_on(t);
	if (err)
		return err;
	for (int i = 0; i < t->nprogs; i++) {
		p[i] = side_prog(s, t->prog_ids[i]);
		if (prog_counters(t->prog_ids[i], &c0[i], &n0[i]))
			p[i] = NULL;
	}
	t0 = bc_now_ns();
	err = wl_run(&wl, wr);
	if (!err && wr->stopped)
		err = -EINTR;
	wall = (double)(bc_now_ns() - t0) / 1e9;
	for (int i = 0; !err && i < t->nprogs; i++) {
		if (!p[i] || prog_counters(t->prog_ids[i], &c, &n))
			continue;
		p[i]->runs += c - c0[i];
		p[i]->time_ns += n - n0[i];
		p[i]->wall_s += wall;
	}
	s->wl_calls += wr->total_calls;
	tracer_off(t);
	return err;
}

static void correct_side(const struct sb_bias *bias, struct cmp_side *s)
{
	for (int i = 0; i < s->nprogs; i++) {
		struct cmp_prog *p = &s->progs[i];

		sb_correct(bias, sb_applies(p->type, strstr(p->attach, "raw_tp") != NULL),
			   p->runs, p->time_ns, p->wall_s > 0 ? p->wall_s : 1.0, &p->corr);
	}
}

static int per_program(const struct cmp_config *cfg, struct tracer *t[2], struct cmp_result *res,
		       struct wl_result *wr)
{
	struct bpfstats_enable se;
	int err, total = 2 * cfg->stats_rounds, i = 0;

	if (!cfg->stats_rounds || !cfg->stats_ok) {
		snprintf(res->stats_why, sizeof(res->stats_why), "%s", !cfg->stats_rounds ?
			 "disabled (--stats-rounds 0)" :
			 "run-time stats do not work here (see bpfcost doctor)");
		return 0;
	}
	err = bpfstats_enable(&se, false);
	if (err) {
		snprintf(res->stats_why, sizeof(res->stats_why), "cannot enable run-time stats: %s",
			 strerror(-err));
		return 0;
	}
	if (sb_measure(&res->bias, SB_DEFAULT_BATCHES, SB_DEFAULT_RUNS))
		res->bias.valid = false;	/* figures stay raw; bias.why says why */
	/* A and B alternate here too, so slow drift touches both alike. */
	for (int r = 0; !err && r < cfg->stats_rounds; r++)
		for (int v = 0; !err && v < 2; v++) {
			progress(cfg, ++i, total, v ? "B, with run-time stats" :
				 "A, with run-time stats");
			err = stats_round(cfg, t[v], &res->side[v], wr);
		}
	bpfstats_restore(&se);
	for (int v = 0; v < 2; v++)
		correct_side(&res->bias, &res->side[v]);
	res->have_stats = !err && (res->side[0].nprogs || res->side[1].nprogs);
	if (!err && !res->have_stats)
		snprintf(res->stats_why, sizeof(res->stats_why), "no program of either version "
			 "was seen");
	return err;
}

int cmp_run(const struct cmp_config *cfg, struct tracer *a, struct tracer *b,
	    struct cmp_result *res)
{
	struct tracer *t[2] = { a, b };
	struct wl_result *wr = wl_result_new();
	int err;

	memset(res, 0, sizeof(*res));
	res->mask = cfg->wl.mask;
	res->blocks = cfg->blocks;
	res->round_s = cfg->wl.duration_s;
	res->seed = cfg->seed;
	if (!wr)
		return -ENOMEM;
	err = alloc_rounds(res, cfg->blocks);
	if (!err)
		err = measure(cfg, t, res, wr);
	if (!err)
		err = per_program(cfg, t, res, wr);
	if (!err)
		err = cmp_lines_run(cfg, t, &res->lines);
	for (int k = 0; !err && k < WL_KIND_COUNT; k++) {
		if (!(res->mask & (1u << k)))
			continue;
		err = cmp_analyse_kind(&res->k[k], res->order, cfg->seed);
		if (err == -EINVAL)
			bc_err("too few blocks with %s calls to compare", wl_kind_name(k));
	}
	wl_result_free(wr);
	return err;
}

/* --- verdicts --- */

/* Plain decimal digits with at most one '.', above 0 and at most max. */
static bool threshold_number(const char *s, double max, double *out)
{
	int digits = 0, dots = 0;
	const char *c;

	for (c = s; *c; c++) {
		if (*c >= '0' && *c <= '9')
			digits++;
		else if (*c == '.' && !dots++)
			continue;
		else
			return false;
	}
	if (!digits)
		return false;
	*out = strtod(s, NULL);
	return *out > 0 && *out <= max;
}

int cmp_threshold_parse(const char *arg, struct cmp_threshold *t)
{
	size_t len = strlen(arg);
	char num[64];

	memset(t, 0, sizeof(*t));
	if (len && arg[len - 1] == '%') {
		t->pct = true;
		len--;
	} else if (len > 2 && !strcmp(arg + len - 2, "ns")) {
		len -= 2;
	}
	if (!len || len >= sizeof(num)) {
		bc_err("--fail-if-slower: '%s' is not PCT%% or NS (e.g. 10%% or 25ns)", BC_ESC(arg));
		return -EINVAL;
	}
	memcpy(num, arg, len);
	num[len] = '\0';
	if (!threshold_number(num, t->pct ? 1e6 : 1e9, &t->value)) {
		bc_err("invalid --fail-if-slower '%s': expected a number above 0 and at most %s, "
		       "as PCT%% or NS (e.g. 10%% or 25ns)", BC_ESC(arg),
		       t->pct ? "1000000%" : "1000000000 ns");
		return -EINVAL;
	}
	t->set = true;
	return 0;
}

const char *cmp_call_name(enum cmp_call c)
{
	return c == CMP_SLOWER ? "slower" : c == CMP_FASTER ? "faster" : "same";
}

void cmp_verdict_make(const struct stats_ci *diff, double a_ns, const struct cmp_threshold *t,
		      struct cmp_verdict *v)
{
	memset(v, 0, sizeof(*v));
	if (diff->lo > 0)
		v->call = CMP_SLOWER;
	else if (diff->hi < 0)
		v->call = CMP_FASTER;
	else
		v->call = CMP_SAME;
	v->bound = fmax(fabs(diff->lo), fabs(diff->hi));
	v->threshold_ns = NAN;
	if (!t || !t->set)
		return;
	/* A percentage of A's own added cost; A adding nothing measurable
	 * leaves no base for a percentage, so any slowdown counts then. */
	v->threshold_ns = t->pct ? fmax(a_ns, 0) * t->value / 100 : t->value;
	v->fails = v->call == CMP_SLOWER && diff->lo > v->threshold_ns;
}

void cmp_diff_independent(const struct stats_ci *a, const struct stats_ci *b,
			  struct stats_ci *out)
{
	double d = b->point - a->point;

	out->point = d;
	out->lo = d - hypot(b->point - b->lo, a->hi - a->point);
	out->hi = d + hypot(b->hi - b->point, a->point - a->lo);
	out->level = a->level;
	out->method = "MOVER from two saved intervals";
	out->n = a->n < b->n ? a->n : b->n;
}
