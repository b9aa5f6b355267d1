// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* bpfcost demo: the main job. Runs the reference service at each weight
 * against the syscall workload and reports what every measuring method
 * available here says about it. Collection fills struct demo_report; the
 * plain and JSON printers only read it. */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>
#include "annotate.h"
#include "biasfmt.h"
#include "bpfstats.h"
#include "statsbias.h"
#include "common.h"
#include "cpumask.h"
#include "kfeatures.h"
#include "overhead.h"
#include "profile.h"
#include "progs.h"
#include "sample.h"
#include "syscallwrap.h"
#include "sysmon.h"
#include "workload.h"

#define DEMO_MAX_PROGS 4
#define DEMO_DEFAULT_ROUND_S 5.0
#define DEMO_AB_ROUNDS 100	/* default of --ab-rounds */
#define DEMO_AB_ROUND_S 0.02
#define DEMO_SAMPLE_HZ 1000
#define DEMO_WRAP_S 1.0
#define DEMO_PROFILE_S 1.0

static const char demo_help[] =
	"Usage: bpfcost demo [OPTIONS]\n\n"
	"Measure the reference syscall monitor (bpfcost sysmon) at each weight --\n"
	"count, proc, events -- while the syscall workload (bpfcost load) runs on\n"
	"one CPU (the first we may use: online, in our CPU set), with every\n"
	"measuring method this kernel allows (see bpfcost doctor).\n"
	"Methods that cannot run here are listed with the reason.\n\n"
	"Columns, each marked with the method that measured it:\n"
	"  RUNS/SYSCALL        program runs per syscall seen by the monitor (stats)\n"
	"  NS/RUN              mean time inside the weight's programs per run (stats)\n"
	"  CORR_NS             NS/RUN minus the stats' own share of each run, measured\n"
	"                      here on an empty program (see bpfcost stats --help)\n"
	"  BPF_NS/SYSCALL      program time per syscall: runs/syscall x ns/run (stats);\n"
	"                      the same from fentry/fexit minus the observer's own\n"
	"                      cost (profile, where trampolines work)\n"
	"  GETPID_ADDED_NS     ns the weight adds to each getpid, with a 95% CI: programs,\n"
	"                      dispatch and the syscall slow path together (ab: 100\n"
	"                      rounds of 0.02 s by default, as bpfcost overhead\n"
	"                      --syscalls getpid --rounds 100 --decomp-rounds 0)\n"
	"  WRAPPED_GETPID_+NS  the wrapped window of getpid, mean with minus without\n"
	"                      the weight (syscall, where fentry or kprobes work). What\n"
	"                      the window holds depends on the kernel and is printed\n"
	"                      above the table: on 6.1 the sys_enter and sys_exit\n"
	"                      probes, dispatch and getpid itself, not the seccomp,\n"
	"                      audit and ptrace work the tracepoints turn on or the\n"
	"                      entry and exit code around them; one run each way, so\n"
	"                      no interval\n"
	"  CPU%_1CPU           program time as % of one CPU (stats), the same corrected\n"
	"                      for the stats' own share (corrected), and from\n"
	"                      cpu-clock samples alone at 1 kHz, helpers included\n"
	"                      (annotate)\n\n"
	"Probes: what stats, overhead, syscall, profile and annotate need, and\n"
	"perf_cycles (bpfcost -v demo names each trial).\n\n"
	"Options:\n"
	"  --round-time D   workload time per weight (default 5s)\n"
	"  --ab-rounds N    A/B off/on round pairs of 0.02 s per weight (default 100,\n"
	"                   at least 4; fewer rounds, a wider interval)\n"
	"  --syscalls LIST  workload kinds (default " WL_DEFAULT_KINDS "; see\n"
	"                   bpfcost load --help)\n"
	"  -h, --help       this help\n\n"
	"EXAMPLES:\n"
	"  bpfcost demo\n"
	"  bpfcost demo --round-time 2s\n"
	"  bpfcost -j -p demo\n";

/* The columns besides stats: each may fail on its own without costing the
 * others (the stats columns are the demo's core: without them, no demo). */
enum demo_col { COL_AB, COL_ANNOTATE, COL_PROFILE, COL_SYSCALL, COL_COUNT };

static const char *const col_method[COL_COUNT] = { "ab", "annotate", "profile", "syscall" };

struct demo_prog {
	uint32_t id;
	char name[128];
	uint64_t runs, time_ns;		/* deltas over the round */
	uint64_t samples;		/* annotate: samples charged to it */
	double sampled_pct;		/* annotate: % of one CPU */
};

struct demo_weight {
	enum sysmon_weight weight;
	int nprogs;
	struct demo_prog prog[DEMO_MAX_PROGS];
	uint64_t runs, time_ns;		/* sums over the programs */
	uint64_t syscalls_seen;		/* by the monitor, whole machine */
	uint64_t events, lost;
	double wall_s;
	struct stats_ci ab;		/* A/B: ns added per getpid */
	double ab_relative;
	bool ab_stats_on;		/* another process held run-time stats on */
	double wrap_added_ns;		/* syscall: mean wrapped getpid, with - without */
	bool wrap_incomplete;		/* kretprobe returns were missed */
	double profile_ns;		/* profile: corrected ns per syscall, all programs */
	bool got[COL_COUNT];		/* that column was measured for this weight */
};

struct demo_skip {
	enum method_id method;
	bool available;			/* runs here, but not part of the demo yet */
	char why[256];
};

struct demo_report {
	struct bpfstats_enable se;
	struct sb_bias bias;		/* the stats' own share per run, measured here */
	enum bpfstats_via stats_via;	/* how stats were on (se is reset after) */
	int ncpus;			/* online CPUs: BPF runs on all of them */
	int cpu;			/* the workload's CPU */
	double round_s;
	int ab_rounds;			/* A/B round pairs per weight */
	struct demo_weight w[SYSMON_WEIGHT_COUNT];
	int nskip;
	struct demo_skip skip[METHOD_COUNT];
	bool sampled;			/* the annotate column was measured */
	bool wrapped;			/* the syscall column was measured */
	bool profiled;			/* the profile column was measured */
	const char *wrap_method;
	int wrap_inside[SW_EL_COUNT];	/* what the syscall window holds (sw_result) */
	enum smp_event sample_event;
	char failed[COL_COUNT][256];	/* a column that failed: why; not tried again */
};

/* A measurement that runs on its own thread beside the workload. */
struct beside {
	pthread_t thread;
	int (*fn)(void *arg);
	void *arg;
	int err;
};

struct demo_sampling {
	struct an_opts opts;
	struct an_result res;
};

struct demo_profiling {
	struct bc_ctx *ctx;
	struct prof_config cfg;
	struct prof_result res;
};

struct demo_opts {
	double round_s;
	int ab_rounds;
	unsigned mask;
	int cpu;		/* where the workload runs (wl_cpu_resolve) */
};

/* Methods this version of demo runs; the rest are reported as skipped. */
static bool demo_runs_method(enum method_id m)
{
	return m == METHOD_STATS || m == METHOD_AB || m == METHOD_ANNOTATE ||
	       m == METHOD_SYSCALL_WRAP || m == METHOD_PROFILE;
}

static int parse_opt(int c, const char *arg, void *opts)
{
	struct demo_opts *o = opts;

	if (c == 'r')
		return parse_duration("--round-time", arg, &o->round_s);
	if (c == 'm')
		return wl_parse_mix(arg, &o->mask);
	if (c == 'a')
		return parse_int("--ab-rounds", arg, 4, 10000, &o->ab_rounds);
	return -EINVAL;
}

/* Returns 1 when --help was printed, 0 to run, < 0 on bad input. */
static int parse_args(int argc, char **argv, struct demo_opts *o)
{
	static const struct option opts[] = {
		{ "round-time", required_argument, NULL, 'r' },
		{ "ab-rounds", required_argument, NULL, 'a' },
		{ "syscalls", required_argument, NULL, 'm' },
		{ "mix", required_argument, NULL, 'm' },	/* old name, not in help */
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	int err;

	o->round_s = DEMO_DEFAULT_ROUND_S;
	o->ab_rounds = DEMO_AB_ROUNDS;
	o->cpu = WL_CPU_AUTO;
	err = wl_parse_mix(WL_DEFAULT_KINDS, &o->mask);
	if (!err)
		err = bc_parse_opts(argc, argv, "h", opts, demo_help, parse_opt, o, true);
	return err ? err : wl_cpu_resolve(&o->cpu);
}

static int read_prog_stats(struct demo_weight *dw, bool first)
{
	for (int i = 0; i < dw->nprogs; i++) {
		struct demo_prog *p = &dw->prog[i];
		struct prog_desc d;
		int err = prog_describe(p->id, &d);

		if (err)
			return err;
		if (first) {
			snprintf(p->name, sizeof(p->name), "%s", d.full_name);
			p->runs = d.run_cnt;
			p->time_ns = d.run_time_ns;
		} else {
			p->runs = d.run_cnt - p->runs;
			p->time_ns = d.run_time_ns - p->time_ns;
			dw->runs += p->runs;
			dw->time_ns += p->time_ns;
		}
	}
	return 0;
}

static int run_workload(const struct demo_opts *o)
{
	struct wl_config cfg = { .mask = o->mask, .threads = 1, .cpu = o->cpu,
				 .duration_s = o->round_s };
	struct wl_result *res = wl_result_new();
	int err;

	if (!res)
		return -ENOMEM;
	err = wl_run(&cfg, res);
	if (!err && res->stopped)
		err = -EINTR;
	wl_result_free(res);
	return err;
}

/* The A/B column: short interleaved rounds on getpid, no decomposition
 * (the stats columns already give the in-BPF part). */
static int measure_ab(const struct demo_report *r, struct demo_weight *dw)
{
	struct tracer_opts to = { .weight = dw->weight };
	struct oh_config cfg = {
		.wl = { .mask = 1u << WL_GETPID, .threads = 1, .cpu = r->cpu,
			.duration_s = DEMO_AB_ROUND_S },
		.rounds = r->ab_rounds,
	};
	struct oh_result res = { 0 };
	struct tracer t;
	int err;

	err = tracer_init(&t, &to);
	if (!err)
		err = oh_run(&cfg, &t, &res);
	if (!err) {
		dw->ab = res.k[WL_GETPID].delta;
		dw->ab_relative = oh_relative(&res.k[WL_GETPID]);
		dw->ab_stats_on = res.ab_counted_runs > 0;
	}
	tracer_fini(&t);
	oh_result_free(&res);
	return err;
}

/* The syscall-path column: wrapped getpid latency with and without the
 * weight attached, by fentry or kprobes, where the kernel has them. */
static int measure_wrap(struct demo_report *r, struct demo_weight *dw)
{
	struct tracer_opts to = { .weight = dw->weight };
	struct sw_config cfg = {
		.kinds = 1u << WL_GETPID, .duration_s = DEMO_WRAP_S, .compare = true,
		.wl = { .mask = 1u << WL_GETPID, .threads = 1, .cpu = r->cpu },
	};
	struct sw_result res = { 0 };
	struct tracer t;
	int err;

	dw->wrap_added_ns = NAN;	/* stays so without a getpid window in each phase */
	err = tracer_init(&t, &to);
	if (!err)
		err = sw_run(&cfg, &t, &res);
	for (int i = 0; !err && i < res.nsys; i++) {
		const struct sw_syscall *sc = &res.sys[i];
		double p50;

		if (sc->nr != (unsigned)SYS_getpid)
			continue;
		if (!sw_added(&res, sc, &p50, &dw->wrap_added_ns))
			dw->wrap_added_ns = NAN;
		dw->wrap_incomplete = sw_incomplete(&res, 0) || sw_incomplete(&res, 1);
		r->wrap_method = sw_method_name(res.method);
		memcpy(r->wrap_inside, res.inside, sizeof(r->wrap_inside));
	}
	tracer_fini(&t);
	sw_result_free(&res);
	return err;
}

static void *beside_main(void *arg)
{
	struct beside *b = arg;

	b->err = b->fn(b->arg);
	return NULL;
}

/* The workload in this thread, fn(arg) on another for the same time.
 * Returns the workload's error; fn's goes to *fn_err. */
static int run_beside_workload(const struct demo_opts *o, double secs, int (*fn)(void *),
			       void *arg, int *fn_err)
{
	struct demo_opts wo = *o;
	struct beside b = { .fn = fn, .arg = arg };
	int err;

	wo.round_s = secs;
	*fn_err = -pthread_create(&b.thread, NULL, beside_main, &b);
	if (*fn_err)
		return run_workload(&wo);
	err = run_workload(&wo);
	pthread_join(b.thread, NULL);
	*fn_err = b.err;
	return err;
}

/* Column col failed at weight dw: remember why, and try it no more. A stop
 * request is no failure: it ends the whole demo. */
static int col_failed(struct demo_report *r, enum demo_col col, const struct demo_weight *dw,
		      int err, const char *why)
{
	if (err == -EINTR || bc_stop_requested())
		return -EINTR;
	snprintf(r->failed[col], sizeof(r->failed[col]), "failed at sysmon %s: %s",
		 sysmon_weight_name(dw->weight), why ? why : strerror(-err));
	return 0;
}

/* Its method works on this kernel (the A/B method always does). */
static bool col_runs_here(const struct demo_report *r, enum demo_col col)
{
	bool on[COL_COUNT] = { true, r->sampled, r->profiled, r->wrapped };

	return on[col];
}

/* Try column col at this weight? Not when it cannot run here or failed. */
static bool col_wanted(const struct demo_report *r, enum demo_col col)
{
	return col_runs_here(r, col) && !r->failed[col][0];
}

static int sampling_main(void *arg)
{
	struct demo_sampling *s = arg;

	return an_run(&s->opts, &s->res);
}

static void ids_of(const struct demo_weight *dw, uint32_t *ids)
{
	for (int i = 0; i < dw->nprogs; i++)
		ids[i] = dw->prog[i].id;
}

/* The workload, with the sampler beside it when annotate runs here. */
static int run_measured_workload(const struct demo_opts *o, struct demo_report *r,
				 struct demo_weight *dw)
{
	struct demo_sampling s = { 0 };
	uint32_t ids[DEMO_MAX_PROGS];
	char why[160];
	int err, serr;

	if (!col_wanted(r, COL_ANNOTATE))
		return run_workload(o);
	ids_of(dw, ids);
	s.opts = (struct an_opts){ .ids = ids, .nids = (size_t)dw->nprogs,
				   .duration_s = o->round_s, .freq = DEMO_SAMPLE_HZ,
				   .event = r->sample_event };
	err = run_beside_workload(o, o->round_s, sampling_main, &s, &serr);
	if (!err && serr) {
		smp_open_why(serr, DEMO_SAMPLE_HZ, why, sizeof(why));
		err = col_failed(r, COL_ANNOTATE, dw, serr, why);
	}
	dw->got[COL_ANNOTATE] = !err && !serr;
	for (size_t i = 0; dw->got[COL_ANNOTATE] && i < s.res.map.n; i++) {
		const struct jm_prog *p = s.res.map.v[i];

		for (int k = 0; k < dw->nprogs; k++) {
			if (dw->prog[k].id == p->id) {
				dw->prog[k].samples = p->samples;
				dw->prog[k].sampled_pct = an_cpu_pct(&s.res, p);
			}
		}
	}
	an_result_free(&s.res);
	return err;
}

static int profiling_main(void *arg)
{
	struct demo_profiling *p = arg;

	return prof_run(p->ctx, &p->cfg, &p->res);
}

/* The profile column: fentry/fexit on the weight's programs, calibrated,
 * in a window of its own after the stats window. */
static int measure_profile(struct bc_ctx *ctx, const struct demo_opts *o,
			   struct demo_report *r, struct demo_weight *dw)
{
	struct demo_profiling p = { .ctx = ctx };
	uint32_t ids[DEMO_MAX_PROGS];
	int err, perr;

	ids_of(dw, ids);
	p.cfg = (struct prof_config){ .ids = ids, .nids = (size_t)dw->nprogs,
				      .duration_s = DEMO_PROFILE_S, .calibrate = true };
	err = run_beside_workload(o, DEMO_PROFILE_S, profiling_main, &p, &perr);
	if (!err && perr)
		err = col_failed(r, COL_PROFILE, dw, perr, NULL);
	dw->got[COL_PROFILE] = !err && !perr;
	dw->profile_ns = 0;
	for (size_t i = 0; dw->got[COL_PROFILE] && i < p.res.n; i++)
		dw->profile_ns += p.res.t[i].corrected.mean;	/* each runs once per syscall */
	prof_result_free(&p.res);
	return err;
}

/* One weight: load, attach, read stats, run the workload, read again. */
static int measure_weight(struct bc_ctx *ctx, const struct demo_opts *o,
			  struct demo_report *r, struct demo_weight *dw)
{
	struct sysmon_opts so = { .weight = dw->weight };
	struct sysmon_summary sum;
	struct sysmon *sm = NULL;
	uint32_t ids[DEMO_MAX_PROGS];
	uint64_t t0;
	int err;

	err = sysmon_open(&so, &sm);
	if (err)
		goto cleanup;
	err = sysmon_prog_ids(sm, ids, DEMO_MAX_PROGS);
	if (err < 0)
		goto cleanup;
	dw->nprogs = err;
	for (int i = 0; i < dw->nprogs; i++)
		dw->prog[i].id = ids[i];
	err = sysmon_attach(sm);
	if (err)
		goto cleanup;
	t0 = bc_now_ns();
	err = read_prog_stats(dw, true);
	if (!err)
		err = run_measured_workload(o, r, dw);
	if (!err)
		err = read_prog_stats(dw, false);
	dw->wall_s = (double)(bc_now_ns() - t0) / 1e9;
	/* The counters cover the stats window: read them before anything else
	 * runs with the monitor attached. */
	if (!err)
		err = sysmon_read_summary(sm, &sum);
	if (!err && col_wanted(r, COL_PROFILE))
		err = measure_profile(ctx, o, r, dw);
	sysmon_detach(sm);
	if (err)
		goto cleanup;
	dw->syscalls_seen = sum.syscalls;
	dw->events = sum.events;
	dw->lost = sum.lost;
cleanup:
	sysmon_close(sm);
	return err;
}

static void collect_skips(struct bc_ctx *ctx, struct demo_report *r)
{
	for (int m = 0; m < METHOD_COUNT; m++) {
		struct demo_skip *s;

		bool ok = method_available(ctx, m, NULL, 0);

		if (demo_runs_method(m) && ok)
			continue;
		s = &r->skip[r->nskip++];
		s->method = m;
		s->available = method_available(ctx, m, s->why, sizeof(s->why));
		if (s->available)
			snprintf(s->why, sizeof(s->why), "works here; not part of the demo yet (run "
				 "'bpfcost %s')", method_command(m));
	}
}

static int collect(struct bc_ctx *ctx, const struct demo_opts *o, struct demo_report *r)
{
	char why[256];
	int err;

	if (!method_available(ctx, METHOD_STATS, why, sizeof(why))) {
		bc_err("the demo needs run-time stats: %s", why);
		return -EOPNOTSUPP;
	}
	collect_skips(ctx, r);
	r->wrapped = method_available(ctx, METHOD_SYSCALL_WRAP, NULL, 0);
	r->profiled = method_available(ctx, METHOD_PROFILE, NULL, 0);
	r->sampled = method_available(ctx, METHOD_ANNOTATE, NULL, 0) &&
		     an_resolve_event(ctx, SMP_EVENT_AUTO, &r->sample_event) == 0;
	r->ncpus = cpus_online_count();
	if (r->ncpus < 0)
		return r->ncpus;
	r->cpu = o->cpu;
	r->round_s = o->round_s;
	r->ab_rounds = o->ab_rounds;
	err = bpfstats_enable(&r->se, false);
	if (err) {
		bc_err("cannot enable run-time stats: %s", strerror(-err));
		return err;
	}
	r->stats_via = r->se.via;
	if (sb_measure(&r->bias, SB_DEFAULT_BATCHES, SB_DEFAULT_RUNS))
		bc_note("stats bias not measured: %s", r->bias.why);
	for (int w = 0; !err && w < SYSMON_WEIGHT_COUNT; w++) {
		r->w[w].weight = w;
		if (!ctx->json)
			fprintf(stderr, "bpfcost: sysmon %s: run-time stats for %.1f s...\n",
				sysmon_weight_name(w), o->round_s);
		err = measure_weight(ctx, o, r, &r->w[w]);
	}
	/* A/B rounds without stats on: their two clock reads per run would be
	 * part of the measured difference. */
	bpfstats_restore(&r->se);
	for (int w = 0; !err && col_wanted(r, COL_AB) && w < SYSMON_WEIGHT_COUNT; w++) {
		if (!ctx->json)
			fprintf(stderr, "bpfcost: sysmon %s: A/B rounds...\n",
				sysmon_weight_name(w));
		err = measure_ab(r, &r->w[w]);
		r->w[w].got[COL_AB] = !err;
		if (err)
			err = col_failed(r, COL_AB, &r->w[w], err, NULL);
	}
	for (int w = 0; !err && col_wanted(r, COL_SYSCALL) && w < SYSMON_WEIGHT_COUNT; w++) {
		if (!ctx->json)
			fprintf(stderr, "bpfcost: sysmon %s: wrapped syscall path...\n",
				sysmon_weight_name(w));
		err = measure_wrap(r, &r->w[w]);
		r->w[w].got[COL_SYSCALL] = !err;
		if (err)
			err = col_failed(r, COL_SYSCALL, &r->w[w], err, NULL);
	}
	if (err == -EINTR)
		bc_err("interrupted");
	return err;
}

/* A cell without a figure: "skipped" when its column failed, "-" when its
 * method does not run here. Returns false when there is a figure to print. */
static bool col_cell(const struct demo_report *r, const struct demo_weight *w, enum demo_col col,
		     char *buf, size_t len)
{
	if (w->got[col])
		return false;
	snprintf(buf, len, "%s", r->failed[col][0] ? "skipped" : "-");
	return true;
}

static double ratio(uint64_t a, uint64_t b)
{
	return b ? (double)a / (double)b : 0;
}

static double cpu_pct(const struct demo_weight *w)
{
	return w->wall_s > 0 ? (double)w->time_ns / (w->wall_s * 1e9) * 100 : 0;
}

/* Every sysmon program is a raw_tp program: the bias applies to each. */
static void weight_corrected(const struct demo_report *r, const struct demo_weight *w,
			     struct sb_corrected *c)
{
	sb_correct(&r->bias, true, w->runs, w->time_ns, w->wall_s, c);
}

static double sampled_pct(const struct demo_weight *w)
{
	double pct = 0;

	for (int p = 0; p < w->nprogs; p++)
		pct += w->prog[p].sampled_pct;
	return pct;
}

/* How the A/B intervals were made (the same for every weight). */
static const char *ab_ci_method(const struct demo_report *r)
{
	for (int i = 0; i < SYSMON_WEIGHT_COUNT; i++)
		if (r->w[i].got[COL_AB] && r->w[i].ab.method)
			return r->w[i].ab.method;
	return "none";
}

/* The syscall window's elements inside it (in) or outside, by their brief
 * names, over lines of at most 78 columns at the header's indent. */
static void print_elems(FILE *f, const char *label, const int inside[SW_EL_COUNT], bool in,
			const char *end)
{
	int col = fprintf(f, "            %s", label);
	const char *sep = "";

	for (int e = 0; e < SW_EL_COUNT; e++) {
		const char *b = sw_elem_info(e)->brief;

		if ((inside[e] >= 0) != in)
			continue;
		if (*sep && col + 2 + (int)strlen(b) > 78) {
			fprintf(f, ",\n");
			col = fprintf(f, "            %s", b);
		} else {
			col += fprintf(f, "%s%s", sep, b);
		}
		sep = ", ";
	}
	fprintf(f, "%s\n", end);
}

static void print_header(FILE *f, const struct demo_report *r)
{
	fprintf(f, "Reference service: bpfcost sysmon at three weights; workload on CPU %d; "
		"%d online CPU%s.\nMethods used:\n", r->cpu, r->ncpus, r->ncpus == 1 ? "" : "s");
	fprintf(f, "  stats     kernel run-time stats via %s%s, %.1f s per weight: the program\n"
		"            body only, not tracepoint dispatch or the syscall slow path\n",
		bpfstats_via_name(r->stats_via), r->se.was_on ? " (already on before us)" : "",
		r->round_s);
	fprintf(f, "  ab        A/B timing of getpid, %d off/on round pairs of %.2f s: everything\n"
		"            the tracer adds to the syscall, with a 95%% CI (%s)\n",
		r->ab_rounds, DEMO_AB_ROUND_S, ab_ci_method(r));
	if (r->sampled)
		fprintf(f, "  annotate  %s samples at %d Hz per CPU over the stats window, charged\n"
			"            to the program on the stack: no per-run cost\n",
			smp_event_name(r->sample_event), DEMO_SAMPLE_HZ);
	if (r->profiled)
		fprintf(f, "  profile   fentry/fexit on the weight's programs, %.1f s, minus the\n"
			"            observer's own cost measured on an empty program\n",
			DEMO_PROFILE_S);
	if (r->wrapped) {
		fprintf(f, "  syscall   a window of each getpid in the kernel, wrapped by %s, %.1f s\n"
			"            with and without the weight, one run each (too few for an\n"
			"            interval);\n",
			r->wrap_method ? r->wrap_method : "?", DEMO_WRAP_S);
		print_elems(f, "inside: ", r->wrap_inside, true, ";");
		print_elems(f, "outside: ", r->wrap_inside, false, "");
	}
	fputc('\n', f);
}

static void print_stats_table(FILE *f, const struct demo_report *r)
{
	fprintf(f, "Programs (stats):\n%-7s %-36s %12s %12s %8s %8s %10s %10s %10s\n", "WEIGHT",
		"PROGRAMS", "RUNS", "RUNS/SYSCALL", "NS/RUN", "CORR_NS", "CPU%_1CPU",
		"CORR%_1CPU", "CPU%_ALL");
	for (int i = 0; i < SYSMON_WEIGHT_COUNT; i++) {
		const struct demo_weight *w = &r->w[i];
		char names[64] = "", cns[24], ccpu[24];
		struct sb_corrected c;
		size_t len = 0;

		for (int p = 0; p < w->nprogs && len < sizeof(names); p++)
			len += (size_t)snprintf(names + len, sizeof(names) - len, "%s%s",
						p ? "," : "", BC_ESC(w->prog[p].name));
		weight_corrected(r, w, &c);
		bf_corrected_str(cns, sizeof(cns), 1, &c, false);
		bf_corrected_str(ccpu, sizeof(ccpu), 3, &c, true);
		fprintf(f, "%-7s %-36s %12" PRIu64 " %12.2f %8.1f %8s %10.3f %10s %10.3f\n",
			sysmon_weight_name(w->weight), names, w->runs,
			ratio(w->runs, w->syscalls_seen), ratio(w->time_ns, w->runs), cns,
			cpu_pct(w), ccpu, cpu_pct(w) / r->ncpus);
	}
	bf_bias_legend(f, &r->bias);
}

/* The same question -- what does each weight cost -- answered by every
 * method that ran, side by side. */
static void print_methods_table(FILE *f, const struct demo_report *r)
{
	fprintf(f, "\nCost per syscall and CPU share, by method:\n");
	fprintf(f, "%-7s %16s %16s %30s %22s %10s %12s %12s\n", "WEIGHT", "BPF_NS/SYSCALL",
		"BPF_NS/SYSCALL", "GETPID_ADDED_NS [95% CI]", "WRAPPED_GETPID_+NS", "CPU%_1CPU",
		"CPU%_1CPU", "CPU%_1CPU");
	fprintf(f, "%-7s %16s %16s %30s %22s %10s %12s %12s\n", "", "(stats)", "(profile)", "(ab)",
		"(syscall window)", "(stats)", "(corrected)", "(annotate)");
	for (int i = 0; i < SYSMON_WEIGHT_COUNT; i++) {
		const struct demo_weight *w = &r->w[i];
		char ab[48], wrap[32], sampled[16], prof[24], ccpu[24];
		struct sb_corrected c;

		/* The relative figure is undefined when the off rounds' mean is 0
		 * (a clock too coarse for getpid, as under emulation). */
		if (!col_cell(r, w, COL_AB, ab, sizeof(ab)))
			snprintf(ab, sizeof(ab), isfinite(w->ab_relative) ?
				 "%.1f [%.1f, %.1f] +%.0f%%" : "%.1f [%.1f, %.1f]", w->ab.point,
				 w->ab.lo, w->ab.hi, w->ab_relative * 100);
		if (!col_cell(r, w, COL_SYSCALL, wrap, sizeof(wrap)))
			snprintf(wrap, sizeof(wrap), "%.1f%s", w->wrap_added_ns,
				 w->wrap_incomplete ? " (incomplete)" : "");
		if (!isfinite(w->wrap_added_ns) && w->got[COL_SYSCALL])
			snprintf(wrap, sizeof(wrap), "-");	/* no getpid window in a phase */
		if (!col_cell(r, w, COL_ANNOTATE, sampled, sizeof(sampled)))
			snprintf(sampled, sizeof(sampled), "%.3f", sampled_pct(w));
		if (!col_cell(r, w, COL_PROFILE, prof, sizeof(prof)))
			snprintf(prof, sizeof(prof), "%.1f", w->profile_ns);
		weight_corrected(r, w, &c);
		bf_corrected_str(ccpu, sizeof(ccpu), 3, &c, true);
		fprintf(f, "%-7s %16.1f %16s %30s %22s %10.3f %12s %12s\n",
			sysmon_weight_name(w->weight), ratio(w->time_ns, w->syscalls_seen), prof, ab,
			wrap, cpu_pct(w), ccpu, sampled);
	}
	for (int c = 0; c < COL_COUNT; c++)
		if (r->failed[c][0])
			fprintf(f, "%s: skipped: %s\n", col_method[c], r->failed[c]);
}

/* The A/B rounds run with stats off; someone else holding them on puts
 * their two clock reads per run into the ab column. */
static void print_ab_stats_warning(FILE *f, const struct demo_report *r)
{
	const char *sep = "";

	for (int i = 0; i < SYSMON_WEIGHT_COUNT; i++) {
		if (!r->w[i].ab_stats_on)
			continue;
		if (!*sep)
			fprintf(f, "(warning: another process held run-time stats on during the A/B "
				"rounds of");
		fprintf(f, "%s %s", sep, sysmon_weight_name(r->w[i].weight));
		sep = ",";
	}
	if (*sep)
		fprintf(f, ": their clock reads are in the ab column; see bpfcost overhead)\n");
}

static void print_plain(FILE *f, const struct demo_report *r)
{
	print_header(f, r);
	print_stats_table(f, r);
	print_methods_table(f, r);
	fprintf(f, "\n(events weight: %" PRIu64 " events drained, %" PRIu64 " lost)\n",
		r->w[SYSMON_EVENTS].events, r->w[SYSMON_EVENTS].lost);
	print_ab_stats_warning(f, r);
	fprintf(f, "\nOther methods:\n");
	for (int i = 0; i < r->nskip; i++)
		fprintf(f, "  %-13s %s: %s\n", method_name(r->skip[i].method),
			r->skip[i].available ? "not run" : "skipped", BC_ESC(r->skip[i].why));
	if (!r->nskip)
		fprintf(f, "  (none: every method ran)\n");
}

/* The ids of the syscall-path elements the window holds, or leaves out. */
static json_t *window_ids(const int inside[SW_EL_COUNT], bool in)
{
	json_t *a = json_array();

	for (int e = 0; e < SW_EL_COUNT; e++)
		if ((inside[e] >= 0) == in)
			json_array_append_new(a, json_string(sw_elem_info(e)->id));
	return a;
}

static json_t *weight_to_json(const struct demo_weight *w, const struct demo_report *r)
{
	json_t *progs = json_array();
	int ncpus = r->ncpus;
	struct sb_corrected c;

	for (int p = 0; p < w->nprogs; p++)
		json_array_append_new(progs, bc_json_pack("{s:i, s:s, s:I, s:I, s:o}", "id",
						       w->prog[p].id, "name", w->prog[p].name,
						       "runs", (json_int_t)w->prog[p].runs,
						       "run_time_ns", (json_int_t)w->prog[p].time_ns,
						       "samples", w->got[COL_ANNOTATE] ?
						       json_integer((json_int_t)w->prog[p].samples) :
						       json_null()));
	weight_corrected(r, w, &c);
	return bc_json_pack("{s:s, s:o, s:f, s:I, s:I, s:I, s:f, s:f, s:f, s:f, s:f, s:o, s:o, s:o, "
			 "s:I, s:I, s:o, s:o}",
			 "weight", sysmon_weight_name(w->weight), "programs", progs, "wall_s",
			 w->wall_s, "runs", (json_int_t)w->runs, "run_time_ns",
			 (json_int_t)w->time_ns, "syscalls_seen", (json_int_t)w->syscalls_seen,
			 "runs_per_syscall", ratio(w->runs, w->syscalls_seen), "ns_per_run",
			 ratio(w->time_ns, w->runs), "bpf_ns_per_syscall",
			 ratio(w->time_ns, w->syscalls_seen), "cpu_pct_one_cpu", cpu_pct(w),
			 "cpu_pct_machine", cpu_pct(w) / ncpus, "cpu_pct_sampled",
			 w->got[COL_ANNOTATE] ? bc_json_real(sampled_pct(w)) : json_null(),
			 "profile_ns_per_syscall",
			 w->got[COL_PROFILE] ? bc_json_real(w->profile_ns) : json_null(),
			 "syscall_wrapped_getpid_added_ns",
			 w->got[COL_SYSCALL] ?
			 bc_json_pack("{s:o, s:b, s:s, s:o, s:o, s:o, s:s}", "mean",
				      bc_json_real(w->wrap_added_ns), "incomplete", w->wrap_incomplete,
				      "method", r->wrap_method ? r->wrap_method : "?",
				      "inside", window_ids(r->wrap_inside, true),
				      "outside", window_ids(r->wrap_inside, false),
				      "interval", json_null(), "no_interval", SW_ADDED_NO_INTERVAL) :
			 json_null(),
			 "events", (json_int_t)w->events,
			 "lost", (json_int_t)w->lost, "ab_getpid_added_ns",
			 w->got[COL_AB] ? bc_json_pack("{s:f, s:f, s:f, s:f, s:s, s:o, s:b}", "point",
						       w->ab.point, "lo", w->ab.lo, "hi", w->ab.hi,
						       "level", w->ab.level, "method", w->ab.method,
						       "relative", bc_json_real(w->ab_relative),
						       "stats_on_during_ab", w->ab_stats_on) :
			 json_null(), "corrected", bf_corrected_json(&c));
}

static int print_json(struct bc_ctx *ctx, const struct demo_report *r)
{
	json_t *weights = json_array(), *skipped = json_array(), *failed = json_array();

	/* A weight that cannot be written is an error, not a shorter list. */
	for (int i = 0; i < SYSMON_WEIGHT_COUNT; i++) {
		if (json_array_append_new(weights, weight_to_json(&r->w[i], r))) {
			json_decref(weights);
			json_decref(skipped);
			json_decref(failed);
			return -EINVAL;
		}
	}
	for (int i = 0; i < r->nskip; i++)
		json_array_append_new(skipped, bc_json_pack("{s:s, s:s, s:b, s:s}", "method",
							 method_name(r->skip[i].method), "command",
							 method_command(r->skip[i].method),
							 "available", r->skip[i].available, "why",
							 r->skip[i].why));
	for (int c = 0; c < COL_COUNT; c++)
		if (r->failed[c][0])
			json_array_append_new(failed, bc_json_pack("{s:s, s:s}", "method",
								   col_method[c], "why",
								   r->failed[c]));
	return bc_json_emit(ctx, bc_json_pack("{s:f, s:i, s:{s:s, s:s, s:b, s:o}, s:{s:i, s:f}, "
					   "s:o, s:o, s:o}",
					   "round_s", r->round_s, "ncpus", r->ncpus, "stats",
					   "method", "stats", "enabled_via",
					   bpfstats_via_name(r->stats_via), "was_on", r->se.was_on,
					   "bias", bf_bias_json(&r->bias),
					   "ab", "rounds", r->ab_rounds, "round_s", DEMO_AB_ROUND_S,
					   "weights", weights,
					   "other_methods", skipped, "skipped", failed));
}

int cmd_demo(struct bc_ctx *ctx, int argc, char **argv)
{
	struct demo_report *r;
	struct demo_opts o;
	int err;

	err = parse_args(argc, argv, &o);
	if (err)
		return err < 0 ? err : 0;
	r = calloc(1, sizeof(*r));
	if (!r)
		return -ENOMEM;
	err = collect(ctx, &o, r);
	if (!err && ctx->json)
		err = print_json(ctx, r);
	else if (!err)
		print_plain(ctx->out, r);
	free(r);
	return err;
}
