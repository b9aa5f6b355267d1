/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* Two versions of a tracer, A and B, timed in one run: blocks of four
 * rounds, off X off Y with {X, Y} = {A, B} in random order per block,
 * closed by one more off-round. Each on-round is taken against the mean of
 * the off-rounds either side of it (as overhead does, overhead.h), and
 * within each block B's figure minus A's gives one B - A sample, so the
 * machine's drift cancels twice: within a bracket and within a block.
 * Neighbouring blocks share an off-round, so intervals come from
 * stats_series_mean_ci (stats.h): a block bootstrap over blocks, or for
 * fewer than STATS_SERIES_BOOT_MIN blocks a t-interval bounded for lag-1
 * correlation.
 *
 * Separately, where run-time stats work, a few stats rounds per version
 * give each program's corrected ns per run (statsbias.h), to set A's and
 * B's programs side by side by name and attach point.
 *
 * Last, where sampling works, one cpu-clock sampling phase per version
 * gives the hot lines that changed most (cmplines.h).
 *
 * The verdict (cmp_verdict_make) is pure and also serves `bpfcost diff`,
 * which builds the B - A interval from two saved results instead. */
#ifndef BPFCOST_COMPARE_H
#define BPFCOST_COMPARE_H

#include <stdbool.h>
#include <stdint.h>
#include "cmplines.h"
#include "stats.h"
#include "statsbias.h"
#include "tracer.h"
#include "workload.h"

#define CMP_BOOT_ITERS 4000
#define CMP_LEVEL 0.95
#define CMP_MAX_PROGS 32

struct cmp_config {
	struct wl_config wl;	/* duration_s = round time */
	int blocks;		/* blocks of off X off Y, >= 3 */
	int stats_rounds;	/* per version, with run-time stats; 0 = none */
	bool stats_ok;		/* method_available(METHOD_STATS) */
	uint64_t seed;		/* order of A and B within blocks */
	const char *no_lines;	/* non-NULL: no hot lines, this says why */
	void (*progress)(int round, int total, const char *what, void *arg);
	void *progress_arg;
};

/* Per syscall kind. r_*: per-round interquartile means, ns per call, in
 * the order the rounds ran (NAN for a round without calls of the kind). */
struct cmp_kind {
	double *r_off, *r_on;
	int n_off, n_on;
	struct stats_ci a, b;		/* added ns per call over the off-rounds */
	struct stats_ci diff;		/* B - A per call, paired within blocks */
	struct stats_ci aa;		/* off against off: the noise floor */
	double off_ns;			/* mean of the off-rounds */
};

/* One program of one version, from the stats rounds. */
struct cmp_prog {
	char name[128];		/* BTF name when known, else the kernel's */
	char attach[128];
	uint32_t type;
	uint64_t runs, time_ns;
	double wall_s;
	struct sb_corrected corr;	/* corr.applies false: raw only */
};

struct cmp_side {
	struct cmp_prog progs[CMP_MAX_PROGS];
	int nprogs;
	uint64_t wl_calls;		/* workload calls during the stats rounds (a call: one of the kind, as A/B counts it) */
};

struct cmp_result {
	unsigned mask;
	int blocks;
	double round_s;
	uint64_t seed;
	char *order;			/* on-rounds in order, "ABBA...", NUL-ended */
	struct cmp_kind k[WL_KIND_COUNT];
	bool have_stats;
	char stats_why[200];		/* when !have_stats */
	struct sb_bias bias;
	struct cmp_side side[2];	/* A, B */
	struct cmp_lines lines;
};

/* Whether two programs are one program of two versions: the same name
 * and attach point (ids say nothing: a restarted command loads new ones).
 * compare's matching of A's and B's programs, and diff's of two files'. */
bool cmp_prog_same(const char *name_a, const char *attach_a, const char *name_b,
		   const char *attach_b);

int cmp_run(const struct cmp_config *cfg, struct tracer *a, struct tracer *b,
	    struct cmp_result *res);
void cmp_result_free(struct cmp_result *res);
/* Program id's name (BTF name when known) and attach points into p, the
 * key A's and B's programs are matched by. 0 or -ENOENT (gone). */
int cmp_prog_key(uint32_t id, struct cmp_prog *p);

/* Pure: the figures of one kind from its rounds, in the order they ran:
 * order[i] is 'A' or 'B' for on-round i; off-round i precedes on-round i
 * and one more off-round closes. Needs n_off == n_on + 1 and >= 3 blocks.
 * 0, -EINVAL or -ENOMEM. */
int cmp_analyse_kind(struct cmp_kind *k, const char *order, uint64_t seed);

/* "10%" (of A's added ns) or "25ns"/"25" (ns per call): strict, one-line
 * error and -EINVAL otherwise. */
struct cmp_threshold {
	bool set;
	bool pct;
	double value;		/* percent or ns, > 0 */
};
int cmp_threshold_parse(const char *arg, struct cmp_threshold *t);

enum cmp_call {
	CMP_SLOWER,		/* the B - A interval lies above 0 */
	CMP_FASTER,		/* below 0 */
	CMP_SAME,		/* contains 0: |B - A| < bound */
};

struct cmp_verdict {
	enum cmp_call call;
	double bound;		/* CMP_SAME: max(|lo|, |hi|) */
	double threshold_ns;	/* the threshold in ns per call, or NAN */
	bool fails;		/* threshold set and the whole interval above it */
};

/* diff: B - A; a_ns: A's added ns per call (for a % threshold). */
void cmp_verdict_make(const struct stats_ci *diff, double a_ns, const struct cmp_threshold *t,
		      struct cmp_verdict *v);
const char *cmp_call_name(enum cmp_call c);	/* "slower", "faster", "same" */

/* The B - A interval from two independent intervals (saved results):
 * MOVER (Zou & Donner 2008), lo = d - sqrt((b - b.lo)^2 + (a.hi - a)^2)
 * and hi alike; level is a's. */
void cmp_diff_independent(const struct stats_ci *a, const struct stats_ci *b,
			  struct stats_ci *out);

#endif
