// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* bpfcost stats: sample the kernel's per-program run-time stats every
 * interval and print per-interval rates and a whole-run summary. A front
 * end over the sampler in runstats.c. */
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include "bpfstats.h"
#include "common.h"
#include "progs.h"
#include "runstats.h"

#define STATS_DEFAULT_INTERVAL_S 1.0

static const char stats_help[] =
	"Usage: bpfcost stats [PROG...] [OPTIONS]\n\n"
	"Sample the kernel's own per-program run-time stats (run_cnt, run_time_ns,\n"
	"recursion_misses) every interval and report per program: runs, runs/s,\n"
	"ns per run, CPU share as % of one CPU (%CPU1) and of all online CPUs (%MACH),\n"
	"recursion misses and totals since start. Ends with a summary of the run.\n"
	"With no PROG every loaded program is sampled and programs loaded during\n"
	"the run are added; with PROG (id N | tag HEX | name NAME | pinned PATH)\n"
	"only the programs selected at start. A program that vanishes is shown as\n"
	"'gone' with its last figures; an interval without runs shows 'no runs'.\n"
	"Without PROG, a gone program is then forgotten (memory stays bounded on a\n"
	"host that loads and unloads programs all day): the summary lists the\n"
	"programs still loaded (and those gone in the last interval) and sums the\n"
	"others in one 'gone earlier' row.\n\n"
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
	"  -h, --help        this help\n\n"
	"Stats are turned on with BPF_ENABLE_STATS (kernel >= 5.8) for as long as\n"
	"we run, else with the sysctl. If they were already on (the sysctl, or\n"
	"another process holding them), counters hold history from before the\n"
	"run; our per-interval figures are deltas anyway.\n\n"
	"CAVEATS:\n"
	"  - stats add about two clock reads per run to every program while on;\n"
	"  - run_time_ns covers only the program body: no tracepoint dispatch, no\n"
	"    trampoline;\n"
	"  - the syscall slow path taken because a syscall tracepoint is attached\n"
	"    is invisible here; the A/B method (bpfcost overhead) sees it.\n\n"
	"EXAMPLES:\n"
	"  bpfcost stats                                  # every program, 1 s, until Ctrl-C\n"
	"  bpfcost stats name sysmon_count_enter --duration 5\n"
	"  bpfcost stats id 42 id 43 --interval 250ms --count 20\n"
	"  bpfcost -j stats --count 3 | jq 'select(.type == \"summary\")'\n";

static const char *const caveats[] = {
	"stats add about two clock reads per run to every program while enabled",
	"run_time_ns covers only the program body: no tracepoint dispatch, no trampoline",
	"the syscall slow-path cost of syscall tracepoints is invisible to this method; "
	"A/B (bpfcost overhead) sees it",
};


struct stats_run {
	struct rs_sampler rs;
	struct stats_enable se;
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
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	int err;

	*o = (struct rs_loop_opts){ .interval_s = STATS_DEFAULT_INTERVAL_S };
	err = bc_parse_opts(argc, argv, "h", opts, stats_help, parse_opt, o, false);
	return err ? err : rs_loop_finish(argc, argv, o);
}

static const char *state_name(enum rs_state st)
{
	static const char *const names[] = { "new", "live", "gone" };

	return names[st];
}

/* ---- plain output ---- */

static void print_head(FILE *f)
{
	fprintf(f, "%7s %-15s %-24s %11s %11s %10s %8s %8s %7s %12s %-5s\n", "ID", "TYPE",
		"NAME", "RUNS", "RUNS/S", "NS/RUN", "%CPU1", "%MACH", "MISSES", "TOTAL_RUNS",
		"STATE");
}

static void print_rate_cols(FILE *f, const struct rs_rate *r, bool valid)
{
	if (!valid) {
		fprintf(f, " %11s %11s %10s %8s %8s %7s", "-", "-", "-", "-", "-", "-");
		return;
	}
	fprintf(f, " %11llu %11.1f", (unsigned long long)r->runs, r->runs_per_s);
	if (r->has_runs)
		fprintf(f, " %10.1f", r->ns_per_run);
	else
		fprintf(f, " %10s", "no runs");
	fprintf(f, " %8.3f %8.3f %7llu", r->cpu_pct, r->cpu_pct_machine,
		(unsigned long long)r->misses);
}

static void print_row(FILE *f, const struct rs_prog *p, const struct rs_rate *r, bool valid)
{
	fprintf(f, "%7u %-15.15s %-24.24s", p->id, prog_type_name(p->type), p->full_name);
	print_rate_cols(f, r, valid);
	fprintf(f, " %12llu %-5s\n", (unsigned long long)(p->cur.run_cnt - p->base.run_cnt),
		state_name(p->state));
}

static void print_interval_plain(FILE *f, const struct stats_run *sr)
{
	const struct rs_sampler *s = &sr->rs;
	struct rs_rate sum = { 0 };
	size_t i;

	fprintf(f, "--- interval %u  t=%.3fs\n", sr->intervals,
		(double)(s->now_ns - s->start_ns) / 1e9);
	print_head(f);
	for (i = 0; i < s->n; i++) {
		const struct rs_prog *p = &s->v[i];

		if (!rs_prog_current(s, p))
			continue;
		print_row(f, p, &p->last, p->has_rate);
		if (p->state == RS_LIVE && p->has_rate)
			rs_rate_add(&sum, &p->last);
	}
	fprintf(f, "%7s %-15s %-24s", "", "", "(all live programs)");
	print_rate_cols(f, &sum, true);
	fprintf(f, "\n\n");
	fflush(f);
}

/* The programs dropped after they vanished, as one row: their runs over
 * the whole run's wall time. False when there were none. */
static bool dropped_rate(const struct rs_sampler *s, struct rs_rate *r)
{
	static const struct rs_sample zero;

	if (!s->dropped.n)
		return false;
	return rs_rate_compute(&zero, &s->dropped.total, s->now_ns - s->start_ns, s->ncpu, r) == 0;
}

static void print_dropped_plain(FILE *f, const struct rs_sampler *s)
{
	struct rs_rate r;
	char label[32];

	if (!dropped_rate(s, &r))
		return;
	snprintf(label, sizeof(label), "(%llu gone earlier)", (unsigned long long)s->dropped.n);
	fprintf(f, "%7s %-15s %-24s", "", "", label);
	print_rate_cols(f, &r, true);
	fprintf(f, " %12llu %-5s\n", (unsigned long long)r.runs, "gone");
}

static void print_summary_plain(FILE *f, const struct stats_run *sr)
{
	const struct rs_sampler *s = &sr->rs;
	size_t i;

	fprintf(f, "=== summary: %u interval%s over %.3f s%s\n", sr->intervals,
		sr->intervals == 1 ? "" : "s", (double)(s->now_ns - s->start_ns) / 1e9,
		sr->stopped ? " (stopped early)" : "");
	print_head(f);
	for (i = 0; i < s->n; i++) {
		const struct rs_prog *p = &s->v[i];
		struct rs_rate tot;
		int err = rs_prog_total(s, p, &tot);

		print_row(f, p, &tot, err == 0);
	}
	print_dropped_plain(f, s);
}

static const char *reader_label(enum rs_reader r)
{
	return r == RS_READER_ITER ? "the BPF iterator (reader iter)" :
				     "bpf() syscalls per program (reader syscall)";
}

static void print_start_plain(FILE *f, const struct stats_run *sr)
{
	fprintf(f, "run-time stats via %s%s, read with %s; %zu program%s, %d online CPUs\n",
		stats_via_name(sr->se.via),
		sr->se.was_on ? " (already on before us: counters hold history)" : "",
		reader_label(sr->rs.reader), sr->rs.n, sr->rs.n == 1 ? "" : "s", sr->rs.ncpu);
}

/* ---- JSON output ---- */

static json_t *rate_json(const struct rs_rate *r)
{
	return bc_json_pack("{s:I, s:I, s:I, s:f, s:f, s:o, s:f, s:f}", "runs", (json_int_t)r->runs,
			 "run_time_ns", (json_int_t)r->time_ns, "recursion_misses",
			 (json_int_t)r->misses, "wall_s", r->wall_s, "runs_per_s", r->runs_per_s,
			 "ns_per_run", r->has_runs ? bc_json_real(r->ns_per_run) : json_null(),
			 "cpu_pct", r->cpu_pct, "cpu_pct_machine", r->cpu_pct_machine);
}

static json_t *prog_json(const struct rs_prog *p, json_t *rate)
{
	return bc_json_pack("{s:I, s:s, s:s, s:s, s:s, s:s, s:o, s:{s:I, s:I, s:I}, s:{s:I, s:I, s:I}}",
			 "id", (json_int_t)p->id, "name", p->name, "full_name", p->full_name,
			 "type", prog_type_name(p->type), "tag", p->tag, "state",
			 state_name(p->state), "rate", rate ? rate : json_null(),
			 "total", "runs", (json_int_t)(p->cur.run_cnt - p->base.run_cnt),
			 "run_time_ns", (json_int_t)(p->cur.run_time_ns - p->base.run_time_ns),
			 "recursion_misses",
			 (json_int_t)(p->cur.recursion_misses - p->base.recursion_misses),
			 "counters", "run_cnt", (json_int_t)p->cur.run_cnt, "run_time_ns",
			 (json_int_t)p->cur.run_time_ns, "recursion_misses",
			 (json_int_t)p->cur.recursion_misses);
}

static int print_interval_json(struct bc_ctx *ctx, const struct stats_run *sr)
{
	const struct rs_sampler *s = &sr->rs;
	json_t *progs = json_array();
	struct rs_rate sum = { 0 };
	size_t i;

	for (i = 0; i < s->n; i++) {
		const struct rs_prog *p = &s->v[i];

		if (!rs_prog_current(s, p))
			continue;
		json_array_append_new(progs, prog_json(p, p->has_rate ? rate_json(&p->last) : NULL));
		if (p->state == RS_LIVE && p->has_rate)
			rs_rate_add(&sum, &p->last);
	}
	return bc_json_emit(ctx, bc_json_pack("{s:s, s:i, s:f, s:i, s:s, s:o, s:o}", "type",
					   "interval", "interval", (int)sr->intervals, "t_s",
					   (double)(s->now_ns - s->start_ns) / 1e9, "ncpu", s->ncpu,
					   "reader", rs_reader_name(s->reader), "all",
					   rate_json(&sum), "programs", progs));
}

/* {"programs": N, "total": {...}, "rate": over the whole run or null}. */
static json_t *dropped_json(const struct rs_sampler *s)
{
	const struct rs_sample *t = &s->dropped.total;
	struct rs_rate r;

	return bc_json_pack("{s:I, s:{s:I, s:I, s:I}, s:o}", "programs", (json_int_t)s->dropped.n,
			 "total", "runs", (json_int_t)t->run_cnt, "run_time_ns",
			 (json_int_t)t->run_time_ns, "recursion_misses",
			 (json_int_t)t->recursion_misses, "rate",
			 dropped_rate(s, &r) ? rate_json(&r) : json_null());
}

static int print_summary_json(struct bc_ctx *ctx, const struct stats_run *sr)
{
	const struct rs_sampler *s = &sr->rs;
	json_t *progs = json_array(), *cav = json_array();
	size_t i;

	for (i = 0; i < ARRAY_SIZE(caveats); i++)
		json_array_append_new(cav, json_string(caveats[i]));
	for (i = 0; i < s->n; i++) {
		struct rs_rate tot;
		int err = rs_prog_total(s, &s->v[i], &tot);

		json_array_append_new(progs, prog_json(&s->v[i], err ? NULL : rate_json(&tot)));
	}
	return bc_json_emit(ctx, bc_json_pack("{s:s, s:i, s:f, s:b, s:s, s:b, s:b, s:i, s:s, s:o, "
					   "s:o, s:o, s:o}",
					   "type", "summary", "intervals", (int)sr->intervals,
					   "duration_s", (double)(s->now_ns - s->start_ns) / 1e9,
					   "stopped", sr->stopped, "stats_via",
					   stats_via_name(sr->se.via), "stats_were_on",
					   sr->se.was_on, "counters_had_history", s->history,
					   "ncpu", s->ncpu, "reader", rs_reader_name(s->reader),
					   "reader_fallback", *s->reader_why ?
					   json_string(s->reader_why) : json_null(),
					   "caveats", cav, "programs", progs,
					   "gone_earlier", dropped_json(s)));
}

/* ---- the run ---- */

static int resolve(const struct rs_loop_opts *o, uint32_t **ids, size_t *nids)
{
	struct prog_selector *sels = NULL;
	int n, err;

	*ids = NULL;
	*nids = 0;
	if (!o->nsel)
		return 0;
	n = selectors_parse(o->nsel, o->sel_argv, &sels);
	if (n < 0)
		return n;
	err = selectors_resolve(sels, n, ids, nids);
	free(sels);
	return err;
}

/* Next sleep: the interval, cut short so --duration ends on time. */
static double next_sleep(const struct rs_loop_opts *o, const struct stats_run *sr)
{
	double left;

	if (o->duration_s <= 0)
		return o->interval_s;
	left = o->duration_s - (double)(bc_now_ns() - sr->rs.start_ns) / 1e9;
	return left < o->interval_s ? left : o->interval_s;
}

static bool finished(const struct rs_loop_opts *o, const struct stats_run *sr)
{
	if (o->count)
		return sr->intervals >= o->count;
	if (o->duration_s > 0)
		return next_sleep(o, sr) <= 1e-3;
	return false;
}

static int sample_loop(struct bc_ctx *ctx, const struct rs_loop_opts *o, struct stats_run *sr)
{
	int err;

	while (!finished(o, sr)) {
		/* A stop mid-sleep still takes a last, shorter sample. */
		sr->stopped = bc_sleep_interruptible(next_sleep(o, sr));
		err = rs_sample(&sr->rs);
		if (err)
			return err;
		sr->intervals++;
		if (ctx->json) {
			err = print_interval_json(ctx, sr);
			if (err)
				return err;
		} else {
			print_interval_plain(ctx->out, sr);
		}
		if (sr->stopped || bc_stop_requested()) {
			sr->stopped = true;
			break;
		}
	}
	return 0;
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
	err = resolve(&opts, &ids, &nids);
	if (err)
		return err;
	err = stats_enable(&sr.se, opts.sysctl);
	if (err) {
		bc_err("cannot enable BPF run-time stats: %s", strerror(-err));
		goto cleanup;
	}
	/* From here every exit goes through stats_restore below. */
	err = rs_start(ctx, &sr.rs, &opts, ids, nids);
	if (err)
		goto cleanup;
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
	stats_restore(&sr.se);
	rs_free(&sr.rs);
	free(ids);
	return err;
}
