// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Run-time stats sampler.
 *
 * We hold no program fds between passes: an fd would keep a program loaded
 * after its owner unloaded it, which is exactly the event we must report.
 * Instead ids are re-read every pass and a program's identity is its id
 * plus tag plus load_time, so an id the kernel hands to a new program is
 * seen as "old one gone, new one appeared", never as one program whose
 * counters jumped.
 *
 * Two readers feed the same tracking (rs_observe): the BPF iterator of
 * progiter.h, one read() for every program, and the bpf() syscalls per
 * program, for kernels without BTF, iterators or
 * bpf_map_lookup_percpu_elem (< 5.19). Both return ids ascending. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <linux/bpf.h>
#include <bpf/bpf.h>
#include "common.h"
#include "cpumask.h"
#include "kfeatures.h"
#include "owners.h"
#include "progiter.h"
#include "progs.h"
#include "runstats.h"
#include "tailcall.h"

int rs_rate_compute(const struct rs_sample *prev, const struct rs_sample *cur,
		    uint64_t wall_ns, int ncpu, struct rs_rate *out)
{
	double wall_s;

	memset(out, 0, sizeof(*out));
	if (!wall_ns || ncpu < 1)
		return -EINVAL;
	if (cur->run_cnt < prev->run_cnt || cur->run_time_ns < prev->run_time_ns ||
	    cur->recursion_misses < prev->recursion_misses)
		return -ERANGE;
	wall_s = (double)wall_ns / 1e9;
	out->runs = cur->run_cnt - prev->run_cnt;
	out->time_ns = cur->run_time_ns - prev->run_time_ns;
	out->misses = cur->recursion_misses - prev->recursion_misses;
	out->wall_s = wall_s;
	out->has_runs = out->runs > 0;
	out->runs_per_s = (double)out->runs / wall_s;
	out->ns_per_run = out->has_runs ? (double)out->time_ns / (double)out->runs : 0;
	out->cpu_pct = 100.0 * (double)out->time_ns / (double)wall_ns;
	out->cpu_pct_machine = out->cpu_pct / ncpu;
	return 0;
}

void rs_rate_add(struct rs_rate *a, const struct rs_rate *b)
{
	a->runs += b->runs;
	a->time_ns += b->time_ns;
	a->misses += b->misses;
	if (b->wall_s > a->wall_s)
		a->wall_s = b->wall_s;
	a->runs_per_s += b->runs_per_s;
	a->cpu_pct += b->cpu_pct;
	a->cpu_pct_machine += b->cpu_pct_machine;
	a->has_runs = a->runs > 0;
	a->ns_per_run = a->has_runs ? (double)a->time_ns / (double)a->runs : 0;
}

static struct rs_prog *find_tracked(struct rs_sampler *s, uint32_t id)
{
	size_t i;

	return idmap_get(&s->live, id, &i) ? &s->v[i] : NULL;
}

static struct rs_prog *add_prog(struct rs_sampler *s)
{
	struct rs_prog *p;

	if (s->n == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 64;
		struct rs_prog *v = realloc(s->v, cap * sizeof(*v));

		if (!v)
			return NULL;
		s->v = v;
		s->cap = cap;
	}
	p = &s->v[s->n++];
	memset(p, 0, sizeof(*p));
	return p;
}

static void mark_gone(struct rs_sampler *s, struct rs_prog *p)
{
	p->state = RS_GONE;
	p->gone_pass = s->pass;
	idmap_del(&s->live, p->id);
}

/* A program loaded after the previous pass began with zero counters while
 * stats were on: every run it made falls in this interval, so it gets a
 * rate at once instead of waiting a pass. */
static bool born_this_interval(const struct rs_sampler *s, const struct rs_prog_obs *o)
{
	return s->pass > 1 && o->load_time >= s->prev_boot_ns;
}

static int new_prog(struct rs_sampler *s, const struct rs_prog_obs *o, uint64_t now_ns,
		    struct rs_prog **out)
{
	struct rs_prog *p = add_prog(s);

	if (!p || idmap_put(&s->live, o->id, s->n - 1)) {
		if (p)
			s->n--;
		return -ENOMEM;
	}
	p->id = o->id;
	p->type = o->type;
	snprintf(p->name, sizeof(p->name), "%s", o->name);
	snprintf(p->full_name, sizeof(p->full_name), "%s", o->name);
	snprintf(p->tag, sizeof(p->tag), "%s", o->tag);
	p->load_time = o->load_time;
	p->seen = true;
	p->cur = o->c;
	p->cur_ns = now_ns;
	if (born_this_interval(s, o)) {
		/* base/prev stay zero: counters started at zero at load */
		p->base_ns = p->prev_ns = s->prev_pass_ns;
		p->state = RS_LIVE;
	} else {
		p->base = p->prev = o->c;
		p->base_ns = p->prev_ns = now_ns;
		p->state = RS_NEW;
	}
	*out = p;
	return 1;
}

int rs_observe(struct rs_sampler *s, const struct rs_prog_obs *o, uint64_t now_ns,
	       struct rs_prog **out)
{
	struct rs_prog *p = find_tracked(s, o->id);

	*out = NULL;
	if (s->owners && o->id == s->owners->self_prog_id)
		return 0;	/* our owners iterator, like the stats reader's own */
	if (p && (p->load_time != o->load_time || strcmp(p->tag, o->tag) ||
		  o->c.run_cnt < p->cur.run_cnt || o->c.run_time_ns < p->cur.run_time_ns)) {
		/* Same id, different program: the old one is gone. */
		mark_gone(s, p);
		if (s->fixed)
			return 0;	/* the new one was not selected */
		p = NULL;
	}
	if (!p) {
		if (s->fixed && s->pass > 1)
			return 0;
		return new_prog(s, o, now_ns, out);
	}
	p->seen = true;
	p->prev = p->cur;
	p->prev_ns = p->cur_ns;
	p->cur = o->c;
	p->cur_ns = now_ns;
	p->state = RS_LIVE;
	*out = p;
	return 0;
}

/* Fold a gone entry into s->dropped and free what it holds. */
static void drop_prog(struct rs_sampler *s, struct rs_prog *p)
{
	s->dropped.n++;
	s->dropped.total.run_cnt += p->cur.run_cnt - p->base.run_cnt;
	s->dropped.total.run_time_ns += p->cur.run_time_ns - p->base.run_time_ns;
	s->dropped.total.recursion_misses += p->cur.recursion_misses - p->base.recursion_misses;
	s->dropped.uncorrected |= !sb_applies(p->type, p->raw_tp_link);
	free(p->user);
	p->user = NULL;
}

/* Drop the entries that are no longer current, keeping the others in
 * order; the live ones' idmap entries follow them to their new index
 * (gone ones have none). The array shrinks when mostly empty. */
static void drop_stale(struct rs_sampler *s)
{
	size_t i, j = 0;

	for (i = 0; i < s->n; i++) {
		struct rs_prog *p = &s->v[i];

		if (!rs_prog_current(s, p)) {
			drop_prog(s, p);
			continue;
		}
		if (j != i) {
			s->v[j] = *p;
			if (p->state != RS_GONE)
				idmap_put(&s->live, p->id, j);	/* there already: cannot fail */
		}
		j++;
	}
	s->n = j;
	if (s->cap > 64 && s->n < s->cap / 4) {
		struct rs_prog *v = realloc(s->v, s->cap / 2 * sizeof(*v));

		if (v) {
			s->v = v;
			s->cap /= 2;
		}
	}
}

void rs_pass_begin(struct rs_sampler *s, uint64_t now_ns, uint64_t boot_ns)
{
	size_t i;

	s->pass++;
	if (!s->fixed)
		drop_stale(s);
	if (s->pass == 1)
		s->start_ns = now_ns;
	s->prev_pass_ns = s->now_ns;
	s->now_ns = now_ns;
	/* prev_boot_ns is the previous pass's boottime; keep it until the
	 * observations of this pass are done, then advance (pass_end). */
	if (s->pass == 1)
		s->prev_boot_ns = boot_ns;
	for (i = 0; i < s->n; i++)
		s->v[i].seen = false;
	s->cur_boot_ns = boot_ns;
}

void rs_pass_end(struct rs_sampler *s)
{
	size_t i;

	for (i = 0; i < s->n; i++) {
		struct rs_prog *p = &s->v[i];

		if (p->state == RS_GONE)
			continue;
		if (!p->seen) {
			mark_gone(s, p);
			continue;
		}
		if (p->state != RS_LIVE)
			continue;
		/* Counters that went backwards were caught in rs_observe. */
		if (rs_rate_compute(&p->prev, &p->cur, p->cur_ns - p->prev_ns, s->ncpu,
				    &p->last) == 0)
			p->has_rate = true;
	}
	s->prev_boot_ns = s->cur_boot_ns;
}

/* Read one program's identity and counters: one fd, closed at once. */
static int read_prog(uint32_t id, struct rs_prog_obs *o)
{
	struct bpf_prog_info info;
	int fd = prog_fd_info(id, &info);

	if (fd < 0)
		return fd;
	close(fd);
	memset(o, 0, sizeof(*o));
	o->id = info.id;
	o->type = info.type;
	snprintf(o->name, sizeof(o->name), "%s", info.name);
	prog_tag_hex(info.tag, o->tag);
	o->load_time = info.load_time;
	o->c.run_cnt = info.run_cnt;
	o->c.run_time_ns = info.run_time_ns;
	o->c.recursion_misses = info.recursion_misses;
	return 0;
}

static uint64_t boot_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_BOOTTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* The BTF function name, looked up once per program (it costs a BTF load). */
static void fill_full_name(struct rs_prog *p)
{
	struct prog_desc d;

	if (prog_describe(p->id, &d) == 0 && !strcmp(d.tag, p->tag))
		snprintf(p->full_name, sizeof(p->full_name), "%s", d.full_name);
}

static int observe_id(struct rs_sampler *s, uint32_t id, uint64_t now_ns)
{
	struct rs_prog_obs o;
	struct rs_prog *p;
	int err;

	err = read_prog(id, &o);
	if (err == -ENOENT)
		return 0;	/* vanished: pass_end marks it gone */
	if (err) {
		bc_err("cannot read program %u: %s", id, strerror(-err));
		return err;
	}
	err = rs_observe(s, &o, now_ns, &p);
	if (err == 1)
		fill_full_name(p);
	return err < 0 ? err : 0;
}

static int observe_all(struct rs_sampler *s, uint64_t now_ns)
{
	__u32 id = 0;
	int err;

	while (bpf_prog_get_next_id(id, &id) == 0) {
		err = observe_id(s, id, now_ns);
		if (err)
			return err;
	}
	if (errno != ENOENT) {
		err = -errno;
		bc_err("cannot list BPF programs: %s", strerror(errno));
		return err;
	}
	return 0;
}

static void rec_to_obs(const struct progstats_rec *r, struct rs_prog_obs *o)
{
	o->id = r->id;
	o->type = r->type;
	memcpy(o->name, r->name, sizeof(o->name));
	o->name[sizeof(o->name) - 1] = '\0';
	prog_tag_hex(r->tag, o->tag);
	o->load_time = r->load_time;
	o->c.run_cnt = r->run_cnt;
	o->c.run_time_ns = r->run_time_ns;
	o->c.recursion_misses = r->recursion_misses;
}

/* One iterator read for every program. sel, when given, limits the pass
 * to those ids (the fixed selection's first pass; later passes need no
 * filter: rs_observe ignores what a fixed sampler does not track). */
static int observe_iter(struct rs_sampler *s, uint64_t now_ns, const struct idmap *sel)
{
	const struct progstats_rec *recs;
	struct rs_prog_obs o;
	struct rs_prog *p;
	size_t n, i, dummy;
	int err;

	err = progiter_read(s->it, &recs, &n);
	if (err) {
		bc_err("cannot read programs through the BPF iterator: %s", strerror(-err));
		return err;
	}
	for (i = 0; i < n; i++) {
		if (sel && !idmap_get(sel, recs[i].id, &dummy))
			continue;
		rec_to_obs(&recs[i], &o);
		err = rs_observe(s, &o, now_ns, &p);
		if (err < 0)
			return err;
		if (err == 1)
			fill_full_name(p);
	}
	return 0;
}

static int observe_fixed(struct rs_sampler *s, uint64_t now_ns)
{
	size_t i, n = s->n;
	int err;

	/* Only entries that exist: observe_id never adds after pass 1. */
	for (i = 0; i < n; i++) {
		if (s->v[i].state == RS_GONE)
			continue;
		err = observe_id(s, s->v[i].id, now_ns);
		if (err)
			return err;
	}
	return 0;
}

/* One owners scan per pass, looked up for every program still there. */
static int fill_owners(struct rs_sampler *s)
{
	size_t i;
	int err = owners_scan(s->owners);

	if (err) {
		bc_err("cannot find the programs' owners: %s", strerror(-err));
		return err;
	}
	for (i = 0; i < s->n; i++)
		if (s->v[i].state != RS_GONE)
			owners_lookup(s->owners, s->v[i].id, &s->v[i].owners);
	return 0;
}

static void mark_raw_tp_link(uint32_t prog_id, const char *attach, void *arg)
{
	struct rs_sampler *s = arg;
	struct rs_prog *p = find_tracked(s, prog_id);

	if (p && !strncmp(attach, "raw_tp", 6))
		p->raw_tp_link = true;
}

/* A tracing program is a tp_btf program (run like a raw tracepoint's)
 * when a raw tracepoint link holds it, else trampoline-run: only the
 * links tell, so new tracing programs cost one walk of them per pass. */
static void check_tracing_links(struct rs_sampler *s)
{
	bool walk = false;
	size_t i;

	if (!s->bias.valid)
		return;	/* only the correction needs to know */
	for (i = 0; i < s->n; i++) {
		struct rs_prog *p = &s->v[i];

		if (p->type == BPF_PROG_TYPE_TRACING && !p->link_checked && p->state != RS_GONE)
			walk = p->link_checked = true;
	}
	if (walk)
		prog_links_walk(mark_raw_tp_link, s);
}

static void add_attach(uint32_t prog_id, const char *attach, void *arg)
{
	struct rs_sampler *s = arg;
	struct rs_prog *p = find_tracked(s, prog_id);

	if (p && !p->attach_read)
		prog_attach_append(p->attach, sizeof(p->attach), p->attach[0] ? 1 : 0, attach);
}

/* Programs seen for the first time: where they are attached, by one walk
 * of the links and one of the perf events (programs attached later keep
 * what their first pass found). */
static void read_attach(struct rs_sampler *s)
{
	bool walk = false;
	size_t i;

	for (i = 0; i < s->n; i++)
		walk |= !s->v[i].attach_read && s->v[i].state != RS_GONE;
	if (!s->want_attach || !walk)
		return;
	prog_links_walk(add_attach, s);
	prog_perf_events_walk(add_attach, s);
	for (i = 0; i < s->n; i++)
		s->v[i].attach_read = true;
}

int rs_sample(struct rs_sampler *s)
{
	int err;

	rs_pass_begin(s, bc_now_ns(), boot_now_ns());
	if (s->reader == RS_READER_ITER)
		err = observe_iter(s, s->now_ns, NULL);
	else
		err = s->fixed ? observe_fixed(s, s->now_ns) : observe_all(s, s->now_ns);
	if (err)
		return err;
	rs_pass_end(s);
	check_tracing_links(s);
	read_attach(s);
	return s->owners ? fill_owners(s) : 0;
}

void rs_prog_corrected(const struct rs_sampler *s, const struct rs_prog *p,
		       const struct rs_rate *r, struct sb_corrected *out)
{
	sb_correct(&s->bias, sb_applies(p->type, p->raw_tp_link), r->runs, r->time_ns,
		   r->wall_s, out);
}

static int init_fixed_iter(struct rs_sampler *s, const uint32_t *ids, size_t nids)
{
	struct idmap sel = { 0 };
	size_t i;
	int err = 0;

	for (i = 0; i < nids && !err; i++)
		err = idmap_put(&sel, ids[i], i);
	if (!err)
		err = observe_iter(s, s->now_ns, &sel);
	idmap_free(&sel);
	return err;
}

static int init_fixed(struct rs_sampler *s, const uint32_t *ids, size_t nids)
{
	size_t i;
	int err;

	if (s->reader == RS_READER_ITER)
		return init_fixed_iter(s, ids, nids);
	for (i = 0; i < nids; i++) {
		err = observe_id(s, ids[i], s->now_ns);
		if (err)
			return err;
	}
	return 0;
}

int rs_init(struct rs_sampler *s, const uint32_t *ids, size_t nids, struct progiter *it,
	    struct owners *ow)
{
	int ncpu = cpus_online_count();
	size_t i;
	int err;

	memset(s, 0, sizeof(*s));
	s->it = it;		/* owned from here on: rs_free closes it */
	if (ncpu < 0)
		return ncpu;
	s->ncpu = ncpu;
	s->fixed = ids != NULL;
	s->owners = ow;
	s->reader = it ? RS_READER_ITER : RS_READER_SYSCALL;
	if (!s->fixed) {
		err = rs_sample(s);
	} else {
		rs_pass_begin(s, bc_now_ns(), boot_now_ns());
		err = init_fixed(s, ids, nids);
		if (!err)
			rs_pass_end(s);
		if (!err && s->owners)
			err = fill_owners(s);
	}
	if (err)
		return err;
	for (i = 0; i < s->n; i++)
		if (s->v[i].cur.run_cnt)
			s->history = true;
	return 0;
}

/* FEAT_PROG_ITER, the iterator reader's own trial, run by the feature
 * layer for doctor (rs_feature_provide): the very code stats and top run
 * (progiter_trial: load, attach, then the self-test), closed again. */
static void probe_prog_iter(struct bc_ctx *ctx, struct feature_result *r)
{
	struct progiter it;
	char why[160];
	int err;

	err = progiter_trial(&it, why, sizeof(why));
	r->ok = !err;
	r->err = err;
	snprintf(r->detail, sizeof(r->detail), "%s", why);
	progiter_close(&it);
}

static const struct feature_probe prog_iter_probe = {
	probe_prog_iter, "load and attach iter/bpf_prog, read it twice and check the sums",
};

void rs_feature_provide(void)
{
	bc_feature_provide(FEAT_PROG_ITER, &prog_iter_probe);
}

/* Open the iterator and run the doctor's trial on it; *it stays NULL on
 * failure, with the reason in why. */
static int try_iter(struct bc_ctx *ctx, struct progiter **it, char *why, size_t len)
{
	const struct feature_result *known = bc_feature_known(ctx, FEAT_PROG_ITER);
	struct progiter *p;
	int err;

	*it = NULL;
	if (known && !known->ok) {
		snprintf(why, len, "%s", known->detail);
		return known->err ? known->err : -EOPNOTSUPP;
	}
	p = calloc(1, sizeof(*p));
	if (!p)
		return -ENOMEM;
	err = progiter_trial(p, why, len);
	bc_feature_record(ctx, FEAT_PROG_ITER, !err, err, why);
	if (err) {
		free(p);
		return err;
	}
	*it = p;
	return 0;
}

/* With o->owners, the owners finder, opened before the baseline pass so
 * that its iterator program is known and left out like the stats
 * reader's. The iterator only where the counters are read by one: a
 * single pass cannot pay back loading it. *ow stays NULL without. */
static int open_owners(struct bc_ctx *ctx, const struct rs_loop_opts *o, struct owners **ow)
{
	bool try_iter = o->reader != RS_READER_SYSCALL &&
			!(o->reader == RS_READER_AUTO && o->count == 1);
	int err;

	*ow = NULL;
	if (!o->owners)
		return 0;
	*ow = calloc(1, sizeof(**ow));
	if (!*ow)
		return -ENOMEM;
	err = owners_open(ctx, *ow, try_iter);
	if (err) {
		free(*ow);
		*ow = NULL;
	}
	return err;
}

static void free_owners(struct owners *ow)
{
	if (ow) {
		owners_close(ow);
		free(ow);
	}
}

static void measure_bias(struct sb_bias *b, const struct rs_loop_opts *o)
{
	memset(b, 0, sizeof(*b));
	if (o->no_correction)
		snprintf(b->why, sizeof(b->why), "--no-correction");
	else if (sb_measure(b, SB_DEFAULT_BATCHES, SB_DEFAULT_RUNS))
		bc_note("stats bias not measured: %s", b->why);
}

/* rs_init, then the bias measured before it (memset by rs_init) and what
 * the correction needs to know about tracing programs. */
static int init_with_bias(struct rs_sampler *s, const uint32_t *ids, size_t nids,
			  struct progiter *it, struct owners *ow, const struct sb_bias *bias)
{
	int err = rs_init(s, ids, nids, it, ow);

	s->bias = *bias;
	check_tracing_links(s);
	return err;
}

int rs_start(struct bc_ctx *ctx, struct rs_sampler *s, const struct rs_loop_opts *o,
	     const uint32_t *ids, size_t nids)
{
	struct progiter *it = NULL;
	struct owners *ow;
	char why[sizeof(s->reader_why)] = "";
	struct sb_bias bias;
	int err;

	memset(s, 0, sizeof(*s));
	measure_bias(&bias, o);
	err = open_owners(ctx, o, &ow);
	if (err)
		return err;
	/* auto and a single interval (two passes): loading the iterator
	 * (vmlinux BTF parse + verification, ~20 ms) costs more than it saves
	 * (~7.5 us per program per pass) below ~1,300 programs. */
	if (o->reader == RS_READER_AUTO && o->count == 1)
		return init_with_bias(s, ids, nids, NULL, ow, &bias);
	if (o->reader != RS_READER_SYSCALL) {
		err = try_iter(ctx, &it, why, sizeof(why));
		if (err == -ENOMEM) {
			free_owners(ow);
			return err;
		}
		if (err && o->reader == RS_READER_ITER) {
			bc_err("--reader iter: %s unavailable: %s", feature_label(FEAT_PROG_ITER), why);
			free_owners(ow);
			return err;
		}
		if (err)
			bc_note("reading program stats with syscalls: %s unavailable: %s",
				feature_label(FEAT_PROG_ITER), why);
		else
			why[0] = '\0';
	}
	err = init_with_bias(s, ids, nids, it, ow, &bias);
	snprintf(s->reader_why, sizeof(s->reader_why), "%s", why);
	return err;
}

void rs_free(struct rs_sampler *s)
{
	size_t i;

	for (i = 0; i < s->n; i++)
		free(s->v[i].user);
	if (s->it) {
		progiter_close(s->it);
		free(s->it);
	}
	free_owners(s->owners);
	idmap_free(&s->live);
	free(s->v);
	memset(s, 0, sizeof(*s));
}

int rs_tail_refresh(struct rs_sampler *s, struct tc_collector *tc)
{
	size_t i;
	int err = tc_refresh(tc);

	for (i = 0; i < s->n && !err; i++)
		if (s->v[i].state != RS_GONE)
			err = tc_role(&tc->g, s->v[i].id, &s->v[i].tail);
	return err;
}

int rs_prog_total(const struct rs_sampler *s, const struct rs_prog *p, struct rs_rate *out)
{
	uint64_t span = p->cur_ns - p->base_ns;

	if (!span) {
		memset(out, 0, sizeof(*out));
		return -EINVAL;	/* seen once only: no interval */
	}
	return rs_rate_compute(&p->base, &p->cur, span, s->ncpu, out);
}

bool rs_prog_current(const struct rs_sampler *s, const struct rs_prog *p)
{
	unsigned keep = s->gone_keep ? s->gone_keep : 1;

	return p->state != RS_GONE || s->pass - p->gone_pass < keep;
}

int rs_loop_parse_opt(int c, const char *arg, struct rs_loop_opts *o)
{
	switch (c) {
	case 'i':
		return parse_duration("--interval", arg, &o->interval_s);
	case 'c':
		return parse_u64("--count", arg, 1, 1000000000ull, &o->count);
	case 'd':
		return parse_duration("--duration", arg, &o->duration_s);
	case 'S':
		o->sysctl = true;
		return 0;
	case 'R':
		return rs_reader_parse(arg, &o->reader);
	case 'N':
		o->no_correction = true;
		return 0;
	}
	return -ENOENT;
}

static const char *const reader_names[] = {
	[RS_READER_AUTO] = "auto", [RS_READER_ITER] = "iter", [RS_READER_SYSCALL] = "syscall",
};

const char *rs_reader_name(enum rs_reader r)
{
	return (unsigned)r < ARRAY_SIZE(reader_names) ? reader_names[r] : "unknown";
}

int rs_reader_parse(const char *arg, enum rs_reader *out)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(reader_names); i++)
		if (!strcmp(arg, reader_names[i])) {
			*out = (enum rs_reader)i;
			return 0;
		}
	bc_err("--reader: '%s' is not one of auto, iter, syscall", arg);
	return -EINVAL;
}

int rs_loop_finish(int argc, char **argv, struct rs_loop_opts *o)
{
	if (o->count && o->duration_s > 0) {
		bc_err("--count and --duration are mutually exclusive");
		return -EINVAL;
	}
	o->nsel = argc - optind;
	o->sel_argv = argv + optind;
	return 0;
}

void rs_loop_interval(const struct rs_loop_opts *o, const struct rs_sampler *s,
		      struct bc_interval *iv)
{
	*iv = (struct bc_interval){ .interval_s = o->interval_s, .duration_s = o->duration_s,
				    .count = o->count, .start_ns = s->start_ns };
}
