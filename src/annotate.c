// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* The instruction-level method: sampling attributed to JITed BPF code. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>
#include <capstone/capstone.h>
#include "annotate.h"
#include "common.h"
#include "idmap.h"
#include "kfeatures.h"

#define AN_DRAIN_S 0.05	/* drain every 50 ms: rings hold ~0.4 s at 4 kHz */
#define AN_CHECK_NS 1000000000ull	/* look for missed loads/unloads every 1 s */

int an_resolve_event(struct bc_ctx *ctx, enum smp_event req, enum smp_event *out)
{
	const struct feature_result *cycles;

	/* cpu-clock needs no question: only auto and cycles probe. */
	if (req == SMP_EVENT_CPU_CLOCK) {
		*out = req;
		return 0;
	}
	cycles = bc_feature(ctx, FEAT_PERF_CYCLES);
	if (req == SMP_EVENT_AUTO) {
		*out = cycles && cycles->ok ? SMP_EVENT_CYCLES : SMP_EVENT_CPU_CLOCK;
		return 0;
	}
	if (!cycles || !cycles->ok) {
		bc_err("--event cycles does not work here (%s); --event cpu-clock does",
		       cycles ? cycles->detail : "feature probe failed");
		return -EOPNOTSUPP;
	}
	*out = SMP_EVENT_CYCLES;
	return 0;
}

/* Add program id, reported or (other) as other BPF code: 1 when added, 0
 * when it went meanwhile or cannot be read (counted once, not asked
 * again), -ENOMEM. */
static int add_prog(struct an_session *st, uint32_t id, bool other)
{
	struct an_result *r = st->r;
	size_t v;
	int err;

	if (idmap_get(&st->unreadable, id, &v))
		return 0;
	err = other ? jm_add_other(&r->map, id) : jm_add_id(&r->map, id);
	if (err == -ENOMEM || err == -ENOENT)
		return err == -ENOENT ? 0 : err;
	if (err) {
		r->load_failed++;
		return idmap_put(&st->unreadable, id, 0);
	}
	return 1;
}

/* Every loaded program the map lacks, added as the mode wants: with
 * --top every program is reported, with PROG the rest is other BPF code
 * (its addresses are kept so its samples are not taken for the kernel's).
 * live, when given, gets every loaded id; *added counts the ones added. */
static int add_missing(struct an_session *st, struct idmap *live, uint64_t *added)
{
	uint32_t id = 0;
	int err = 0;

	while (err >= 0 && !bpf_prog_get_next_id(id, &id)) {
		if (live && idmap_put(live, id, 0))
			return -ENOMEM;
		if (jm_find_id(&st->r->map, id))
			continue;
		err = add_prog(st, id, !st->o->top);
		if (err > 0 && added)
			(*added)++;
	}
	return err < 0 ? err : 0;
}

static int add_selected(const struct an_opts *o, struct an_result *r)
{
	size_t i;
	int err;

	for (i = 0; i < o->nids; i++) {
		err = jm_add_id(&r->map, o->ids[i]);
		if (err == -ENODATA || err == -EPERM) {
			bc_err("program id %u: no JIT image or addresses (%s): is the JIT on and "
			       "kptr_restrict permissive?", o->ids[i], strerror(-err));
			return err;
		}
		if (err) {
			bc_err("program id %u: %s", o->ids[i], strerror(-err));
			return err;
		}
	}
	return 0;
}

/* Read the tail-call relations now and merge them into r->tail: once at
 * the start and once at the end, so programs of either moment count. A
 * failure leaves the relations out (tail_ok false, tail_err why); only
 * running out of memory stops the run. */
static int read_tail_calls(struct an_result *r, bool first)
{
	struct tc_collector tc = { 0 };
	int err = tc_refresh(&tc);

	if (!err)
		err = tc_graph_merge(&r->tail, &tc.g);
	tc_collector_free(&tc);
	if (err == -ENOMEM)
		return err;
	if (first)
		r->tail_ok = !err;
	else if (err)
		r->tail_ok = false;
	if (err)
		r->tail_err = err;
	return 0;
}

/* With a selection: the programs the selected ones tail-call run inside
 * them, so their code is part of what is annotated. */
static int add_callees(const struct an_opts *o, struct an_result *r)
{
	struct tc_ids reach = { 0 };
	size_t i, j;
	int err = 0;

	for (i = 0; i < o->nids && !err; i++) {
		err = tc_reach(&r->tail, o->ids[i], &reach);
		for (j = 0; j < reach.n && !err; j++) {
			if (jm_find_id(&r->map, reach.v[j]))
				continue;
			err = jm_add_id(&r->map, reach.v[j]);
			if (err == -ENOENT || err == -ENODATA || err == -EPERM) {
				r->load_failed++;	/* gone, or no image to read */
				err = 0;
			}
		}
	}
	tc_ids_free(&reach);
	return err;
}

/* The innermost BPF frame of a sample: the ip itself, else the first
 * return address in a program (minus one: the call instruction). */
static struct jm_prog *innermost(const struct jitmap *m, uint64_t ip, const uint64_t *chain,
				 uint32_t n, uint32_t *off, bool *self)
{
	struct jm_prog *p;
	uint32_t func, i;

	p = jm_lookup(m, ip, &func, off);
	*self = p != NULL;
	for (i = 0; !p && i < n; i++)
		p = jm_lookup(m, chain[i] - 1, &func, off);
	return p;
}

static void on_sample(void *arg, uint64_t ip, uint32_t cpu, uint64_t period,
		      const uint64_t *chain, uint32_t nchain)
{
	struct an_session *st = arg;
	struct an_result *r = st->r;
	struct jm_prog *p;
	uint32_t off;
	bool self;

	r->samples++;
	if (st->o->one_cpu && cpu != st->o->cpu) {
		r->other++;
		r->other_cpu++;
		return;
	}
	p = innermost(&r->map, ip, chain, nchain, &off, &self);
	if (!p) {
		r->other++;
		return;
	}
	if (p->other) {
		r->other_bpf++;
		r->other_bpf_period += period;
		return;
	}
	p->samples++;
	p->self_samples += self;
	p->period += period;
	if (p->hits && off < p->image_len)
		p->hits[off]++;
}

/* The program's samples so far stay; its addresses go, so that a program
 * the JIT puts in the same memory is not taken for it. */
static void mark_gone(struct jitmap *m, struct jm_prog *p)
{
	p->gone = true;
	jm_unmap(m, p);
}

static bool ksym_unused(const struct jm_prog *p)
{
	return p->from_ksym && p->gone && !p->samples;
}

static void on_bpf_event(void *arg, bool load, uint32_t id)
{
	struct an_session *st = arg;
	struct an_result *r = st->r;
	struct jm_prog *p = jm_find_id(&r->map, id);

	if (!load) {
		r->unloads++;
		if (p && !p->gone)
			mark_gone(&r->map, p);
		return;
	}
	r->loads++;
	if (p && !p->gone)
		return;
	/* With a selection, a new program is other BPF code. Its ksymbol
	 * came first and stood in for it: the real entry takes its range. */
	if (add_prog(st, id, !st->o->top) == -ENOMEM)
		r->load_failed++;
	jm_drop(&r->map, ksym_unused);
}

/* A BPF ksymbol registered over memory we still map belongs to new code:
 * the old program is gone (its unload record may have been lost). A
 * program's symbol stands in for it until its BPF_EVENT adds it (or for
 * good when it went before its info could be read); trampolines and
 * dispatchers (bpf_trampoline_*, bpf_dispatcher_*) are not programs. */
static void on_ksymbol(void *arg, uint64_t addr, uint32_t len, bool unregister, const char *name)
{
	struct an_session *st = arg;
	struct an_result *r = st->r;

	jm_unmap_range(&r->map, addr, len);
	if (!unregister && !strncmp(name, "bpf_prog_", 9) &&
	    jm_add_ksym(&r->map, addr, len, name, !st->o->top))
		r->load_failed++;
}

/* Loads and unloads whose records a full ring lost: every program the map
 * holds that is no longer loaded is gone; every loaded one it lacks is
 * added. */
static int check_programs(struct an_session *st)
{
	struct an_result *r = st->r;
	struct idmap live = { 0 };
	size_t i, v;
	int err;

	err = add_missing(st, &live, &r->missed_loads);
	for (i = 0; i < r->map.n && !err; i++) {
		struct jm_prog *p = r->map.v[i];

		if (!p->gone && !p->from_ksym && !idmap_get(&live, p->id, &v)) {
			r->missed_unloads++;
			mark_gone(&r->map, p);
		}
	}
	idmap_free(&live);
	return err;
}

int an_start(const struct an_opts *o, struct an_result *r, struct an_session *s)
{
	int err;

	memset(s, 0, sizeof(*s));
	memset(r, 0, sizeof(*r));
	s->o = o;
	s->r = r;
	r->map.detail = o->detail;
	r->event = o->event;
	r->freq = o->freq;
	err = read_tail_calls(r, true);
	if (!err && !o->top)
		err = add_selected(o, r);
	if (!err && !o->top && o->callees)
		err = add_callees(o, r);
	if (!err)
		err = add_missing(s, NULL, NULL);
	if (!err)
		err = smp_open(&s->smp, o->event, o->freq);
	if (err) {
		idmap_free(&s->unreadable);
		return err;
	}
	r->ncpu = s->smp.ncpu;
	s->start_ns = s->check_ns = bc_now_ns();
	s->open = true;
	return 0;
}

void an_drain(struct an_session *s)
{
	struct smp_callbacks cb = { on_sample, on_bpf_event, on_ksymbol, s };
	uint64_t now;

	if (!s->open)
		return;
	smp_drain(&s->smp, &cb);
	now = bc_now_ns();
	/* Out of memory here only postpones the check. */
	if (now - s->check_ns >= AN_CHECK_NS && !check_programs(s))
		s->check_ns = now;
	s->r->lost = s->smp.lost;
	s->r->throttled = s->smp.throttled;
	s->r->elapsed_s = (double)(now - s->start_ns) / 1e9;
}

void an_stop(struct an_session *s)
{
	an_drain(s);
	smp_close(&s->smp);
	idmap_free(&s->unreadable);
	if (s->open)	/* out of memory here only leaves the end's relations out */
		read_tail_calls(s->r, false);
	s->open = false;
}

static int drain_tick(void *arg, bool last)
{
	an_drain(arg);
	return 0;
}

int an_run(const struct an_opts *o, struct an_result *r)
{
	struct bc_interval iv = { .interval_s = AN_DRAIN_S, .duration_s = o->duration_s };
	struct an_session s;
	int err;

	err = an_start(o, r, &s);
	if (err)
		return err;
	iv.start_ns = s.start_ns;
	bc_interval_loop(NULL, &iv, drain_tick, &s, &r->stopped);
	an_stop(&s);
	return 0;
}

void an_result_free(struct an_result *r)
{
	jm_free(&r->map);
	tc_graph_free(&r->tail);
}

/* Share of one CPU for samples of summed period (ns with cpu-clock). */
static double sampled_pct(const struct an_result *r, uint64_t samples, uint64_t period)
{
	if (r->elapsed_s <= 0)
		return 0;
	if (r->event == SMP_EVENT_CPU_CLOCK)
		return (double)period / (r->elapsed_s * 1e9) * 100.0;
	return r->freq ? (double)samples / ((double)r->freq * r->elapsed_s) * 100.0 : 0;
}

double an_cpu_pct(const struct an_result *r, const struct jm_prog *p)
{
	return sampled_pct(r, p->samples, p->period);
}

double an_other_bpf_pct(const struct an_result *r)
{
	return sampled_pct(r, r->other_bpf, r->other_bpf_period);
}

double an_lost_factor(const struct an_result *r)
{
	return r->samples ? (double)(r->samples + r->lost) / (double)r->samples : 1;
}

/* ---- tail-call groups ---- */

static void group_clear(struct an_tc_group *g)
{
	free(g->m);
	memset(g, 0, sizeof(*g));
}

static int group_fill(const struct an_result *r, uint32_t entry, const struct tc_ids *reach,
		      struct an_tc_group *g)
{
	struct tc_ids ent = { 0 };
	size_t i;
	int err = 0;

	g->entry = entry;
	g->p = jm_find_id(&r->map, entry);
	g->m = calloc(reach->n + 1, sizeof(*g->m));
	if (!g->m)
		return -ENOMEM;
	for (i = 0; i <= reach->n && !err; i++) {
		struct an_tc_member *m = &g->m[g->n++];

		m->id = i ? reach->v[i - 1] : entry;
		m->p = jm_find_id(&r->map, m->id);
		m->samples = m->p ? m->p->samples : 0;
		m->cpu_pct = m->p ? an_cpu_pct(r, m->p) : 0;
		g->samples += m->samples;
		g->cpu_pct += m->cpu_pct;
		if (i)
			err = tc_entries(&r->tail, m->id, &ent);
		m->shared = i && ent.n > 1;
	}
	/* Shares of sampled time: cpu_pct is proportional to it. */
	for (i = 0; i < g->n; i++)
		g->m[i].share = g->cpu_pct > 0 ? g->m[i].cpu_pct / g->cpu_pct : 0;
	tc_ids_free(&ent);
	return err;
}

static int entry_cmp(const void *a, const void *b)
{
	const struct an_tc_group *x = a, *y = b;

	return (x->entry > y->entry) - (x->entry < y->entry);
}

int an_tail_groups(const struct an_result *r, struct an_tc_group **out, size_t *n)
{
	struct an_tc_group *v = NULL;
	struct tc_ids reach = { 0 };
	size_t i, k = 0;
	int err = 0;

	*out = NULL;
	*n = 0;
	if (r->map.n)
		v = calloc(r->map.n, sizeof(*v));
	if (r->map.n && !v)
		return -ENOMEM;
	for (i = 0; i < r->map.n && !err; i++) {
		const struct jm_prog *p = r->map.v[i];
		struct prog_tail t;

		err = tc_role(&r->tail, p->id, &t);
		if (err || !tc_is_entry(&t))
			continue;
		err = tc_reach(&r->tail, p->id, &reach);
		if (!err)
			err = group_fill(r, p->id, &reach, &v[k]);
		if (!err && !v[k].samples)
			group_clear(&v[k]);	/* nothing to split */
		else if (!err)
			k++;
	}
	tc_ids_free(&reach);
	if (err) {
		an_tail_groups_free(v, k + (k < r->map.n));	/* and the one half filled */
		return err;
	}
	if (k > 1)
		qsort(v, k, sizeof(*v), entry_cmp);
	*out = v;
	*n = k;
	return 0;
}

void an_tail_groups_free(struct an_tc_group *g, size_t n)
{
	size_t i;

	for (i = 0; g && i < n; i++)
		group_clear(&g[i]);
	free(g);
}

/* ---- listing model ---- */

static int insn_push(struct an_listing *l, size_t *cap, const struct an_insn *in)
{
	if (l->ninsns == *cap) {
		size_t c = *cap ? *cap * 2 : 256;
		struct an_insn *v = realloc(l->insns, c * sizeof(*v));

		if (!v)
			return -ENOMEM;
		l->insns = v;
		*cap = c;
	}
	l->insns[l->ninsns++] = *in;
	return 0;
}

static uint64_t hits_sum(const struct jm_prog *p, uint32_t off, uint32_t size)
{
	uint64_t n = 0;
	uint32_t i;

	for (i = off; p->hits && i < off + size && i < p->image_len; i++)
		n += p->hits[i];
	return n;
}

static int disasm_func(csh h, const struct jm_prog *p, uint32_t fi, struct an_listing *l, size_t *cap)
{
	const struct jm_func *f = &p->funcs[fi];
	cs_insn *ci = NULL;
	size_t n, i;
	int err = 0;

	if (f->img_off + f->len > p->image_len)
		return -EINVAL;
	n = cs_disasm(h, p->image + f->img_off, f->len, f->addr, 0, &ci);
	for (i = 0; i < n && !err; i++) {
		struct an_insn in = {
			.addr = ci[i].address, .size = ci[i].size, .func = fi,
			.img_off = f->img_off + (uint32_t)(ci[i].address - f->addr),
		};

		in.rec = jm_line_for_addr(p->lines, p->nlines, f->addr, f->addr + f->len, in.addr);
		in.samples = hits_sum(p, in.img_off, in.size);
		snprintf(in.text, sizeof(in.text), "%s%s%s", ci[i].mnemonic, *ci[i].op_str ? " " : "",
			 ci[i].op_str);
		err = insn_push(l, cap, &in);
	}
	cs_free(ci, n);
	return err;
}

int an_listing_build(const struct jm_prog *p, struct an_listing *l)
{
	size_t cap = 0;
	uint32_t fi;
	csh h;
	int err = 0;

	memset(l, 0, sizeof(*l));
	if (cs_open(CS_ARCH_X86, CS_MODE_64, &h) != CS_ERR_OK)
		return -ENOTSUP;
	for (fi = 0; fi < p->nfuncs && !err; fi++)
		err = disasm_func(h, p, fi, l, &cap);
	cs_close(&h);
	if (!err)
		err = an_rows_build(p->lines, p->nlines, l);
	if (err)
		an_listing_free(l);
	return err;
}

static int row_cmp(const void *a, const void *b)
{
	const struct an_row *x = a, *y = b;
	int c = strcmp(x->file, y->file);

	if (c)
		return c;
	return x->line < y->line ? -1 : x->line > y->line;
}

static struct an_row *row_get(struct an_listing *l, const struct jm_line *ln)
{
	size_t i;

	for (i = 0; i < l->nrows; i++)
		if (l->rows[i].line == ln->line && !strcmp(l->rows[i].file, ln->file))
			return &l->rows[i];
	return NULL;
}

static int row_add_rec(struct an_row *row, uint32_t rec)
{
	uint32_t *v = realloc(row->recs, (row->nrecs + 1) * sizeof(*v));

	if (!v)
		return -ENOMEM;
	v[row->nrecs++] = rec;
	row->recs = v;
	return 0;
}

bool an_row_has_rec(const struct an_row *row, int rec)
{
	size_t i;

	for (i = 0; i < row->nrecs; i++)
		if ((int)row->recs[i] == rec)
			return true;
	return false;
}

/* Group line records by (file, line); a line split over several records
 * (a loop header and its latch) is one row. */
static int rows_from_lines(const struct jm_line *lines, size_t nlines, struct an_listing *l)
{
	size_t i;

	l->rows = calloc(nlines ? nlines : 1, sizeof(*l->rows));
	if (!l->rows)
		return -ENOMEM;
	for (i = 0; i < nlines; i++) {
		struct an_row *row = row_get(l, &lines[i]);

		if (!lines[i].line)
			continue;	/* line 0: compiler-generated, no source */
		if (!row) {
			row = &l->rows[l->nrows++];
			*row = (struct an_row){ .file = lines[i].file, .src = lines[i].src,
						.line = lines[i].line };
		}
		if (row_add_rec(row, (uint32_t)i))
			return -ENOMEM;
	}
	return 0;
}

int an_rows_build(const struct jm_line *lines, size_t nlines, struct an_listing *l)
{
	size_t i, j;
	int err;

	err = rows_from_lines(lines, nlines, l);
	if (err)
		return err;
	l->samples = l->unmapped = 0;
	for (i = 0; i < l->ninsns; i++) {
		const struct an_insn *in = &l->insns[i];
		bool mapped = false;

		l->samples += in->samples;
		for (j = 0; j < l->nrows && in->rec >= 0 && !mapped; j++)
			if (an_row_has_rec(&l->rows[j], in->rec)) {
				l->rows[j].samples += in->samples;
				mapped = true;
			}
		if (!mapped)
			l->unmapped += in->samples;
	}
	qsort(l->rows, l->nrows, sizeof(*l->rows), row_cmp);
	return 0;
}

void an_listing_free(struct an_listing *l)
{
	size_t i;

	for (i = 0; i < l->nrows; i++)
		free(l->rows[i].recs);
	free(l->rows);
	free(l->insns);
	memset(l, 0, sizeof(*l));
}

/* Copy s into a frame: ';' separates frames and '\n' lines in the folded
 * format, so neither may appear inside one. */
static size_t frame_put(char *dst, size_t len, const char *s)
{
	size_t n = 0;

	for (; *s && n + 1 < len; s++)
		dst[n++] = (*s == ';') ? ',' : (*s == '\n' || *s == '\r') ? ' ' : *s;
	if (len)
		dst[n] = 0;
	return n;
}

int an_folded_line(char *buf, size_t len, const char *prog, uint32_t line, const char *src,
		   const char *insn, uint64_t count)
{
	char p[64], s[256], i[96];
	int n;

	frame_put(p, sizeof(p), prog);
	frame_put(s, sizeof(s), src ? src : "");
	frame_put(i, sizeof(i), insn);
	if (line)
		n = snprintf(buf, len, "%s;line %u: %s;%s %llu", p, line, s, i,
			     (unsigned long long)count);
	else
		n = snprintf(buf, len, "%s;[no line info];%s %llu", p, i, (unsigned long long)count);
	return n < 0 || (size_t)n >= len ? -ENOSPC : 0;
}
