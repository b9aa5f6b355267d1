/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* The A/B method: the same syscall workload timed with the tracer off and
 * on, in interleaved rounds, with an A/A control and a decomposition of the
 * added time into in-BPF time (run-time stats) and the rest.
 *
 * The decomposition runs each syscall kind alone, the others off, with
 * run-time stats on: a tracer whose programs run only on openat shows
 * about no in-BPF time for getpid, and getpid's added time as what it is
 * (tracepoint dispatch, the syscall slow path that per-syscall tracepoints
 * switch on for every thread). */
#ifndef BPFCOST_OVERHEAD_H
#define BPFCOST_OVERHEAD_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include "bpfstats.h"
#include "hist.h"
#include "stats.h"
#include "statsbias.h"
#include "tracer.h"
#include "workload.h"

/* Per-round statistic: the interquartile mean of the calls. It follows a
 * shift of the whole distribution (what a tracer on every syscall does)
 * and ignores preempted calls; a cost that hits only a few calls in four
 * is not in it (the p90/p99 columns show those). */
#define OH_ROUND_LO_PCT 25.0
#define OH_ROUND_HI_PCT 75.0
#define OH_BOOT_ITERS 4000
#define OH_LEVEL 0.95
#define OH_MAX_HOLDERS 4

struct oh_config {
	struct wl_config wl;	/* mask, threads, cpu; duration = round time */
	int rounds;		/* off/on pairs */
	int decomp_rounds;	/* extra on-rounds with run-time stats; 0 = none */
	bool stats_ok;		/* doctor says run-time stats work here */
	/* The stats bias to correct IN_BPF by, measured already (report:
	 * the same its window is corrected by); NULL or !valid: measured in
	 * the decomposition. */
	const struct sb_bias *bias;
	/* Called before each round, for a progress line. */
	void (*progress)(int round, int total, const char *what, void *arg);
	void *progress_arg;
};

struct oh_kind {
	struct hist off, on;		/* every measured call, merged over rounds */
	double *r_on, *r_off;		/* per-round statistic (interquartile mean, ns) */
	int n_on, n_off;		/* off, on, off, on, ..., off */
	struct stats_ci delta;		/* on - mean of the offs either side */
	struct stats_ci aa;		/* odd off - mean of its even neighbours;
					 * either may have no interval (method
					 * NULL) when there are too few rounds */
	/* Decomposition: one value per round of this kind alone, with the
	 * runs other processes caused (the background rate) taken out. */
	double *dc_calls;		/* workload calls */
	double *dc_runs;		/* program runs they caused */
	double *dc_time_ns;		/* run_time_ns they caused (raw) */
	double *dc_biased_runs;		/* of dc_runs, runs the stats bias applies to */
	int n_dc;
	struct stats_ci runs_per_call;	/* program runs per call */
	struct stats_ci in_bpf;		/* ns per call inside the programs; corrected
					 * for the stats bias when it was measured */
	struct stats_ci rest;		/* ADDED - IN_BPF */
};

struct oh_result {
	unsigned mask;
	int rounds;
	double round_s;
	struct oh_kind k[WL_KIND_COUNT];
	/* Decomposition rounds. */
	bool have_decomp;
	char decomp_why[200];		/* when !have_decomp */
	int decomp_rounds;
	enum bpfstats_via stats_via;
	bool stats_were_on;
	struct sb_bias bias;		/* the stats' own share of run_time_ns;
					 * IN_BPF is corrected when bias.valid */
	uint64_t unbiased_runs;		/* runs of programs it does not apply to
					 * (trampoline-run): IN_BPF has them raw */
	uint64_t bpf_runs, bpf_time_ns;	/* over the workload windows */
	double bpf_wl_runs;		/* of those, caused by the workload */
	double bg_runs_per_s;		/* runs with no workload (other processes) */
	uint64_t wl_syscalls;
	int tracer_progs;		/* programs seen in the last on-round */
	/* The agent's own CPU time in each measured on-round's workload
	 * window (tracer_cpu_read): a second cost, on other CPUs. */
	double *cpu_ns, *cpu_s, *cpu_syscalls;
	int n_cpu;
	bool cpu_none;			/* no user-space work to read (sysmon
					 * without a drain thread): 0 by design */
	char cpu_why[120];		/* when it could not be read */
	const char *cpu_method;		/* tracer_cpu_method */
	uint64_t cpu_resolution_ns;
	struct stats_ci cpu_per_syscall;	/* ns per workload syscall */
	struct stats_ci cpu_pct;		/* % of one CPU */
	/* Run-time stats should be off during A/B rounds (they add two clock
	 * reads per run); runs counted in on-rounds mean someone held them on. */
	uint64_t ab_counted_runs;
	bool stats_sysctl_on;
	int n_stats_holders;		/* processes with a BPF_ENABLE_STATS fd */
	pid_t stats_holders[OH_MAX_HOLDERS];
	unsigned tracer_starts;
};

/* One reading of the run-time stats counters (run_cnt, run_time_ns) of
 * the tracer's programs, by program id. */
struct oh_snap {
	int n;
	uint32_t id[TRACER_MAX_PROGS];
	uint64_t runs[TRACER_MAX_PROGS], time_ns[TRACER_MAX_PROGS];
	bool biased[TRACER_MAX_PROGS];	/* the stats bias applies (sb_applies) */
	uint64_t at_ns;		/* when it was read (bc_now_ns) */
};

/* What the programs did between two readings. */
struct oh_counts {
	uint64_t runs, time_ns;
	uint64_t biased_runs;	/* of runs, those of programs marked biased */
};

/* Pure: the sum over programs of (after - before), taken per program. A
 * program present at only one end (loaded or unloaded in between: a
 * command tracer that reloads or crashes) takes no part, nor does one
 * whose counters went back (its id reused by a new program): a sum of
 * totals would wrap to ~1.8e19 there. */
void oh_snap_delta(const struct oh_snap *before, const struct oh_snap *after,
		   struct oh_counts *d);

/* Workload time of each kind in one decomposition round, and how many
 * rounds make a quarter of the on-rounds' workload time (at least 3, so
 * the in-BPF interval has 2 degrees of freedom). */
double oh_decomp_round_s(const struct wl_config *wl);
int oh_default_decomp_rounds(const struct oh_config *cfg);

/* Pure: how long oh_run takes with cfg, in seconds, when switching the
 * tracer on and off once takes toggle_s (a command's start to attached
 * plus its stop; ~0 in-process): the rounds' workload time, one toggle per
 * on-round and per decomposition round, and each decomposition round's two
 * background windows and each kind alone, plus the stats' own cost measured
 * once. For planning (report's budget), not a promise. */
double oh_expected_s(const struct oh_config *cfg, double toggle_s);

/* The whole method against t (opened by tracer_init, off): a warm-up
 * pair, cfg->rounds interleaved off/on pairs and a closing off-round,
 * tracer_on/tracer_off around each on-round and the agent's CPU read in
 * its workload window; then cfg->decomp_rounds rounds of each kind alone
 * with run-time stats; then every interval. Fills res (zeroed first; free
 * it with oh_result_free, on failure too). Returns 0 or a negative errno:
 * -EINTR when a stop was asked, the tracer's or workload's error else. */
int oh_run(const struct oh_config *cfg, struct tracer *t, struct oh_result *res);

/* Pure, over per-round figures in the order they were taken (off, on, off,
 * on, ..., off), for overhead and for anything else that interleaves
 * rounds. Each on-round minus the mean of the off-rounds either side of
 * it, into d (room for n_on); returns how many. */
int oh_bracket_deltas(const double *on, int n_on, const double *off, int n_off, double *d);
/* The A/A control: every odd off-round minus the mean of its even
 * neighbours, into aa (room for n_off / 2); returns how many. */
int oh_aa_deltas(const double *off, int n_off, double *aa);

/* Pure: one kind's decomposition from its n rounds (calls, runs,
 * run_time_ns and runs the bias applies to, background taken out): runs
 * per call, and ns per call inside the programs, corrected by bias when
 * it is valid (time - bias x biased runs; NULL or !valid: raw). Rounds are
 * separate attachments, so t-intervals over them; the bias's own interval
 * widens the in-BPF one by biased runs per call x its half-widths. */
int oh_decomp_kind(const double *calls, const double *runs, const double *time_ns,
		   const double *biased_runs, int n, const struct sb_bias *bias,
		   struct stats_ci *runs_per_call, struct stats_ci *in_bpf);
/* Pure: REST = ADDED - IN_BPF, from two independent measurements: each
 * side's half-width is the root sum of squares of the matching ones. No
 * interval when either has none. */
void oh_rest_ci(const struct stats_ci *added, const struct stats_ci *in_bpf,
		struct stats_ci *rest);

/* Pure: the agent's CPU from n on-rounds (CPU ns, window seconds, workload
 * syscalls each): ns per workload syscall and % of one CPU, t-intervals
 * over the rounds (each a separate start or attachment). When no round
 * saw a single unit of resolution_ns, each is below one unit per round:
 * lo 0, hi that bound (shown "< hi"). */
int oh_agent_cpu(const double *cpu_ns, const double *wall_s, const double *syscalls, int n,
		 uint64_t resolution_ns, struct stats_ci *per_syscall, struct stats_ci *pct);

/* How a time that cannot be negative is shown, from its estimate and
 * interval (never a negative figure):
 *   OH_NN_VALUE      interval above 0: point [lo, hi]
 *   OH_NN_BELOW      interval reaches 0: "< hi" (lo and point are 0)
 *   OH_NN_NONE       exactly 0 in every round (no run at all): "0"
 *   OH_NN_NEGATIVE   interval wholly below 0: no figure (REST: the in-BPF
 *                    figure exceeds what the tracer added)
 *   OH_NN_NO_CI      too few rounds for an interval: the point if >= 0 */
enum oh_nn { OH_NN_VALUE, OH_NN_BELOW, OH_NN_NONE, OH_NN_NEGATIVE, OH_NN_NO_CI };
enum oh_nn oh_nonneg(const struct stats_ci *ci);
void oh_result_free(struct oh_result *res);

/* Relative slowdown of on against off, from the per-round statistics. */
double oh_relative(const struct oh_kind *k);
bool oh_ci_includes_zero(const struct stats_ci *ci);
/* A/A drift at least as large as the effect: the effect is not trustworthy. */
bool oh_aa_exceeds_effect(const struct oh_kind *k);

#endif
