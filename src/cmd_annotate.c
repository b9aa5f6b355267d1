// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* bpfcost annotate: a sampling profile of JITed BPF code down to source
 * lines, BPF instructions and machine instructions; --top for CPU share
 * per program from samples alone. */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include "annotate.h"
#include "common.h"
#include "progs.h"

#define AN_HOT_LINES 10

static const char annotate_help[] =
	"Usage: bpfcost annotate PROG... [OPTIONS]\n"
	"       bpfcost annotate --top [OPTIONS]\n\n"
	"Sample the kernel on every CPU and attribute the samples to the JITed code\n"
	"of BPF programs: per source line (line info + BTF), with the translated BPF\n"
	"instructions and the x86-64 machine code (capstone) under each line on\n"
	"request, and a summary of the hottest lines. Sampling adds no cost per\n"
	"program run, only a timer interrupt per sample.\n"
	"PROG is a selector: id N | tag HEX | name NAME | pinned PATH | pid N |\n"
	"comm NAME (repeatable).\n\n"
	"Probes: perf_cycles with --event auto or cycles; none with cpu-clock.\n\n"
	"Options:\n"
	"  --duration D      sample for D (5, 500ms, 2m; default 5s); Ctrl-C ends early\n"
	"  --freq HZ         samples per second per CPU, 1..100000 (default 4000)\n"
	"  --event E         auto | cpu-clock | cycles (default auto: cycles when the\n"
	"                    PMU has them, else cpu-clock)\n"
	"  --source          per source line (the default)\n"
	"  --bpf             also the translated BPF instructions under each line\n"
	"  --asm             also the machine instructions with their samples\n"
	"  --folded          collapsed stacks 'prog;line N: src;insn COUNT' for\n"
	"                    flame-graph tools, instead of the listing\n"
	"  --top             CPU share per program (every program) from samples alone\n"
	"  -h, --help        this help\n\n"
	"TAIL CALLS:\n"
	"  A program reached by bpf_tail_call runs inside the program that was\n"
	"  entered: run-time stats count its time in the entry's figure, while its\n"
	"  samples land in its own code. Both views are shown: each program's own\n"
	"  samples, and per entry the split of its group (the entry and every\n"
	"  program it reaches) by samples, which is how the entry's run-time stats\n"
	"  figure divides between them. With PROG, the programs a selected one\n"
	"  tail-calls are annotated too.\n\n"
	"LIMITS:\n"
	"  - %CPU1 (percent of one CPU) is sampled time in the program over wall time;\n"
	"    below ~100 samples per program it is rough (a warning says so);\n"
	"  - a program without BTF line info gets a machine/BPF-level listing only;\n"
	"  - time in helpers and kernel functions a program calls is charged to it\n"
	"    (through the kernel call chain) at the call instruction, as run-time\n"
	"    stats charge it;\n"
	"  - sampling is not free: each sample is a timer interrupt plus a stack walk\n"
	"    (bench/annotate_cost.py measures the slowdown per frequency);\n"
	"  - a cpu-clock sample is charged to the instruction about to run when the\n"
	"    timer fired, so a slow instruction's cost can show on the next one;\n"
	"  - samples the kernel could not write (rings full) are counted as lost:\n"
	"    %CPU1 counts the kept ones; the header says by how much it may be low\n"
	"    and JSON has cpu_pct_lost_scaled (as if the lost fell like the kept).\n\n"
	"PROGRAMS THAT COME AND GO:\n"
	"  A program unloaded during the run keeps its samples so far and loses its\n"
	"  addresses at once: the JIT reuses freed memory for new programs. Programs\n"
	"  loaded during the run are added (--top) or, with PROG, counted as other\n"
	"  BPF code, as are the programs not selected.\n\n"
	"EXAMPLES:\n"
	"  bpfcost annotate name sysmon_ev_enter --duration 10\n"
	"  bpfcost annotate id 42 --asm --freq 10000\n"
	"  bpfcost annotate id 42 --folded > out.folded   # flamegraph.pl out.folded\n"
	"  bpfcost annotate --top --duration 3\n"
	"  bpfcost -j annotate name bc_hotloop --bpf\n";

enum an_mode { AN_SOURCE, AN_FOLDED };

struct an_cli {
	struct an_opts run;
	enum smp_event event_req;
	bool bpf, asm_, folded;
	uint32_t *ids;
	size_t nids;
};

static int parse_opt(int c, const char *arg, void *opts)
{
	struct an_cli *o = opts;
	uint64_t v;
	int err;

	switch (c) {
	case 'd':
		return parse_duration("--duration", arg, &o->run.duration_s);
	case 'f':
		err = parse_u64("--freq", arg, SMP_FREQ_MIN, SMP_FREQ_MAX, &v);
		o->run.freq = (unsigned)v;
		return err;
	case 'e':
		return smp_event_parse(arg, &o->event_req);
	case 's':
		return 0;
	case 'b':
		o->bpf = true;
		return 0;
	case 'a':
		o->asm_ = true;
		return 0;
	case 'F':
		o->folded = true;
		return 0;
	case 't':
		o->run.top = true;
		return 0;
	}
	return -EINVAL;
}

static int resolve_progs(struct an_cli *o, int argc, char **argv)
{
	int err;

	if (o->run.top) {
		if (argc) {
			bc_err("--top covers every program; drop the selectors or --top");
			return -EINVAL;
		}
		return 0;
	}
	if (!argc) {
		bc_err("name a program (id N | tag HEX | name NAME | pinned PATH | pid N | comm NAME) or use --top");
		return -EINVAL;
	}
	err = selectors_resolve_words(argc, argv, &o->ids, &o->nids);
	o->run.ids = o->ids;
	o->run.nids = o->nids;
	return err;
}

/* Returns 1 when --help was printed, 0 to run, < 0 on bad input. */
static int parse_args(int argc, char **argv, struct an_cli *o)
{
	static const struct option opts[] = {
		{ "duration", required_argument, NULL, 'd' },
		{ "freq", required_argument, NULL, 'f' },
		{ "event", required_argument, NULL, 'e' },
		{ "source", no_argument, NULL, 's' },
		{ "bpf", no_argument, NULL, 'b' },
		{ "asm", no_argument, NULL, 'a' },
		{ "folded", no_argument, NULL, 'F' },
		{ "top", no_argument, NULL, 't' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	int err;

	o->run.duration_s = AN_DEFAULT_DURATION_S;
	o->run.freq = AN_DEFAULT_FREQ;
	o->event_req = SMP_EVENT_AUTO;
	err = bc_parse_opts(argc, argv, "h", opts, annotate_help, parse_opt, o, false);
	if (err)
		return err;
	if (o->run.top && (o->bpf || o->asm_ || o->folded)) {
		bc_err("--top reports per program; --bpf, --asm and --folded need PROG");
		return -EINVAL;
	}
	o->run.detail = !o->run.top;
	o->run.callees = true;
	return resolve_progs(o, argc - optind, argv + optind);
}

/* ---- plain output ---- */

/* Listings show the file's base name; JSON keeps the path BTF recorded. */
static const char *base_name(const char *path)
{
	const char *s = strrchr(path, '/');

	return s ? s + 1 : path;
}

static double pct(uint64_t part, uint64_t whole)
{
	return whole ? 100.0 * (double)part / (double)whole : 0;
}

static void print_header(FILE *f, const struct an_result *r, bool top)
{
	fprintf(f, "annotate: %s at %u Hz on %d CPU%s for %.2f s%s: %" PRIu64 " kernel samples, "
		"%" PRIu64 " outside BPF code", smp_event_name(r->event), r->freq, r->ncpu,
		r->ncpu == 1 ? "" : "s", r->elapsed_s, r->stopped ? " (stopped early)" : "",
		r->samples, r->other);
	if (!top)
		fprintf(f, ", %" PRIu64 " in other BPF code (%.3f%% of one CPU)", r->other_bpf,
			an_other_bpf_pct(r));
	fprintf(f, ", %" PRIu64 " lost\n", r->lost);
	if (r->lost)
		fprintf(f, "lost: the kernel dropped %" PRIu64 " samples (%.1f%% of those taken; "
			"rings full): %%CPU1 counts only the kept ones and is low by up to that; "
			"x%.3f if the lost fell like the kept\n", r->lost,
			100.0 * (1 - 1 / an_lost_factor(r)), an_lost_factor(r));
}

/* Programs we report: not the other BPF code kept for its addresses. */
static bool reported(const struct jm_prog *p)
{
	return !p->other;
}

static void print_bpf_range(FILE *f, const struct jm_prog *p, uint32_t from, uint32_t to)
{
	uint32_t i = from;
	char buf[96];

	while (i < to && i < p->nxlated) {
		int n = bpf_insn_str(&p->xlated[i], p->nxlated - i, buf, sizeof(buf));

		fprintf(f, "%24s%5u: %s\n", "bpf ", i, buf);
		i += (uint32_t)n;
	}
}

static void print_asm_insn(FILE *f, const struct jm_prog *p, const struct an_insn *in,
			   uint64_t total)
{
	char share[16] = "";

	if (in->samples)
		snprintf(share, sizeof(share), "%5.1f%%", pct(in->samples, total));
	fprintf(f, "%7s %8" PRIu64 "%9s%05x: %s\n", share, in->samples, "asm ", in->img_off,
		in->text);
}

static void print_row(FILE *f, const struct jm_prog *p, const struct an_listing *l,
		      const struct an_row *row, const struct an_cli *o)
{
	size_t i;

	fprintf(f, "%6.1f%% %8" PRIu64 "  %s:%u  %s\n", pct(row->samples, l->samples), row->samples,
		BC_ESC(base_name(row->file)), row->line, BC_ESC(row->src));
	if (o->bpf)
		for (i = 0; i < row->nrecs; i++) {
			uint32_t from, to;

			jm_line_insns(p->lines, p->nlines, row->recs[i], p->nxlated, &from, &to);
			print_bpf_range(f, p, from, to);
		}
	if (o->asm_)
		for (i = 0; i < l->ninsns; i++)
			if (l->insns[i].rec >= 0 && an_row_has_rec(row, l->insns[i].rec))
				print_asm_insn(f, p, &l->insns[i], l->samples);
}

static void print_no_lines(FILE *f, const struct jm_prog *p, const struct an_listing *l)
{
	size_t i;

	fprintf(f, "  (no BTF line info: machine-level listing)\n");
	for (i = 0; i < l->ninsns; i++)
		print_asm_insn(f, p, &l->insns[i], l->samples);
	fprintf(f, "  translated BPF:\n");
	print_bpf_range(f, p, 0, p->nxlated);
}

/* The program's tail-call note, "" without one (or when unknown). */
static void tail_note(const struct an_result *r, uint32_t id, char *buf, size_t len)
{
	struct prog_tail t;

	buf[0] = '\0';
	if (r->tail_ok && !tc_role(&r->tail, id, &t))
		tc_note(&t, buf, len);
}

static void print_prog(FILE *f, const struct an_result *r, const struct jm_prog *p,
		       const struct an_listing *l, const struct an_cli *o)
{
	char tail[160];
	size_t i;

	tail_note(r, p->id, tail, sizeof(tail));
	fprintf(f, "\nprogram %u %s (tag %s)%s: %" PRIu64 " samples, %.2f%% of one CPU%s%s\n", p->id,
		BC_ESC(p->name), p->tag, p->gone ? " [unloaded during the run]" : "", p->samples,
		an_cpu_pct(r, p), *tail ? "; " : "", tail);
	if (!l->nrows) {
		print_no_lines(f, p, l);
		return;
	}
	fprintf(f, "%7s %8s  %s\n", "%", "SAMPLES", "SOURCE");
	for (i = 0; i < l->nrows; i++)
		print_row(f, p, l, &l->rows[i], o);
	if (l->unmapped)
		fprintf(f, "%6.1f%% %8" PRIu64 "  (instructions without a source line)\n",
			pct(l->unmapped, l->samples), l->unmapped);
}

struct hot_line {
	const struct jm_prog *p;
	const struct an_row *row;
	uint64_t total;
};

static int hot_cmp(const void *a, const void *b)
{
	const struct hot_line *x = a, *y = b;

	return x->row->samples < y->row->samples ? 1 : x->row->samples > y->row->samples ? -1 : 0;
}

static void print_hot(FILE *f, const struct an_result *r, const struct an_listing *ls)
{
	struct hot_line *h;
	size_t i, j, n = 0, cap = 0;

	for (i = 0; i < r->map.n; i++)
		cap += ls[i].nrows;
	h = calloc(cap ? cap : 1, sizeof(*h));
	if (!h)
		return;
	for (i = 0; i < r->map.n; i++)
		for (j = 0; j < ls[i].nrows; j++)
			if (ls[i].rows[j].samples)
				h[n++] = (struct hot_line){ r->map.v[i], &ls[i].rows[j], ls[i].samples };
	qsort(h, n, sizeof(*h), hot_cmp);
	if (n)
		fprintf(f, "\nhottest lines:\n");
	for (i = 0; i < n && i < AN_HOT_LINES; i++)
		fprintf(f, "%6.1f%% %8" PRIu64 "  %-16s %s:%u  %s\n", pct(h[i].row->samples, h[i].total),
			h[i].row->samples, BC_ESC(h[i].p->name), BC_ESC(base_name(h[i].row->file)),
			h[i].row->line, BC_ESC(h[i].row->src));
	free(h);
}

static void print_folded(FILE *f, const struct an_result *r, const struct an_listing *ls)
{
	char buf[512];
	size_t i, j, k;

	for (i = 0; i < r->map.n; i++) {
		const struct jm_prog *p = r->map.v[i];

		for (j = 0; j < ls[i].ninsns; j++) {
			const struct an_insn *in = &ls[i].insns[j];
			const struct an_row *row = NULL;

			if (!in->samples)
				continue;
			for (k = 0; k < ls[i].nrows && in->rec >= 0 && !row; k++)
				if (an_row_has_rec(&ls[i].rows[k], in->rec))
					row = &ls[i].rows[k];
			if (!an_folded_line(buf, sizeof(buf), p->name, row ? row->line : 0,
					    row ? row->src : NULL, in->text, in->samples)) {
				/* Whole: a cut line would lose its count. */
				bc_fputs_esc(buf, f);
				fputc('\n', f);
			}
		}
	}
}

static const char *member_name(const struct an_tc_member *m)
{
	return m->p ? BC_ESC(m->p->name) : "(not tracked)";
}

static void print_groups(FILE *f, const struct an_tc_group *g, size_t n)
{
	size_t i, j;

	if (!n)
		return;
	fprintf(f, "\ntail calls: an entry's run-time stats figure includes the programs it "
		"tail-calls; by samples it divides as\n");
	for (i = 0; i < n; i++) {
		fprintf(f, "  entry %u %s: %" PRIu64 " samples, %.3f%% of one CPU\n", g[i].entry,
			g[i].p ? BC_ESC(g[i].p->name) : "?", g[i].samples, g[i].cpu_pct);
		for (j = 0; j < g[i].n; j++) {
			const struct an_tc_member *m = &g[i].m[j];

			fprintf(f, "  %7.1f%%  %7u %-16s %8" PRIu64 " samples%s%s\n", 100 * m->share,
				m->id, member_name(m), m->samples, j ? "" : "  (the entry itself)",
				m->shared ? "  (other entries reach it too: counted in each)" : "");
		}
	}
}

/* ---- JSON ---- */

static json_t *bpf_json(const struct jm_prog *p, uint32_t from, uint32_t to)
{
	json_t *a = json_array();
	char buf[96];
	uint32_t i = from;

	while (i < to && i < p->nxlated) {
		int n = bpf_insn_str(&p->xlated[i], p->nxlated - i, buf, sizeof(buf));

		json_array_append_new(a, bc_json_pack("{s:I, s:s}", "idx", (json_int_t)i, "insn", buf));
		i += (uint32_t)n;
	}
	return a;
}

static json_t *insn_json(const struct an_insn *in)
{
	char addr[24];

	snprintf(addr, sizeof(addr), "0x%" PRIx64, in->addr);
	return bc_json_pack("{s:s, s:I, s:I, s:s}", "addr", addr, "off", (json_int_t)in->img_off,
			 "samples", (json_int_t)in->samples, "insn", in->text);
}

static json_t *row_json(const struct jm_prog *p, const struct an_listing *l,
			const struct an_row *row, const struct an_cli *o)
{
	json_t *j = bc_json_pack("{s:s, s:I, s:s, s:I, s:f}", "file", row->file,
			      "line", (json_int_t)row->line, "src", row->src,
			      "samples", (json_int_t)row->samples, "pct", pct(row->samples, l->samples));
	size_t i;

	if (o->bpf) {
		json_t *b = json_array();

		for (i = 0; i < row->nrecs; i++) {
			uint32_t from, to;

			jm_line_insns(p->lines, p->nlines, row->recs[i], p->nxlated, &from, &to);
			json_t *part = bpf_json(p, from, to);

			json_array_extend(b, part);	/* copies: drop ours */
			json_decref(part);
		}
		json_object_set_new(j, "bpf", b);
	}
	if (o->asm_) {
		json_t *a = json_array();

		for (i = 0; i < l->ninsns; i++)
			if (l->insns[i].rec >= 0 && an_row_has_rec(row, l->insns[i].rec))
				json_array_append_new(a, insn_json(&l->insns[i]));
		json_object_set_new(j, "asm", a);
	}
	return j;
}

static json_t *prog_json(const struct an_result *r, const struct jm_prog *p,
			 const struct an_listing *l, const struct an_cli *o)
{
	json_t *j = bc_json_pack("{s:o, s:s, s:s, s:I, s:f, s:f, s:b, s:b, s:o}",
			      "id", p->from_ksym ? json_null() : json_integer(p->id),
			      "name", p->name, "tag", p->tag, "samples", (json_int_t)p->samples,
			      "cpu_pct", an_cpu_pct(r, p),
			      "cpu_pct_lost_scaled", an_cpu_pct(r, p) * an_lost_factor(r),
			      "gone", p->gone, "from_ksym", p->from_ksym,
			      "tail_call", r->tail_ok ? tc_json(&r->tail, p->id) : json_null());
	json_t *rows;
	size_t i;

	if (!l)
		return j;
	rows = json_array();
	for (i = 0; i < l->nrows; i++)
		json_array_append_new(rows, row_json(p, l, &l->rows[i], o));
	json_object_set_new(j, "line_info", json_boolean(l->nrows > 0));
	json_object_set_new(j, "lines", rows);
	json_object_set_new(j, "unmapped_samples", json_integer((json_int_t)l->unmapped));
	if (!l->nrows) {	/* no lines: the machine/BPF listing carries it all */
		json_t *a = json_array();

		for (i = 0; i < l->ninsns; i++)
			json_array_append_new(a, insn_json(&l->insns[i]));
		json_object_set_new(j, "asm", a);
		json_object_set_new(j, "bpf", bpf_json(p, 0, p->nxlated));
	}
	return j;
}

static json_t *groups_json(const struct an_tc_group *g, size_t n)
{
	json_t *a = json_array();
	size_t i, j;

	for (i = 0; i < n; i++) {
		json_t *m = json_array();

		for (j = 0; j < g[i].n; j++) {
			const struct an_tc_member *x = &g[i].m[j];

			json_array_append_new(m, bc_json_pack("{s:I, s:o, s:I, s:f, s:f, s:b, s:b}", "id",
							   (json_int_t)x->id, "name",
							   x->p ? json_string(x->p->name) : json_null(),
							   "samples", (json_int_t)x->samples, "cpu_pct",
							   x->cpu_pct, "share", x->share, "tracked",
							   x->p != NULL, "shared", x->shared));
		}
		json_array_append_new(a, bc_json_pack("{s:I, s:I, s:f, s:o}", "entry",
						   (json_int_t)g[i].entry, "samples",
						   (json_int_t)g[i].samples, "cpu_pct", g[i].cpu_pct,
						   "members", m));
	}
	return a;
}

static int print_json(struct bc_ctx *ctx, const struct an_result *r, const struct an_listing *ls,
		      const struct an_tc_group *g, size_t ng, const struct an_cli *o)
{
	json_t *progs = json_array();
	size_t i;

	for (i = 0; i < r->map.n; i++)
		if (reported(r->map.v[i]) && (!o->run.top || r->map.v[i]->samples))
			json_array_append_new(progs, prog_json(r, r->map.v[i], ls ? &ls[i] : NULL, o));
	return bc_json_emit(ctx, bc_json_pack("{s:s, s:s, s:I, s:i, s:f, s:b, s:I, s:I, s:I, s:I, "
					   "s:I, s:I, s:o, s:b, s:o, s:o, s:f, s:f, s:I, s:I}",
					   "mode", o->run.top ? "top" : "annotate",
					   "event", smp_event_name(r->event), "freq", (json_int_t)r->freq,
					   "ncpu", r->ncpu, "elapsed_s", r->elapsed_s,
					   "stopped", r->stopped, "samples", (json_int_t)r->samples,
					   "other_kernel", (json_int_t)r->other, "lost", (json_int_t)r->lost,
					   "bpf_loads", (json_int_t)r->loads,
					   "bpf_unloads", (json_int_t)r->unloads,
					   "programs_tracked", (json_int_t)r->map.n, "programs", progs,
					   "tail_calls_read", r->tail_ok,
					   "tail_call_groups", groups_json(g, ng),
					   "other_bpf", o->run.top ? json_null() :
					   bc_json_pack("{s:I, s:f}", "samples", (json_int_t)r->other_bpf,
							"cpu_pct", an_other_bpf_pct(r)),
					   "lost_fraction", 1 - 1 / an_lost_factor(r),
					   "lost_factor", an_lost_factor(r),
					   "missed_loads", (json_int_t)r->missed_loads,
					   "missed_unloads", (json_int_t)r->missed_unloads));
}

/* ---- --top ---- */

static int top_cmp(const void *a, const void *b)
{
	const struct jm_prog *x = *(struct jm_prog *const *)a, *y = *(struct jm_prog *const *)b;

	return x->samples < y->samples ? 1 : x->samples > y->samples ? -1 : 0;
}

static void print_top(FILE *f, const struct an_result *r)
{
	struct jm_prog **v = calloc(r->map.n ? r->map.n : 1, sizeof(*v));
	size_t i, shown = 0;

	if (!v)
		return;
	if (r->map.n)	/* map.v is NULL when no program was seen */
		memcpy(v, r->map.v, r->map.n * sizeof(*v));
	qsort(v, r->map.n, sizeof(*v), top_cmp);
	print_header(f, r, true);
	fprintf(f, "%7s  %-16s  %-16s  %9s  %7s  %s\n", "ID", "NAME", "TAG", "SAMPLES", "%CPU1",
		"TAIL_CALL");
	for (i = 0; i < r->map.n && v[i]->samples; i++, shown++) {
		char tail[160], id[16] = "?";

		tail_note(r, v[i]->id, tail, sizeof(tail));
		if (!v[i]->from_ksym)	/* else gone before its id could be read */
			snprintf(id, sizeof(id), "%u", v[i]->id);
		fprintf(f, "%7s  %-16s  %-16s  %9" PRIu64 "  %7.3f  %s%s%s\n", id,
			BC_ESC(v[i]->name), v[i]->tag, v[i]->samples, an_cpu_pct(r, v[i]),
			!r->tail_ok ? "?" : *tail ? tail : "-", v[i]->gone ? "  (unloaded)" : "",
			v[i]->from_ksym ? "  (known by its ksymbol only)" : "");
	}
	fprintf(f, "%zu of %zu programs had samples (%%CPU1: percent of one CPU)\n", shown, r->map.n);
	free(v);
}

static void warn_few(const struct an_result *r, bool top)
{
	uint64_t in_bpf = r->samples - r->other;
	size_t i;

	if (top) {
		if (in_bpf < AN_FEW_SAMPLES)
			bc_note("only %" PRIu64 " samples in BPF programs: shares are rough; run "
				"longer or raise --freq", in_bpf);
		return;
	}
	for (i = 0; i < r->map.n; i++)
		if (reported(r->map.v[i]) && r->map.v[i]->samples < AN_FEW_SAMPLES)
			bc_note("program %u %s: only %" PRIu64 " samples: percentages are rough; "
				"run longer or raise --freq", r->map.v[i]->id, r->map.v[i]->name,
				r->map.v[i]->samples);
}

static int build_listings(const struct an_result *r, struct an_listing **out)
{
	struct an_listing *ls = calloc(r->map.n ? r->map.n : 1, sizeof(*ls));
	size_t i;
	int err = 0;

	if (!ls)
		return -ENOMEM;
	for (i = 0; i < r->map.n && !err; i++)
		if (reported(r->map.v[i]))	/* others have no image */
			err = an_listing_build(r->map.v[i], &ls[i]);
	if (err)
		bc_err("disassembling program %u: %s", r->map.v[i - 1]->id, strerror(-err));
	*out = ls;
	return err;
}

static int report(struct bc_ctx *ctx, const struct an_result *r, const struct an_cli *o)
{
	struct an_listing *ls = NULL;
	struct an_tc_group *g = NULL;
	size_t i, ng = 0;
	int err = 0;

	warn_few(r, o->run.top);
	if (!r->tail_ok)
		bc_note("tail-call relations not read: %s", strerror(-r->tail_err));
	if (!o->run.top)
		err = build_listings(r, &ls);
	if (!err)
		err = an_tail_groups(r, &g, &ng);
	if (err)
		goto cleanup;
	if (ctx->json)
		err = print_json(ctx, r, ls, g, ng, o);
	else if (o->run.top) {
		print_top(ctx->out, r);
		print_groups(ctx->out, g, ng);
	} else if (o->folded)
		print_folded(ctx->out, r, ls);
	else {
		print_header(ctx->out, r, false);
		for (i = 0; i < r->map.n; i++)
			if (reported(r->map.v[i]))
				print_prog(ctx->out, r, r->map.v[i], &ls[i], o);
		print_hot(ctx->out, r, ls);
		print_groups(ctx->out, g, ng);
	}
cleanup:
	for (i = 0; ls && i < r->map.n; i++)
		an_listing_free(&ls[i]);
	free(ls);
	an_tail_groups_free(g, ng);
	return err;
}

int cmd_annotate(struct bc_ctx *ctx, int argc, char **argv)
{
	struct an_cli o = {};
	struct an_result r = {};
	int err;

	err = parse_args(argc, argv, &o);
	if (err)
		goto cleanup;
	err = an_resolve_event(ctx, o.event_req, &o.run.event);
	if (err)
		goto cleanup;
	err = an_run(&o.run, &r);
	if (err)
		goto cleanup;
	err = report(ctx, &r, &o);
cleanup:
	an_result_free(&r);
	free(o.ids);
	return err > 0 ? 0 : err;
}
