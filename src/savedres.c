// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Saved overhead, compare, report and stats results, read back with
 * jansson (savedres.h). */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <jansson.h>
#include "compare.h"
#include "report.h"
#include "savedres.h"

#define SR_LEVEL 0.95
#define SR_MAX_DOCS (1u << 20)	/* JSON values in one stats file */

static int bad(char *why, size_t len, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int bad(char *why, size_t len, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, len, fmt, ap);
	va_end(ap);
	/* Names and jansson's text quote the input: keep it to one line. */
	for (char *c = why; *c; c++)
		if (*c == '\n' || *c == '\r')
			*c = ' ';
	return -EINVAL;
}

const char *sr_source_name(enum sr_source s)
{
	static const char *const names[] = { [SR_OVERHEAD] = "overhead", [SR_COMPARE] = "compare",
					     [SR_REPORT] = "report", [SR_STATS] = "stats" };

	return names[s];
}

bool sr_comparable(const struct saved_result *a, const struct saved_result *b)
{
	return (a->source == SR_STATS) == (b->source == SR_STATS);
}

void sr_free(struct saved_result *r)
{
	free(r->progs);
	r->progs = NULL;
	r->nprogs = 0;
}

/* {"point", "lo", "hi", "level", "method"?, "n"?} with lo <= point <= hi,
 * all finite; the method is copied to method_buf, ci->method points there. */
static int read_ci(json_t *o, const char *path, struct stats_ci *ci, char *method_buf,
		   size_t method_len, char *why, size_t len)
{
	json_t *p = json_object_get(o, "point"), *lo = json_object_get(o, "lo"),
	       *hi = json_object_get(o, "hi"), *lv = json_object_get(o, "level"),
	       *m = json_object_get(o, "method"), *n = json_object_get(o, "n");

	if (!json_is_object(o))
		return bad(why, len, "%s is missing or not an object", path);
	if (!json_is_number(p) || !json_is_number(lo) || !json_is_number(hi) ||
	    !json_is_number(lv))
		return bad(why, len, "%s needs numbers point, lo, hi and level", path);
	if ((m && !json_is_string(m) && !json_is_null(m)) ||
	    (n && (!json_is_integer(n) || json_integer_value(n) < 0)))
		return bad(why, len, "%s: method is not a string or n not a count", path);
	ci->point = json_number_value(p);
	ci->lo = json_number_value(lo);
	ci->hi = json_number_value(hi);
	ci->level = json_number_value(lv);
	ci->n = n ? (size_t)json_integer_value(n) : 0;
	ci->method = NULL;
	if (json_is_string(m)) {
		snprintf(method_buf, method_len, "%s", json_string_value(m));
		ci->method = method_buf;
	}
	if (!isfinite(ci->point) || !isfinite(ci->lo) || !isfinite(ci->hi) ||
	    !(ci->lo <= ci->point && ci->point <= ci->hi) || !(ci->level > 0 && ci->level < 1))
		return bad(why, len, "%s is not an interval (lo <= point <= hi, 0 < level < 1)",
			   path);
	return 0;
}

static int kind_index(const char *name)
{
	for (int k = 0; k < WL_KIND_COUNT; k++)
		if (!strcmp(name, wl_kind_name(k)))
			return k;
	return -1;
}

/* One kind's A/B figures: an overhead result's "syscalls" member, a
 * report's syscalls[] entry, or the B side of a compare. */
static int read_kind(json_t *v, const char *name, bool compare, struct sr_kind *k,
		     char *why, size_t len)
{
	char path[96];
	json_t *off;
	int err;

	snprintf(path, sizeof(path), "syscalls.%s.%s", name, compare ? "b_added_ns" : "added_ns");
	err = read_ci(json_object_get(v, compare ? "b_added_ns" : "added_ns"), path, &k->added,
		      k->method[0], sizeof(k->method[0]), why, len);
	if (err)
		return err;
	snprintf(path, sizeof(path), "syscalls.%s.aa_ns", name);
	k->has_aa = json_object_get(v, "aa_ns") != NULL;
	if (k->has_aa && (err = read_ci(json_object_get(v, "aa_ns"), path, &k->aa, k->method[1],
					sizeof(k->method[1]), why, len)))
		return err;
	off = json_object_get(v, compare ? "off_ns" : "off");
	if (!compare)
		off = json_object_get(off, "mean");
	k->off_mean_ns = json_is_number(off) ? json_number_value(off) : NAN;
	return 0;
}

static int read_result(json_t *root, struct saved_result *out, char *why, size_t len)
{
	json_t *kinds = json_object_get(root, "syscalls"), *v, *desc;
	bool compare = json_object_get(root, "a") && json_object_get(root, "b");
	const char *name;
	int err;

	if (!json_is_object(kinds) || !json_object_size(kinds))
		return bad(why, len, "not an overhead, compare, report or stats result (no "
			   "\"syscalls\" object; save one with bpfcost -j overhead)");
	out->source = compare ? SR_COMPARE : SR_OVERHEAD;
	desc = json_object_get(json_object_get(root, compare ? "b" : "tracer"), "describe");
	if (json_is_string(desc))
		snprintf(out->describe, sizeof(out->describe), "%s", json_string_value(desc));
	json_object_foreach(kinds, name, v) {
		int k = kind_index(name);

		if (k < 0)
			return bad(why, len, "syscalls.%.40s: not a syscall kind of the workload", name);
		err = read_kind(v, name, compare, &out->k[k], why, len);
		if (err)
			return err;
		out->mask |= 1u << k;
	}
	return 0;
}

/* ---- programs of report and stats files ---- */

/* One key's values while reading: this interval's sums, then per
 * interval (those the key was seen in) its runs, run time and length. */
struct sr_acc {
	double runs, time_ns, wall_s;	/* this interval, summed over the key */
	bool seen;
	double *iv_runs, *iv_time, *iv_wall;	/* per interval seen in */
	size_t n, cap;
};

struct sr_reader {
	struct saved_result *out;
	struct sr_acc *acc;		/* parallel to out->progs */
	int cap;
	bool bias_valid;
	struct stats_ci bias;		/* ns per run */
	char *why;
	size_t len;
};

static void reader_free(struct sr_reader *rd)
{
	for (int i = 0; rd->acc && i < rd->out->nprogs; i++) {
		free(rd->acc[i].iv_runs);
		free(rd->acc[i].iv_time);
		free(rd->acc[i].iv_wall);
	}
	free(rd->acc);
}

/* The index of the entry for name at attach, added when new; -ENOMEM. */
static int reader_key(struct sr_reader *rd, const char *name, const char *attach)
{
	struct saved_result *o = rd->out;

	for (int i = 0; i < o->nprogs; i++)
		if (cmp_prog_same(o->progs[i].name, o->progs[i].attach, name, attach))
			return i;
	if (o->nprogs == rd->cap) {
		int cap = rd->cap ? 2 * rd->cap : 8;
		struct sr_prog *p = realloc(o->progs, (size_t)cap * sizeof(*p));
		struct sr_acc *a;

		if (!p)
			return -ENOMEM;
		o->progs = p;
		a = realloc(rd->acc, (size_t)cap * sizeof(*a));
		if (!a)
			return -ENOMEM;
		rd->acc = a;
		rd->cap = cap;
	}
	memset(&o->progs[o->nprogs], 0, sizeof(o->progs[0]));
	memset(&rd->acc[o->nprogs], 0, sizeof(rd->acc[0]));
	snprintf(o->progs[o->nprogs].name, sizeof(o->progs[0].name), "%s", name);
	snprintf(o->progs[o->nprogs].attach, sizeof(o->progs[0].attach), "%s", attach);
	o->progs[o->nprogs].corr = true;	/* until a program summed here says no */
	return o->nprogs++;
}

static double count_of(json_t *v)
{
	return json_is_integer(v) && json_integer_value(v) >= 0 ? (double)json_integer_value(v) :
								  -1;
}

/* One program's figures over one interval: rate {runs, run_time_ns,
 * wall_s}; applies: the stats bias applies to it (the file says so). */
static int reader_add(struct sr_reader *rd, const char *path, json_t *prog, json_t *rate,
		      bool applies)
{
	json_t *name = json_object_get(prog, "full_name"), *attach = json_object_get(prog, "attach");
	double runs = count_of(json_object_get(rate, "runs"));
	double time_ns = count_of(json_object_get(rate, "run_time_ns"));
	json_t *wall = json_object_get(rate, "wall_s");
	struct sr_acc *a;
	int i;

	if (!json_is_string(name) || !*json_string_value(name) || (attach && !json_is_string(attach)))
		return bad(rd->why, rd->len, "%s: no full_name (or attach) string", path);
	/* At least a microsecond, so no rate overflows. */
	if (runs < 0 || time_ns < 0 || !json_is_number(wall) || !(json_number_value(wall) >= 1e-6) ||
	    !isfinite(json_number_value(wall)))
		return bad(rd->why, rd->len, "%s needs counts runs and run_time_ns and wall_s of at "
			   "least 1e-6", path);
	rd->out->has_attach |= attach != NULL;
	i = reader_key(rd, json_string_value(name), attach ? json_string_value(attach) : "");
	if (i < 0)
		return i;
	a = &rd->acc[i];
	if (!a->seen)
		rd->out->progs[i].nsummed = 0;
	a->seen = true;
	a->runs += runs;
	a->time_ns += time_ns;
	a->wall_s = fmax(a->wall_s, json_number_value(wall));
	rd->out->progs[i].runs += (uint64_t)runs;
	rd->out->progs[i].nsummed++;
	rd->out->progs[i].corr &= applies;
	return 0;
}

/* One more interval's runs, run time and length for a. */
static int push_interval(struct sr_acc *a)
{
	if (a->n == a->cap) {
		size_t c = a->cap ? 2 * a->cap : 8;
		double *v[3] = { a->iv_runs, a->iv_time, a->iv_wall };

		for (int j = 0; j < 3; j++) {
			double *p = realloc(v[j], c * sizeof(*p));

			if (!p)
				return -ENOMEM;
			v[j] = p;
			if (j == 0)
				a->iv_runs = p;
			else if (j == 1)
				a->iv_time = p;
			else
				a->iv_wall = p;
		}
		a->cap = c;
	}
	a->iv_runs[a->n] = a->runs;
	a->iv_time[a->n] = a->time_ns;
	a->iv_wall[a->n] = a->wall_s;
	a->n++;
	return 0;
}

/* An interval ends: each key seen in it keeps its sums for the interval. */
static int reader_interval_end(struct sr_reader *rd)
{
	for (int i = 0; i < rd->out->nprogs; i++) {
		struct sr_acc *a = &rd->acc[i];
		int err;

		if (!a->seen)
			continue;
		err = push_interval(a);
		if (err)
			return err;
		a->runs = a->time_ns = a->wall_s = 0;
		a->seen = false;
	}
	rd->out->nintervals++;
	return 0;
}

static void no_interval(struct stats_ci *ci, double point, size_t n)
{
	*ci = (struct stats_ci){ .point = point, .lo = NAN, .hi = NAN, .level = SR_LEVEL, .n = n };
}

/* An interval of (almost) zero width is no interval: the values did not
 * spread, which says nothing about how far they could (SR_NO_SPREAD). */
static bool flat(const struct stats_ci *ci)
{
	return ci->method && !(ci->hi - ci->lo > 1e-9 * fmax(fabs(ci->point), 1));
}

/* ns per run of the intervals with runs: total run time / total runs, each
 * interval weighted by its runs (a ratio estimator and its t-interval). */
static int prog_ns_raw(struct sr_acc *a, struct sr_prog *p)
{
	double *t = malloc((a->n + 1) * sizeof(*t)), *r = malloc((a->n + 1) * sizeof(*r));
	size_t n = 0;
	int err = -ENOMEM;

	if (t && r) {
		for (size_t i = 0; i < a->n; i++)
			if (a->iv_runs[i] > 0) {
				t[n] = a->iv_time[i];
				r[n++] = a->iv_runs[i];
			}
		err = stats_ratio_t_ci(t, r, n, SR_LEVEL, &p->ns_raw);
	}
	free(t);
	free(r);
	if (!err && flat(&p->ns_raw)) {
		p->no_spread = true;
		no_interval(&p->ns_raw, p->ns_raw.point, n);
	}
	return err;
}

/* The figures of every key from its per-interval sums. */
static int reader_finish(struct sr_reader *rd)
{
	for (int i = 0; i < rd->out->nprogs; i++) {
		struct sr_prog *p = &rd->out->progs[i];
		struct sr_acc *a = &rd->acc[i];
		double time = 0, wall = 0;
		int err = prog_ns_raw(a, p);

		if (err)
			return err;
		/* Runs per second of the intervals together: each interval
		 * weighted by its length. */
		err = stats_ratio_t_ci(a->iv_runs, a->iv_wall, a->n, SR_LEVEL, &p->runs_per_s);
		if (err)
			return err;
		if (!a->n)
			p->runs_per_s.point = 0;
		if (flat(&p->runs_per_s))
			no_interval(&p->runs_per_s, p->runs_per_s.point, a->n);
		for (size_t j = 0; j < a->n; j++) {
			time += a->iv_time[j];
			wall += a->iv_wall[j];
		}
		p->cpu_pct = wall > 0 ? time / wall / 1e7 : 0;
		p->corr = p->corr && rd->bias_valid && p->ns_raw.n;
		if (!p->corr)
			continue;
		if (p->ns_raw.method) {
			cmp_diff_independent(&rd->bias, &p->ns_raw, &p->ns_corr);
			p->ns_corr.method = "t-interval of total run time / total runs over the "
					    "intervals, minus the stats bias (MOVER with the bias's "
					    "interval)";
			p->ns_corr.n = p->ns_raw.n;
		} else {
			no_interval(&p->ns_corr, p->ns_raw.point - rd->bias.point, p->ns_raw.n);
		}
		p->cpu_pct_corr = fmax(p->cpu_pct - rd->bias.point * p->runs_per_s.point / 1e7, 0);
	}
	return 0;
}

/* {"valid": true, "ns_per_run", "lo", "hi", "level"?} or {"valid": false}. */
static int read_bias(struct sr_reader *rd, json_t *b, const char *path)
{
	json_t *valid = json_object_get(b, "valid"), *lv = json_object_get(b, "level");
	json_t *p = json_object_get(b, "ns_per_run"), *lo = json_object_get(b, "lo"),
	       *hi = json_object_get(b, "hi");

	if (!json_is_boolean(valid))
		return bad(rd->why, rd->len, "%s is missing or has no \"valid\"", path);
	rd->bias_valid = json_is_true(valid);
	if (!rd->bias_valid)
		return 0;
	rd->bias = (struct stats_ci){ .level = lv ? json_number_value(lv) : SB_LEVEL };
	if (!json_is_number(p) || !json_is_number(lo) || !json_is_number(hi))
		return bad(rd->why, rd->len, "%s needs numbers ns_per_run, lo and hi", path);
	rd->bias.point = json_number_value(p);
	rd->bias.lo = json_number_value(lo);
	rd->bias.hi = json_number_value(hi);
	if (!isfinite(rd->bias.point) || !(rd->bias.lo <= rd->bias.point) ||
	    !(rd->bias.point <= rd->bias.hi) || !isfinite(rd->bias.lo) || !isfinite(rd->bias.hi) ||
	    !(rd->bias.level > 0 && rd->bias.level < 1))
		return bad(rd->why, rd->len, "%s is not an interval (lo <= ns_per_run <= hi)", path);
	return 0;
}

/* ---- report files (docs/report.schema.json) ---- */

static int read_report_syscalls(json_t *root, struct saved_result *out, char *why, size_t len)
{
	json_t *arr = json_object_get(root, "syscalls"), *v;
	size_t i;
	int err;

	if (!json_is_array(arr))
		return bad(why, len, "report: \"syscalls\" is not an array");
	json_array_foreach(arr, i, v) {
		json_t *kind = json_object_get(v, "kind"), *ab = json_object_get(v, "ab");
		json_t *point = json_object_get(json_object_get(v, "added_ns"), "point");
		int k = json_is_string(kind) ? kind_index(json_string_value(kind)) : -1;

		if (k < 0 || !json_is_boolean(ab))
			return bad(why, len, "report: syscalls[%zu] needs a workload kind and \"ab\"",
				   i);
		/* Not measured by A/B, or too few rounds for a figure. */
		if (!json_is_true(ab) || json_is_null(point))
			continue;
		err = read_kind(v, json_string_value(kind), false, &out->k[k], why, len);
		if (err)
			return err;
		out->mask |= 1u << k;
	}
	return 0;
}

static int read_report_programs(struct sr_reader *rd, json_t *root)
{
	json_t *arr = json_object_get(root, "programs"), *v;
	char path[96];
	size_t i;
	int err;

	if (!json_is_array(arr))
		return bad(rd->why, rd->len, "report: \"programs\" is not an array");
	err = read_bias(rd, json_object_get(root, "stats_bias"), "report: stats_bias");
	json_array_foreach(arr, i, v) {
		json_t *st = json_object_get(v, "stats");

		if (err)
			break;
		if (!json_is_true(json_object_get(v, "has_stats")))
			continue;
		snprintf(path, sizeof(path), "report: programs[%zu].stats", i);
		err = reader_add(rd, path, v, st, json_is_true(json_object_get(
				 json_object_get(st, "corrected"), "applies")));
	}
	/* One window: one interval. */
	return err ? err : reader_interval_end(rd);
}

static int read_report(json_t *root, struct saved_result *out, char *why, size_t len)
{
	json_t *title = json_object_get(root, "title");
	json_t *ab = json_object_get(json_object_get(root, "methods"), "ab");
	json_t *state = json_object_get(ab, "state"), *abwhy = json_object_get(ab, "why");
	json_t *wall = json_object_get(json_object_get(root, "window"), "wall_s");
	json_t *pwhy = json_object_get(root, "partial_why");
	struct sr_reader rd = { .out = out, .why = why, .len = len };
	int err;

	out->source = SR_REPORT;
	out->has_programs = true;
	if (json_is_string(title))
		snprintf(out->describe, sizeof(out->describe), "%s", json_string_value(title));
	if (!json_is_string(state))
		return bad(why, len, "report: methods.ab.state is missing");
	if (strcmp(json_string_value(state), "ran"))
		snprintf(out->ab_why, sizeof(out->ab_why), "A/B %s%s%s", json_string_value(state),
			 json_is_string(abwhy) ? ": " : "",
			 json_is_string(abwhy) ? json_string_value(abwhy) : "");
	out->duration_s = json_is_number(wall) ? json_number_value(wall) : NAN;
	out->partial = json_is_true(json_object_get(root, "partial"));
	if (json_is_string(pwhy))
		snprintf(out->partial_why, sizeof(out->partial_why), "%s", json_string_value(pwhy));
	err = read_report_syscalls(root, out, why, len);
	if (!err)
		err = read_report_programs(&rd, root);
	if (!err)
		err = reader_finish(&rd);
	reader_free(&rd);
	return err;
}

/* ---- stats files: JSON lines, interval objects then one summary ---- */

static int read_stats_interval(struct sr_reader *rd, json_t *doc, size_t n)
{
	json_t *progs = json_object_get(doc, "programs"), *v;
	char path[96];
	size_t i;
	int err = 0;

	if (!json_is_array(progs))
		return bad(rd->why, rd->len, "stats: interval %zu has no \"programs\" array", n);
	json_array_foreach(progs, i, v) {
		json_t *rate = json_object_get(v, "rate");

		if (json_is_null(rate))
			continue;	/* gone in this interval, or new: no figures */
		snprintf(path, sizeof(path), "stats: interval %zu: programs[%zu].rate", n, i);
		err = reader_add(rd, path, v, rate, json_is_object(json_object_get(rate,
										   "corrected")));
		if (err)
			return err;
	}
	return reader_interval_end(rd);
}

static const char *doc_type(json_t *doc)
{
	json_t *t = json_object_get(doc, "type");

	return json_is_string(t) ? json_string_value(t) : "";
}

static int read_stats(json_t **docs, size_t n, struct saved_result *out, char *why, size_t len)
{
	struct sr_reader rd = { .out = out, .why = why, .len = len };
	json_t *sum = docs[n - 1], *cnt = json_object_get(sum, "intervals");
	json_t *dur = json_object_get(sum, "duration_s");
	int err = 0;

	out->source = SR_STATS;
	out->has_programs = true;
	if (strcmp(doc_type(sum), "summary"))
		return bad(why, len, "stats: the last object is not the summary (truncated?)");
	if (!json_is_integer(cnt) || json_integer_value(cnt) != (json_int_t)(n - 1))
		return bad(why, len, "stats: the summary counts %lld intervals, the file holds %zu",
			   json_is_integer(cnt) ? (long long)json_integer_value(cnt) : -1LL, n - 1);
	err = read_bias(&rd, json_object_get(sum, "stats_bias"), "stats: summary.stats_bias");
	for (size_t i = 0; !err && i + 1 < n; i++) {
		if (strcmp(doc_type(docs[i]), "interval"))
			err = bad(why, len, "stats: object %zu is not an interval", i + 1);
		else
			err = read_stats_interval(&rd, docs[i], i + 1);
	}
	if (!err)
		err = reader_finish(&rd);
	if (!err) {
		out->duration_s = json_is_number(dur) ? json_number_value(dur) : NAN;
		snprintf(out->describe, sizeof(out->describe), "%d interval%s over %.1f s",
			 out->nintervals, out->nintervals == 1 ? "" : "s", out->duration_s);
	}
	reader_free(&rd);
	return err;
}

/* ---- the file ---- */

static size_t lines_before(const char *text, size_t off)
{
	size_t n = 0;

	for (size_t i = 0; i < off; i++)
		n += text[i] == '\n';
	return n;
}

/* Every JSON value of the text, in order (one, or stats' JSON lines). */
static int load_docs(const char *text, size_t len, json_t ***docs, size_t *n, char *why,
		     size_t whylen)
{
	size_t off = 0, cap = 0;

	*docs = NULL;
	*n = 0;
	for (;;) {
		json_error_t jerr;
		json_t *doc;

		while (off < len && strchr(" \t\r\n", text[off]) && text[off])
			off++;
		if (off == len && *n)
			return 0;
		if (*n == SR_MAX_DOCS)
			return bad(why, whylen, "more than %u JSON values", SR_MAX_DOCS);
		doc = json_loadb(text + off, len - off, JSON_REJECT_DUPLICATES |
				 JSON_DISABLE_EOF_CHECK, &jerr);
		if (!doc)	/* jansson counts lines from off */
			return bad(why, whylen, "not JSON: %s (line %zu, column %d)", jerr.text,
				   lines_before(text, off) + (size_t)jerr.line, jerr.column);
		if (*n == cap) {
			json_t **p = realloc(*docs, (cap ? 2 * cap : 4) * sizeof(*p));

			if (!p) {
				json_decref(doc);
				return -ENOMEM;
			}
			*docs = p;
			cap = cap ? 2 * cap : 4;
		}
		(*docs)[(*n)++] = doc;
		if (!json_is_object(doc))
			return bad(why, whylen, "not a bpfcost result (the top level is not an "
				   "object)");
		off += (size_t)jerr.position;
	}
}

/* A newer schema than this reader knows is refused: its fields may mean
 * something else now. */
static int check_schema(json_t *root, char *why, size_t len)
{
	json_t *v = json_object_get(root, "schema_version");

	if (!v)
		return 0;
	if (!json_is_integer(v) || json_integer_value(v) < 1)
		return bad(why, len, "schema_version is not a positive integer");
	if (json_integer_value(v) > RP_SCHEMA_VERSION)
		return bad(why, len, "schema_version %lld is newer than this bpfcost reads (%d): "
			   "diff it with a newer bpfcost", (long long)json_integer_value(v),
			   RP_SCHEMA_VERSION);
	return 0;
}

/* Which kind of result the values are, and read it. */
static int read_docs(json_t **docs, size_t n, struct saved_result *out, char *why, size_t len)
{
	const char *type = doc_type(docs[0]);
	int err;

	if (!strcmp(type, "interval") || !strcmp(type, "summary"))
		return read_stats(docs, n, out, why, len);
	if (n > 1)
		return bad(why, len, "more than one JSON value, and not bpfcost -j stats output");
	err = check_schema(docs[0], why, len);
	if (err)
		return err;
	if (json_object_get(docs[0], "schema_version") ||
	    json_is_array(json_object_get(docs[0], "syscalls")))
		return read_report(docs[0], out, why, len);
	return read_result(docs[0], out, why, len);
}

int sr_parse(const char *text, size_t len, struct saved_result *out, char *why, size_t whylen)
{
	json_t **docs;
	size_t n;
	int err;

	memset(out, 0, sizeof(*out));
	err = load_docs(text, len, &docs, &n, why, whylen);
	if (!err)
		err = read_docs(docs, n, out, why, whylen);
	for (size_t i = 0; i < n; i++)
		json_decref(docs[i]);
	free(docs);
	return err;
}
