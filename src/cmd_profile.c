// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* bpfcost profile: fentry/fexit around loaded BPF programs, with the
 * observer's own cost measured on an empty program and subtracted.
 * A front end over profile.c. */
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include "common.h"
#include "kfeatures.h"
#include "profile.h"

#define PROFILE_DEFAULT_DURATION_S 5.0

static const char profile_help[] =
	"Usage: bpfcost profile PROG... [--duration D] [--events auto|none|LIST] [--hist]\n\n"
	"Attach fentry and fexit to every selected program at once and time each\n"
	"run: runs, runs/s, mean, p50, p90, p99 and max ns per run, plus hardware\n"
	"counter deltas per run (scaled and marked when the PMU multiplexes them).\n"
	"PROG is a selector: id N | tag HEX | name NAME | pinned PATH | pid N |\n"
	"comm NAME (repeatable).\n\n"
	"The observer is calibrated: our own empty program (bc_empty on\n"
	"raw_tp/sys_enter) is profiled alongside with the same setup; the mean of\n"
	"its runs up to p99 is what fentry+fexit+bookkeeping add and is subtracted\n"
	"from every target figure ('corrected'; '<calib' where a figure is at or\n"
	"below the calibration's, so no positive time can be given). Raw figures\n"
	"are shown too. Run-time stats are on\n"
	"for the window so the kernel's own run count and ns/run (which include\n"
	"the trampoline) can be compared. Runs that nest on one CPU are timed\n"
	"exclusively (the inner run is subtracted from the outer one).\n\n"
	"Probes: fentry_prog, vmlinux_btf; perf_cycles, perf_instructions and\n"
	"perf_cache_misses for --events auto; fentry_tracing when a target is a\n"
	"tracing program; a refusal also probes what the other methods need, to\n"
	"name what works here.\n\n"
	"Options:\n"
	"  --duration D      profile for D (10, 10s, 500ms, 2m; default 5s)\n"
	"  --events E        auto (default: the hardware counters doctor finds),\n"
	"                    none, or a comma list of: cycles, instructions,\n"
	"                    cache-misses, cache-references, branches, branch-misses,\n"
	"                    dtlb-misses, itlb-misses, cpu-clock (at most 4)\n"
	"  --hist            also print each program's ns-per-run histogram\n"
	"  --no-calibrate    do not profile the empty program; no corrected figures\n"
	"  --no-stats        leave run-time stats alone (no comparison with them)\n"
	"  -h, --help        this help\n\n"
	"Tail calls: fentry/fexit do not fire when a program is reached by\n"
	"bpf_tail_call (the jump enters past the hook), so a tail-called target\n"
	"shows only its direct runs, and its time inside the entry's runs is in\n"
	"the entry's figures (which include every program it tail-calls); a note\n"
	"says so on such targets ('bpfcost annotate' samples tail-called code).\n\n"
	"Needs fentry/fexit on BPF programs (BPF trampolines); 'bpfcost doctor'\n"
	"says whether this kernel allows them. A target that is itself a tracing\n"
	"program (tp_btf, fentry, fexit) needs Linux 6.8 or later (commit\n"
	"19bfcdf9498a): before, the kernel refuses fentry/fexit on it, and profile\n"
	"says so and names what measures it here (stats, annotate). Ctrl-C ends\n"
	"the run early and prints what was collected.\n\n"
	"EXAMPLES:\n"
	"  bpfcost profile name sysmon_cnt_enter\n"
	"  bpfcost profile id 42 id 43 --duration 10s --hist\n"
	"  bpfcost -j profile name sysmon_proc_enter --events cycles,instructions\n";

struct profile_opts {
	struct prof_config cfg;
	const char *events;
	bool hist;
	int argc;		/* selector words */
	char **argv;
};

static int parse_opt(int c, const char *arg, struct profile_opts *o)
{
	switch (c) {
	case 'd':
		return parse_duration("--duration", arg, &o->cfg.duration_s);
	case 'e':
		o->events = arg;
		return 0;
	case 'H':
		o->hist = true;
		return 0;
	case 'C':
		o->cfg.calibrate = false;
		return 0;
	case 'S':
		o->cfg.stats = false;
		return 0;
	}
	return -EINVAL;
}

/* Returns 1 when --help was printed, 0 to run, < 0 on bad input. */
static int parse_args(int argc, char **argv, struct profile_opts *o)
{
	static const struct option opts[] = {
		{ "duration", required_argument, NULL, 'd' },
		{ "events", required_argument, NULL, 'e' },
		{ "hist", no_argument, NULL, 'H' },
		{ "no-calibrate", no_argument, NULL, 'C' },
		{ "no-stats", no_argument, NULL, 'S' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	int c, err;

	o->cfg.duration_s = PROFILE_DEFAULT_DURATION_S;
	o->cfg.calibrate = o->cfg.stats = o->cfg.announce = true;
	o->events = "auto";
	o->argv = calloc((size_t)argc + 1, sizeof(char *));
	if (!o->argv)
		return -ENOMEM;
	/* "+": selectors are words like "id 42"; options may come first or
	 * after them (we restart getopt past each selector word run). */
	while (optind < argc) {
		c = getopt_long(argc, argv, "+h", opts, NULL);
		if (c == -1) {
			o->argv[o->argc++] = argv[optind++];	/* a selector word, in order */
			continue;
		}
		if (c == 'h') {
			bc_help(profile_help);
			return 1;
		}
		if (c == '?')
			return bc_opt_refused(argc, argv, "h");	/* getopt already said what was wrong */
		err = parse_opt(c, optarg, o);
		if (err)
			return err;
	}
	if (!o->argc) {
		bc_err("no program given (try 'bpfcost profile --help')");
		return -EINVAL;
	}
	return 0;
}

/* ---- plain ---- */

/* One figure in width w: "<calib" where it is at or below the calibration
 * program's (the observer's own cost is not known finer than that). */
static void print_fig(FILE *f, int w, uint64_t v, bool below)
{
	char buf[24];

	fprintf(f, " %*s", w, prof_fig_str(v, below, buf, sizeof(buf)));
}

static void print_figs(FILE *f, const char *label, const struct prof_figures *g)
{
	fprintf(f, "  %-10s", label);
	if (g->below_calib & PROF_FIG_MEAN)
		fprintf(f, " %10s", "<calib");
	else
		fprintf(f, " %10.1f", g->mean);
	print_fig(f, 9, g->p50, g->below_calib & PROF_FIG_P50);
	print_fig(f, 9, g->p90, g->below_calib & PROF_FIG_P90);
	print_fig(f, 9, g->p99, g->below_calib & PROF_FIG_P99);
	print_fig(f, 10, g->max, g->below_calib & PROF_FIG_MAX);
	fputc('\n', f);
}

static void print_counters(FILE *f, const struct prof_target *t, bool corrected)
{
	static const struct { const char *num, *den, *label; double scale; } ratios[] = {
		{ "instructions", "cycles", "IPC", 1 },
		{ "cache-misses", "instructions", "cache-misses/1k instr", 1000 },
		{ "branch-misses", "instructions", "branch-misses/1k instr", 1000 },
		{ "dtlb-misses", "instructions", "dTLB-misses/1k instr", 1000 },
		{ "itlb-misses", "instructions", "iTLB-misses/1k instr", 1000 },
	};
	size_t i;
	double v;
	int e;

	for (e = 0; e < t->nevents; e++) {
		const struct prof_counter *c = &t->ev[e];

		fprintf(f, "  %-14s %12.1f per run", c->name, c->per_run);
		if (corrected && c->below_calib)
			fprintf(f, " (corrected <calib)");
		else if (corrected)
			fprintf(f, " (corrected %.1f)", c->per_run_corrected);
		fprintf(f, "%s\n", c->multiplexed ? "  [multiplexed: scaled estimate]" : "");
	}
	for (i = 0; i < ARRAY_SIZE(ratios); i++)
		if (prof_ratio(t, ratios[i].num, ratios[i].den, ratios[i].scale, corrected, &v))
			fprintf(f, "  %-22s %8.3f%s\n", ratios[i].label, v,
				corrected ? " (corrected)" : "");
}

static void print_checks(FILE *f, const struct prof_target *t, bool hist_wanted)
{
	if (t->stats_ok)
		fprintf(f, "  run-time stats: %llu runs, %.1f ns/run (trampoline included); "
			"fentry %.1f + fexit %.1f ns/run\n",
			(unsigned long long)t->stats_runs, t->stats_ns_per_run,
			t->entry_ns_per_run, t->exit_ns_per_run);
	fprintf(f, "  recursion misses: target %llu, fentry %llu, fexit %llu; "
		"nested %llu, dropped %llu, unmatched exits %llu",
		(unsigned long long)t->target_misses, (unsigned long long)t->entry_misses,
		(unsigned long long)t->exit_misses, (unsigned long long)t->nested,
		(unsigned long long)t->dropped, (unsigned long long)t->unmatched);
	if (t->nevents)
		fprintf(f, ", counter reads failed %llu", (unsigned long long)t->ev_failed);
	fprintf(f, "\n");
	if (t->detached)
		fprintf(f, "  DETACHED by its owner after %.2f s: figures cover the runs until then\n",
			t->detached_after_s);
	if (hist_wanted && t->hist.count) {
		fprintf(f, "  ns per run (raw):\n");
		hist_print(f, &t->hist, "ns");
	}
}

/* What fentry/fexit see of a target in a tail-call relation, in one
 * line; "" when it is in none. */
static void tail_note(const struct prof_target *t, char *buf, size_t len)
{
	const struct prog_tail *tl = &t->desc.tail;
	char rel[160];

	tc_note(tl, rel, sizeof(rel));
	if (tl->ncallers)
		snprintf(buf, len, "%s: fentry/fexit never see those runs (the jump enters past "
			 "the hook), so only its direct runs are counted here; its time in them is "
			 "inside the entry's figures ('bpfcost annotate' samples it)", rel);
	else if (tl->ncallees)
		snprintf(buf, len, "%s: its times include the programs it tail-calls (fexit "
			 "fires when the last of them returns)", rel);
	else
		buf[0] = '\0';
}

static void print_target(FILE *f, const struct prof_result *r, const struct prof_target *t,
			 bool hist_wanted)
{
	bool corr = r->calibrated && !t->is_calib;
	char note[512];

	tail_note(t, note, sizeof(note));
	fprintf(f, "\n%u %s (%s%s): %llu runs, %.1f runs/s\n", t->desc.id, BC_ESC(t->desc.full_name),
		prog_type_name(t->desc.type), t->is_calib ? ", calibration" : "",
		(unsigned long long)t->runs, t->runs_per_s);
	if (*note)
		fprintf(f, "  note: %s\n", note);
	if (!t->runs) {
		fprintf(f, "  no %sruns in the window: no cost per run to report\n",
			t->desc.tail.ncallers ? "direct " : "");
	} else {
		fprintf(f, "  %-10s %10s %9s %9s %9s %10s\n", "NS/RUN", "MEAN", "P50", "P90",
			"P99", "MAX");
		print_figs(f, "raw", &t->raw);
		if (corr)
			print_figs(f, "corrected", &t->corrected);
		print_counters(f, t, corr);
	}
	print_checks(f, t, hist_wanted);
}

static void print_plain(struct bc_ctx *ctx, const struct profile_opts *o, const struct prof_result *r)
{
	FILE *f = ctx->out;
	size_t i;
	int e;

	fprintf(f, "profiled %zu program%s for %.3f s with fentry/fexit%s\n", r->n,
		r->n == 1 ? "" : "s", r->elapsed_s, r->stopped ? " (stopped early: partial results)" : "");
	fprintf(f, "counters: ");
	for (e = 0; e < o->cfg.nevents; e++)
		fprintf(f, "%s%s", e ? ", " : "", r->n ? r->t[0].ev[e].name : "?");
	fprintf(f, "%s\n", o->cfg.nevents ? "" : "none (time only)");
	if (r->calibrated)
		fprintf(f, "calibration: our empty program under the same fentry/fexit took "
			"%.1f ns/run (mean of its %llu runs up to p99); subtracted in 'corrected'\n",
			r->calib_ns, (unsigned long long)r->calib.runs);
	else
		fprintf(f, "calibration: off (--no-calibrate): figures include the observer\n");
	fprintf(f, "run-time stats: %s%s\n", bpfstats_via_name(r->stats_via),
		r->stats_via != BPFSTATS_VIA_NONE ? " (for the window)" : "");
	for (i = 0; i < r->n; i++)
		print_target(f, r, &r->t[i], o->hist);
	if (r->calibrated)
		print_target(f, r, &r->calib, o->hist);
}

/* ---- JSON ---- */

static json_t *counters_json(const struct prof_target *t)
{
	json_t *a = json_array();
	int e;

	for (e = 0; e < t->nevents; e++) {
		const struct prof_counter *c = &t->ev[e];

		json_array_append_new(a, bc_json_pack("{s:s, s:I, s:I, s:I, s:f, s:b, s:f, s:f, s:b}",
						   "name", c->name, "raw", (json_int_t)c->raw,
						   "enabled", (json_int_t)c->enabled,
						   "running", (json_int_t)c->running,
						   "scaled", c->scaled, "multiplexed", c->multiplexed,
						   "per_run", c->per_run,
						   "per_run_corrected", c->per_run_corrected,
						   "below_calibration", c->below_calib));
	}
	return a;
}

static json_t *ratios_json(const struct prof_target *t)
{
	json_t *o = json_object();
	double v;

	if (prof_ratio(t, "instructions", "cycles", 1, false, &v))
		json_object_set_new(o, "ipc", bc_json_real(v));
	if (prof_ratio(t, "cache-misses", "instructions", 1000, false, &v))
		json_object_set_new(o, "cache_misses_per_1k_instr", bc_json_real(v));
	if (prof_ratio(t, "branch-misses", "instructions", 1000, false, &v))
		json_object_set_new(o, "branch_misses_per_1k_instr", bc_json_real(v));
	if (prof_ratio(t, "dtlb-misses", "instructions", 1000, false, &v))
		json_object_set_new(o, "dtlb_misses_per_1k_instr", bc_json_real(v));
	if (prof_ratio(t, "itlb-misses", "instructions", 1000, false, &v))
		json_object_set_new(o, "itlb_misses_per_1k_instr", bc_json_real(v));
	return o;
}

static json_t *stats_json(const struct prof_target *t)
{
	if (!t->stats_ok)
		return json_null();
	return bc_json_pack("{s:I, s:I, s:f, s:f, s:f}", "runs", (json_int_t)t->stats_runs,
			 "run_time_ns", (json_int_t)t->stats_ns, "ns_per_run", t->stats_ns_per_run,
			 "fentry_ns_per_run", t->entry_ns_per_run,
			 "fexit_ns_per_run", t->exit_ns_per_run);
}

static json_t *target_json(const struct prof_result *r, const struct prof_target *t, bool buckets)
{
	bool corr = r->calibrated && !t->is_calib && t->runs;
	char note[512];
	json_t *o;

	tail_note(t, note, sizeof(note));
	o = bc_json_pack("{s:I, s:s, s:s, s:s, s:I, s:f, s:o, s:o, s:o, s:o}",
		      "id", (json_int_t)t->desc.id, "name", t->desc.name,
		      "full_name", t->desc.full_name, "type", prog_type_name(t->desc.type),
		      "runs", (json_int_t)t->runs, "runs_per_s", t->runs_per_s,
		      "ns_per_run", t->runs ? prof_figures_json(&t->raw) : json_null(),
		      "ns_per_run_corrected", corr ? prof_figures_json(&t->corrected) : json_null(),
		      "counters", counters_json(t), "ratios", ratios_json(t));
	json_object_set_new(o, "recursion_misses",
			    bc_json_pack("{s:I, s:I, s:I}", "target", (json_int_t)t->target_misses,
				      "fentry", (json_int_t)t->entry_misses,
				      "fexit", (json_int_t)t->exit_misses));
	json_object_set_new(o, "nested", json_integer((json_int_t)t->nested));
	json_object_set_new(o, "dropped", json_integer((json_int_t)t->dropped));
	json_object_set_new(o, "unmatched_exits", json_integer((json_int_t)t->unmatched));
	json_object_set_new(o, "counter_read_failures", json_integer((json_int_t)t->ev_failed));
	json_object_set_new(o, "run_time_stats", stats_json(t));
	json_object_set_new(o, "detached", json_boolean(t->detached));
	json_object_set_new(o, "detached_after_s",
			    t->detached ? bc_json_real(t->detached_after_s) : json_null());
	json_object_set_new(o, "histogram",
			    t->hist.count ? hist_to_json(&t->hist, buckets) : json_null());
	json_object_set_new(o, "tail_call",
			    r->tail_ok ? tc_json(&r->tail, t->desc.id) : json_null());
	/* runs counts direct runs only: tail calls into it pass the hook by. */
	json_object_set_new(o, "tail_call_runs_unseen", json_boolean(t->desc.tail.ncallers > 0));
	json_object_set_new(o, "note", *note ? json_string(note) : json_null());
	return o;
}

static int print_json(struct bc_ctx *ctx, const struct profile_opts *o, const struct prof_result *r)
{
	json_t *progs = json_array(), *calib = json_null();
	size_t i;

	for (i = 0; i < r->n; i++)
		json_array_append_new(progs, target_json(r, &r->t[i], o->hist));
	if (r->calibrated)
		calib = bc_json_pack("{s:s, s:f, s:o}", "method",
				  "empty raw_tp program under the same fentry/fexit; the mean of "
				  "its runs up to p99 is subtracted from every target figure", "ns_per_run", r->calib_ns,
				  "program", target_json(r, &r->calib, o->hist));
	return bc_json_emit(ctx, bc_json_pack("{s:f, s:f, s:b, s:s, s:o, s:o}",
					   "duration_s", o->cfg.duration_s,
					   "elapsed_s", r->elapsed_s, "stopped", r->stopped,
					   "run_time_stats", bpfstats_via_name(r->stats_via),
					   "calibration", calib, "programs", progs));
}

/* The kernel must allow fentry/fexit on BPF programs; doctor knows. */
static int check_method(struct bc_ctx *ctx)
{
	char why[512];

	if (method_available(ctx, METHOD_PROFILE, why, sizeof(why)))
		return 0;
	bc_err("profile cannot run on this kernel: %s (see 'bpfcost doctor')", why);
	return -EOPNOTSUPP;
}

int cmd_profile(struct bc_ctx *ctx, int argc, char **argv)
{
	struct profile_opts o = { 0 };
	struct prof_result r = { 0 };
	struct prog_selector *sels = NULL;
	uint32_t *ids = NULL;
	size_t nids = 0;
	bool is_auto;
	int n, nsel, err;

	err = parse_args(argc, argv, &o);
	if (err) {
		err = err < 0 ? err : 0;
		goto cleanup;
	}
	n = prof_events_parse(o.events, o.cfg.events, PROF_MAX_EVENTS, &is_auto);
	if (n < 0) {
		err = n;
		goto cleanup;
	}
	/* Bad input is reported as such before any kernel question. */
	nsel = selectors_parse(o.argc, o.argv, &sels);
	if (nsel < 0) {
		err = nsel;
		goto cleanup;
	}
	err = check_method(ctx);
	if (err)
		goto cleanup;
	n = prof_events_resolve(ctx, is_auto, o.cfg.events, n, PROF_MAX_EVENTS);
	if (n < 0) {
		err = n;
		goto cleanup;
	}
	o.cfg.nevents = n;
	err = selectors_resolve(sels, nsel, &ids, &nids);
	if (err)
		goto cleanup;
	o.cfg.ids = ids;
	o.cfg.nids = nids;
	err = prof_run(ctx, &o.cfg, &r);
	if (err)
		goto cleanup;
	if (!r.tail_ok)
		bc_note("tail-call relations not read: %s", strerror(-r.tail_err));
	if (ctx->json)
		err = print_json(ctx, &o, &r);
	else
		print_plain(ctx, &o, &r);
cleanup:
	prof_result_free(&r);
	free(ids);
	free(sels);
	free(o.argv);
	return err;
}
