/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* Reading a result saved by `bpfcost -j overhead` (or `-j compare`, whose
 * B side is read), `bpfcost -j report` or `bpfcost -j stats` back, for
 * `bpfcost diff`. Pure parsing of the text (fuzzed:
 * tests/fuzz/fuzz_savedres.c); the file I/O is the command's. */
#ifndef BPFCOST_SAVEDRES_H
#define BPFCOST_SAVEDRES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "stats.h"
#include "workload.h"

enum sr_source {
	SR_OVERHEAD,		/* bpfcost -j overhead: one object */
	SR_COMPARE,		/* bpfcost -j compare: one object, B side read */
	SR_REPORT,		/* bpfcost -j report: one object (docs/report.schema.json) */
	SR_STATS,		/* bpfcost -j stats: interval objects, then a summary */
};

struct sr_kind {
	struct stats_ci added;	/* ns per call the tracer added */
	bool has_aa;
	struct stats_ci aa;	/* the file's A/A control, ns per call */
	double off_mean_ns;	/* mean latency with the tracer off, or NAN */
	char method[2][96];	/* added's and aa's method as saved: their .method */
};

/* One program of a report or stats file: the programs of one name and
 * attach point summed, per interval (as compare sums a restarted
 * command's), over the file's intervals (a report has one: its window).
 * ns per run is total run time / total runs over the intervals with runs
 * (each interval weighted by its runs), runs/s total runs / total length
 * and the CPU share total run time / total length (each interval weighted
 * by its wall_s). With two or more intervals (with runs, for ns per run)
 * each has the t-interval of a ratio estimator (STATS_CI_T_RATIO), else
 * none (method NULL, lo = hi = NAN); an interval of zero width (the same
 * ratio in every interval) is none as well, and no_spread says so. The
 * intervals are as computed: a lower bound may be below 0, and printers
 * clamp it at 0 (never a negative time or rate), while B - A uses them
 * unclamped. */
struct sr_prog {
	char name[128];		/* full_name: the BTF name when known */
	char attach[128];	/* "" when the file does not record it */
	int nsummed;		/* programs summed under this name */
	uint64_t runs;		/* over the whole file */
	struct stats_ci ns_raw;	/* run_time_ns per run; .n: intervals with runs */
	bool no_spread;		/* ns/run is the same in each of those: no interval */
	/* corr: the file measured the stats bias and it applies to every
	 * program summed here. ns_corr = ns_raw - bias, its interval widened
	 * by the bias's (MOVER); it may reach 0 or below (below the bias's
	 * resolution): printers say "<hi" then, never a negative time. */
	bool corr;
	struct stats_ci ns_corr;
	struct stats_ci runs_per_s;
	double cpu_pct, cpu_pct_corr;	/* % of one CPU, mean over intervals */
};

struct saved_result {
	enum sr_source source;
	char describe[256];	/* the tracer, report title or stats run, or "" */
	unsigned mask;		/* kinds with A/B figures (bit wl_kind) */
	struct sr_kind k[WL_KIND_COUNT];
	char ab_why[200];	/* a report without A/B figures: why, else "" */
	bool partial;		/* a report marked partial (stopped early) */
	char partial_why[160];	/* its reason as saved, or "" */
	bool has_attach;	/* its programs record attach points (reports) */
	/* report and stats: programs (heap; sr_free) */
	bool has_programs;
	int nintervals;		/* stats: interval objects; report: 1 */
	double duration_s;
	struct sr_prog *progs;
	int nprogs;
};

/* Parse len bytes of text. 0, or -EINVAL with why set to one line: not
 * JSON (jansson's message with line and column), a report whose
 * schema_version is newer than RP_SCHEMA_VERSION, or JSON without what a
 * saved result has (names the missing or bad field). Every kind's
 * intervals are finite with lo <= point <= hi and 0 < level < 1; every
 * program figure's point is finite and, when it has an interval, lies in
 * it. -ENOMEM. out is to be released with sr_free, also after errors. */
int sr_parse(const char *text, size_t len, struct saved_result *out, char *why, size_t whylen);
void sr_free(struct saved_result *r);

/* "overhead", "compare", "report", "stats" */
const char *sr_source_name(enum sr_source s);
/* Whether two files hold comparable figures: A/B results (overhead,
 * compare, report) with each other; stats files with stats files. */
bool sr_comparable(const struct saved_result *a, const struct saved_result *b);

#endif
