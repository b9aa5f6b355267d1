/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* bpfcost report: what an agent costs, by every method this kernel allows,
 * in one model. Collection (report.c) runs the methods' own modules
 * (bpfstats/statsbias, annotate, overhead) within one time budget and
 * fills struct rp_report; it never formats. The printers (cmd_report.c:
 * terminal and JSON; report_html.c: HTML) only read the model.
 *
 * The measuring, in order:
 *  1. the window: the agent on (started, attached, or already running),
 *     run-time stats on, the syscall workload (workload.h) pinned to one
 *     CPU, each kind alone in turn, and cpu-clock sampling on every CPU
 *     beside it (annotate.h). The programs' counters are read around each
 *     kind (their ns per call of it) and at the window's ends: runs/s,
 *     ns/run raw and corrected for the stats' own share (statsbias.h), CPU
 *     share by stats; by samples over the same wall time, with the hottest
 *     source lines;
 *  2. where trampolines work, profile (profile.h): fentry/fexit around
 *     each program, the agent still on and the workload running, for the
 *     per-run distribution (p50/p90/p99), calibrated for the observer;
 *  3. where syscall-path wrapping works (syscallwrap.h): the workload's
 *     syscalls timed inside the kernel with the agent off, then on (an
 *     agent that runs already: on only);
 *  4. A/B rounds (overhead.h) with stats off, and its decomposition: the
 *     agent is stopped and started again per round, so an agent that was
 *     already running is not measured this way (skipped, with the reason).
 * A method that fails or cannot run here leaves its section "skipped" with
 * the reason and the others go on; a stop request (Ctrl-C) ends collection
 * where it is and the report is marked partial. */
#ifndef BPFCOST_REPORT_H
#define BPFCOST_REPORT_H

#include <stdbool.h>
#include <stdint.h>
#include "bpfstats.h"
#include "kfeatures.h"
#include "machine.h"
#include "profile.h"
#include "sample.h"
#include "stats.h"
#include "statsbias.h"
#include "syscallwrap.h"
#include "tailcall.h"
#include "tracer.h"
#include "workload.h"

struct bc_ctx;

/* The JSON document's version (docs/report.schema.json): bumped when a
 * field changes meaning or goes away, not when one is added. */
#define RP_SCHEMA_VERSION 1
#define RP_MAX_PROGS TRACER_MAX_PROGS
#define RP_HOT_LINES 5
#define RP_CDF_POINTS 21	/* quantiles 0.02 .. 0.98 of each latency hist */
#define RP_DEFAULT_BUDGET_S 60.0
#define RP_QUICK_BUDGET_S 30.0
#define RP_DEFAULT_KINDS WL_DEFAULT_KINDS
#define RP_SAMPLE_HZ 1000
#define RP_MAX_VERDICT 6
#define RP_VERDICT_LEN 768
/* The window runs each kind in this many consecutive chunks, the counters
 * read around each: its in-program figure's interval is over them. */
#define RP_WINDOW_CHUNKS 5
/* A per-run distribution whose p99 is this many times its p50 or more
 * has a long tail (profile). */
#define RP_LONG_TAIL 5.0
#define RP_MIN_WINDOW_S 1.0
#define RP_MIN_AB_ROUNDS 4
/* profile's and syscall-path wrapping's shares of the budget, each when
 * it works here: RP_EXTRA_SHARE, at least RP_MIN_EXTRA_S */
#define RP_EXTRA_SHARE 0.15
#define RP_MIN_EXTRA_S 1.0
/* The window's time series: the programs' counters read every
 * window/RP_SERIES_TARGET seconds (at least RP_SERIES_MIN_INTERVAL_S
 * apart, at most RP_SERIES_POINTS intervals), kept for the
 * RP_SERIES_PROGS programs with the most run time over the window. */
#define RP_SERIES_PROGS 8
#define RP_SERIES_POINTS 64
#define RP_SERIES_TARGET 40
#define RP_SERIES_MIN_INTERVAL_S 0.25

enum rp_subject {
	RP_SUBJECT_COMMAND,	/* started and stopped by us (tracer.h) */
	RP_SUBJECT_RUNNING,	/* programs of an agent that runs already */
	RP_SUBJECT_SYSMON,	/* the reference service, in-process */
};

/* What happened to a method's section. */
enum rp_state {
	RP_NOT_RUN,		/* not reached: the report was stopped first */
	RP_RAN,
	RP_SKIPPED,		/* why says why: does not work here, failed, no budget */
	RP_INTERRUPTED,		/* stopped while it ran: its figures are left out */
};

/* One method's section, indexed by enum method_id. */
struct rp_section {
	bool works_here;	/* doctor's finding (method_available) */
	enum rp_state state;
	char why[256];		/* SKIPPED/INTERRUPTED: one line */
	double planned_s, elapsed_s;
};

/* The budget split, said up front (rp_plan_budget), and A/B fitted to the
 * agent's measured start+stop time (rp_plan_ab). */
struct rp_plan {
	double budget_s;
	double window_s;	/* stats + sampling */
	double profile_s;	/* fentry/fexit; 0 when it is not planned */
	double syswrap_s;	/* syscall-path wrapping, both phases; 0: not planned */
	double ab_s;		/* what A/B may take; 0 when it is not planned */
	int ab_rounds, ab_decomp_rounds;
	double ab_round_s;
	double ab_expected_s;	/* oh_expected_s for the rounds chosen */
	double toggle_s;	/* measured: starting plus stopping the agent once */
	double spent_s;		/* before the split: setup and the agent's first start */
	char ab_why[256];	/* A/B not planned: why; "" when it is */
};

struct rp_hot {
	char file[96];
	uint32_t line;
	char src[160];
	uint64_t samples;
	double share;		/* of the program's samples, 0..1 */
};

struct rp_prog {
	uint32_t id, type;
	char name[16], full_name[128], tag[17];
	bool gone;		/* unloaded during the window */
	bool raw_tp_link;	/* a raw tracepoint link attaches it (tp_btf) */
	/* read before the window: where it is attached (its links, "" for
	 * none), who holds it (owners.h; known false when not looked up) and
	 * its tail-call relations (tailcall.h; zero for none) */
	char attach[128];
	struct prog_owners owners;
	struct prog_tail tail;
	/* run-time stats over the window (method stats) */
	bool has_stats;
	uint64_t runs, time_ns, misses;
	double wall_s, runs_per_s, ns_per_run, cpu_pct;	/* % of one CPU */
	struct sb_corrected corr;
	/* cpu-clock sampling over the same window (method annotate) */
	bool sampled;
	uint64_t samples;
	double sampled_pct;	/* % of one CPU, helpers it called included */
	int nhot;
	struct rp_hot hot[RP_HOT_LINES];
	const char *hot_why;	/* sampled but no hot lines: why (static text) */
	/* fentry/fexit (method profile), after the window: exclusive ns per
	 * run, raw and minus the observer's calibrated cost (prof_corr, when
	 * r->prof_calibrated; a figure at or below it is 0 with its
	 * below_calib bit). Direct runs only: tail calls into it pass the
	 * hook by (tail.ncallers). prof_why: not profiled though the method
	 * ran. */
	bool profiled;
	char prof_why[PROF_WHY_LEN];
	uint64_t prof_runs;
	double prof_runs_per_s;
	struct prof_figures prof_raw, prof_corr;
	bool prof_detached;
};

enum { RP_SW_BELOW0_P50 = 1 << 0, RP_SW_BELOW0_MEAN = 1 << 1 };

/* One wrapped syscall's window latency in one phase (ns). */
struct rp_sw_phase {
	bool ran;
	uint64_t windows, lost, slow;
	double p50, p90, p99, mean;
	bool complete;		/* no return missed, no window lost */
};

/* One syscall the workload's kinds issue, timed by syscall-path wrapping. */
struct rp_sw_sys {
	unsigned nr;
	char name[32];
	unsigned kinds;		/* the workload kinds that issue it (mask) */
	struct rp_sw_phase ph[SW_PHASES];	/* 0: agent off, 1: on */
	/* on minus off, p50 and mean: one run per phase, no interval; a
	 * difference below 0 is reported as 0 with its RP_SW_BELOW0_* bit */
	bool have_added;
	unsigned added_below0;
	double added_p50, added_mean;
};

/* Syscall-path wrapping (method syscall_wrap): what the window holds. */
struct rp_syswrap {
	char method[16];		/* "fentry" or "kprobe" */
	char functions[160];		/* the wrapped function(s), "a + b + c" */
	char includes[400];		/* the parts of the syscall path inside */
	char outside[400];		/* and those outside it */
	int inside[SW_EL_COUNT];	/* the same by element: >= 0 inside (sw_result) */
	int maxactive;			/* kprobe: 0, the kernel default */
	uint64_t missed[SW_PHASES];	/* kretprobe misses per phase */
	double phase_s;			/* each phase's workload time, as planned */
	int nsys;
	struct rp_sw_sys sys[SW_SLOTS];
};

/* Per syscall kind: what A/B and its decomposition say. */
struct rp_kind {
	bool ab;
	uint64_t calls_off, calls_on;
	double off_p50, off_p90, off_p99, off_mean;	/* ns per call */
	double on_p50, on_p90, on_p99, on_mean;
	double cdf_off[RP_CDF_POINTS], cdf_on[RP_CDF_POINTS];	/* ns at each quantile */
	struct stats_ci added, aa;	/* ns per call, 95% bootstrap */
	double relative;		/* added / off; NAN when off is 0 */
	bool ci_includes_zero, aa_exceeds_effect;
	/* The A/A control's interval reaches as far from 0 as the effect's
	 * point: this run's own noise floor is as large as what it found. */
	bool aa_reaches_effect;
	/* The window, this kind run alone: the programs' runs and run-time
	 * stats ns per call, corrected for the stats' own share in the runs it
	 * applies to (background runs in that time included). The kind
	 * runs in window_chunks consecutive chunks (RP_WINDOW_CHUNKS): lo..hi
	 * is a t-interval over their ns per call (NAN: fewer than two), within
	 * one attachment, so it holds the window's own drift only. */
	bool have_window;
	uint64_t window_calls;
	double window_runs_per_call, window_bpf_ns;
	int window_chunks;
	double window_bpf_lo, window_bpf_hi;
	double window_bpf_first, window_bpf_last;	/* its first and last chunk's */
	/* A/B's decomposition's in-program ns per call and runs per call, with
	 * their intervals (when in_bpf_from_ab). */
	struct stats_ci ab_in_bpf, ab_runs_per_call;
	/* Two methods that should agree and do not: the window's and A/B's
	 * in-program ns per call, intervals apart (bpf_disagree); the
	 * in-program part above ADDED's whole interval (in_bpf_exceeds_added).
	 * rp_check_agreement sets them. */
	bool bpf_disagree, in_bpf_exceeds_added;
	/* ADDED in the programs and the rest: dispatch, the syscall slow path,
	 * wake-ups. in_bpf from A/B's decomposition rounds of each kind alone
	 * (in_bpf_from_ab), else from the window's figure for the kind;
	 * in_bpf_lo..hi its interval (NAN: none). rest = ADDED - in_bpf, its
	 * interval from both (oh_rest_ci), clamped at 0; rest_resolved when
	 * its lower end is above 0. larger_part: which of the two is the
	 * larger, where ADDED - 2 x in_bpf has an interval clear of 0
	 * (rp_rest_figures). */
	bool have_decomp, in_bpf_per_kind, in_bpf_from_ab;
	double in_bpf_ns, in_bpf_lo, in_bpf_hi, rest_ns, rest_lo, rest_hi;
	bool rest_resolved;
	enum rp_part { RP_PART_UNRESOLVED, RP_PART_REST, RP_PART_IN_BPF } larger_part;
};

/* One program's rates over the window, interval by interval. */
struct rp_series_prog {
	uint32_t id;
	bool corrected;		/* the stats bias applies: corr_cpu_pct holds it */
	double runs_per_s[RP_SERIES_POINTS];
	double cpu_pct[RP_SERIES_POINTS];	/* run-time stats, % of one CPU */
	double corr_cpu_pct[RP_SERIES_POINTS];	/* minus the stats' own share */
};

/* The window's workload ran one syscall kind at a time: when each ran. */
struct rp_series_phase {
	int kind;		/* enum wl_kind */
	double start_s, end_s;	/* since the window's start */
};

struct rp_series {
	int npoints;		/* intervals; 0: no series */
	double interval_s;	/* as planned; t_s holds the real ends */
	double t_s[RP_SERIES_POINTS];	/* end of each interval, since the window's start */
	int nprogs;		/* at most RP_SERIES_PROGS, by run time */
	struct rp_series_prog p[RP_SERIES_PROGS];
	int nphases;
	struct rp_series_phase phase[WL_KIND_COUNT];
};

/* The counters as read at each tick of the window (collection only). */
struct rp_series_raw {
	int nreads;		/* reads[0] at the window's start */
	double t_s[RP_SERIES_POINTS + 1];
	uint64_t runs[RP_SERIES_POINTS + 1][RP_MAX_PROGS];
	uint64_t ns[RP_SERIES_POINTS + 1][RP_MAX_PROGS];
	bool ok[RP_SERIES_POINTS + 1][RP_MAX_PROGS];	/* read; false once gone */
};

struct rp_config {
	enum rp_subject subject;
	struct tracer_opts tracer;	/* COMMAND and SYSMON */
	const uint32_t *ids;		/* RUNNING: the selected programs */
	size_t nids;
	const char *title;		/* the command line, "sysmon count", the selectors */
	double budget_s;		/* the whole of it, split across methods */
	unsigned kinds;			/* workload kinds (enum wl_kind mask) */
	int cpu;			/* workload CPU, settled (wl_cpu_resolve);
					 * WL_CPU_NONE: not pinned */
	unsigned sample_hz;
	/* Progress: what runs now, elapsed_s into it of the expected_s it was
	 * planned to take (0: not known). Called as a phase starts, at each
	 * tick of the window, of profile and wrapping, and at each A/B round,
	 * from collection's threads (one at a time). */
	void (*progress)(const char *what, double elapsed_s, double expected_s, void *arg);
	void (*planned)(const struct rp_plan *p, void *arg);
	void *arg;
};

struct rp_report {
	int schema_version;
	char generated[32];		/* UTC, ISO 8601 */
	enum rp_subject subject;
	char title[512];
	struct rp_plan plan;
	struct machine_info machine;
	struct rp_section sec[METHOD_COUNT];
	bool partial;
	char partial_why[160];
	double elapsed_s;
	/* run-time stats */
	struct sb_bias bias;
	enum bpfstats_via stats_via;
	bool stats_were_on;
	/* the window */
	unsigned kinds;
	int cpu;			/* WL_CPU_NONE: not pinned */
	double window_s;		/* as measured */
	int nprogs;
	struct rp_prog progs[RP_MAX_PROGS];
	bool tail_known;		/* tail-call relations were read */
	struct tc_graph tail;		/* every loaded program's, at the window's start */
	struct rp_series series;
	/* sampling */
	enum smp_event sample_event;
	unsigned sample_hz;
	uint64_t samples, samples_other, samples_lost;
	/* profile */
	bool prof_calibrated;
	double prof_calib_ns;		/* the observer's cost, subtracted */
	double prof_window_s;
	/* syscall-path wrapping */
	struct rp_syswrap sw;
	/* the reference service's own counters (subject sysmon; have_sysmon
	 * when read), read as the agent stops: it was on for the window and
	 * profile. For demo's summary; report's printers leave them out. */
	bool have_sysmon;
	uint64_t sysmon_events, sysmon_lost;	/* ring-buffer events drained, dropped */
	/* A/B */
	struct rp_kind k[WL_KIND_COUNT];
	int ab_tracer_progs;
	uint64_t ab_counted_runs;	/* stats on during A/B: someone held them */
	char decomp_why[200];
	/* the verdict, from the figures (rp_verdict) */
	int nverdict;
	char verdict[RP_MAX_VERDICT][RP_VERDICT_LEN];
};

/* What the stats bias's interval covers (its parts: before the window
 * and after it, or the first alone), for every printer. Static text. */
const char *rp_bias_interval(const struct sb_bias *b);

/* What each method's figures include, in one line, for every printer. */
const char *rp_method_includes(enum method_id m);
const char *rp_state_name(enum rp_state s);	/* "not run", "ran", ... */
const char *rp_part_name(enum rp_part p);	/* "unresolved", "rest", "in_bpf" */
const char *rp_subject_name(enum rp_subject s);	/* "command", "running", "sysmon" */
/* Where the workload ran, for the printers: "on CPU 2" or "not pinned". */
const char *rp_workload_cpu(const struct rp_report *r, char *buf, size_t len);

/* A heap report, zeroed, schema_version set: NULL on allocation failure. */
struct rp_report *rp_new(void);
/* Measure. Returns 0 with a report (possibly partial: r->partial when a
 * stop was requested; sections say what ran), or a negative errno when
 * there is nothing to report (the agent could not start, no program was
 * found, run-time stats cannot be turned on), after a one-line error. */
int rp_collect(struct bc_ctx *ctx, const struct rp_config *cfg, struct rp_report *r);
void rp_free(struct rp_report *r);

/* ---- pure parts, unit-tested ---- */

/* Split a budget: profile and syswrap, each when planned, get
 * RP_EXTRA_SHARE of it (at least RP_MIN_EXTRA_S); with ab, the window gets
 * 40% (at least RP_MIN_WINDOW_S) and A/B what is left after those and the
 * stats bias's measuring (~0.5 s); without, the window gets what is left
 * (at least RP_MIN_WINDOW_S). */
void rp_plan_budget(double budget_s, bool ab, bool profile, bool syswrap, struct rp_plan *p);
/* Fit A/B into p->ab_s given the agent's start+stop time toggle_s and the
 * workload kinds: round time 50 ms per kind, two decomposition rounds, as
 * many off/on pairs (at most 30) as fit. -ENOSPC, with *need_s the least
 * it needs (RP_MIN_AB_ROUNDS pairs) and p set for those, when even those
 * do not fit. */
int rp_plan_ab(struct rp_plan *p, double toggle_s, unsigned kinds, double *need_s);
/* The series from the raw reads: per interval, each program's runs/s and
 * CPU share (corrected where sb_applies), for the RP_SERIES_PROGS programs
 * with the most run time between the first and the last read. Intervals
 * of zero width are dropped; a program unread at an interval's either
 * end gets NAN there (null in JSON). */
void rp_series_build(struct rp_report *r, const struct rp_series_raw *raw);
/* The window's per-kind figures from its n chunks (calls, runs, run-time
 * ns, and the runs of programs the stats bias applies to, sb_applies, as
 * A/B's decomposition counts them): sums, runs and ns per call, and the
 * ns per call's t-interval over the chunks, widened by the bias's own;
 * ns less biased runs x bias when bias is valid (NULL: raw). Chunks with
 * no call are left out; none: have_window false. */
void rp_window_kind(struct rp_kind *rk, const double *calls, const double *runs,
		    const double *ns, const double *biased, int n, const struct sb_bias *bias);
/* Set rk's bpf_disagree (the window's and A/B's in-program intervals do
 * not overlap; both need one) and in_bpf_exceeds_added (the in-program
 * figure used, beyond its own interval when it has one, above ADDED's
 * upper end). */
void rp_check_agreement(struct rp_kind *rk);
/* IN_BPF with its interval, as the report uses it: A/B's decomposition
 * where in_bpf_from_ab, else the window's (method NULL: no interval). */
void rp_in_bpf_ci(const struct rp_kind *rk, struct stats_ci *ci);
/* From rk's added and its in-program figures: in_bpf_ns/lo/hi, rest_*,
 * rest_resolved and larger_part. */
void rp_rest_figures(struct rp_kind *rk);
/* Fill r->verdict from the figures: what A/B found and where it goes,
 * methods that disagree, what profile and syscall-path wrapping add where
 * they ran, the programs' CPU share: up to RP_MAX_VERDICT sentences. */
void rp_verdict(struct rp_report *r);

#endif
