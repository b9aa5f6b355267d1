// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* bpfcost top: live per-program cost view on the runstats sampler.
 * ncurses when stdout is a terminal, batch frames (like top -b) otherwise
 * or with -b. The terminal and the stats state are restored on quit, on
 * error and on SIGINT/SIGTERM (our handlers only set a flag; the loop sees
 * it and leaves through the one cleanup path). */
#include <errno.h>
#include <getopt.h>
#include <ncurses.h>
#include <stdlib.h>
#include <string.h>
#include <termcap.h>
#include <time.h>
#include <unistd.h>
#include "biasfmt.h"
#include "bpfstats.h"
#include "common.h"
#include "owners.h"
#include "progs.h"
#include "runstats.h"
#include "tailcall.h"

#define TOP_HIST 120		/* samples of history kept per program */
#define TOP_GRAPH_H 6		/* rows of each graph */
#define TOP_GONE_KEEP 5		/* passes a gone program stays listed (then dropped) */

static const char top_help[] =
	"Usage: bpfcost top [PROG...] [OPTIONS]\n\n"
	"Live view of what each BPF program costs, from the kernel's run-time\n"
	"stats (see 'bpfcost stats --help' for the columns and caveats).\n"
	"With PROG (id N | tag HEX | name NAME | pinned PATH | pid N | comm NAME)\n"
	"only those programs. OWNER: the processes (PID/COMM) holding each program,\n"
	"else 'pinned: PATH' or 'none' (see 'bpfcost prog --help').\n"
	"TAIL_CALL: a tail-called program runs inside its entry's figures (its\n"
	"NS/RUN says 'tail-call', not 'no runs'); an entry's figures include the\n"
	"programs it tail-calls.\n\n"
	"Probes: prog_iter and owner_iter with --reader iter, or auto unless\n"
	"--count 1 (without the owners iterator, /proc is walked each refresh).\n\n"
	"Options:\n"
	"  --interval S      refresh interval (1, 500ms; default 1s)\n"
	"  -b, --batch       print frames to stdout like 'top -b' (the default when\n"
	"                    stdout is not a terminal)\n"
	"  --count N         batch: stop after N frames\n"
	"  --duration D      batch: stop after D\n"
	"  --sysctl          enable stats with kernel.bpf_stats_enabled (restored)\n"
	"  --reader R        auto (default), iter or syscall: how counters are read\n"
	"                    (see 'bpfcost stats --help')\n"
	"  --no-correction   do not measure the stats bias (CORR_NS, CORR%1 left out)\n"
	"  -h, --help        this help\n\n"
	"Keys: s / > next sort column, < previous, r reverse order, / filter by\n"
	"name, type or owner (empty clears), up/down or j/k select a program (its %CPU1\n"
	"and ns/run history is graphed), space or p pause, h help, q quit.\n\n"
	"EXAMPLES:\n"
	"  bpfcost top\n"
	"  bpfcost top --interval 500ms name sysmon_cnt_enter\n"
	"  bpfcost top -b --count 2 comm my-agent\n"
	"  bpfcost top -b --count 3 > frames.txt\n";

enum sort_key { SK_ID, SK_TYPE, SK_NAME, SK_RUNS_S, SK_NS_RUN, SK_CORR_NS, SK_CPU, SK_CORR_CPU,
		SK_MACH, SK_MISSES, SK_TOTAL, SK_COUNT };

static const char *const sk_names[SK_COUNT] = { "ID", "TYPE", "NAME", "RUNS/S", "NS/RUN",
						 "CORR_NS", "%CPU1", "CORR%1", "%MACH",
						 "MISSES", "TOTAL_RUNS" };

/* A program's history: its rs_prog's user data, dropped with it. */
struct top_hist {
	double cpu[TOP_HIST], nsr[TOP_HIST];
	unsigned n;		/* samples stored (ring, newest at n-1) */
};

struct top_state {
	struct rs_sampler rs;
	struct tc_collector tc;
	bool tc_ok;		/* the last pass read the tail-call relations */
	struct bpfstats_enable se;
	size_t *rows;		/* indices into rs.v, shown order */
	size_t nrows;
	enum sort_key sort;
	bool desc, paused, help;
	char filter[64];
	uint32_t sel_id;	/* selected program, 0: first row */
	double interval_s;
	int wtype, wname, wattach;	/* TYPE, NAME, ATTACH: as wide as the widest shown */
};

struct top_opts {
	struct rs_loop_opts loop;
	bool batch;
};

/* ---- model: history, filter, sort ---- */

static void hist_push(struct top_hist *h, double cpu, double nsr)
{
	if (h->n == TOP_HIST) {
		memmove(h->cpu, h->cpu + 1, (TOP_HIST - 1) * sizeof(double));
		memmove(h->nsr, h->nsr + 1, (TOP_HIST - 1) * sizeof(double));
		h->n--;
	}
	h->cpu[h->n] = cpu;
	h->nsr[h->n] = nsr;
	h->n++;
}

static int top_sample(struct top_state *t)
{
	size_t i;
	int err = rs_sample(&t->rs);

	if (err)
		return err;
	/* The relations are an addition: without them rows show "?". */
	err = rs_tail_refresh(&t->rs, &t->tc);
	if (err == -ENOMEM)
		return err;
	t->tc_ok = !err;
	for (i = 0; i < t->rs.n; i++) {
		struct rs_prog *p = &t->rs.v[i];

		if (p->state != RS_LIVE || !p->has_rate)
			continue;
		if (!p->user && !(p->user = calloc(1, sizeof(struct top_hist))))
			return -ENOMEM;
		hist_push(p->user, p->last.cpu_pct, p->last.has_runs ? p->last.ns_per_run : 0);
	}
	return 0;
}

static bool shown(const struct top_state *t, const struct rs_prog *p)
{
	const char *f = t->filter;
	char owner[512];

	if (!rs_prog_current(&t->rs, p))
		return false;	/* a fixed selection keeps its gone programs */
	if (!*f)
		return true;
	if (strstr(p->name, f) || strstr(p->full_name, f) || strstr(prog_type_name(p->type), f))
		return true;
	owners_format(&p->owners, owner, sizeof(owner));
	return strstr(owner, f);
}

/* A sortable figure per key; programs without a rate sort as -1, and a
 * corrected figure below the bias's uncertainty as 0. */
static double key_val(const struct rs_sampler *s, const struct rs_prog *p, enum sort_key k)
{
	const struct rs_rate *r = &p->last;
	struct sb_corrected c;

	if (k == SK_ID)
		return p->id;
	if (k == SK_TOTAL)
		return (double)(p->cur.run_cnt - p->base.run_cnt);
	if (!p->has_rate)
		return -1;
	switch (k) {
	case SK_RUNS_S: return r->runs_per_s;
	case SK_NS_RUN: return r->has_runs ? r->ns_per_run : -1;
	case SK_CORR_NS:
	case SK_CORR_CPU:
		rs_prog_corrected(s, p, r, &c);
		if (!c.applies)
			return -1;
		return k == SK_CORR_NS ? c.ns_per_run : c.cpu_pct;
	case SK_CPU: return r->cpu_pct;
	case SK_MACH: return r->cpu_pct_machine;
	case SK_MISSES: return (double)r->misses;
	default: return 0;
	}
}

static int row_cmp(const void *a, const void *b, void *arg)
{
	const struct top_state *t = arg;
	const struct rs_prog *pa = &t->rs.v[*(const size_t *)a];
	const struct rs_prog *pb = &t->rs.v[*(const size_t *)b];
	double va, vb;
	int c;

	if (t->sort == SK_NAME)
		c = strcmp(pa->full_name, pb->full_name);
	else if (t->sort == SK_TYPE)
		c = strcmp(prog_type_name(pa->type), prog_type_name(pb->type));
	else {
		va = key_val(&t->rs, pa, t->sort);
		vb = key_val(&t->rs, pb, t->sort);
		c = va < vb ? -1 : va > vb;
	}
	if (t->desc)
		c = -c;
	return c ? c : (pa->id > pb->id) - (pa->id < pb->id);
}

static int build_rows(struct top_state *t)
{
	size_t i, *rows = realloc(t->rows, (t->rs.n ? t->rs.n : 1) * sizeof(*rows));

	if (!rows)
		return -ENOMEM;
	t->rows = rows;
	t->nrows = 0;
	t->wtype = 15;
	t->wname = 24;
	t->wattach = 6;
	for (i = 0; i < t->rs.n; i++) {
		const struct rs_prog *p = &t->rs.v[i];

		if (!shown(t, p))
			continue;
		rows[t->nrows++] = i;
		t->wtype = bc_col_width(t->wtype, prog_type_name(p->type));
		t->wname = bc_col_width(t->wname, p->full_name);
		t->wattach = bc_col_width(t->wattach, p->attach);
	}
	qsort_r(rows, t->nrows, sizeof(*rows), row_cmp, t);
	return 0;
}

/* ---- formatting shared by curses and batch ---- */

static void fmt_header(const struct top_state *t, char *buf, size_t len)
{
	char h[SK_COUNT][16];
	int k;

	for (k = 0; k < SK_COUNT; k++)
		snprintf(h[k], sizeof(h[k]), "%s%s", (int)t->sort == k ? (t->desc ? "v" : "^") : "",
			 sk_names[k]);
	snprintf(buf, len, "%7s %-*s %-*s %-*s %11s %10s %9s %8s %9s %8s %7s %12s %-5s %-9s %s",
		 h[0], t->wtype, h[1], t->wname, h[2], t->wattach, "ATTACH", h[3], h[4], h[5], h[6],
		 h[7], h[8], h[9], h[10], "STATE", "TAIL_CALL", "OWNER");
}

/* The TAIL_CALL column: "?" while the relations could not be read. */
static void fmt_tail(const struct top_state *t, const struct rs_prog *p, char *buf, size_t len)
{
	tc_note(&p->tail, buf, len);
	if (!t->tc_ok || !*buf)
		snprintf(buf, len, "%s", t->tc_ok ? "-" : "?");
}

static void fmt_figures(const struct top_state *t, const struct rs_prog *p, char *buf,
			size_t len)
{
	static const char *const st[] = { "new", "live", "gone" };
	const struct rs_rate *r = &p->last;
	unsigned long long total = p->cur.run_cnt - p->base.run_cnt;
	/* A tail-called program's runs are counted in its entry: not idle. */
	const char *idle = p->tail.ncallers ? "tail-call" : "no runs";
	char nsr[16], cns[24], ccpu[24], tail[160];
	struct sb_corrected c;
	int n;

	fmt_tail(t, p, tail, sizeof(tail));
	n = snprintf(buf, len, "%7u %-*s %-*s %-*s", p->id, t->wtype, prog_type_name(p->type),
		     t->wname, BC_ESC(p->full_name), t->wattach,
		     p->attach[0] ? BC_ESC(p->attach) : "-");
	if (n < 0 || (size_t)n >= len)
		return;
	if (!p->has_rate) {
		snprintf(buf + n, len - n, " %11s %10s %9s %8s %9s %8s %7s %12llu %-5s %-9s", "-",
			 "-", "-", "-", "-", "-", "-", total, st[p->state], tail);
		return;
	}
	if (!r->runs && !r->time_ns && !r->misses) {
		/* Idle in this interval, most of a big fleet: the same text as
		 * the general case with every figure 0, without the floating
		 * point formatting that was most of a batch frame's cost. */
		snprintf(buf + n, len - n, " %11s %10s %9s %8s %9s %8s %7s %12llu %-5s %-9s", "0.0",
			 idle, "-", "0.000", "-", "0.000", "0", total, st[p->state], tail);
		return;
	}
	if (r->has_runs)
		snprintf(nsr, sizeof(nsr), "%.1f", r->ns_per_run);
	else
		snprintf(nsr, sizeof(nsr), "%s", idle);
	rs_prog_corrected(&t->rs, p, r, &c);
	bf_corrected_str(cns, sizeof(cns), 1, &c, false);
	bf_corrected_str(ccpu, sizeof(ccpu), 3, &c, true);
	snprintf(buf + n, len - n, " %11.1f %10s %9s %8.3f %9s %8.3f %7llu %12llu %-5s %-9s",
		 r->runs_per_s, nsr, cns, r->cpu_pct, ccpu, r->cpu_pct_machine,
		 (unsigned long long)r->misses, total, st[p->state], tail);
}

static void fmt_row(const struct top_state *t, const struct rs_prog *p, char *buf, size_t len)
{
	char owner[512];
	size_t n;

	fmt_figures(t, p, buf, len);
	n = strlen(buf);
	owners_format(&p->owners, owner, sizeof(owner));
	snprintf(buf + n, len - n, " %s", BC_ESC(owner));
}

static void fmt_status(const struct top_state *t, char *buf, size_t len)
{
	char clock[16], bias[48] = "  bias: not measured";
	time_t now = time(NULL);
	struct tm tm;

	strftime(clock, sizeof(clock), "%H:%M:%S", localtime_r(&now, &tm));
	if (t->rs.bias.valid)
		snprintf(bias, sizeof(bias), "  bias %.1f ns [%.1f, %.1f]", t->rs.bias.ns_per_run,
			 t->rs.bias.lo, t->rs.bias.hi);
	snprintf(buf, len, "bpfcost top - %s  every %.2gs  stats via %s%s  reader %s%s"
		 "  %zu/%zu programs  sort: %s%s%s%s%s", clock, t->interval_s,
		 bpfstats_via_name(t->se.via), t->se.was_on ? " (was on)" : "",
		 rs_reader_name(t->rs.reader), bias, t->nrows, t->rs.n, sk_names[t->sort],
		 t->desc ? " desc" : " asc", *t->filter ? "  filter: " : "", t->filter,
		 t->paused ? "  PAUSED" : "");
}

/* ---- batch ---- */

static void batch_frame(FILE *f, struct top_state *t)
{
	char buf[1024];
	size_t i;

	fmt_status(t, buf, sizeof(buf));
	fprintf(f, "%s\n", buf);
	fmt_header(t, buf, sizeof(buf));
	fprintf(f, "%s\n", buf);
	for (i = 0; i < t->nrows; i++) {
		fmt_row(t, &t->rs.v[t->rows[i]], buf, sizeof(buf));
		fprintf(f, "%s\n", buf);
	}
	fprintf(f, "\n");
	fflush(f);
}

struct batch_tick {
	struct bc_ctx *ctx;
	struct top_state *t;
};

static int batch_tick(void *arg, bool last)
{
	struct batch_tick *b = arg;
	int err;

	err = top_sample(b->t);
	if (!err)
		err = build_rows(b->t);
	if (err)
		return err;
	batch_frame(b->ctx->out, b->t);
	return 0;
}

static int run_batch(struct bc_ctx *ctx, const struct top_opts *o, struct top_state *t)
{
	struct batch_tick b = { ctx, t };
	struct bc_interval iv;

	rs_loop_interval(&o->loop, &t->rs, &iv);
	return bc_interval_loop(ctx, &iv, batch_tick, &b, NULL);
}

/* ---- curses ---- */

static const struct rs_prog *selected(struct top_state *t, size_t *pos)
{
	size_t i;

	for (i = 0; i < t->nrows; i++)
		if (t->rs.v[t->rows[i]].id == t->sel_id) {
			*pos = i;
			return &t->rs.v[t->rows[i]];
		}
	*pos = 0;
	if (!t->nrows)
		return NULL;
	t->sel_id = t->rs.v[t->rows[0]].id;
	return &t->rs.v[t->rows[0]];
}

/* One graph: TOP_GRAPH_H rows of '#' columns, newest at the right,
 * scaled to the largest value shown. */
static void draw_graph(int y, int x, int w, const char *title, const double *v, unsigned n)
{
	unsigned start = n > (unsigned)w ? n - (unsigned)w : 0, i;
	double max = 0;
	int row;

	for (i = start; i < n; i++)
		if (v[i] > max)
			max = v[i];
	mvprintw(y, x, "%s (max %.3g)", title, max);
	for (row = 0; row < TOP_GRAPH_H; row++) {
		double level = max * (TOP_GRAPH_H - row - 0.5) / TOP_GRAPH_H;

		move(y + 1 + row, x);
		for (i = start; i < n; i++)
			addch(max > 0 && v[i] >= level ? '#' : (row == TOP_GRAPH_H - 1 ? '_' : ' '));
	}
}

static void draw_help(void)
{
	static const char *const lines[] = {
		"s or >  next sort column      <  previous sort column",
		"r       reverse sort order    /  filter by name or type",
		"up/down or j/k  select        space or p  pause",
		"h       this help             q  quit",
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(lines); i++)
		mvprintw(4 + (int)i, 4, " %-60s ", lines[i]);
}

static void draw(struct top_state *t)
{
	int rows = LINES - (TOP_GRAPH_H + 3) - 3, y, w = COLS / 2 - 2;
	size_t pos, i, first = 0;
	const struct rs_prog *sel = selected(t, &pos);
	char buf[1024];

	erase();
	fmt_status(t, buf, sizeof(buf));
	mvaddnstr(0, 0, buf, COLS);
	fmt_header(t, buf, sizeof(buf));
	attron(A_REVERSE);
	mvaddnstr(1, 0, buf, COLS);
	attroff(A_REVERSE);
	if (rows > 0 && pos >= (size_t)rows)
		first = pos - (size_t)rows + 1;
	for (y = 0, i = first; i < t->nrows && y < rows; i++, y++) {
		fmt_row(t, &t->rs.v[t->rows[i]], buf, sizeof(buf));
		if (i == pos)
			attron(A_BOLD | A_UNDERLINE);
		mvaddnstr(2 + y, 0, buf, COLS);
		attroff(A_BOLD | A_UNDERLINE);
	}
	if (sel && w > 10) {
		static const struct top_hist none;	/* no interval yet */
		const struct top_hist *h = sel->user ? sel->user : &none;

		y = LINES - TOP_GRAPH_H - 2;
		mvprintw(y - 1, 0, "selected: id %u %s", sel->id, BC_ESC(sel->full_name));
		draw_graph(y, 0, w, "%CPU1", h->cpu, h->n);
		draw_graph(y, w + 2, w, "ns/run", h->nsr, h->n);
	}
	if (t->help)
		draw_help();
	refresh();
}

static void prompt_filter(struct top_state *t)
{
	char buf[sizeof(t->filter)] = "";

	mvprintw(LINES - 1, 0, "filter (name or type, empty clears): ");
	clrtoeol();
	echo();
	curs_set(1);
	timeout(-1);
	/* A signal interrupts the read; the main loop then sees the flag. */
	if (getnstr(buf, sizeof(buf) - 1) == OK)
		snprintf(t->filter, sizeof(t->filter), "%s", buf);
	noecho();
	curs_set(0);
}

static void move_sel(struct top_state *t, int d)
{
	size_t pos;

	if (!selected(t, &pos))
		return;
	if (d < 0 && pos > 0)
		pos--;
	else if (d > 0 && pos + 1 < t->nrows)
		pos++;
	t->sel_id = t->rs.v[t->rows[pos]].id;
}

/* Returns false on quit. */
static bool handle_key(struct top_state *t, int ch)
{
	switch (ch) {
	case 'q': case 'Q':
		return false;
	case 's': case '>':
		t->sort = (t->sort + 1) % SK_COUNT;
		break;
	case '<':
		t->sort = (t->sort + SK_COUNT - 1) % SK_COUNT;
		break;
	case 'r':
		t->desc = !t->desc;
		break;
	case ' ': case 'p':
		t->paused = !t->paused;
		break;
	case 'h': case '?':
		t->help = !t->help;
		break;
	case '/':
		prompt_filter(t);
		break;
	case KEY_UP: case 'k':
		move_sel(t, -1);
		break;
	case KEY_DOWN: case 'j':
		move_sel(t, 1);
		break;
	}
	return true;
}

static int curses_loop(struct top_state *t)
{
	uint64_t next = bc_now_ns() + (uint64_t)(t->interval_s * 1e9);
	int err = 0;

	while (!bc_stop_requested()) {
		int ch;

		if (!t->paused && bc_now_ns() >= next) {
			err = top_sample(t);
			if (err)
				break;
			next = bc_now_ns() + (uint64_t)(t->interval_s * 1e9);
		}
		err = build_rows(t);
		if (err)
			break;
		draw(t);
		timeout(100);
		ch = getch();
		if (ch != ERR && !handle_key(t, ch))
			break;
	}
	return err;
}

static int run_curses(struct top_state *t)
{
	const char *term = getenv("TERM");
	SCREEN *scr = NULL;
	int err;

	/* Not initscr: it exit()s on an unknown TERM, past our cleanup. The
	 * terminfo entry is looked up first because a newterm that fails
	 * leaks its half-made screen. */
	if (term && tgetent(NULL, term) == 1)
		scr = newterm(NULL, stdout, stdin);
	if (!scr) {
		bc_err("cannot use the terminal (TERM=%s): unknown terminal type, or not a "
		       "terminal; -b prints batch frames", term ? term : "(unset)");
		return -ENOTTY;
	}
	set_term(scr);
	cbreak();
	noecho();
	keypad(stdscr, TRUE);
	curs_set(0);
	err = curses_loop(t);
	endwin();
	delscreen(scr);
	return err;
}

/* ---- options and entry ---- */

static int parse_opt(int c, const char *arg, void *opts)
{
	struct top_opts *o = opts;

	int err;

	if (c == 'b') {
		o->batch = true;
		return 0;
	}
	err = rs_loop_parse_opt(c, arg, &o->loop);
	return err == -ENOENT ? -EINVAL : err;
}

static int parse_args(int argc, char **argv, struct top_opts *o)
{
	static const struct option opts[] = {
		{ "interval", required_argument, NULL, 'i' },
		{ "count", required_argument, NULL, 'c' },
		{ "duration", required_argument, NULL, 'd' },
		{ "batch", no_argument, NULL, 'b' },
		{ "sysctl", no_argument, NULL, 'S' },
		{ "reader", required_argument, NULL, 'R' },
		{ "no-correction", no_argument, NULL, 'N' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	int err;

	*o = (struct top_opts){ .loop.interval_s = 1.0, .loop.owners = true };
	err = bc_parse_opts(argc, argv, "hb", opts, top_help, parse_opt, o, false);
	if (err)
		return err;
	err = rs_loop_finish(argc, argv, &o->loop);
	if (err)
		return err;
	if (!isatty(STDOUT_FILENO))
		o->batch = true;
	if (!o->batch && (o->loop.count || o->loop.duration_s > 0)) {
		bc_err("--count and --duration apply to batch mode (-b)");
		return -EINVAL;
	}
	return 0;
}

int cmd_top(struct bc_ctx *ctx, int argc, char **argv)
{
	struct top_state t = { .sort = SK_CPU, .desc = true };
	struct top_opts opts;
	uint32_t *ids = NULL;
	size_t nids = 0;
	int err;

	err = parse_args(argc, argv, &opts);
	if (err)
		return err < 0 ? err : 0;
	if (ctx->json) {
		bc_err("top has no JSON output; use 'bpfcost -j stats'");
		return -EINVAL;
	}
	t.interval_s = opts.loop.interval_s;
	err = selectors_resolve_words(opts.loop.nsel, opts.loop.sel_argv, &ids, &nids);
	if (err)
		return err;
	err = bpfstats_enable(&t.se, opts.loop.sysctl);
	if (err) {
		bc_err("cannot enable BPF run-time stats: %s", strerror(-err));
		goto cleanup;
	}
	err = rs_start(ctx, &t.rs, &opts.loop, ids, nids);
	if (err)
		goto cleanup;
	t.rs.want_attach = true;
	t.rs.gone_keep = TOP_GONE_KEEP;
	err = opts.batch ? run_batch(ctx, &opts, &t) : run_curses(&t);
cleanup:
	bpfstats_restore(&t.se);
	rs_free(&t.rs);
	tc_collector_free(&t.tc);
	free(t.rows);
	free(ids);
	return err;
}
