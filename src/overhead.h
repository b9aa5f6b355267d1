/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* The A/B method: the same syscall workload timed with the tracer off and
 * on, in interleaved rounds, with an A/A control and a decomposition of the
 * added time into in-BPF time (run-time stats) and the rest. */
#ifndef BPFCOST_OVERHEAD_H
#define BPFCOST_OVERHEAD_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include "bpfstats.h"
#include "hist.h"
#include "stats.h"
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
	/* Called before each round, for a progress line. */
	void (*progress)(int round, int total, const char *what, void *arg);
	void *progress_arg;
};

struct oh_kind {
	struct hist off, on;		/* every measured call, merged over rounds */
	double *r_on, *r_off;		/* per-round statistic (interquartile mean, ns) */
	int n_on, n_off;		/* off, on, off, on, ..., off */
	struct stats_ci delta;		/* on - mean of the offs either side */
	struct stats_ci aa;		/* odd off - mean of its even neighbours */
	double bpf_ns;			/* in-BPF part per call, from run-time stats */
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
	enum stats_via stats_via;
	bool stats_were_on;
	uint64_t bpf_runs, bpf_time_ns;	/* over the workload windows */
	double bpf_wl_runs;		/* of those, caused by the workload */
	double bg_runs_per_s;		/* runs with no workload (other processes) */
	uint64_t wl_syscalls;
	int tracer_progs;		/* programs seen in the last on-round */
	/* Run-time stats should be off during A/B rounds (they add two clock
	 * reads per run); runs counted in on-rounds mean someone held them on. */
	uint64_t ab_counted_runs;
	bool stats_sysctl_on;
	int n_stats_holders;		/* processes with a BPF_ENABLE_STATS fd */
	pid_t stats_holders[OH_MAX_HOLDERS];
	unsigned tracer_starts;
};

/* Workload time of one decomposition round, and how many of them make a
 * quarter of the on-rounds' workload time (at least 2). */
double oh_decomp_round_s(const struct wl_config *wl);
int oh_default_decomp_rounds(const struct oh_config *cfg);

/* Pure: how long oh_run takes with cfg, in seconds, when switching the
 * tracer on and off once takes toggle_s (a command's start to attached
 * plus its stop; ~0 in-process): the rounds' workload time, one toggle per
 * on-round and per decomposition round, and the decomposition's own
 * background windows. For planning (report's budget), not a promise. */
double oh_expected_s(const struct oh_config *cfg, double toggle_s);

int oh_run(const struct oh_config *cfg, struct tracer *t, struct oh_result *res);
void oh_result_free(struct oh_result *res);

/* Relative slowdown of on against off, from the per-round statistics. */
double oh_relative(const struct oh_kind *k);
bool oh_ci_includes_zero(const struct stats_ci *ci);
/* A/A drift at least as large as the effect: the effect is not trustworthy. */
bool oh_aa_exceeds_effect(const struct oh_kind *k);

#endif
