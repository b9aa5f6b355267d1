// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* bpfcost stats: sample the kernel's per-program run-time stats every
 * interval and print per-interval rates and a whole-run summary. A front
 * end over the sampler in runstats.c. */
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include "biasfmt.h"
#include "bpfstats.h"
#include "common.h"
#include "owners.h"
#include "progs.h"
#include "runstats.h"
#include "tailcall.h"

#define STATS_DEFAULT_INTERVAL_S 1.0

static const char stats_help[] =
	"Usage: bpfcost stats [PROG...] [OPTIONS]\n\n"
	"Sample the kernel's own per-program run-time stats (run_cnt, run_time_ns,\n"
	"recursion_misses) every interval and report per program: runs, runs/s,\n"
	"ns per run, CPU share as % of one CPU (%CPU1) and of all online CPUs (%MACH),\n"
	"recursion misses and totals since start. Ends with a summary of the run.\n"
	"With no PROG every loaded program is sampled and programs loaded during\n"
	"the run are added; with PROG (id N | tag HEX | name NAME | pinned PATH |\n"
	"pid N | comm NAME) only the programs selected at start. A program that\n"
	"vanishes is shown as 'gone' once, with no figures for that interval (its\n"
	"runs before it went were never read); an interval without runs shows\n"
	"'no runs'.\n"
	"Without PROG, a gone program is then forgotten (memory stays bounded on a\n"
	"host that loads and unloads programs all day): the summary lists the\n"
	"programs still loaded (and those gone in the last interval) with their\n"
	"totals and sums the others in one 'gone earlier' row.\n"
	"OWNER: the processes (PID/COMM) holding each program through a program,\n"
	"link or perf event fd, found on every pass; else 'pinned: PATH' or 'none'\n"
	"(see 'bpfcost prog --help').\n\n"
	"Corrected figures (CORR_NS, CORR%1): the stats count part of their own\n"
	"clock reads as program time. At start bpfcost measures that share here\n"
	"(an empty raw_tp program run ~65,000 times by BPF_PROG_TEST_RUN, ~0.1 s,\n"
	"nothing attached) and subtracts it: CORR_NS = NS/RUN - bias. '<X' means\n"
	"below the bias's own uncertainty (X the upper bound); '-' a program run\n"
	"from a trampoline (fentry/fexit/LSM), whose stats window differs and is\n"
	"not corrected. An empty program first on a hook right after a kernel\n"
	"entry still shows some ns: entering its cold image is real cost, which\n"
	"sampling (annotate --top) charges to it too.\n"
	"MISSES (recursion_misses) counts runs the kernel skipped because the\n"
	"program was already running on that CPU: they are not in RUNS, RUNS/S or\n"
	"NS/RUN.\n"
	"Tail calls: a program reached by bpf_tail_call is not counted by the\n"
	"kernel (run_cnt stays 0); its time is inside the run time of the program\n"
	"that was entered. TAIL_CALL says so on both rows ('runs inside ID via\n"
	"tail call', 'includes tail-called ID') and NS/RUN shows 'tail-call'\n"
	"instead of 'no runs'; 'bpfcost annotate --top' splits such a figure\n"
	"between the programs by samples.\n\n"
	"Probes: prog_iter and owner_iter with --reader iter, or auto unless\n"
	"--count 1 (without the owners iterator, /proc is walked each pass).\n\n"
	"Options:\n"
	"  --interval S      sampling interval (1, 500ms, 2s; default 1s)\n"
	"  --count N         stop after N intervals\n"
	"  --duration D      stop after D (10, 10s, 2m); default: until Ctrl-C\n"
	"  --sysctl          enable stats with kernel.bpf_stats_enabled instead of\n"
	"                    BPF_ENABLE_STATS (the fallback; mainly for tests).\n"
	"                    The old value is restored on exit, error and signals.\n"
	"  --reader R        how each pass reads the counters: iter (one BPF\n"
	"                    iterator read for all programs; needs kernel BTF and\n"
	"                    Linux >= 5.19), syscall (four bpf() calls per program),\n"
	"                    or auto (default: iter when 'bpfcost doctor' finds it\n"
	"                    works, else syscall, saying why on stderr; syscall for\n"
	"                    --count 1, where loading the iterator costs more than\n"
	"                    it saves)\n"
	"  --no-correction   do not measure the stats bias (no program is loaded;\n"
	"                    CORR_NS and CORR%1 are left out)\n"
	"  -h, --help        this help\n\n"
	"Stats are turned on with BPF_ENABLE_STATS (kernel >= 5.8) for as long as\n"
	"we run, else with the sysctl. If they were already on (the sysctl, or\n"
	"another process holding them), counters hold history from before the\n"
	"run; our per-interval figures are deltas anyway.\n\n"
	"CAVEATS:\n"
	"  - stats add about two clock reads per run to every program while on;\n"
	"  - run_time_ns covers only the program body: no tracepoint dispatch, no\n"
	"    trampoline; the body includes the programs it tail-calls;\n"
	"  - the syscall slow path taken because a syscall tracepoint is attached\n"
	"    is invisible here; the A/B method (bpfcost overhead) sees it.\n\n"
	"EXAMPLES:\n"
	"  bpfcost stats                                  # every program, 1 s, until Ctrl-C\n"
	"  bpfcost stats name sysmon_cnt_enter --duration 5\n"
	"  bpfcost stats id 42 id 43 --interval 250ms --count 20\n"
	"  bpfcost stats pid 1234 --duration 5         # the programs process 1234 holds\n"
	"  bpfcost -j stats --count 3 | jq 'select(.type == \"summary\")'\n";

static const char *const caveats[] = {
	"stats add about two clock reads per run to every program while enabled",
	"run_time_ns counts part of those clock reads as program time; 'corrected' "
	"subtracts the stats bias measured here (stats_bias)",
	"run_time_ns covers only the program body: no tracepoint dispatch, no trampoline; "
	"the body includes the programs it tail-calls",
	"the syscall slow-path cost of syscall tracepoints is invisible to this method; "
	"A/B (bpfcost overhead) sees it",
};


struct stats_run {
	struct rs_sampler rs;
	struct tc_collector tc;
	bool tc_ok;		/* the last pass read the tail-call relations */
	bool tc_said;		/* the reason they could not be read was said */
	struct bpfstats_enable se;
	unsigned intervals;
	bool stopped;
};

static int parse_opt(int c, const char *arg, void *opts)
{
	int err = rs_loop_parse_opt(c, arg, opts);

	return err == -ENOENT ? -EINVAL : err;
}

/* Returns 1 when --help was printed, 0 to run, < 0 on bad input. */
static int parse_args(int argc, char **argv, struct rs_loop_opts *o)
{
	static const struct option opts[] = {
		{ "interval", required_argument, NULL, 'i' },
		{ "count", required_argument, NULL, 'c' },
		{ "duration", required_argument, NULL, 'd' },
		{ "sysctl", no_argument, NULL, 'S' },
		{ "reader", required_argument, NULL, 'R' },
		{ "no-correction", no_argument, NULL, 'N' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	int err;

	*o = (struct rs_loop_opts){ .interval_s = STATS_DEFAULT_INTERVAL_S, .owners = true };
	err = bc_parse_opts(argc, argv, "h", opts, stats_help, parse_opt, o, false);
	return err ? err : rs_loop_finish(argc, argv, o);
}

static const char *state_name(enum rs_state st)
{
	static const char *const names[] = { "new", "live", "gone" };

	return names[st];
}

/* ---- plain output ---- */

/* The TYPE, NAME and ATTACH columns, as wide as the widest of the programs. */
struct cols {
	int type, name, attach;
};

static struct cols cols_of(const struct rs_sampler *s)
{
	struct cols w = { 15, 24, 6 };

	for (size_t i = 0; i < s->n; i++) {
		w.type = bc_col_width(w.type, prog_type_name(s->v[i].type));
		w.name = bc_col_width(w.name, s->v[i].full_name);
		w.attach = bc_col_width(w.attach, s->v[i].attach);
	}
	return w;
}

static void print_head(FILE *f, struct cols w)
{
	fprintf(f, "%7s %-*s %-*s %-*s %11s %11s %10s %9s %8s %9s %8s %7s %12s %-5s %-9s %s\n",
		"ID", w.type, "TYPE", w.name, "NAME", w.attach, "ATTACH", "RUNS", "RUNS/S", "NS/RUN",
		"CORR_NS", "%CPU1", "CORR%1", "%MACH", "MISSES", "TOTAL_RUNS", "STATE", "TAIL_CALL",
		"OWNER");
}

/* idle: what NS/RUN says for an interval without runs. */
static void print_rate_cols(FILE *f, const struct rs_rate *r, const struct sb_corrected *c,
			    bool valid, const char *idle)
{
	char buf[32];

	if (!valid) {
		fprintf(f, " %11s %11s %10s %9s %8s %9s %8s %7s", "-", "-", "-", "-", "-", "-",
			"-", "-");
		return;
	}
	fprintf(f, " %11llu %11.1f", (unsigned long long)r->runs, r->runs_per_s);
	if (r->has_runs)
		fprintf(f, " %10.1f", r->ns_per_run);
	else
		fprintf(f, " %10s", idle);
	bf_corrected_str(buf, sizeof(buf), 1, c, false);
	fprintf(f, " %9s %8.3f", buf, r->cpu_pct);
	bf_corrected_str(buf, sizeof(buf), 3, c, true);
	fprintf(f, " %9s", buf);
	fprintf(f, " %8.3f %7llu", r->cpu_pct_machine, (unsigned long long)r->misses);
}

static void print_row(FILE *f, const struct stats_run *sr, struct cols w, const struct rs_prog *p,
		      const struct rs_rate *r, bool valid)
{
	struct sb_corrected c;
	char tail[160], owner[512];

	rs_prog_corrected(&sr->rs, p, r, &c);
	tc_note(&p->tail, tail, sizeof(tail));
	fprintf(f, "%7u %-*s %-*s %-*s", p->id, w.type, prog_type_name(p->type), w.name,
		BC_ESC(p->full_name), w.attach, p->attach[0] ? BC_ESC(p->attach) : "-");
	/* A tail-called program's runs are counted in its entry: not idle. */
	print_rate_cols(f, r, &c, valid, p->tail.ncallers ? "tail-call" : "no runs");
	owners_format(&p->owners, owner, sizeof(owner));
	fprintf(f, " %12llu %-5s %-9s %s\n", (unsigned long long)(p->cur.run_cnt - p->base.run_cnt),
		state_name(p->state), !sr->tc_ok ? "?" : *tail ? tail : "-", BC_ESC(owner));
}

/* A program's figures for the latest interval: a program that went away
 * in it has none (its runs before it vanished were never read). */
static bool interval_rate(const struct rs_prog *p)
{
	return p->has_rate && p->state != RS_GONE;
}

/* The interval's sum over live programs, raw and corrected: corrected
 * only when the correction applies to every program in it. */
static void interval_sum(const struct rs_sampler *s, struct rs_rate *sum, struct sb_corrected *c)
{
	bool all_apply = true;
	size_t i;

	memset(sum, 0, sizeof(*sum));
	for (i = 0; i < s->n; i++) {
		const struct rs_prog *p = &s->v[i];

		if (!rs_prog_current(s, p) || !interval_rate(p))
			continue;
		rs_rate_add(sum, &p->last);
		all_apply &= sb_applies(p->type, p->raw_tp_link);
	}
	sb_correct(&s->bias, all_apply, sum->runs, sum->time_ns, sum->wall_s, c);
}

static void print_interval_plain(FILE *f, const struct stats_run *sr)
{
	const struct rs_sampler *s = &sr->rs;
	struct cols w = cols_of(s);
	struct sb_corrected c;
	struct rs_rate sum;
	size_t i;

	fprintf(f, "--- interval %u  t=%.3fs\n", sr->intervals,
		(double)(s->now_ns - s->start_ns) / 1e9);
	print_head(f, w);
	for (i = 0; i < s->n; i++) {
		const struct rs_prog *p = &s->v[i];

		if (rs_prog_current(s, p))
			print_row(f, sr, w, p, &p->last, interval_rate(p));
	}
	interval_sum(s, &sum, &c);
	fprintf(f, "%7s %-*s %-*s %-*s", "", w.type, "", w.name, "(all live programs)", w.attach,
		"");
	print_rate_cols(f, &sum, &c, true, "no runs");
	fprintf(f, "\n\n");
	fflush(f);
}

/* The programs dropped after they vanished, as one row: their runs over
 * the whole run's wall time, raw and corrected. False when there were
 * none. */
static bool dropped_rate(const struct rs_sampler *s, struct rs_rate *r, struct sb_corrected *c)
{
	static const struct rs_sample zero;

	if (!s->dropped.n ||
	    rs_rate_compute(&zero, &s->dropped.total, s->now_ns - s->start_ns, s->ncpu, r))
		return false;
	sb_correct(&s->bias, !s->dropped.uncorrected, r->runs, r->time_ns, r->wall_s, c);
	return true;
}

static void print_dropped_plain(FILE *f, const struct rs_sampler *s, struct cols w)
{
	struct sb_corrected c;
	struct rs_rate r;
	char label[32];

	if (!dropped_rate(s, &r, &c))
		return;
	snprintf(label, sizeof(label), "(%llu gone earlier)", (unsigned long long)s->dropped.n);
	fprintf(f, "%7s %-*s %-*s %-*s", "", w.type, "", w.name, label, w.attach, "");
	print_rate_cols(f, &r, &c, true, "no runs");
	fprintf(f, " %12llu %-5s\n", (unsigned long long)r.runs, "gone");
}

static void print_summary_plain(FILE *f, const struct stats_run *sr)
{
	const struct rs_sampler *s = &sr->rs;
	struct cols w = cols_of(s);
	size_t i;

	fprintf(f, "=== summary: %u interval%s over %.3f s%s\n", sr->intervals,
		sr->intervals == 1 ? "" : "s", (double)(s->now_ns - s->start_ns) / 1e9,
		sr->stopped ? " (stopped early)" : "");
	print_head(f, w);
	for (i = 0; i < s->n; i++) {
		const struct rs_prog *p = &s->v[i];
		struct rs_rate tot;
		int err = rs_prog_total(s, p, &tot);

		print_row(f, sr, w, p, &tot, err == 0);
	}
	print_dropped_plain(f, s, w);
}

static const char *reader_label(enum rs_reader r)
{
	return r == RS_READER_ITER ? "the BPF iterator (reader iter)" :
				     "bpf() syscalls per program (reader syscall)";
}

static void print_start_plain(FILE *f, const struct stats_run *sr)
{
	fprintf(f, "run-time stats via %s%s, read with %s; owners from %s; %zu program%s, "
		"%d online CPUs\n", bpfstats_via_name(sr->se.via),
		sr->se.was_on ? " (already on before us: counters hold history)" : "",
		reader_label(sr->rs.reader),
		sr->rs.owners->iter ? "the BPF iterator (iter/task_file)" : "/proc",
		sr->rs.n, sr->rs.n == 1 ? "" : "s", sr->rs.ncpu);
	bf_bias_legend(f, &sr->rs.bias);
}

/* ---- JSON output ---- */

static json_t *rate_json(const struct rs_rate *r, const struct sb_corrected *c)
{
	return bc_json_pack("{s:I, s:I, s:I, s:f, s:f, s:o, s:f, s:f, s:o}", "runs",
			    (json_int_t)r->runs, "run_time_ns", (json_int_t)r->time_ns,
			    "recursion_misses", (json_int_t)r->misses, "wall_s", r->wall_s,
			    "runs_per_s", r->runs_per_s, "ns_per_run",
			    r->has_runs ? bc_json_real(r->ns_per_run) : json_null(), "cpu_pct",
			    r->cpu_pct, "cpu_pct_machine", r->cpu_pct_machine, "corrected",
			    bf_corrected_json(c));
}

static json_t *prog_rate_json(const struct rs_sampler *s, const struct rs_prog *p,
			      const struct rs_rate *r)
{
	struct sb_corrected c;

	rs_prog_corrected(s, p, r, &c);
	return rate_json(r, &c);
}

static json_t *prog_json(const struct stats_run *sr, const struct rs_prog *p, json_t *rate)
{
	json_t *j = bc_json_pack("{s:I, s:s, s:s, s:s, s:s, s:s, s:s, s:o, s:{s:I, s:I, s:I}, "
				 "s:{s:I, s:I, s:I}, s:o}",
			 "id", (json_int_t)p->id, "name", p->name, "full_name", p->full_name,
			 "type", prog_type_name(p->type), "tag", p->tag, "attach", p->attach, "state",
			 state_name(p->state), "rate", rate ? rate : json_null(),
			 "total", "runs", (json_int_t)(p->cur.run_cnt - p->base.run_cnt),
			 "run_time_ns", (json_int_t)(p->cur.run_time_ns - p->base.run_time_ns),
			 "recursion_misses",
			 (json_int_t)(p->cur.recursion_misses - p->base.recursion_misses),
			 "counters", "run_cnt", (json_int_t)p->cur.run_cnt, "run_time_ns",
			 (json_int_t)p->cur.run_time_ns, "recursion_misses",
			 (json_int_t)p->cur.recursion_misses,
			 "tail_call", sr->tc_ok ? tc_json(&sr->tc.g, p->id) : json_null());

	if (j && owners_json_add(j, &p->owners)) {
		json_decref(j);
		return NULL;
	}
	return j;
}

static int print_interval_json(struct bc_ctx *ctx, const struct stats_run *sr)
{
	const struct rs_sampler *s = &sr->rs;
	json_t *progs = json_array();
	struct sb_corrected c;
	struct rs_rate sum;
	size_t i;

	for (i = 0; i < s->n; i++) {
		const struct rs_prog *p = &s->v[i];

		if (!rs_prog_current(s, p))
			continue;
		json_array_append_new(progs, prog_json(sr, p, interval_rate(p) ?
								prog_rate_json(s, p, &p->last) :
								NULL));
	}
	interval_sum(s, &sum, &c);
	return bc_json_emit(ctx, bc_json_pack("{s:s, s:i, s:f, s:i, s:s, s:o, s:o}", "type",
					   "interval", "interval", (int)sr->intervals, "t_s",
					   (double)(s->now_ns - s->start_ns) / 1e9, "ncpu", s->ncpu,
					   "reader", rs_reader_name(s->reader), "all",
					   rate_json(&sum, &c), "programs", progs));
}

/* {"programs": N, "total": {...}, "rate": over the whole run or null}. */
static json_t *dropped_json(const struct rs_sampler *s)
{
	const struct rs_sample *t = &s->dropped.total;
	struct sb_corrected c;
	struct rs_rate r;

	return bc_json_pack("{s:I, s:{s:I, s:I, s:I}, s:o}", "programs", (json_int_t)s->dropped.n,
			 "total", "runs", (json_int_t)t->run_cnt, "run_time_ns",
			 (json_int_t)t->run_time_ns, "recursion_misses",
			 (json_int_t)t->recursion_misses, "rate",
			 dropped_rate(s, &r, &c) ? rate_json(&r, &c) : json_null());
}

static int print_summary_json(struct bc_ctx *ctx, const struct stats_run *sr)
{
	const struct rs_sampler *s = &sr->rs;
	json_t *progs = json_array(), *cav = json_array();
	size_t i;

	for (i = 0; i < ARRAY_SIZE(caveats); i++)
		json_array_append_new(cav, json_string(caveats[i]));
	for (i = 0; i < s->n; i++) {
		const struct rs_prog *p = &s->v[i];
		struct rs_rate tot;
		int err = rs_prog_total(s, p, &tot);

		json_array_append_new(progs, prog_json(sr, p, err ? NULL : prog_rate_json(s, p, &tot)));
	}
	return bc_json_emit(ctx, bc_json_pack("{s:s, s:i, s:f, s:b, s:s, s:b, s:b, s:i, s:s, s:o, "
					   "s:s, s:o, s:o, s:o, s:o}",
					   "type", "summary", "intervals", (int)sr->intervals,
					   "duration_s", (double)(s->now_ns - s->start_ns) / 1e9,
					   "stopped", sr->stopped, "stats_via",
					   bpfstats_via_name(sr->se.via), "stats_were_on",
					   sr->se.was_on, "counters_had_history", s->history,
					   "ncpu", s->ncpu, "reader", rs_reader_name(s->reader),
					   "reader_fallback", *s->reader_why ?
					   json_string(s->reader_why) : json_null(),
					   "owners_via", owners_via_name(s->owners),
					   "stats_bias", bf_bias_json(&s->bias),
					   "caveats", cav, "programs", progs,
					   "gone_earlier", dropped_json(s)));
}

/* ---- the run ---- */

struct stats_tick {
	struct bc_ctx *ctx;
	struct stats_run *sr;
};

/* The tail-call relations: an addition to the figures, so a failure to
 * read them is said once and the figures go on (marked "?"). */
static int tail_refresh(struct stats_run *sr)
{
	int err = rs_tail_refresh(&sr->rs, &sr->tc);

	if (err == -ENOMEM)
		return err;
	sr->tc_ok = !err;
	if (err && !sr->tc_said) {
		bc_note("tail-call relations not read: %s", strerror(-err));
		sr->tc_said = true;
	}
	return 0;
}

/* A stop mid-sleep still takes a last, shorter sample. */
static int sample_tick(void *arg, bool last)
{
	struct stats_tick *t = arg;
	int err;

	err = rs_sample(&t->sr->rs);
	if (!err)
		err = tail_refresh(t->sr);
	if (err)
		return err;
	t->sr->intervals++;
	if (t->ctx->json)
		return print_interval_json(t->ctx, t->sr);
	print_interval_plain(t->ctx->out, t->sr);
	return 0;
}

static int sample_loop(struct bc_ctx *ctx, const struct rs_loop_opts *o, struct stats_run *sr)
{
	struct stats_tick t = { ctx, sr };
	struct bc_interval iv;

	rs_loop_interval(o, &sr->rs, &iv);
	return bc_interval_loop(ctx, &iv, sample_tick, &t, &sr->stopped);
}

int cmd_stats(struct bc_ctx *ctx, int argc, char **argv)
{
	struct stats_run sr = { 0 };
	struct rs_loop_opts opts;
	uint32_t *ids = NULL;
	size_t nids = 0;
	int err;

	err = parse_args(argc, argv, &opts);
	if (err)
		return err < 0 ? err : 0;
	err = selectors_resolve_words(opts.nsel, opts.sel_argv, &ids, &nids);
	if (err)
		return err;
	err = bpfstats_enable(&sr.se, opts.sysctl);
	if (err) {
		bc_err("cannot enable BPF run-time stats: %s", strerror(-err));
		goto cleanup;
	}
	/* From here every exit goes through bpfstats_restore below. */
	err = rs_start(ctx, &sr.rs, &opts, ids, nids);
	if (err)
		goto cleanup;
	sr.rs.want_attach = true;
	if (!ctx->json)
		print_start_plain(ctx->out, &sr);
	err = sample_loop(ctx, &opts, &sr);
	if (err)
		goto cleanup;
	if (ctx->json)
		err = print_summary_json(ctx, &sr);
	else
		print_summary_plain(ctx->out, &sr);
cleanup:
	bpfstats_restore(&sr.se);
	rs_free(&sr.rs);
	tc_collector_free(&sr.tc);
	free(ids);
	return err;
}
