// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* The exporter's collection: the run-time stats sampler lists the
 * programs (with their identity and counters) on every collection; in
 * sampling mode annotate's session charges cpu-clock samples to JIT
 * images, and the two are joined by id and tag. Gone programs leave the
 * model at once, and the jitmap drops them too, so a host that reloads
 * its agents all day does not grow the exporter. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "common.h"
#include "exporter.h"
#include "idmap.h"
#include "owners.h"
#include "progs.h"

static const char *const mode_names[] = {
	[EX_MODE_STATS] = "stats", [EX_MODE_SAMPLING] = "sampling", [EX_MODE_BOTH] = "both",
};

const char *ex_mode_name(enum ex_mode m)
{
	return m >= EX_MODE_STATS && m <= EX_MODE_BOTH ? mode_names[m] : "unknown";
}

int ex_mode_parse(const char *s, enum ex_mode *out)
{
	int m;

	for (m = EX_MODE_STATS; m <= EX_MODE_BOTH; m++)
		if (!strcmp(s, mode_names[m])) {
			*out = (enum ex_mode)m;
			return 0;
		}
	bc_err("--mode: '%s' is not one of stats, sampling, both", s);
	return -EINVAL;
}

void ex_lock(struct exporter *ex)
{
	pthread_mutex_lock(&ex->lock);
}

void ex_unlock(struct exporter *ex)
{
	pthread_mutex_unlock(&ex->lock);
}

void ex_count_error(struct exporter *ex, enum ex_error kind)
{
	__atomic_fetch_add(&ex->m.errors[kind], 1, __ATOMIC_RELAXED);
}

/* ---- the series cap ---- */

static uint64_t prog_cost(const struct ex_prog *p)
{
	return p->has_stats ? p->run_time_ns : p->sampled_ns;
}

static int by_cost_desc(const void *a, const void *b)
{
	uint64_t x = prog_cost(a), y = prog_cost(b);

	return x < y ? 1 : x > y ? -1 : 0;
}

static int by_id(const void *a, const void *b)
{
	const struct ex_prog *x = a, *y = b;

	return x->id < y->id ? -1 : x->id > y->id;
}

static bool model_has(const struct ex_model *m, uint32_t id)
{
	struct ex_prog key = { .id = id };

	return m->nprogs && bsearch(&key, m->progs, m->nprogs, sizeof(*m->progs), by_id);
}

/* The tail-call series follow the program cap: an edge stays while a kept
 * program is at one end, and at most max edges stay (a PROG_ARRAY may have
 * thousands of slots), in the collector's order. m->progs sorted by id. */
static void tail_calls_cap(struct ex_model *m, size_t max)
{
	size_t i, n = 0;

	for (i = 0; i < m->ntail_calls && n < max; i++) {
		const struct ex_tail_call *t = &m->tail_calls[i];

		if (model_has(m, t->caller_id) || model_has(m, t->callee_id))
			m->tail_calls[n++] = *t;
	}
	m->ntail_calls = n;
}

void ex_model_cap(struct ex_model *m, size_t max)
{
	/* Leaving out the cheapest keeps the series that matter, and the
	 * same ones from scrape to scrape while costs stay apart. */
	if (m->nprogs > max) {
		qsort(m->progs, m->nprogs, sizeof(*m->progs), by_cost_desc);
		m->left_out_total += m->nprogs - max;
		m->nprogs = max;
	}
	if (m->nprogs > 1)	/* progs is NULL while nothing was ever seen */
		qsort(m->progs, m->nprogs, sizeof(*m->progs), by_id);
	tail_calls_cap(m, max);
}

/* ---- one collection ---- */

static struct ex_prog *model_add(struct ex_model *m)
{
	if (m->nprogs == m->cap) {
		size_t cap = m->cap ? m->cap * 2 : 64;
		struct ex_prog *v = realloc(m->progs, cap * sizeof(*v));

		if (!v)
			return NULL;
		m->progs = v;
		m->cap = cap;
	}
	return memset(&m->progs[m->nprogs++], 0, sizeof(struct ex_prog));
}

static int fill_from_stats(struct exporter *ex)
{
	const struct rs_sampler *s = &ex->rs;
	struct ex_model *m = &ex->m;
	size_t i;

	m->nprogs = 0;
	for (i = 0; i < s->n; i++) {
		const struct rs_prog *rp = &s->v[i];
		struct ex_prog *p;

		if (rp->state == RS_GONE)
			continue;
		p = model_add(m);
		if (!p)
			return -ENOMEM;
		p->id = rp->id;
		p->type = rp->type;
		p->load_time = rp->load_time;
		snprintf(p->tag, sizeof(p->tag), "%s", rp->tag);
		snprintf(p->name, sizeof(p->name), "%s", rp->full_name);
		owners_comms(&rp->owners, p->owner_comm, sizeof(p->owner_comm));
		p->has_stats = ex->o.mode & EX_MODE_STATS;
		p->run_cnt = rp->cur.run_cnt;
		p->run_time_ns = rp->cur.run_time_ns;
		p->recursion_misses = rp->cur.recursion_misses;
	}
	m->nloaded = m->nprogs;
	return 0;
}

static int index_model(const struct ex_model *m, struct idmap *ids)
{
	size_t i;
	int err;

	for (i = 0; i < m->nprogs; i++) {
		err = idmap_put(ids, m->progs[i].id, i);
		if (err)
			return err;
	}
	return 0;
}

struct attach_walk {
	struct ex_model *m;
	const struct idmap *ids;
	uint32_t *nlinks;	/* per model program */
};

static void add_attach(uint32_t prog_id, const char *what, void *arg)
{
	struct attach_walk *w = arg;
	size_t i;

	if (!idmap_get(w->ids, prog_id, &i))
		return;
	prog_attach_append(w->m->progs[i].attach, sizeof(w->m->progs[i].attach), w->nlinks[i],
			   what);
	w->nlinks[i]++;
}

static int fill_attach(struct ex_model *m, const struct idmap *ids)
{
	struct attach_walk w = { m, ids, calloc(m->nprogs ? m->nprogs : 1, sizeof(uint32_t)) };

	if (!w.nlinks)
		return -ENOMEM;
	prog_links_walk(add_attach, &w);
	free(w.nlinks);
	return 0;
}

/* The edges of the tail-call graph with a model program at one end. A
 * failure to read the tables leaves the relation out (said once on
 * stderr); the cost figures do not depend on it. */
static int fill_tail_calls(struct exporter *ex, const struct idmap *ids)
{
	const struct tc_graph *g = &ex->tc.g;
	struct ex_model *m = &ex->m;
	size_t i, k, n = 0;
	int err = tc_refresh(&ex->tc);

	m->ntail_calls = 0;
	if (err == -ENOMEM)
		return err;
	if (err) {
		if (!ex->tc_said)
			bc_note("tail-call relations not read: %s", strerror(-err));
		ex->tc_said = true;
		return 0;
	}
	free(m->tail_calls);
	m->tail_calls = calloc(g->n ? g->n : 1, sizeof(*m->tail_calls));
	if (!m->tail_calls)
		return -ENOMEM;
	for (i = 0; i < g->n; i++) {
		const struct tc_edge *e = &g->v[i];

		if (!idmap_get(ids, e->caller, &k) && !idmap_get(ids, e->callee, &k))
			continue;
		m->tail_calls[n++] = (struct ex_tail_call){ e->caller, e->callee, e->map_id, e->slot };
	}
	m->ntail_calls = n;
	return 0;
}

/* The jitmap entry of model program p: same id and same tag. */
static bool same_prog(const struct jm_prog *jp, const struct ex_prog *p)
{
	return jp->id == p->id && !strcmp(jp->tag, p->tag);
}

/* Join the sampled time into the model, and keep the jitmap to exactly
 * the live programs: entries whose program is gone (also when its unload
 * record was lost) are dropped; live programs missing from it (load
 * record lost, or loaded before an_start could read them) are added. */
static int fill_from_samples(struct exporter *ex, const struct idmap *ids)
{
	struct jitmap *jm = &ex->an.map;
	struct ex_model *m = &ex->m;
	struct idmap have = { 0 };
	size_t i, k;
	int err = 0;

	for (i = 0; i < jm->n; i++) {
		struct jm_prog *jp = jm->v[i];

		if (jp->other && !jp->gone)
			continue;	/* not selected: kept for its addresses only */
		if (jp->gone || !idmap_get(ids, jp->id, &k) || !same_prog(jp, &m->progs[k])) {
			jp->gone = true;
			continue;
		}
		m->progs[k].has_samples = true;
		m->progs[k].sampled_ns = jp->period;
		m->progs[k].samples = jp->samples;
		err = idmap_put(&have, jp->id, k);
		if (err)
			goto out;
	}
	jm_drop_gone(jm);
	for (k = 0; k < m->nprogs; k++) {
		struct ex_prog *p = &m->progs[k];

		if (idmap_get(&have, p->id, &i) || idmap_get(&ex->unsampled, p->id, &i))
			continue;
		err = jm_add_id(jm, p->id);
		if (err == -ENOMEM)
			goto out;
		if (err == 0) {
			p->has_samples = true;	/* from now on, from zero */
			continue;
		}
		/* Not JITed or addresses withheld: do not ask again. */
		err = idmap_put(&ex->unsampled, p->id, 0);
		if (err)
			goto out;
	}
	m->samples = ex->an.samples;
	m->samples_lost = ex->an.lost;
	m->samples_outside = ex->an.other;
out:
	idmap_free(&have);
	return err;
}

/* Forget unsampleable ids whose program is gone: the id may come back. */
static int prune_unsampled(struct exporter *ex, const struct idmap *ids)
{
	struct idmap keep = { 0 };
	size_t i, v;
	int err;

	for (i = 0; i < ex->unsampled.cap; i++) {
		uint32_t id = ex->unsampled.keys[i];

		if (!id || !idmap_get(ids, id, &v))
			continue;
		err = idmap_put(&keep, id, 0);
		if (err) {
			idmap_free(&keep);
			return err;
		}
	}
	idmap_free(&ex->unsampled);
	ex->unsampled = keep;
	return 0;
}

static int collect(struct exporter *ex)
{
	struct idmap ids = { 0 };
	int err;

	err = rs_sample(&ex->rs);
	if (err)
		return err;
	if (ex->sampling)
		an_drain(&ex->an_s);
	err = fill_from_stats(ex);
	if (!err)
		err = index_model(&ex->m, &ids);
	if (!err)
		err = fill_attach(&ex->m, &ids);
	if (!err)
		err = fill_tail_calls(ex, &ids);
	if (!err && ex->sampling)
		err = prune_unsampled(ex, &ids);
	if (!err && ex->sampling)
		err = fill_from_samples(ex, &ids);
	idmap_free(&ids);
	if (!err)
		ex_model_cap(&ex->m, ex->o.max_programs);
	return err;
}

int ex_collect(struct exporter *ex, double min_age_s)
{
	uint64_t t0 = bc_now_ns();
	int err;

	if (ex->last_collect_ns && t0 - ex->last_collect_ns < (uint64_t)(min_age_s * 1e9))
		return 0;
	err = collect(ex);
	if (err) {
		ex_count_error(ex, EX_ERR_COLLECT);
		return err;
	}
	ex->last_collect_ns = bc_now_ns();
	ex->m.collect_s = (double)(ex->last_collect_ns - t0) / 1e9;
	return 0;
}

void ex_drain(struct exporter *ex)
{
	if (!ex->sampling)
		return;
	ex_lock(ex);
	an_drain(&ex->an_s);
	ex_unlock(ex);
}

/* ---- life cycle ---- */

static int open_sampling(struct exporter *ex)
{
	int err;

	ex->an_o = (struct an_opts){
		.ids = ex->o.ids, .nids = ex->o.nids, .top = !ex->o.ids,
		.freq = ex->o.freq, .event = SMP_EVENT_CPU_CLOCK, .detail = false,
	};
	err = an_start(&ex->an_o, &ex->an, &ex->an_s);
	if (err)
		return err;
	ex->sampling = true;
	return 0;
}

int ex_open(struct bc_ctx *ctx, struct exporter *ex, const struct ex_opts *o)
{
	/* The stats' own share of run_time_ns is measured (statsbias.h) when
	 * stats are held, and exported as a gauge so a dashboard can subtract
	 * runs * bias from run_time. */
	struct rs_loop_opts rso = { .reader = RS_READER_AUTO,
				    .no_correction = !(o->mode & EX_MODE_STATS),
				    .owners = true };
	int err;

	memset(ex, 0, sizeof(*ex));
	pthread_mutex_init(&ex->lock, NULL);
	ex->o = *o;
	ex->m.mode = o->mode;
	if (o->mode & EX_MODE_STATS) {
		err = bpfstats_enable(&ex->se, false);
		if (err) {
			bc_err("cannot enable BPF run-time stats: %s", strerror(-err));
			return err;
		}
		ex->stats_held = true;
	}
	/* The sampler lists the programs in every mode; without stats held
	 * its counters are simply not exported. */
	err = rs_start(ctx, &ex->rs, &rso, o->ids, o->nids);
	if (err)
		return err;
	if (ex->stats_held) {
		ex->m.bias.known = ex->rs.bias.valid;
		ex->m.bias.per_run_s = ex->rs.bias.ns_per_run / 1e9;
		ex->m.bias.lo_s = ex->rs.bias.lo / 1e9;
		ex->m.bias.hi_s = ex->rs.bias.hi / 1e9;
	}
	if (o->mode & EX_MODE_SAMPLING) {
		err = open_sampling(ex);
		if (err)
			return err;
	}
	ex->m.stats_via = bpfstats_via_name(ex->stats_held ? ex->se.via : BPFSTATS_VIA_NONE);
	ex->m.reader = rs_reader_name(ex->rs.reader);
	ex->m.freq = ex->sampling ? o->freq : 0;
	ex_lock(ex);
	err = ex_collect(ex, 0);
	ex_unlock(ex);
	return err;
}

void ex_close(struct exporter *ex)
{
	if (ex->sampling)
		an_stop(&ex->an_s);
	ex->sampling = false;
	an_result_free(&ex->an);
	if (ex->stats_held)
		bpfstats_restore(&ex->se);
	ex->stats_held = false;
	rs_free(&ex->rs);
	idmap_free(&ex->unsampled);
	tc_collector_free(&ex->tc);
	free(ex->m.progs);
	free(ex->m.tail_calls);
	pthread_mutex_destroy(&ex->lock);
	memset(ex, 0, sizeof(*ex));
}
