// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* compare's hot lines (cmplines.h): one cpu-clock sampling phase per
 * version, after the rounds that time anything. */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "common.h"
#include "annotate.h"
#include "compare.h"
#include "tracer.h"

/* The workload runs in chunks this long, the rings drained between them:
 * at CMP_LINES_FREQ they hold about 0.4 s of samples. */
#define CMP_LINES_CHUNK_S 0.1

void cmp_lines_free(struct cmp_lines *l)
{
	for (int i = 0; i < l->nprogs; i++)
		free(l->progs[i].lines);
	free(l->progs);
	l->progs = NULL;
	l->nprogs = 0;
}

struct cmp_lines_prog *cmp_lines_prog_get(struct cmp_lines *l, const char *name,
					  const char *attach)
{
	struct cmp_lines_prog *v, *p;

	for (int i = 0; i < l->nprogs; i++)
		if (!strcmp(l->progs[i].name, name) && !strcmp(l->progs[i].attach, attach))
			return &l->progs[i];
	v = realloc(l->progs, (size_t)(l->nprogs + 1) * sizeof(*v));
	if (!v)
		return NULL;
	l->progs = v;
	p = &v[l->nprogs++];
	memset(p, 0, sizeof(*p));
	snprintf(p->name, sizeof(p->name), "%s", name);
	snprintf(p->attach, sizeof(p->attach), "%s", attach);
	return p;
}

int cmp_lines_add(struct cmp_lines_prog *p, int side, const char *file, uint32_t line,
		  const char *src, uint64_t samples, double sampled_ns)
{
	const char *base = file ? strrchr(file, '/') : NULL;
	struct cmp_line key = { .line = line }, *ln = NULL;

	/* The base name: two builds of one source may come from two trees. */
	snprintf(key.file, sizeof(key.file), "%s", base ? base + 1 : file ? file : "");
	snprintf(key.src, sizeof(key.src), "%s", src ? src : "");
	for (size_t i = 0; i < p->nlines && !ln; i++)
		if (p->lines[i].line == line && !strcmp(p->lines[i].file, key.file) &&
		    !strcmp(p->lines[i].src, key.src))
			ln = &p->lines[i];
	if (!ln) {
		if (p->nlines == p->cap) {
			size_t cap = p->cap ? 2 * p->cap : 16;
			struct cmp_line *v = realloc(p->lines, cap * sizeof(*v));

			if (!v)
				return -ENOMEM;
			p->lines = v;
			p->cap = cap;
		}
		ln = &p->lines[p->nlines++];
		*ln = key;
	}
	ln->samples[side] += samples;
	ln->sampled_ns[side] += sampled_ns;
	return 0;
}

double cmp_line_ns_per_call(const struct cmp_lines *l, const struct cmp_line *ln, int side)
{
	return l->wl_calls[side] ? ln->sampled_ns[side] / (double)l->wl_calls[side] : 0;
}

double cmp_line_share(const struct cmp_lines_prog *p, const struct cmp_line *ln, int side)
{
	return p->samples[side] ? (double)ln->samples[side] / (double)p->samples[side] : 0;
}

static double line_delta(const struct cmp_lines *l, const struct cmp_line *ln)
{
	return fabs(cmp_line_ns_per_call(l, ln, 1) - cmp_line_ns_per_call(l, ln, 0));
}

/* Larger change first; ties by file, then line. */
static bool ranks_before(const struct cmp_lines *l, const struct cmp_line *x,
			 const struct cmp_line *y)
{
	double dx = line_delta(l, x), dy = line_delta(l, y);
	int c;

	if (dx != dy)
		return dx > dy;
	c = strcmp(x->file, y->file);
	return c ? c < 0 : x->line < y->line;
}

size_t cmp_lines_top(const struct cmp_lines *l, const struct cmp_lines_prog *p, size_t *idx,
		     size_t max)
{
	size_t n = 0;

	/* Insertion into the kept few: programs have tens of lines. */
	for (size_t i = 0; i < p->nlines; i++) {
		const struct cmp_line *ln = &p->lines[i];
		size_t j;

		if (!ln->samples[0] && !ln->samples[1])
			continue;
		for (j = n; j > 0 && ranks_before(l, ln, &p->lines[idx[j - 1]]); j--)
			if (j < max)
				idx[j] = idx[j - 1];
		if (j < max) {
			idx[j] = i;
			if (n < max)
				n++;
		}
	}
	return n;
}

const char *cmp_lines_prog_why(const struct cmp_lines_prog *p)
{
	if (!p->has_lines[0] && !p->has_lines[1])
		return "no BTF line info (built without -g?)";
	return p->nlines ? NULL : "no sample on a line with line info";
}

/* ---- collection ---- */

/* One sampled program of version side into the model: its samples, and
 * per source line those of annotate's listing (a sample in a helper or
 * kernel function it called counts at the call). */
static int record_prog(struct cmp_lines *l, int side, const struct jm_prog *jp)
{
	struct cmp_prog key = { 0 };
	struct cmp_lines_prog *p;
	struct an_listing ls;
	double mean_ns = jp->samples ? (double)jp->period / (double)jp->samples : 0;
	int err = 0;

	/* Still loaded: the tracer is on until the phase's end. */
	if (cmp_prog_key(jp->id, &key))
		snprintf(key.name, sizeof(key.name), "%s", jp->name);
	p = cmp_lines_prog_get(l, key.name, key.attach);
	if (!p)
		return -ENOMEM;
	p->seen[side] = true;
	p->has_lines[side] = jp->nlines > 0;
	p->samples[side] += jp->samples;
	p->sampled_ns[side] += (double)jp->period;
	if (!jp->samples || !jp->nlines)
		return 0;
	err = an_listing_build(jp, &ls);
	if (err)
		return err == -ENOMEM ? err : 0;	/* no listing: totals only */
	p->unmapped[side] += ls.unmapped;
	for (size_t i = 0; i < ls.nrows && !err; i++)
		if (ls.rows[i].samples)
			err = cmp_lines_add(p, side, ls.rows[i].file, ls.rows[i].line,
					    ls.rows[i].src, ls.rows[i].samples,
					    (double)ls.rows[i].samples * mean_ns);
	an_listing_free(&ls);
	return err;
}

/* The workload for l->secs in chunks, draining the rings between them. */
static int sampled_workload(const struct cmp_config *cfg, struct an_session *s,
			    struct cmp_lines *l, int side)
{
	struct wl_config wl = cfg->wl;
	struct wl_result *wr = wl_result_new();
	int err = 0;

	if (!wr)
		return -ENOMEM;
	while (!err && l->elapsed_s[side] < l->secs - 1e-9) {
		wl.duration_s = fmin(CMP_LINES_CHUNK_S, l->secs - l->elapsed_s[side]);
		err = wl_run(&wl, wr);
		if (!err && wr->stopped)
			err = -EINTR;
		if (err)
			break;
		an_drain(s);
		l->elapsed_s[side] += wr->elapsed_s;
		l->wl_calls[side] += wr->total_calls;
	}
	wl_result_free(wr);
	return err;
}

/* One version's phase: switched on, sampled over the workload, off. */
static int sample_version(const struct cmp_config *cfg, struct tracer *t, struct cmp_lines *l,
			  int side)
{
	struct an_opts o = { .freq = l->freq, .event = SMP_EVENT_CPU_CLOCK, .detail = true,
			     .callees = true };	/* tail-called programs run inside */
	struct an_result r;
	struct an_session s;
	int err = tracer_on(t), oerr;

	if (err)
		return err;
	o.ids = t->prog_ids;
	o.nids = (size_t)t->nprogs;
	/* The workload's one pinned thread: only what runs on its CPU is set
	 * against its syscalls (the programs also run for other processes,
	 * bpfcost's own ring draining among them, on the other CPUs). */
	if (cfg->wl.threads == 1 && cfg->wl.cpu >= 0) {
		o.one_cpu = true;
		o.cpu = (unsigned)cfg->wl.cpu;
		l->cpu = cfg->wl.cpu;
	}
	err = an_start(&o, &r, &s);
	if (err) {
		char why[160];

		/* the lines are skipped, not the run */
		smp_open_why(err, l->freq, why, sizeof(why));
		snprintf(l->why, sizeof(l->why), "cpu-clock sampling did not start: %s", why);
		an_result_free(&r);
		tracer_off(t);
		return err == -ENOMEM ? err : 1;
	}
	err = sampled_workload(cfg, &s, l, side);
	an_stop(&s);
	l->samples[side] = r.samples;
	l->lost[side] = r.lost;
	for (size_t i = 0; !err && i < r.map.n; i++)
		if (!r.map.v[i]->other && !r.map.v[i]->from_ksym)
			err = record_prog(l, side, r.map.v[i]);
	an_result_free(&r);
	oerr = tracer_off(t);
	return err ? err : oerr;
}

int cmp_lines_run(const struct cmp_config *cfg, struct tracer *t[2], struct cmp_lines *l)
{
	int err = 0;

	memset(l, 0, sizeof(*l));
	l->cpu = -1;
	l->freq = CMP_LINES_FREQ;
	l->secs = fmax(cfg->wl.duration_s, CMP_LINES_MIN_S);
	if (cfg->no_lines) {
		snprintf(l->why, sizeof(l->why), "%s", cfg->no_lines);
		return 0;
	}
	for (int v = 0; !err && v < 2; v++) {
		if (cfg->progress)
			cfg->progress(v + 1, 2, v ? "B, sampling lines" : "A, sampling lines",
				      cfg->progress_arg);
		err = sample_version(cfg, t[v], l, v);
	}
	if (err > 0) {		/* the events could not be opened: why says why */
		cmp_lines_free(l);
		return 0;
	}
	l->ran = !err;
	return err;
}
