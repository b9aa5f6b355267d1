// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* bpfcost diff: compare's verdicts from two saved results. */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "common.h"
#include "cmpfmt.h"
#include "compare.h"
#include "savedres.h"

#define DIFF_MAX_FILE (64u << 20)

static const char diff_help[] =
	"Usage: bpfcost diff [OPTIONS] BASE.json NEW.json\n\n"
	"The verdicts of bpfcost compare (B = NEW against A = BASE) from two saved\n"
	"results: `bpfcost -j overhead`, `-j compare` (its B side is read), `-j report`\n"
	"or `-j stats` output. Overhead, compare and report results diff with each\n"
	"other; stats output with stats output. One of the two files may be `-`:\n"
	"standard input.\n"
	"  - per syscall (overhead, compare, report): the ns per call the tracer\n"
	"    added; the B - A interval from the two saved intervals (MOVER: the\n"
	"    half-widths added in quadrature, Zou & Donner 2008). A report whose A/B\n"
	"    was skipped (an agent that runs already) has no syscall figures;\n"
	"  - per program (report, stats), matched by name and attach point in two\n"
	"    reports that record them, by name where a file records none (stats\n"
	"    files never do; reports before attach points),\n"
	"    the programs of one name summed as compare sums them: ns per run,\n"
	"    corrected for the stats bias when both files corrected it (else raw in\n"
	"    both): total run time / total runs over the file's intervals (each\n"
	"    interval weighted by its runs); runs/s and CPU share (% of one CPU):\n"
	"    totals over the intervals' total length. With two or more intervals\n"
	"    with runs in both files a 95% t-interval of that ratio (linearized\n"
	"    standard error, n-1 degrees of freedom; widened by the bias's interval\n"
	"    when corrected) and a verdict per program; a program that ran in one\n"
	"    interval (a report's window, stats --count 1), or whose ns per run was\n"
	"    the same in every interval (no spread), gives no interval and no\n"
	"    verdict, and says so. A time or rate bound below 0 is reported as 0\n"
	"    (JSON: \"lo_clamped\": true); B - A is computed from the unclamped\n"
	"    intervals and may be negative.\n"
	"Every verdict says its interval's confidence and method: the B - A\n"
	"interval is MOVER of the two saved intervals, each made as its file says\n"
	"(overhead's and report's: of the mean of the A/B rounds' differences, a\n"
	"t-interval for few rounds or a block bootstrap; stats files': the\n"
	"t-interval of a ratio above). Saved intervals at different confidence\n"
	"levels give no verdict (a warning says so); a partial report is diffed\n"
	"with a warning. Warnings go to stderr, and into the JSON (\"warnings\")\n"
	"and the Markdown.\n\n"
	"Runs made at different times on a shared machine are not directly\n"
	"comparable: the machine drifts between them by more than each run's own\n"
	"interval shows. diff says by how much, from the files: each file's A/A\n"
	"control (off against off within that run) and how far the tracer-off\n"
	"latency itself moved between the two runs. A file diffed against the same\n"
	"content is one measurement twice: no drift, and no interval or verdict\n"
	"(B - A is 0 by construction; JSON call \"same content\"). For a verdict you can\n"
	"trust, run both versions side by side with bpfcost compare.\n\n"
	"Options:\n"
	"  --fail-if-slower T     exit 1 when NEW is slower than BASE by more than T\n"
	"                         with the whole interval above T: PCT% of BASE's\n"
	"                         figure, or NS (\"10%\", \"25ns\", \"25\"). It gates on the\n"
	"                         added ns per call of each syscall (overhead, compare,\n"
	"                         report) and on each program's ns per run (stats)\n"
	"  --markdown             a Markdown summary (pull-request comment, CI job summary);\n"
	"                         not with -j (refused: one output format at a time)\n"
	"  -h, --help             this help\n\n"
	"Exit status: 0 when no gate failed, 1 when --fail-if-slower's gate failed for\n"
	"some syscall or program, 2 on any error (unreadable, malformed, truncated or\n"
	"schema-mismatched file, a report of a newer schema_version, files of\n"
	"different kinds, nothing in common, both files `-`, -j with --markdown).\n\n"
	"EXAMPLES:\n"
	"  bpfcost -j overhead --sysmon events > base.json\n"
	"  bpfcost -j overhead --sysmon count > new.json\n"
	"  bpfcost diff base.json new.json\n"
	"  bpfcost diff --fail-if-slower 10% --markdown base.json new.json\n"
	"  bpfcost -j stats --duration 2 --interval 500ms > base-stats.json\n"
	"  bpfcost -j stats --duration 2 --interval 500ms > new-stats.json\n"
	"  bpfcost diff --markdown base-stats.json new-stats.json\n"
	"  bpfcost -j overhead --sysmon count | bpfcost diff base.json -\n";

struct diff_opts {
	struct cmp_threshold gate;
	bool markdown;
};

static int parse_opt(int c, const char *arg, void *opts)
{
	struct diff_opts *o = opts;

	switch (c) {
	case 'F':
		return cmp_threshold_parse(arg, &o->gate);
	case 'M':
		o->markdown = true;
		return 0;
	}
	return -EINVAL;
}

/* All of fd's bytes (a pipe's too), at most DIFF_MAX_FILE; *buf is the
 * caller's to free, also after an error. */
static int read_all(int fd, char **buf, size_t *n)
{
	size_t cap = 1u << 16;
	ssize_t got;

	*n = 0;
	*buf = malloc(cap + 1);
	while (*buf) {
		if (*n == cap) {
			char *p = cap > DIFF_MAX_FILE ? NULL : realloc(*buf, 2 * cap + 1);

			if (!p)
				return cap > DIFF_MAX_FILE ? -EFBIG : -ENOMEM;
			*buf = p;
			cap *= 2;
		}
		got = read(fd, *buf + *n, cap - *n);
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0)
			return -errno;
		if (!got)
			return *n > DIFF_MAX_FILE ? -EFBIG : 0;
		*n += (size_t)got;
	}
	return -ENOMEM;
}

/* "standard input" for "-", else the path, as shown. */
static const char *shown_name(const char *path)
{
	return strcmp(path, "-") ? path : "standard input";
}

/* Read ("-": standard input) and parse one file; its text stays in *text
 * (the caller frees it) for the same-content check. One-line error naming
 * the file on failure. */
static int load(const char *path, struct saved_result *r, char **text, size_t *n)
{
	bool in = !strcmp(path, "-");
	char why[256];
	struct stat st;
	int fd, err;

	*text = NULL;
	fd = in ? STDIN_FILENO : open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st)) {
		err = -errno;
		bc_err("%s: %s", BC_ESC(shown_name(path)), strerror(-err));
		goto out;
	}
	if (!in && !S_ISREG(st.st_mode)) {
		bc_err("%s: not a regular file (give - to read standard input)", BC_ESC(path));
		err = -EINVAL;
		goto out;
	}
	err = read_all(fd, text, n);
	if (err == -EFBIG) {
		bc_err("%s: larger than %u MiB", BC_ESC(shown_name(path)), DIFF_MAX_FILE >> 20);
		err = -EINVAL;
		goto out;
	}
	if (err) {
		if (err != -ENOMEM)
			bc_err("%s: %s", BC_ESC(shown_name(path)), strerror(-err));
		goto out;
	}
	err = sr_parse(*text, *n, r, why, sizeof(why));
	if (err == -EINVAL)
		bc_err("%s: %s", BC_ESC(shown_name(path)), BC_ESC(why));
out:
	if (fd >= 0 && !in)
		close(fd);
	return err;
}

#define DIFF_MAX_WARN 8
#define DIFF_METHOD_LEN 400

/* Why two files of the same bytes get no interval and no verdict. */
#define SAME_TEXT "the same measurement in both files (same content): B - A is 0 by " \
		  "construction, no interval or verdict"

struct diff_row {
	int kind;
	char none[160];			/* why there is no verdict, else "" */
	const char *none_call;		/* its JSON call: "no interval", "levels differ" */
	char method[DIFF_METHOD_LEN];	/* how diff was made: diff.method */
	struct stats_ci diff;
	struct cmp_verdict v;
};

/* One program of either file, set against its match in the other. */
struct prog_row {
	const struct sr_prog *p[2];	/* A's, B's; NULL when only in the other */
	bool corr;			/* the figures are corrected (both files did) */
	bool has_diff;			/* both have an interval: diff and v hold */
	bool common;			/* both files have it with runs */
	bool levels_differ;		/* both have an interval, at other levels */
	bool same;			/* from two files of the same content */
	char method[DIFF_METHOD_LEN];	/* how diff was made: diff.method */
	struct stats_ci diff;		/* B - A ns per run */
	struct cmp_verdict v;
};

struct diff_model {
	const char *path[2];
	struct saved_result r[2];
	bool same_content;		/* the two texts are byte for byte the same */
	struct diff_row rows[WL_KIND_COUNT];
	int n;
	struct prog_row *prows;
	int nprows;
	int idle;			/* programs without runs in either file, not listed */
	const char *match;		/* how programs were matched */
	char warn[DIFF_MAX_WARN][320];	/* one line each: stderr, JSON, Markdown */
	int nwarn;
};

static void add_warning(struct diff_model *m, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void add_warning(struct diff_model *m, const char *fmt, ...)
{
	va_list ap;

	if (m->nwarn == DIFF_MAX_WARN)
		return;
	va_start(ap, fmt);
	vsnprintf(m->warn[m->nwarn++], sizeof(m->warn[0]), fmt, ap);
	va_end(ap);
}

/* Two saved intervals at other confidence levels do not combine into one
 * B - A interval: say so in why (ending "no verdict") and return true. */
static bool levels_differ(const struct stats_ci *a, const struct stats_ci *b, char *why,
			  size_t len)
{
	if (fabs(a->level - b->level) < 1e-9)
		return false;
	snprintf(why, len, "A's interval is at %.4g%% confidence, B's at %.4g%%: they do not "
		 "combine into one interval: no verdict", a->level * 100, b->level * 100);
	return true;
}

static const struct stats_ci *prog_ns(const struct sr_prog *p, bool corr)
{
	return corr ? &p->ns_corr : &p->ns_raw;
}

static bool ran(const struct sr_prog *p)
{
	return p && p->runs;
}

/* Why a program that ran in both files has no B - A interval: in which
 * file it ran in one interval only, or did not spread. */
static void no_interval_text(char *buf, size_t len, const struct prog_row *pr)
{
	char why[2][96];
	int n = 0;

	for (int s = 0; s < 2; s++) {
		const struct sr_prog *p = pr->p[s];

		if (prog_ns(p, pr->corr)->method)
			continue;
		if (p->no_spread)
			snprintf(why[n++], sizeof(why[0]), "no spread: the same ns/run in each of "
				 "the %zu intervals it ran in, in %s's file", p->ns_raw.n,
				 s ? "B" : "A");
		else
			snprintf(why[n++], sizeof(why[0]), "it ran in %zu interval%s of %s's file",
				 p->ns_raw.n, p->ns_raw.n == 1 ? "" : "s", s ? "B" : "A");
	}
	snprintf(buf, len, "no interval (%s%s%s): no verdict", why[0], n > 1 ? "; " : "",
		 n > 1 ? why[1] : "");
}

/* Why a program row has no verdict (NULL when it has one), without its
 * name: the Markdown cell, and after "NAME: " in the text. */
static const char *prog_why(char *buf, size_t len, const struct prog_row *pr)
{
	if (!pr->p[0] || !pr->p[1])
		snprintf(buf, len, "only in %s's file", pr->p[0] ? "A" : "B");
	else if (!ran(pr->p[0]) || !ran(pr->p[1]))
		snprintf(buf, len, "no runs in %s's file: no verdict", ran(pr->p[0]) ? "B" : "A");
	else if (pr->same)
		snprintf(buf, len, "%s", SAME_TEXT);
	else if (pr->levels_differ)
		levels_differ(prog_ns(pr->p[0], pr->corr), prog_ns(pr->p[1], pr->corr), buf, len);
	else if (!pr->has_diff)
		no_interval_text(buf, len, pr);
	else
		return NULL;
	return buf;
}

/* What a program row says: a verdict, or why there is none. */
static const char *prog_text(char *buf, size_t len, const struct prog_row *pr)
{
	const struct sr_prog *p = pr->p[0] ? pr->p[0] : pr->p[1];
	char kind[160], why[320];

	snprintf(kind, sizeof(kind), "run of %s", BC_ESC(p->name));
	if (prog_why(why, sizeof(why), pr))
		snprintf(buf, len, "%s: %s", BC_ESC(p->name), why);
	else
		cmp_fmt_verdict(buf, len, kind, &pr->diff, &pr->v);
	return buf;
}

static const char *prog_call(const struct prog_row *pr)
{
	if (!pr->p[0] || !pr->p[1])
		return pr->p[0] ? "only in a" : "only in b";
	if (!ran(pr->p[0]) || !ran(pr->p[1]))
		return "no runs";
	if (pr->same)
		return "same content";
	if (pr->levels_differ)
		return "levels differ";
	return pr->has_diff ? cmp_call_name(pr->v.call) : "no interval";
}

/* p's program in r: the same name and attach point (cmp_prog_same), else,
 * where either file records no attach point (stats files, older reports),
 * the same name. */
static const struct sr_prog *find_match(const struct saved_result *r, const struct sr_prog *p)
{
	for (int j = 0; j < r->nprogs; j++)
		if (cmp_prog_same(p->name, p->attach, r->progs[j].name, r->progs[j].attach))
			return &r->progs[j];
	for (int j = 0; j < r->nprogs; j++)
		if ((!*p->attach || !*r->progs[j].attach) && cmp_prog_same(p->name, "",
									    r->progs[j].name, ""))
			return &r->progs[j];
	return NULL;
}

/* How find_match pairs the programs of these two files, said in the
 * per-program header. */
static const char *match_text(const struct saved_result *a, const struct saved_result *b)
{
	if (a->source == SR_STATS)
		return "matched by name (stats files record no attach point)";
	if (a->has_attach && b->has_attach)
		return "matched by name and attach point";
	return "matched by name and attach point where both reports record one, else by name "
	       "(a report from before attach points)";
}

/* The B - A interval of a program that has one in both files, with its
 * method and verdict; none when the levels differ. */
static void prog_diff(struct prog_row *pr, const struct cmp_threshold *gate)
{
	const struct stats_ci *na = prog_ns(pr->p[0], pr->corr), *nb = prog_ns(pr->p[1], pr->corr);
	char why[160];

	pr->levels_differ = levels_differ(na, nb, why, sizeof(why));
	pr->has_diff = !pr->levels_differ;
	if (!pr->has_diff)
		return;
	cmp_diff_independent(na, nb, &pr->diff);
	pr->diff.method = cmp_fmt_mover_method(pr->method, sizeof(pr->method), na, nb);
	cmp_verdict_make(&pr->diff, na->point, gate, &pr->v);
}

/* Programs of both files, matched by find_match: A's in its order, then
 * those only in B. */
static int match_programs(struct diff_model *m, const struct cmp_threshold *gate)
{
	const struct saved_result *a = &m->r[0], *b = &m->r[1];

	m->match = match_text(a, b);
	m->prows = calloc((size_t)a->nprogs + (size_t)b->nprogs + 1, sizeof(*m->prows));
	if (!m->prows)
		return -ENOMEM;
	for (int s = 0; s < 2; s++)
		for (int i = 0; i < m->r[s].nprogs; i++) {
			const struct sr_prog *p = &m->r[s].progs[i], *q = NULL;
			struct prog_row *pr = &m->prows[m->nprows];
			char why[320];

			q = find_match(&m->r[!s], p);
			if (s && q)
				continue;	/* listed with A */
			if (!ran(p) && !ran(q)) {
				m->idle++;
				continue;
			}
			pr->p[s] = p;
			pr->p[!s] = q;
			pr->corr = q ? p->corr && q->corr : p->corr;
			pr->common = ran(p) && ran(q);
			/* One measurement against itself: no sampling variation
			 * between the two sides to make an interval of. */
			pr->same = pr->common && m->same_content;
			if (pr->common && !pr->same && prog_ns(p, pr->corr)->method &&
			    prog_ns(q, pr->corr)->method)
				prog_diff(pr, gate);
			if (pr->levels_differ)
				add_warning(m, "%s: %s", BC_ESC(p->name),
					    prog_why(why, sizeof(why), pr));
			m->nprows++;
		}
	return 0;
}

/* The widest A/A interval end of either file, and the largest move of the
 * tracer-off latency between them: how much this machine drifted. */
static void drift(const struct saved_result *a, const struct saved_result *b, double *aa_ns,
		  double *off_ns)
{
	unsigned mask = a->mask & b->mask;

	*aa_ns = *off_ns = NAN;
	for (int k = 0; k < WL_KIND_COUNT; k++) {
		double m;

		if (!(mask & (1u << k)))
			continue;
		for (int s = 0; s < 2; s++) {
			const struct sr_kind *sk = s ? &b->k[k] : &a->k[k];

			m = fmax(fabs(sk->aa.lo), fabs(sk->aa.hi));
			if (sk->has_aa && !(m <= *aa_ns))
				*aa_ns = m;
		}
		m = fabs(b->k[k].off_mean_ns - a->k[k].off_mean_ns);
		if (isfinite(m) && !(m <= *off_ns))
			*off_ns = m;
	}
}

/* ns per run as printed: never a negative time (a corrected figure at or
 * below 0 is under the stats bias's resolution). */
static const char *fmt_ns(char *buf, size_t len, const struct sr_prog *p, bool corr)
{
	const struct stats_ci *c;

	if (!ran(p))
		return snprintf(buf, len, "%s", p ? "no runs" : "-"), buf;
	c = prog_ns(p, corr);
	if (c->point <= 0 && c->method && c->hi > 0)
		snprintf(buf, len, "<%.1f", c->hi);
	else if (c->point <= 0)
		snprintf(buf, len, "<bias");
	else if (c->method)
		snprintf(buf, len, "%.1f [%.1f, %.1f]", c->point, fmax(c->lo, 0), c->hi);
	else
		snprintf(buf, len, "%.1f", c->point);
	return buf;
}

static const char *fmt_rate(char *buf, size_t len, const struct sr_prog *p)
{
	if (!p)
		snprintf(buf, len, "-");
	else if (p->runs_per_s.method)
		snprintf(buf, len, "%.0f [%.0f, %.0f]", p->runs_per_s.point,
			 fmax(p->runs_per_s.lo, 0), p->runs_per_s.hi);
	else
		snprintf(buf, len, "%.0f", p->runs_per_s.point);
	return buf;
}

static double cpu_of(const struct sr_prog *p, bool corr)
{
	return !p ? NAN : corr ? p->cpu_pct_corr : p->cpu_pct;
}

static const char *fmt_cpu(char *buf, size_t len, const struct sr_prog *p, bool corr)
{
	if (!p)
		snprintf(buf, len, "-");
	else
		snprintf(buf, len, "%.3f", cpu_of(p, corr));
	return buf;
}

static void print_ab_missing(FILE *f, const struct diff_model *m)
{
	for (int s = 0; s < 2; s++)
		if (*m->r[s].ab_why)
			fprintf(f, "No syscall verdicts: %s's report has no A/B figures (%s).\n",
				s ? "B" : "A", BC_ESC(m->r[s].ab_why));
}

static void print_programs_plain(FILE *f, const struct diff_model *m)
{
	char text[512], na[48], nb[48], d[48], ra[40], rb[40], ca[16], cb[16], how[480];

	fprintf(f, "\nPer program (%s files, intervals: A %d, B %d; %s; ns per "
		"run: total run time / total runs over the file's intervals, runs/s and %%CPU1: "
		"over their total length, with a 95%% t-interval of the ratio where it ran in two "
		"or more, bounds below 0 shown as 0; FIG corr: ns per run corrected for the stats bias (both files corrected "
		"it), raw: not; %%CPU1: share of one CPU):\n", sr_source_name(m->r[0].source),
		m->r[0].nintervals, m->r[1].nintervals, m->match);
	fprintf(f, "%-24s %-5s %22s %22s %22s %20s %20s %7s %7s\n", "NAME", "FIG", "A_NS/RUN",
		"B_NS/RUN", "B-A_NS [95% CI]", "A_RUNS/S", "B_RUNS/S", "A_%CPU1", "B_%CPU1");
	for (int i = 0; i < m->nprows; i++) {
		const struct prog_row *pr = &m->prows[i];
		const struct sr_prog *p = pr->p[0] ? pr->p[0] : pr->p[1];

		snprintf(d, sizeof(d), "-");
		if (pr->has_diff)
			snprintf(d, sizeof(d), "%.1f [%.1f, %.1f]", pr->diff.point, pr->diff.lo,
				 pr->diff.hi);
		fprintf(f, "%-24s %-5s %22s %22s %22s %20s %20s %7s %7s\n", BC_ESC(p->name),
			pr->corr ? "corr" : "raw", fmt_ns(na, sizeof(na), pr->p[0], pr->corr),
			fmt_ns(nb, sizeof(nb), pr->p[1], pr->corr), d,
			fmt_rate(ra, sizeof(ra), pr->p[0]), fmt_rate(rb, sizeof(rb), pr->p[1]),
			fmt_cpu(ca, sizeof(ca), pr->p[0], pr->corr),
			fmt_cpu(cb, sizeof(cb), pr->p[1], pr->corr));
	}
	if (m->idle)
		fprintf(f, "  (%d program%s without runs in either file not listed)\n", m->idle,
			m->idle == 1 ? "" : "s");
	fprintf(f, "\n");
	for (int i = 0; i < m->nprows; i++) {
		const struct prog_row *pr = &m->prows[i];

		fprintf(f, "%s", prog_text(text, sizeof(text), pr));
		if (pr->has_diff)
			fprintf(f, "  [%s]", cmp_fmt_ci_method(how, sizeof(how), &pr->diff));
		fprintf(f, "\n");
	}
}

/* A syscall row's verdict, or why there is none. */
static const char *row_text(char *buf, size_t len, const struct diff_row *row)
{
	if (*row->none)
		snprintf(buf, len, "%s: %s", wl_kind_name(row->kind), row->none);
	else
		cmp_fmt_verdict(buf, len, wl_kind_name(row->kind), &row->diff, &row->v);
	return buf;
}

/* The drift warning, or for two files of the same content that there is
 * none; "" when the files give no figure. */
static void print_drift_plain(FILE *f, const struct diff_model *m)
{
	double aa, off;

	if (m->same_content) {
		fprintf(f, "A and B have the same content (a file against itself): no drift between "
			"runs to warn about.\n");
		return;
	}
	fprintf(f, "Warning: these runs were made at different times; on a shared machine they are "
		"not directly comparable (bpfcost compare runs both side by side).\n");
	drift(&m->r[0], &m->r[1], &aa, &off);
	if (isfinite(aa))
		fprintf(f, "  A/A controls in the files reach %.1f ns per call", aa);
	if (isfinite(off))
		fprintf(f, "%s the tracer-off latency moved by %.1f ns per call between the runs",
			isfinite(aa) ? ";" : "  ", off);
	if (isfinite(aa) || isfinite(off))
		fprintf(f, ".\n");
}

/* A column's heading: "NAME [95% CI]" when every row's interval of that
 * column has one level, else "NAME [CI]" (the levels differ: each
 * verdict line names its own). side: 0 A, 1 B, 2 B - A. */
static const char *ci_heading(char *buf, size_t len, const char *name, const struct diff_model *m,
			      int side)
{
	double level = -1;

	for (int i = 0; i < m->n; i++) {
		const struct diff_row *row = &m->rows[i];
		double l = side == 2 ? row->diff.level : m->r[side].k[row->kind].added.level;

		if (level >= 0 && fabs(l - level) > 1e-9) {
			snprintf(buf, len, "%s [CI]", name);
			return buf;
		}
		level = l;
	}
	snprintf(buf, len, "%s [%.0f%% CI]", name, level > 0 ? level * 100 : 95);
	return buf;
}

static void print_plain(FILE *f, const struct diff_model *m)
{
	const struct saved_result *a = &m->r[0], *b = &m->r[1];
	char text[256], how[480], ha[40], hb[40], hd[40];

	fprintf(f, "A (base): %s: %s %s\n", BC_ESC(shown_name(m->path[0])),
		sr_source_name(a->source), BC_ESC(a->describe));
	fprintf(f, "B (new):  %s: %s %s\n", BC_ESC(shown_name(m->path[1])),
		sr_source_name(b->source), BC_ESC(b->describe));
	print_drift_plain(f, m);
	print_ab_missing(f, m);
	if (m->n)
		fprintf(f, "\n%-10s %22s %22s %22s\n", "SYSCALL",
			ci_heading(ha, sizeof(ha), "A_ADDED_NS", m, 0),
			ci_heading(hb, sizeof(hb), "B_ADDED_NS", m, 1),
			ci_heading(hd, sizeof(hd), "B-A_NS", m, 2));
	for (int i = 0; i < m->n; i++) {
		const struct diff_row *row = &m->rows[i];
		char sa[40], sb[40], sd[40];

		cmp_fmt_ci(sa, sizeof(sa), &a->k[row->kind].added);
		cmp_fmt_ci(sb, sizeof(sb), &b->k[row->kind].added);
		snprintf(sd, sizeof(sd), "%.1f [%.1f, %.1f]", row->diff.point, row->diff.lo,
			 row->diff.hi);
		if (*row->none)
			snprintf(sd, sizeof(sd), "%.1f", row->diff.point);
		fprintf(f, "%-10s %22s %22s %22s\n", wl_kind_name(row->kind), sa, sb, sd);
	}
	if (m->n)
		fprintf(f, "\n");
	for (int i = 0; i < m->n; i++) {
		const struct diff_row *row = &m->rows[i];

		fprintf(f, "%s", row_text(text, sizeof(text), row));
		if (!*row->none)
			fprintf(f, "  [%s]", cmp_fmt_ci_method(how, sizeof(how), &row->diff));
		fprintf(f, "\n");
	}
	if (m->nprows)
		print_programs_plain(f, m);
}

static void print_programs_md(FILE *f, const struct diff_model *m)
{
	char text[512], na[48], nb[48], ra[40], rb[40], name[BC_ESC_MAX + 16], how[480];

	fprintf(f, "\nPrograms %s.\n\n| program | A ns/run | B ns/run | B - A (ns, 95%% CI) | "
		"A runs/s | B runs/s | verdict | interval |\n"
		"|---|---:|---:|---:|---:|---:|---|---|\n", m->match);
	for (int i = 0; i < m->nprows; i++) {
		const struct prog_row *pr = &m->prows[i];
		const struct sr_prog *p = pr->p[0] ? pr->p[0] : pr->p[1];
		const char *why = prog_why(text, sizeof(text), pr);
		char d[48] = "-";

		if (pr->has_diff)
			snprintf(d, sizeof(d), "%+.1f [%.1f, %.1f]", pr->diff.point, pr->diff.lo,
				 pr->diff.hi);
		fprintf(f, "| %s | %s%s | %s | %s | %s | %s | %s%s | %s |\n",
			cmp_md_code(name, sizeof(name), p->name),
			fmt_ns(na, sizeof(na), pr->p[0], pr->corr), pr->corr ? "" : " raw",
			fmt_ns(nb, sizeof(nb), pr->p[1], pr->corr), d,
			fmt_rate(ra, sizeof(ra), pr->p[0]), fmt_rate(rb, sizeof(rb), pr->p[1]),
			why ? why : pr->v.call == CMP_SLOWER ? "**slower**" :
			pr->v.call == CMP_FASTER ? "faster" : "no difference detectable",
			pr->has_diff && pr->v.fails ? " (fails the gate)" : "",
			pr->has_diff ? cmp_fmt_ci_method(how, sizeof(how), &pr->diff) : "-");
	}
}

static void print_markdown(FILE *f, const struct diff_model *m)
{
	const struct saved_result *a = &m->r[0], *b = &m->r[1];
	char da[BC_ESC_MAX + 16], db[BC_ESC_MAX + 16], sa[64], sb[64];
	double aa, off;

	drift(a, b, &aa, &off);
	fprintf(f, "### bpfcost diff\n\nA (base): %s  \nB (new): %s  \n",
		cmp_md_code(da, sizeof(da), a->describe), cmp_md_code(db, sizeof(db), b->describe));
	for (int i = 0; i < m->nwarn; i++)
		fprintf(f, "> **Warning:** %s  \n", m->warn[i]);
	if (m->same_content) {
		fprintf(f, "> A and B have the same content: no drift between runs to warn "
			"about.\n\n");
	} else {
		fprintf(f, "> **Warning:** runs made at different times are not directly "
			"comparable");
		if (isfinite(aa))
			fprintf(f, "; A/A controls reach %.1f ns", aa);
		if (isfinite(off))
			fprintf(f, "; the tracer-off latency moved %.1f ns between them", off);
		fprintf(f, ".\n\n");
	}
	print_ab_missing(f, m);
	if (m->n)
		cmp_md_header(f);
	for (int i = 0; i < m->n; i++) {
		const struct diff_row *row = &m->rows[i];

		if (*row->none)
			fprintf(f, "| %s | %s | %s | %+.1f | %s | - |\n", wl_kind_name(row->kind),
				cmp_fmt_ci(sa, sizeof(sa), &a->k[row->kind].added),
				cmp_fmt_ci(sb, sizeof(sb), &b->k[row->kind].added), row->diff.point,
				row->none);
		else
			cmp_md_row(f, wl_kind_name(row->kind), &a->k[row->kind].added,
				   &b->k[row->kind].added, &row->diff, &row->v);
	}
	if (m->nprows)
		print_programs_md(f, m);
}

static json_t *drift_json(const struct diff_model *m)
{
	double aa, off;

	drift(&m->r[0], &m->r[1], &aa, &off);
	return bc_json_pack("{s:s?, s:b, s:o, s:o}", "warning", m->same_content ? NULL :
			    "runs made at different times are not directly comparable",
			    "same_content", m->same_content, "aa_max_ns", bc_json_real(aa),
			    "off_moved_ns", bc_json_real(off));
}

/* A time or rate as reported: never below 0. A bound (or a corrected
 * point) below 0 is set to 0 and marked; B - A used the value as it was. */
static json_t *nonneg_ci_json(const struct stats_ci *ci)
{
	struct stats_ci c = *ci;
	bool lo = c.lo < 0, point = c.point < 0;
	json_t *o;

	c.lo = lo ? 0 : c.lo;
	c.point = point ? 0 : c.point;
	o = cmp_ci_json(&c);
	if (o && lo)
		json_object_set_new(o, "lo_clamped", json_true());
	if (o && point)
		json_object_set_new(o, "point_clamped", json_true());
	return o;
}

static json_t *prog_side_json(const struct sr_prog *p, bool corr)
{
	if (!p)
		return json_null();
	return bc_json_pack("{s:o, s:o, s:o, s:I, s:i, s:b}", "ns_per_run",
			    nonneg_ci_json(prog_ns(p, corr)), "runs_per_s",
			    nonneg_ci_json(&p->runs_per_s),
			    "cpu_pct", bc_json_real(cpu_of(p, corr)), "runs", (json_int_t)p->runs,
			    "programs", p->nsummed, "no_spread", p->no_spread);
}

static json_t *programs_json(const struct diff_model *m)
{
	json_t *arr = json_array();
	char text[512];

	for (int i = 0; i < m->nprows; i++) {
		const struct prog_row *pr = &m->prows[i];
		const struct sr_prog *p = pr->p[0] ? pr->p[0] : pr->p[1];
		json_t *v = pr->has_diff ? cmp_verdict_json(p->name, &pr->diff, &pr->v) :
			    bc_json_pack("{s:s, s:b, s:s}", "call", prog_call(pr), "fails", false,
					 "text", prog_text(text, sizeof(text), pr));

		/* The verdict's text names the kind "run of NAME". */
		if (pr->has_diff)
			json_object_set_new(v, "text", json_string(prog_text(text, sizeof(text),
									     pr)));
		json_array_append_new(arr, bc_json_pack("{s:s, s:s, s:s, s:o, s:o, s:o, s:o}",
				      "name", p->name, "attach", p->attach, "figure",
				      pr->corr ? "corrected" : "raw", "a",
				      prog_side_json(pr->p[0], pr->corr), "b",
				      prog_side_json(pr->p[1], pr->corr), "diff_ns", pr->has_diff ?
				      cmp_ci_json(&pr->diff) : json_null(), "verdict", v));
	}
	return bc_json_pack("{s:s, s:s, s:i, s:i, s:i, s:o}", "method", "ns per run: total run "
			    "time / total runs over each file's intervals, runs/s and cpu_pct: over "
			    "their total length; 95% t-interval of the ratio (linearized SE, n-1 df); "
			    "bounds below 0 reported as 0 (lo_clamped); B - A by MOVER from the "
			    "unclamped intervals", "match", m->match, "a_intervals",
			    m->r[0].nintervals, "b_intervals", m->r[1].nintervals,
			    "not_listed_idle", m->idle, "programs", arr);
}

static json_t *side_json(const struct saved_result *r)
{
	json_t *o = bc_json_pack("{s:s, s:s}", "source", sr_source_name(r->source), "describe",
				 r->describe);

	if (o && *r->ab_why)
		json_object_set_new(o, "no_ab", json_string(r->ab_why));
	if (o && r->partial)
		json_object_set_new(o, "partial", json_string(r->partial_why));
	return o;
}

static json_t *warnings_json(const struct diff_model *m)
{
	json_t *arr = json_array();

	for (int i = 0; arr && i < m->nwarn; i++)
		json_array_append_new(arr, json_string(m->warn[i]));
	return arr;
}

static int print_json(struct bc_ctx *ctx, const struct diff_model *m)
{
	json_t *kinds = json_object();

	for (int i = 0; i < m->n; i++) {
		const struct diff_row *row = &m->rows[i];
		const char *name = wl_kind_name(row->kind);
		char text[256];

		json_object_set_new(kinds, name, bc_json_pack("{s:o, s:o, s:o, s:o}", "a_added_ns",
				    cmp_ci_json(&m->r[0].k[row->kind].added), "b_added_ns",
				    cmp_ci_json(&m->r[1].k[row->kind].added), "diff_ns",
				    *row->none ? json_null() : cmp_ci_json(&row->diff), "verdict",
				    *row->none ? bc_json_pack("{s:s, s:b, s:s}", "call",
							      row->none_call, "fails", false, "text",
							      row_text(text, sizeof(text), row)) :
				    cmp_verdict_json(name, &row->diff, &row->v)));
	}
	return bc_json_emit(ctx, bc_json_pack("{s:o, s:o, s:s, s:o, s:o, s:o, s:o}", "a",
					      side_json(&m->r[0]), "b", side_json(&m->r[1]),
					      "method", "B - A by MOVER from the two saved intervals "
					      "(each diff_ns.method says which)", "warnings",
					      warnings_json(m), "drift", drift_json(m), "syscalls",
					      kinds, "per_program", m->r[0].has_programs &&
					      m->r[1].has_programs ? programs_json(m) : json_null()));
}

/* One syscall kind both files measured: B - A, its method and verdict, or
 * why there is none. */
static void syscall_row(struct diff_model *m, struct diff_row *row, int k,
			const struct cmp_threshold *gate)
{
	const struct stats_ci *a = &m->r[0].k[k].added, *b = &m->r[1].k[k].added;

	row->kind = k;
	cmp_diff_independent(a, b, &row->diff);
	row->diff.method = cmp_fmt_mover_method(row->method, sizeof(row->method), a, b);
	if (m->same_content) {
		row->none_call = "same content";
		snprintf(row->none, sizeof(row->none), "%s", SAME_TEXT);
	} else if (levels_differ(a, b, row->none, sizeof(row->none))) {
		row->none_call = "levels differ";
		add_warning(m, "%s: %s", wl_kind_name(k), row->none);
	} else if (cmp_ci_flat(&row->diff)) {
		/* Two zero-width saved intervals: no spread, no interval. */
		row->none_call = "no interval";
		snprintf(row->none, sizeof(row->none), "no interval (no spread: both files' "
			 "intervals have zero width): no verdict");
	} else {
		cmp_verdict_make(&row->diff, a->point, gate, &row->v);
	}
}

static int build(struct diff_model *m, const struct cmp_threshold *gate, bool *failed)
{
	const struct saved_result *a = &m->r[0], *b = &m->r[1];
	int err = 0, common = 0;

	if (!sr_comparable(a, b)) {
		bc_err("%s is %s output and %s %s output: diff compares stats files with stats "
		       "files, overhead/compare/report results with each other",
		       BC_ESC(shown_name(m->path[0])), sr_source_name(a->source),
		       BC_ESC(shown_name(m->path[1])), sr_source_name(b->source));
		return -EINVAL;
	}
	for (int s = 0; s < 2; s++)
		if (m->r[s].partial)
			add_warning(m, "%s's report is partial (%s): its figures cover only what was "
				    "measured before it stopped", s ? "B" : "A",
				    *m->r[s].partial_why ? BC_ESC(m->r[s].partial_why) :
				    "no reason saved");
	for (int k = 0; k < WL_KIND_COUNT; k++) {
		struct diff_row *row = &m->rows[m->n];

		if (!(a->mask & b->mask & (1u << k)))
			continue;
		syscall_row(m, row, k, gate);
		*failed |= !*row->none && row->v.fails;
		common++;
		m->n++;
	}
	if (a->has_programs && b->has_programs)
		err = match_programs(m, gate);
	for (int i = 0; !err && i < m->nprows; i++) {
		*failed |= m->prows[i].has_diff && m->prows[i].v.fails;
		common += m->prows[i].common;
	}
	if (!err && !common) {
		bc_err("nothing in common: the two files have no syscall and no program with "
		       "runs in common");
		err = -EINVAL;
	}
	return err;
}

/* Both files, read and parsed; whether they hold the same bytes. */
static int load_both(struct diff_model *m)
{
	char *text[2] = { NULL, NULL };
	size_t n[2] = { 0, 0 };
	int err = load(m->path[0], &m->r[0], &text[0], &n[0]);

	if (!err)
		err = load(m->path[1], &m->r[1], &text[1], &n[1]);
	if (!err)
		m->same_content = n[0] == n[1] && !memcmp(text[0], text[1], n[0]);
	free(text[0]);
	free(text[1]);
	return err;
}

int cmd_diff(struct bc_ctx *ctx, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "fail-if-slower", required_argument, NULL, 'F' },
		{ "markdown", no_argument, NULL, 'M' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	struct diff_opts o = { 0 };
	struct diff_model m = { 0 };
	bool failed = false;
	int err;

	ctx->gate = true;
	err = bc_parse_opts(argc, argv, "h", opts, diff_help, parse_opt, &o, false);
	if (err)
		return err < 0 ? err : 0;
	if (argc - optind != 2) {
		bc_err("give two files: BASE.json NEW.json");
		return -EINVAL;
	}
	if (ctx->json && o.markdown) {
		bc_err("-j and --markdown are two output formats: give one");
		return -EINVAL;
	}
	m.path[0] = argv[optind];
	m.path[1] = argv[optind + 1];
	if (!strcmp(m.path[0], "-") && !strcmp(m.path[1], "-")) {
		bc_err("only one of BASE and NEW can be - (standard input)");
		return -EINVAL;
	}
	err = load_both(&m);
	if (!err)
		err = build(&m, &o.gate, &failed);
	if (!err) {
		ctx->gate_failed |= failed;
		for (int i = 0; i < m.nwarn; i++)
			fprintf(stderr, "bpfcost: warning: %s\n", m.warn[i]);
		if (ctx->json)
			err = print_json(ctx, &m);
		else if (o.markdown)
			print_markdown(ctx->out, &m);
		else
			print_plain(ctx->out, &m);
	}
	free(m.prows);
	sr_free(&m.r[0]);
	sr_free(&m.r[1]);
	return err;
}
