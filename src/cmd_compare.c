// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* bpfcost compare: which of two tracer versions costs a syscall more, and
 * is the difference real. */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "common.h"
#include "tracer.h"
#include "cpumask.h"
#include "cmpfmt.h"
#include "compare.h"
#include "kfeatures.h"

#define CMP_DEFAULT_MIX "getpid"
/* Seeds are integers any JSON reader holds exactly (below 2^53). */
#define CMP_SEED_MAX ((1ull << 53) - 1)

static const char compare_help[] =
	"Usage: bpfcost compare [OPTIONS] (--sysmon W1 | -- CMD_A [ARGS...])\n"
	"                                 (--vs-sysmon W2 | --vs CMD_B [ARGS...])\n\n"
	"Did my change make the probes slower? Time the same syscall workload with\n"
	"no tracer, version A and version B in one run, interleaved in blocks of\n"
	"four rounds: off, X, off, Y, with the order of A and B drawn at random in\n"
	"each block, and one off-round to close. Each version's round is taken\n"
	"against the mean of the off-rounds either side of it (as overhead does),\n"
	"and within each block B's figure minus A's is one sample of B - A; the\n"
	"95% intervals come from a block bootstrap over blocks (under 60 blocks, a\n"
	"t-interval widened for neighbouring blocks' shared off-round). Two runs made\n"
	"apart differ on a shared machine by more than their own intervals, which\n"
	"is why both versions run here side by side.\n\n"
	"A is the reference service (--sysmon W1) or the command after '--', up to\n"
	"the first word '--vs'; B is --vs-sysmon W2 or the command after '--vs'.\n"
	"Commands are started for every on-round and stopped after it, as in\n"
	"overhead (their BPF programs attached before the round starts); --sysmon\n"
	"versions are loaded afresh for every on-round and unloaded after it. Two\n"
	"loads of the same programs can differ by a few ns per syscall for as long\n"
	"as they stay loaded (where their code and maps land): loaded once, that\n"
	"would read as a difference between A and B.\n\n"
	"Verdict per syscall: \"B adds N ns [lo, hi] more per getpid than A: slower\",\n"
	"\"faster\", or \"no difference detectable: |B - A| < X ns at this precision\".\n"
	"Where run-time stats work, a few extra rounds per version (not part of the\n"
	"A/B figures: stats add two clock reads per run) give each program's ns per\n"
	"run corrected for the stats' own share (see bpfcost stats --help), A's and\n"
	"B's programs side by side by name and attach point.\n\n"
	"Where cpu-clock sampling works, a sampling phase of each version, A then B,\n"
	"after all the timed rounds (so no sampling interrupt lands in them), runs\n"
	"the workload for the round time (at least 0.5 s) with every CPU sampled at\n"
	"4000 Hz, as annotate does (samples in the JITed programs, mapped to source\n"
	"lines through BTF line info). Only the samples taken on the workload's CPU\n"
	"count (where it is pinned, the default): the programs' runs for other\n"
	"processes on other CPUs are not the workload's. Programs are matched by name and attach\n"
	"point, lines by file, line number and text; per program pair, the 5 lines\n"
	"whose sampled ns per workload call (a call as A/B counts it: an openat\n"
	"call is openat and its close) changed most, with each version's\n"
	"share of the program's samples and the sample counts behind them. In -j,\n"
	"\"hot_lines\": {event, freq, seconds_per_version, a and b: {workload_s,\n"
	"workload_calls, samples, lost}, programs: [{name, attach, a and b:\n"
	"{samples, sampled_ns, ns_per_call, unmapped_samples, has_line_info} or\n"
	"null (not loaded), lines: [{file, line, src, a and b: {samples, sampled_ns,\n"
	"ns_per_call, share}, delta_ns_per_call}], why (only when no lines)}]}\n"
	"or {unavailable: why}.\n\n"
	"The seed draws the order of A and B in each block (and the bootstrap): the\n"
	"output shows it, the JSON also the order (\"order\": \"ABBA...\"); --seed N\n"
	"repeats a run's order.\n\n"
	"Probes: raw_tp (--sysmon); stats_fd, else stats_sysctl (unless\n"
	"--stats-rounds 0); perf_sw_clock and jit_kallsyms (unless --no-lines).\n\n"
	"Options:\n"
	"  --sysmon W1            A is the reference service at weight count, proc or events\n"
	"  --vs-sysmon W2         B is the reference service at weight W2\n"
	"  --syscalls LIST        workload kinds (default " CMP_DEFAULT_MIX ")\n"
	"  --rounds N             blocks of off,A,off,B, 3..10000 (default 150;\n"
	"                         5 with a command)\n"
	"  --round-time D         workload time per round (default 0.02s; 2s with a command)\n"
	"  --stats-rounds N       rounds per version with run-time stats, of at least\n"
	"                         0.25s each (default 2; 0: no per-program figures)\n"
	"  --fail-if-slower T     exit 1 when B is slower than A by more than T with the\n"
	"                         whole interval above T: PCT% of A's added ns, or NS\n"
	"                         (\"10%\", \"25ns\", \"25\")\n"
	"  --no-lines             no sampling phase, no hot lines\n"
	"  --seed N               order of A and B (0..2^53-1; default: from the clock)\n"
	"  --markdown             a Markdown summary (pull-request comment, CI job summary)\n"
	"  --cpu C                pin the workload to CPU C; -1: no pinning (default:\n"
	"                         the first CPU we may use: online, in our CPU set)\n"
	"  --threads N            workload threads (default 1)\n"
	TRACER_OPTS_HELP
	"  -h, --help             this help\n\n"
	"Exit status: 0 when no gate failed, 1 when --fail-if-slower's gate failed for\n"
	"some syscall, 2 on any error (bad option, tracer that cannot start, ...).\n\n"
	"EXAMPLES:\n"
	"  bpfcost compare --sysmon count --vs-sysmon events\n"
	"  bpfcost compare --sysmon events --vs-sysmon count --fail-if-slower 10% --markdown\n"
	"  bpfcost compare --seed 42 --no-lines --sysmon count --vs-sysmon proc\n"
	"  bpfcost -j compare -- ./my-agent --vs ./my-agent --config prod.yaml\n";

struct compare_opts {
	struct cmp_config cfg;
	struct tracer_opts t[2];
	struct cmp_threshold gate;
	bool markdown, have_rounds, have_round_time, have_seed, no_lines, sysmon[2];
	char lines_why[256];
};

static int parse_opt(int c, const char *arg, void *opts)
{
	struct compare_opts *o = opts;
	int terr = tracer_opt_parse(c, arg, &o->t[0]);

	if (terr <= 0)
		return terr;
	switch (c) {
	case 'S':
	case 'V':
		o->sysmon[c == 'V'] = true;
		return sysmon_weight_parse(arg, &o->t[c == 'V'].weight);
	case 'v':
		bc_err("--vs CMD_B goes after '--': -- CMD_A ARGS --vs CMD_B ARGS, or "
		       "--sysmon W1 -- --vs CMD_B ARGS");
		return -EINVAL;
	case 's':
		return wl_parse_mix(arg, &o->cfg.wl.mask);
	case 'r':
		o->have_rounds = true;
		return parse_int("--rounds", arg, 3, 10000, &o->cfg.blocks);
	case 'R':
		o->have_round_time = true;
		return parse_duration("--round-time", arg, &o->cfg.wl.duration_s);
	case 'N':
		return parse_int("--stats-rounds", arg, 0, 1000, &o->cfg.stats_rounds);
	case 'F':
		return cmp_threshold_parse(arg, &o->gate);
	case 'M':
		o->markdown = true;
		return 0;
	case 'L':
		o->no_lines = true;
		return 0;
	case 'e':
		o->have_seed = true;
		return parse_u64("--seed", arg, 0, CMP_SEED_MAX, &o->cfg.seed);
	case 'c':
		return parse_int("--cpu", arg, WL_CPU_NONE, CPUMASK_MAX - 1, &o->cfg.wl.cpu);
	case 't':
		return parse_int("--threads", arg, 1, 1024, &o->cfg.wl.threads);
	}
	return -EINVAL;
}

/* argv after '--': CMD_A ARGS [--vs CMD_B ARGS]. The first '--vs' ends A. */
static int split_commands(struct compare_opts *o, int argc, char **argv)
{
	int vs = -1;

	for (int i = 0; i < argc && vs < 0; i++)
		if (!strcmp(argv[i], "--vs"))
			vs = i;
	if (vs >= 0)
		argv[vs] = NULL;	/* ends A's argv */
	if (vs != 0 && argc) {
		o->t[0].is_command = true;
		o->t[0].argv = argv;
	}
	if (vs >= 0 && vs + 1 < argc) {
		o->t[1].is_command = true;
		o->t[1].argv = argv + vs + 1;
	}
	for (int v = 0; v < 2; v++)
		if (o->t[v].is_command == o->sysmon[v]) {
			bc_err("give exactly one %s: %s", v ? "B" : "A", v ?
			       "--vs-sysmon W2 or --vs CMD_B ARGS" : "--sysmon W1 or -- CMD_A ARGS");
			return -EINVAL;
		}
	return 0;
}

static void apply_defaults(struct compare_opts *o)
{
	bool cmd = o->t[0].is_command || o->t[1].is_command;

	if (!o->have_rounds)
		o->cfg.blocks = cmd ? 5 : 150;
	if (!o->have_round_time)
		o->cfg.wl.duration_s = cmd ? 2.0 : 0.02;
	/* Each on-round loads a sysmon version afresh, as a command is
	 * restarted: where a load's code and maps land is then drawn anew
	 * every round and shows in the interval, not as a B - A difference
	 * (A/A runs of count against count missed 0 in 5 of 20 runs while
	 * each version stayed loaded for the run; see tracer.h). */
	o->t[0].reload_each_on = o->t[1].reload_each_on = true;
	/* The command options apply to both versions. */
	o->t[1].ready_after_s = o->t[0].ready_after_s;
	o->t[1].ready_timeout_s = o->t[0].ready_timeout_s;
	o->t[1].grace_s = o->t[0].grace_s;
	o->t[1].log_path = o->t[0].log_path;
	if (!o->have_seed)
		o->cfg.seed = ((uint64_t)time(NULL) ^ ((uint64_t)getpid() << 32)) & CMP_SEED_MAX;
}

/* Returns 1 when --help was printed, 0 to run, < 0 on bad input. */
static int parse_args(int argc, char **argv, struct compare_opts *o)
{
	static const struct option opts[] = {
		{ "sysmon", required_argument, NULL, 'S' },
		{ "vs-sysmon", required_argument, NULL, 'V' },
		/* exact, so getopt does not read "--vs" as --vs-sysmon */
		{ "vs", no_argument, NULL, 'v' },
		{ "syscalls", required_argument, NULL, 's' },
		{ "rounds", required_argument, NULL, 'r' },
		{ "round-time", required_argument, NULL, 'R' },
		{ "stats-rounds", required_argument, NULL, 'N' },
		{ "fail-if-slower", required_argument, NULL, 'F' },
		{ "markdown", no_argument, NULL, 'M' },
		{ "no-lines", no_argument, NULL, 'L' },
		{ "seed", required_argument, NULL, 'e' },
		{ "cpu", required_argument, NULL, 'c' },
		{ "threads", required_argument, NULL, 't' },
		TRACER_LONGOPTS,
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	int err;

	memset(o, 0, sizeof(*o));
	o->cfg.wl.threads = 1;
	o->cfg.wl.cpu = WL_CPU_AUTO;
	o->cfg.stats_rounds = 2;
	tracer_opts_defaults(&o->t[0]);
	err = wl_parse_mix(CMP_DEFAULT_MIX, &o->cfg.wl.mask);
	/* '+': stop at the first non-option, A's command. */
	if (!err)
		err = bc_parse_opts(argc, argv, "+h", opts, compare_help, parse_opt, o, false);
	if (!err)
		err = tracer_argv_after_separator(argc, argv, optind, "A's command",
						  "bpfcost compare [OPTIONS] -- CMD_A ARGS "
						  "--vs CMD_B ARGS");
	if (!err)
		err = split_commands(o, argc - optind, argv + optind);
	if (!err)
		apply_defaults(o);
	return err ? err : wl_cpu_resolve(&o->cfg.wl.cpu);
}

/* Why there will be no hot lines, or NULL: the sampling they need is
 * annotate's, on cpu-clock (its periods are ns). */
static const char *lines_unavailable(struct bc_ctx *ctx, struct compare_opts *o)
{
	static const enum feature_id need[] = { FEAT_PERF_SW_CLOCK, FEAT_JIT_KALLSYMS };

	if (o->no_lines)
		return "disabled (--no-lines)";
	for (size_t i = 0; i < sizeof(need) / sizeof(need[0]); i++) {
		const struct feature_result *f = bc_feature(ctx, need[i]);

		if (f && f->ok)
			continue;
		snprintf(o->lines_why, sizeof(o->lines_why), "%s does not work here: %s",
			 feature_label(need[i]), f ? f->detail : "feature probe failed");
		return o->lines_why;
	}
	return NULL;
}

static void print_progress(int i, int total, const char *what, void *arg)
{
	fprintf(stderr, "\r\033[Kbpfcost: round %d/%d: %s", i, total, what);
	fflush(stderr);
}

static void verdict_of(const struct compare_opts *o, const struct cmp_kind *k,
		       struct cmp_verdict *v)
{
	cmp_verdict_make(&k->diff, k->a.point, &o->gate, v);
}

/* The program of the other side with the same name and attach point. */
static const struct cmp_prog *match(const struct cmp_side *s, const struct cmp_prog *p)
{
	for (int i = 0; i < s->nprogs; i++)
		if (cmp_prog_same(s->progs[i].name, s->progs[i].attach, p->name, p->attach))
			return &s->progs[i];
	return NULL;
}

static void fmt_prog_ns(char *buf, size_t len, const struct cmp_prog *p)
{
	if (!p || !p->runs)
		snprintf(buf, len, "-");
	else if (!p->corr.applies)
		snprintf(buf, len, "%.1f raw", (double)p->time_ns / (double)p->runs);
	else if (!p->corr.resolved)
		snprintf(buf, len, "<%.1f", p->corr.hi);
	else
		snprintf(buf, len, "%.1f", p->corr.ns_per_run);
}

/* The NAME and ATTACH columns of the per-program table, as wide as the
 * longest on either side. */
struct prog_cols {
	int name, attach;
};

static void prog_cols_of(const struct cmp_result *r, struct prog_cols *w)
{
	w->name = 20;
	w->attach = 24;
	for (int s = 0; s < 2; s++)
		for (int i = 0; i < r->side[s].nprogs; i++) {
			w->name = bc_col_width(w->name, r->side[s].progs[i].name);
			w->attach = bc_col_width(w->attach, r->side[s].progs[i].attach);
		}
}

static void print_prog_row(FILE *f, const struct cmp_result *r, const struct prog_cols *w,
			   const struct cmp_prog *a, const struct cmp_prog *b)
{
	const struct cmp_prog *p = a ? a : b;
	char na[32], nb[32], ratio[16] = "-";

	fmt_prog_ns(na, sizeof(na), a);
	fmt_prog_ns(nb, sizeof(nb), b);
	if (a && b && a->corr.resolved && b->corr.resolved && a->corr.ns_per_run > 0)
		snprintf(ratio, sizeof(ratio), "%.2f", b->corr.ns_per_run / a->corr.ns_per_run);
	fprintf(f, "%-*s %-*s %12s %12s %8s %11.2f %11.2f\n", w->name, BC_ESC(p->name), w->attach,
		BC_ESC(p->attach), na, nb, ratio, a && r->side[0].wl_calls ?
		(double)a->runs / (double)r->side[0].wl_calls : 0.0,
		b && r->side[1].wl_calls ? (double)b->runs / (double)r->side[1].wl_calls : 0.0);
}

static void print_programs(FILE *f, const struct cmp_result *r)
{
	struct prog_cols w;

	if (!r->have_stats) {
		fprintf(f, "\nPer program: not available: %s\n", r->stats_why);
		return;
	}
	fprintf(f, "\nPer program (run-time stats rounds; CORR_NS = ns per run minus the stats "
		"bias%s):\n", r->bias.valid ? "" : ", which could not be measured: raw figures");
	if (r->bias.valid)
		fprintf(f, "  stats bias %.1f ns per run [%.1f, %.1f] (%s)\n", r->bias.ns_per_run,
			r->bias.lo, r->bias.hi, r->bias.hook);
	prog_cols_of(r, &w);
	fprintf(f, "%-*s %-*s %12s %12s %8s %11s %11s\n", w.name, "NAME", w.attach, "ATTACH",
		"A_CORR_NS", "B_CORR_NS", "B/A", "A_RUNS/CALL", "B_RUNS/CALL");
	for (int i = 0; i < r->side[0].nprogs; i++)
		print_prog_row(f, r, &w, &r->side[0].progs[i],
			       match(&r->side[1], &r->side[0].progs[i]));
	for (int i = 0; i < r->side[1].nprogs; i++)
		if (!match(&r->side[0], &r->side[1].progs[i]))
			print_prog_row(f, r, &w, NULL, &r->side[1].progs[i]);
	fprintf(f, "  RUNS/CALL: runs in the stats rounds (other processes' too) per workload "
		"call, counted as A/B counts calls (an openat call is openat and its close).\n");
}

/* --- hot lines (cmplines.h) --- */

/* A pair worth a section: a sample in either version. */
static bool lines_prog_sampled(const struct cmp_lines_prog *p)
{
	return p->samples[0] || p->samples[1];
}

static const char *side_samples(char *buf, size_t len, const struct cmp_lines *l,
				const struct cmp_lines_prog *p, int v)
{
	if (!p->seen[v])
		snprintf(buf, len, "%s: not loaded", v ? "B" : "A");
	else
		snprintf(buf, len, "%s %llu samples (%.1f ns/call)", v ? "B" : "A",
			 (unsigned long long)p->samples[v], l->wl_calls[v] ?
			 p->sampled_ns[v] / (double)l->wl_calls[v] : 0.0);
	return buf;
}

/* Whose samples the hot lines count: "samples on CPU N (the workload's)". */
static const char *lines_cpus(char *buf, size_t len, const struct cmp_lines *l)
{
	if (l->cpu >= 0)
		snprintf(buf, len, "samples on CPU %d (the workload's)", l->cpu);
	else
		snprintf(buf, len, "samples on every CPU (the workload is not pinned)");
	return buf;
}

/* "file:line", the LINE column */
static const char *line_where(const struct cmp_line *ln, char *buf, size_t len)
{
	snprintf(buf, len, "%s:%u", ln->file, ln->line);
	return buf;
}

static void print_lines(FILE *f, const struct cmp_lines *l)
{
	char cpus[64];
	bool any = false;

	if (!l->ran) {
		fprintf(f, "\nHot lines: not available: %s\n", l->why);
		return;
	}
	fprintf(f, "\nHot lines that changed most (cpu-clock sampling at %u Hz after the timed "
		"rounds, %.2f s of workload per version, %s; NS/CALL: sampled ns per workload "
		"call, SHARE: of the program's samples):\n", l->freq, l->secs,
		lines_cpus(cpus, sizeof(cpus), l));
	for (int i = 0; i < l->nprogs; i++) {
		const struct cmp_lines_prog *p = &l->progs[i];
		const char *why = cmp_lines_prog_why(p);
		size_t idx[CMP_HOT_LINES], n;
		char sa[80], sb[80], where[96];
		int wline;

		if (!lines_prog_sampled(p))
			continue;
		any = true;
		fprintf(f, "%s %s: %s, %s\n", BC_ESC(p->name), BC_ESC(p->attach),
			side_samples(sa, sizeof(sa), l, p, 0), side_samples(sb, sizeof(sb), l, p, 1));
		if (why) {
			fprintf(f, "  no lines: %s\n", why);
			continue;
		}
		n = cmp_lines_top(l, p, idx, CMP_HOT_LINES);
		wline = 24;
		for (size_t j = 0; j < n; j++)
			wline = bc_col_width(wline, line_where(&p->lines[idx[j]], where,
							       sizeof(where)));
		fprintf(f, "  %-*s %9s %9s %11s %7s %7s %7s %7s  %s\n", wline, "LINE", "A_NS/CALL",
			"B_NS/CALL", "B-A_NS/CALL", "A_SHARE", "B_SHARE", "A_SMP", "B_SMP", "SOURCE");
		for (size_t j = 0; j < n; j++) {
			const struct cmp_line *ln = &p->lines[idx[j]];
			double a = cmp_line_ns_per_call(l, ln, 0), b = cmp_line_ns_per_call(l, ln, 1);

			fprintf(f, "  %-*s %9.2f %9.2f %+11.2f %6.1f%% %6.1f%% %7llu %7llu  %s\n",
				wline, BC_ESC(line_where(ln, where, sizeof(where))), a, b, b - a,
				100 * cmp_line_share(p, ln, 0), 100 * cmp_line_share(p, ln, 1),
				(unsigned long long)ln->samples[0], (unsigned long long)ln->samples[1],
				BC_ESC(ln->src));
		}
	}
	if (!any)
		fprintf(f, "  no sample in either version's programs\n");
}

/* A source line for a Markdown table cell, in a code span: '|' would end
 * the cell even there (GFM), so it is escaped; a backquote would end the
 * span, so it becomes a quote. */
static void print_lines_md(FILE *f, const struct cmp_lines *l)
{
	char cpus[64];

	if (!l->ran) {
		fprintf(f, "\nHot lines: not available: %s\n", l->why);
		return;
	}
	fprintf(f, "\n#### Hot lines that changed most\n\ncpu-clock sampling at %u Hz after the "
		"timed rounds, %.2f s of workload per version, %s; ns per workload call.\n",
		l->freq, l->secs, lines_cpus(cpus, sizeof(cpus), l));
	for (int i = 0; i < l->nprogs; i++) {
		const struct cmp_lines_prog *p = &l->progs[i];
		const char *why = cmp_lines_prog_why(p);
		size_t idx[CMP_HOT_LINES], n;
		char name[2 * sizeof(p->name)], attach[2 * sizeof(p->attach)];

		if (!lines_prog_sampled(p))
			continue;
		fprintf(f, "\n%s on %s (samples: A %llu, B %llu)%s%s\n",
			cmp_md_code(name, sizeof(name), p->name),
			cmp_md_code(attach, sizeof(attach), p->attach), (unsigned long long)p->samples[0],
			(unsigned long long)p->samples[1], why ? ": no lines: " : "", why ? why : "");
		if (why)
			continue;
		fprintf(f, "\n| line | source | A ns/call | B ns/call | B - A | A share | "
			"B share | samples A / B |\n|---|---|---:|---:|---:|---:|---:|---:|\n");
		n = cmp_lines_top(l, p, idx, CMP_HOT_LINES);
		for (size_t j = 0; j < n; j++) {
			const struct cmp_line *ln = &p->lines[idx[j]];
			double a = cmp_line_ns_per_call(l, ln, 0), b = cmp_line_ns_per_call(l, ln, 1);
			char file[2 * sizeof(ln->file)], src[2 * sizeof(ln->src)];

			fprintf(f, "| %s:%u | %s | %.2f | %.2f | %+.2f | %.1f%% | %.1f%% | %llu / %llu |\n",
				cmp_md_code(file, sizeof(file), ln->file), ln->line,
				cmp_md_code(src, sizeof(src), ln->src), a, b, b - a,
				100 * cmp_line_share(p, ln, 0), 100 * cmp_line_share(p, ln, 1),
				(unsigned long long)ln->samples[0], (unsigned long long)ln->samples[1]);
		}
	}
}

static json_t *line_side_json(const struct cmp_lines *l, const struct cmp_lines_prog *p,
			      const struct cmp_line *ln, int v)
{
	return bc_json_pack("{s:I, s:f, s:f, s:f}", "samples", (json_int_t)ln->samples[v],
			    "sampled_ns", ln->sampled_ns[v], "ns_per_call",
			    cmp_line_ns_per_call(l, ln, v), "share", cmp_line_share(p, ln, v));
}

static json_t *lines_prog_json(const struct cmp_lines *l, const struct cmp_lines_prog *p)
{
	size_t idx[CMP_HOT_LINES], n = cmp_lines_top(l, p, idx, CMP_HOT_LINES);
	const char *why = cmp_lines_prog_why(p);
	json_t *sides[2], *lines = json_array(), *o;

	for (int v = 0; v < 2; v++)
		sides[v] = !p->seen[v] ? json_null() :
			   bc_json_pack("{s:I, s:f, s:f, s:I, s:b}", "samples",
					(json_int_t)p->samples[v], "sampled_ns", p->sampled_ns[v],
					"ns_per_call", l->wl_calls[v] ? p->sampled_ns[v] /
					(double)l->wl_calls[v] : 0.0, "unmapped_samples",
					(json_int_t)p->unmapped[v], "has_line_info", p->has_lines[v]);
	for (size_t j = 0; !why && j < n; j++) {
		const struct cmp_line *ln = &p->lines[idx[j]];

		json_array_append_new(lines, bc_json_pack("{s:s, s:I, s:s, s:o, s:o, s:f}", "file",
				      ln->file, "line", (json_int_t)ln->line, "src", ln->src, "a",
				      line_side_json(l, p, ln, 0), "b", line_side_json(l, p, ln, 1),
				      "delta_ns_per_call", cmp_line_ns_per_call(l, ln, 1) -
				      cmp_line_ns_per_call(l, ln, 0)));
	}
	o = bc_json_pack("{s:s, s:s, s:o, s:o, s:o}", "name", p->name, "attach", p->attach, "a",
			 sides[0], "b", sides[1], "lines", lines);
	if (o && why)
		json_object_set_new(o, "why", json_string(why));
	return o;
}

static json_t *lines_json(const struct cmp_lines *l)
{
	json_t *progs, *sides[2];

	if (!l->ran)
		return bc_json_pack("{s:s}", "unavailable", l->why);
	progs = json_array();
	for (int i = 0; i < l->nprogs; i++)
		if (lines_prog_sampled(&l->progs[i]))
			json_array_append_new(progs, lines_prog_json(l, &l->progs[i]));
	for (int v = 0; v < 2; v++)
		sides[v] = bc_json_pack("{s:f, s:I, s:I, s:I}", "workload_s", l->elapsed_s[v],
					"workload_calls", (json_int_t)l->wl_calls[v],
					"samples", (json_int_t)l->samples[v], "lost",
					(json_int_t)l->lost[v]);
	return bc_json_pack("{s:s, s:s, s:i, s:f, s:o, s:o, s:o, s:o}", "method",
			    "cpu-clock sampling in one phase per version after the timed rounds, "
			    "counting the samples on the workload's CPU (cpu; null: every CPU); "
			    "per source line (BTF line info): samples x the "
			    "program's mean period over the workload's calls (as A/B counts "
			    "them); the lines whose ns per call changed most, B - A by absolute "
			    "value",
			    "event", "cpu-clock", "freq", (int)l->freq, "seconds_per_version",
			    l->secs, "a", sides[0], "b", sides[1], "programs", progs, "cpu",
			    l->cpu >= 0 ? json_integer(l->cpu) : json_null());
}

static void describe(const struct tracer *t, char *buf, size_t len)
{
	tracer_describe(t, buf, len);
}

static void print_plain(FILE *f, const struct compare_opts *o, struct tracer *t,
			const struct cmp_result *r)
{
	char da[256], db[256], text[256];

	describe(&t[0], da, sizeof(da));
	describe(&t[1], db, sizeof(db));
	fprintf(f, "A: %s\nB: %s\n", BC_ESC(da), BC_ESC(db));
	fprintf(f, "Blocks: %d of off,A,off,B in random order (%.2f s rounds, seed %llu); added ns "
		"per call: each version's round minus the mean of the off-rounds either side\n\n",
		r->blocks, r->round_s, (unsigned long long)r->seed);
	fprintf(f, "%-10s %22s %22s %22s %22s\n", "SYSCALL", "A_ADDED_NS [95% CI]",
		"B_ADDED_NS [95% CI]", "B-A_NS [95% CI]", "A/A_NS [95% CI]");
	for (int i = 0; i < WL_KIND_COUNT; i++) {
		const struct cmp_kind *k = &r->k[i];
		char a[40], b[40], d[40], aa[40];

		if (!(r->mask & (1u << i)))
			continue;
		snprintf(a, sizeof(a), "%.1f [%.1f, %.1f]", k->a.point, k->a.lo, k->a.hi);
		snprintf(b, sizeof(b), "%.1f [%.1f, %.1f]", k->b.point, k->b.lo, k->b.hi);
		snprintf(d, sizeof(d), "%.1f [%.1f, %.1f]", k->diff.point, k->diff.lo, k->diff.hi);
		snprintf(aa, sizeof(aa), "%.1f [%.1f, %.1f]", k->aa.point, k->aa.lo, k->aa.hi);
		fprintf(f, "%-10s %22s %22s %22s %22s\n", wl_kind_name(i), a, b, d, aa);
	}
	fprintf(f, "\n");
	for (int i = 0; i < WL_KIND_COUNT; i++) {
		struct cmp_verdict v;

		if (!(r->mask & (1u << i)))
			continue;
		verdict_of(o, &r->k[i], &v);
		fprintf(f, "%s\n", cmp_fmt_verdict(text, sizeof(text), wl_kind_name(i), &r->k[i].diff,
						   &v));
	}
	print_programs(f, r);
	print_lines(f, &r->lines);
}

static void print_markdown(FILE *f, const struct compare_opts *o, struct tracer *t,
			   const struct cmp_result *r)
{
	char da[256], db[256], ca[2 * sizeof(da)], cb[2 * sizeof(db)];

	describe(&t[0], da, sizeof(da));
	describe(&t[1], db, sizeof(db));
	/* Code spans so Markdown leaves the command lines alone. */
	fprintf(f, "### bpfcost compare\n\nA: %s  \nB: %s  \n%d blocks of off,A,off,B, %.2f s "
		"rounds, seed %llu; ns added per call, 95%% intervals.\n\n",
		cmp_md_code(ca, sizeof(ca), da), cmp_md_code(cb, sizeof(cb), db),
		r->blocks, r->round_s, (unsigned long long)r->seed);
	cmp_md_header(f);
	for (int i = 0; i < WL_KIND_COUNT; i++) {
		struct cmp_verdict v;

		if (!(r->mask & (1u << i)))
			continue;
		verdict_of(o, &r->k[i], &v);
		cmp_md_row(f, wl_kind_name(i), &r->k[i].a, &r->k[i].b, &r->k[i].diff, &v);
	}
	print_lines_md(f, &r->lines);
}

static json_t *prog_json(const struct cmp_prog *p)
{
	json_t *o;

	if (!p)
		return json_null();
	/* No runs, no ns per run: null, as the table's '-'. */
	o = bc_json_pack("{s:I, s:I, s:o}", "runs", (json_int_t)p->runs, "time_ns",
			 (json_int_t)p->time_ns, "raw_ns_per_run",
			 p->runs ? bc_json_real((double)p->time_ns / (double)p->runs) : json_null());
	if (o && p->corr.applies)
		json_object_set_new(o, "corrected", bc_json_pack("{s:b, s:o, s:f, s:f}", "resolved",
				    p->corr.resolved, "ns_per_run", p->runs ?
				    bc_json_real(p->corr.ns_per_run) : json_null(), "lo",
				    p->corr.lo, "hi", p->corr.hi));
	return o;
}

static json_t *programs_json(const struct cmp_result *r)
{
	json_t *arr;

	if (!r->have_stats)
		return bc_json_pack("{s:s}", "unavailable", r->stats_why);
	arr = json_array();
	for (int v = 0; v < 2; v++)
		for (int i = 0; i < r->side[v].nprogs; i++) {
			const struct cmp_prog *p = &r->side[v].progs[i], *q = match(&r->side[!v], p);

			if (v && q)
				continue;	/* listed with A */
			json_array_append_new(arr, bc_json_pack("{s:s, s:s, s:o, s:o}", "name",
					      p->name, "attach", p->attach, "a",
					      prog_json(v ? q : p), "b", prog_json(v ? p : q)));
		}
	return bc_json_pack("{s:o, s:o, s:I, s:I}", "stats_bias", r->bias.valid ?
			    bc_json_pack("{s:f, s:f, s:f}", "ns_per_run", r->bias.ns_per_run, "lo",
					 r->bias.lo, "hi", r->bias.hi) : json_null(),
			    "programs", arr, "a_workload_calls",
			    (json_int_t)r->side[0].wl_calls, "b_workload_calls",
			    (json_int_t)r->side[1].wl_calls);
}

static int print_json(struct bc_ctx *ctx, const struct compare_opts *o, struct tracer *t,
		      const struct cmp_result *r)
{
	json_t *kinds = json_object();
	char da[256], db[256];

	describe(&t[0], da, sizeof(da));
	describe(&t[1], db, sizeof(db));
	for (int i = 0; i < WL_KIND_COUNT; i++) {
		const struct cmp_kind *k = &r->k[i];
		struct cmp_verdict v;

		if (!(r->mask & (1u << i)))
			continue;
		verdict_of(o, k, &v);
		json_object_set_new(kinds, wl_kind_name(i),
				    bc_json_pack("{s:o, s:o, s:o, s:o, s:f, s:o}", "a_added_ns",
						 cmp_ci_json(&k->a), "b_added_ns", cmp_ci_json(&k->b),
						 "diff_ns", cmp_ci_json(&k->diff), "aa_ns",
						 cmp_ci_json(&k->aa), "off_ns", k->off_ns, "verdict",
						 cmp_verdict_json(wl_kind_name(i), &k->diff, &v)));
	}
	return bc_json_emit(ctx, bc_json_pack("{s:{s:s, s:s}, s:{s:s, s:s}, s:i, s:f, s:I, s:s, "
					      "s:s, s:o, s:o, s:o}",
					      "a", "kind", t[0].o.is_command ? "command" : "sysmon",
					      "describe", da,
					      "b", "kind", t[1].o.is_command ? "command" : "sysmon",
					      "describe", db, "blocks", r->blocks, "round_s",
					      r->round_s, "seed", (json_int_t)r->seed, "order",
					      r->order, "method",
					      "blocks of off,A,off,B in random order; added = round "
					      "minus the mean of the off-rounds either side; B - A "
					      "paired within blocks; series CI over blocks (see "
					      "ci method)",
					      "syscalls", kinds, "per_program", programs_json(r),
					      "hot_lines", lines_json(&r->lines)));
}

static bool gate_failed(const struct compare_opts *o, const struct cmp_result *r)
{
	for (int i = 0; i < WL_KIND_COUNT; i++) {
		struct cmp_verdict v;

		if (!(r->mask & (1u << i)))
			continue;
		verdict_of(o, &r->k[i], &v);
		if (v.fails)
			return true;
	}
	return false;
}

int cmd_compare(struct bc_ctx *ctx, int argc, char **argv)
{
	struct compare_opts o;
	struct cmp_result res = { 0 };
	struct tracer t[2] = { { .log_fd = -1 }, { .log_fd = -1 } };
	char why[256];
	int err;

	ctx->gate = true;
	err = parse_args(argc, argv, &o);
	if (err)
		return err < 0 ? err : 0;
	if (ctx->json && o.markdown) {	/* as diff: refused before measuring */
		bc_err("-j and --markdown are two output formats: give one");
		return -EINVAL;
	}
	if ((o.sysmon[0] || o.sysmon[1]) && !method_available(ctx, METHOD_AB, why, sizeof(why))) {
		bc_err("the reference service cannot run here: %s", why);
		return -EOPNOTSUPP;
	}
	o.cfg.stats_ok = o.cfg.stats_rounds && method_available(ctx, METHOD_STATS, NULL, 0);
	o.cfg.no_lines = lines_unavailable(ctx, &o);
	if (!ctx->json && isatty(STDERR_FILENO))
		o.cfg.progress = print_progress;
	err = tracer_init(&t[0], &o.t[0]);
	if (!err)
		err = tracer_init(&t[1], &o.t[1]);
	if (!err)
		err = cmp_run(&o.cfg, &t[0], &t[1], &res);
	if (o.cfg.progress)
		fprintf(stderr, "\r\033[K");
	if (err == -EINTR)
		bc_err("interrupted by signal %d; tracers stopped", bc_stop_signal());
	else if (!err && ctx->json)
		err = print_json(ctx, &o, t, &res);
	else if (!err && o.markdown)
		print_markdown(ctx->out, &o, t, &res);
	else if (!err)
		print_plain(ctx->out, &o, t, &res);
	if (!err)
		ctx->gate_failed = gate_failed(&o, &res);
	tracer_fini(&t[1]);
	tracer_fini(&t[0]);
	cmp_result_free(&res);
	return err;
}
