/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* fentry/fexit profiling of BPF programs (`bpfcost profile`). Collection
 * only: prof_run() fills a struct prof_result; printing is the commands'
 * business, so report (and demo through it) shows the same figures. */
#ifndef BPFCOST_PROFILE_H
#define BPFCOST_PROFILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <linux/types.h>
#include "common.h"
#include "hist.h"
#include "progs.h"
#include "bpfstats.h"
#include "tailcall.h"
#include "bpf/profile_types.h"

/* A countable event, by name ("cycles", "instructions", ...). */
struct prof_event_def {
	const char *name;
	uint32_t type;		/* PERF_TYPE_* */
	uint64_t config;
	int feature;		/* enum feature_id doctor probes, or -1 */
	bool in_auto;		/* --events auto takes it when doctor says it works */
};

const struct prof_event_def *prof_events_table(size_t *n);
/* Parse "auto", "none" or a comma list into event table indexes (syntax
 * only: an unknown name is -EINVAL). Returns the number of events (0 for
 * auto and none) or negative errno; errors are printed (one line). */
int prof_events_parse(const char *spec, int *idx, int max, bool *is_auto);
/* auto: the events doctor finds working. Otherwise every parsed event must
 * open here, else a one-line error and -EOPNOTSUPP. Returns the count. */
int prof_events_resolve(struct bc_ctx *ctx, bool is_auto, int *idx, int n, int max);

struct prof_config {
	const uint32_t *ids;	/* target program ids */
	size_t nids;
	double duration_s;
	int events[PROF_MAX_EVENTS];	/* prof_events_table() indexes */
	int nevents;
	bool calibrate;		/* also profile our own empty program */
	bool stats;		/* turn on run-time stats for the window */
	bool announce;		/* note on stderr when the window opens */
};

/* One counter over the window. */
struct prof_counter {
	const char *name;
	uint64_t raw, enabled, running;	/* summed deltas over runs */
	double scaled;			/* raw * enabled / running */
	bool multiplexed;		/* running < enabled: scaled, an estimate */
	double per_run;			/* scaled / runs */
	double per_run_corrected;	/* minus the calibration's per run; 0 when */
	bool below_calib;		/* at or below it (no positive figure) */
};

/* Run-time figures derived from the histogram, raw and observer-corrected. */
struct prof_figures {
	double mean;
	uint64_t p50, p90, p99, max;
	unsigned below_calib;	/* PROF_FIG_* bits: that figure is at or below the
				 * calibration offset, shown as such, stored as 0 */
};

enum {
	PROF_FIG_MEAN = 1 << 0,
	PROF_FIG_P50 = 1 << 1,
	PROF_FIG_P90 = 1 << 2,
	PROF_FIG_P99 = 1 << 3,
	PROF_FIG_MAX = 1 << 4,
};

struct prof_target {
	struct prog_desc desc;
	bool is_calib;			/* our empty program, not a user target */
	struct hist hist;		/* exclusive ns per run */
	uint64_t runs, nested, dropped, unmatched, ev_failed;
	double runs_per_s;
	struct prof_figures raw, corrected;	/* corrected only when calibrated */
	struct prof_counter ev[PROF_MAX_EVENTS];
	int nevents;
	/* recursion_misses deltas over the window: the target's own and our
	 * fentry/fexit programs' (runs they skipped). */
	uint64_t target_misses, entry_misses, exit_misses;
	/* kernel run-time stats over the window (when stats_ok) */
	bool stats_ok;
	uint64_t stats_runs, stats_ns;
	double stats_ns_per_run;
	/* observer programs' own stats: what each fentry/fexit run cost */
	double entry_ns_per_run, exit_ns_per_run;
	/* the owner detached it during the run (its last link went away) */
	bool detached;
	double detached_after_s;
};

struct prof_result {
	struct prof_target *t;	/* targets in selector order */
	size_t n;
	struct prof_target calib;	/* valid when calibrated */
	bool calibrated;
	double calib_ns;		/* subtracted from every time figure */
	double elapsed_s;
	bool stopped;			/* ended early by a signal */
	enum bpfstats_via stats_via;
	bool stats_was_on;
	/* Tail-call relations at the start; each target's role is in its
	 * desc.tail. fentry/fexit do not fire on a tail call into a target
	 * (the jump enters past the hook), so a tail-called target's count
	 * is its direct runs only. */
	struct tc_graph tail;
	bool tail_ok;
	int tail_err;		/* why not, when !tail_ok */
};

/* Attach, wait duration_s (or until a stop request or every target is
 * gone), read back and detach. Everything it loads is gone when it
 * returns, error or not. Errors are printed (one line). */
int prof_run(struct bc_ctx *ctx, const struct prof_config *cfg, struct prof_result *res);
/* Register this method's feature trial, FEAT_FENTRY_TRACING (fentry/fexit
 * on a tp_btf program: Linux 6.8+), with the feature layer (kfeatures.h).
 * prof_run asks it when a target is a tracing program. Once, before
 * probing. */
void prof_feature_provide(void);
/* Can fentry/fexit attach to program d here? 0, or -EOPNOTSUPP with why
 * (one line: a tracing program on a kernel before 6.8, and what measures
 * it instead). The feature trial runs once (kfeatures.h). */
int prof_target_check(struct bc_ctx *ctx, const struct prog_desc *d, char *why, size_t len);
/* Room for prof_target_check's why: the trial's own finding is quoted. */
#define PROF_WHY_LEN 512
void prof_result_free(struct prof_result *res);

/* Pure helpers (tests/unit/test_profile.c): figures from a histogram minus
 * offset ns, never negative (a figure at or below the offset is 0 with its
 * below_calib bit set); a counter scaled for multiplexing, likewise. */
void prof_figures_from_hist(const struct hist *h, double offset, struct prof_figures *out);
/* The figures as JSON: {mean, p50, p90, p99, max, below_calibration:
 * [names of the figures at or below the calibration, stored as 0]}. */
json_t *prof_figures_json(const struct prof_figures *g);
/* One figure for a table: "<calib" when below (the observer's own cost is
 * not known finer than that), else the ns; returns buf. */
const char *prof_fig_str(uint64_t v, bool below, char *buf, size_t len);
void prof_counter_finish(struct prof_counter *c, uint64_t runs, double calib_per_run);
/* num/den * scale over per-run counters (corrected or raw); false when
 * either counter is absent, den is 0, or (corrected) either is at or below
 * the calibration. IPC: ("instructions", "cycles", 1). */
bool prof_ratio(const struct prof_target *t, const char *num, const char *den, double scale,
		bool corrected, double *out);

#endif
