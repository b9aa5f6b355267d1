/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* Run-time stats sampler: per-program run_cnt/run_time_ns/recursion_misses
 * read every interval and turned into per-interval rates. Collection only;
 * printing is the commands' business (stats, top). */
#ifndef BPFCOST_RUNSTATS_H
#define BPFCOST_RUNSTATS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "idmap.h"
#include "progs.h"
#include "statsbias.h"

struct bc_ctx;
struct tc_collector;
struct owners;
struct bc_interval;
struct progiter;
struct rs_loop_opts;

/* The kernel's counters for one program at one moment. */
struct rs_sample {
	uint64_t run_cnt, run_time_ns, recursion_misses;
};

/* What happened between two samples. ns_per_run is meaningful only when
 * has_runs: a program that did not run has no cost per run, and must
 * never show NaN or a division by zero. */
struct rs_rate {
	uint64_t runs, time_ns, misses;	/* deltas */
	double wall_s;			/* wall time the deltas span */
	bool has_runs;
	double runs_per_s;
	double ns_per_run;		/* 0 when !has_runs */
	double cpu_pct;			/* % of one CPU */
	double cpu_pct_machine;		/* % of all online CPUs */
};

/* Pure math, no kernel: deltas cur - prev over wall_ns, ncpu online CPUs.
 * -ERANGE when a counter went backwards (not the same program), -EINVAL
 * for wall_ns == 0 or ncpu < 1; out is zeroed in every error case. */
int rs_rate_compute(const struct rs_sample *prev, const struct rs_sample *cur,
		    uint64_t wall_ns, int ncpu, struct rs_rate *out);
/* Sum b into a (deltas and shares add; ns_per_run is recomputed). */
void rs_rate_add(struct rs_rate *a, const struct rs_rate *b);

enum rs_state {
	RS_NEW,		/* first seen this pass, no interval yet */
	RS_LIVE,	/* sampled this pass, rates valid */
	RS_GONE,	/* vanished (or its id now names another program) */
};

struct rs_prog {
	uint32_t id, type;
	char name[16];
	char full_name[128];
	char tag[17];
	uint64_t load_time;		/* boottime ns: with tag, the identity */
	enum rs_state state;
	bool seen;			/* observed in the current pass */
	bool has_rate;			/* last holds at least one interval */
	unsigned gone_pass;		/* pass that found it gone */
	struct rs_sample base;		/* totals are cur - base */
	struct rs_sample prev, cur;
	uint64_t base_ns, prev_ns, cur_ns;	/* monotonic times of those */
	struct rs_rate last;		/* last interval (kept once gone) */
	struct prog_owners owners;	/* as the last pass found them (kept once gone) */
	bool link_checked;		/* tracing programs: links looked at */
	bool raw_tp_link;		/* a raw tracepoint link attaches it (tp_btf) */
	bool attach_read;		/* want_attach: attach read (when first seen) */
	char attach[128];		/* its links' and perf events' points, or "" */
	struct prog_tail tail;		/* tail-call relations (rs_tail_refresh) */
	void *user;			/* the sampler's user's per-program data
					 * (top's history): heap memory, freed
					 * with free() along with the entry */
};

/* Programs dropped after they vanished: how many, and the sum of their
 * totals (cur - base) over the run. */
struct rs_dropped {
	uint64_t n;
	struct rs_sample total;
	bool uncorrected;	/* one of them ran where the stats bias does
				 * not apply (sb_applies): no corrected sum */
};

/* How a pass reads the kernel's counters. */
enum rs_reader {
	RS_READER_AUTO,		/* iter when doctor's trial says it works, else syscall */
	RS_READER_ITER,		/* one BPF iterator read for every program (progiter.h) */
	RS_READER_SYSCALL,	/* four bpf() calls per program (any kernel with stats) */
};

const char *rs_reader_name(enum rs_reader r);	/* "auto", "iter", "syscall" */
/* Strict: exactly one of the names above, else one-line error, -EINVAL. */
int rs_reader_parse(const char *arg, enum rs_reader *out);

struct rs_sampler {
	struct rs_prog *v;
	size_t n, cap;
	struct idmap live;	/* id -> index in v of its entry that is not gone */
	enum rs_reader reader;	/* ITER or SYSCALL */
	struct progiter *it;	/* open while reader is ITER */
	char reader_why[256];	/* why auto fell back to syscall, "" if it did not */
	bool fixed;		/* selection given: track only those programs */
	int ncpu;		/* online CPUs at the start: the machine's share divides by it */
	unsigned pass;		/* passes started; the baseline is pass 1 */
	uint64_t start_ns, now_ns, prev_pass_ns;
	uint64_t prev_boot_ns;	/* boottime of the previous pass */
	uint64_t cur_boot_ns;	/* boottime of this pass */
	bool history;		/* counters were non-zero at the first pass */
	struct owners *owners;	/* who holds the programs, found each pass; or NULL */
	bool want_attach;	/* read each new program's attach points (links and
				 * perf events: a /proc walk) at the pass after it
				 * appears; set by the caller after rs_start */
	/* Passes a gone program stays listed (rs_prog_current) before the
	 * next pass drops it; 0 counts as 1: only the pass that found it
	 * gone. A sampler that follows every program (no selection) drops
	 * it then, so a host that loads and unloads programs all day does
	 * not grow it; a fixed selection keeps its gone programs (it is
	 * bounded by the selection) for the summary. */
	unsigned gone_keep;
	struct rs_dropped dropped;
	struct sb_bias bias;	/* the stats' own share of run_time_ns, when
				 * rs_start measured it (bias.valid) */
};

/* ids == NULL (nids 0): every loaded program, new ones added as they
 * appear. Otherwise only those programs; an id reused by another program
 * later is not followed. it: an open iterator reader, owned from here on
 * (closed by rs_free, also after an error), or NULL for the syscall
 * reader. ow: an open owners finder, owned from here on likewise, or NULL
 * for no owners; its iterator program is left out. The first pass is
 * taken here (baseline). */
int rs_init(struct rs_sampler *s, const uint32_t *ids, size_t nids, struct progiter *it,
	    struct owners *ow);
/* Read every tracked program once more and compute the interval rates.
 * Programs that vanished are marked RS_GONE with their figures kept. */
int rs_sample(struct rs_sampler *s);
/* rs_init with the reader o->reader asks for, and with o->owners the
 * programs' owners found on every pass (owners.h): with the iterator where
 * the counters are read by one (--reader iter, or auto unless --count 1)
 * and its trial passes, else through /proc. auto with --count 1 takes
 * syscall (one interval cannot pay back the iterator's load). iter and
 * auto open the
 * iterator and run the doctor's trial on it (progiter_selftest, result
 * recorded as FEAT_PROG_ITER in ctx); a result already known in ctx is
 * used as is. auto falls back to syscall when the trial fails, saying why
 * on stderr and in s->reader_why; iter fails with a one-line error. */
int rs_start(struct bc_ctx *ctx, struct rs_sampler *s, const struct rs_loop_opts *o,
	     const uint32_t *ids, size_t nids);
/* Before its baseline pass (so the measuring is not inside the first
 * interval) rs_start also measures the run-time stats bias (statsbias.h)
 * for the corrected figures, unless o->no_correction. Stats must be on then.
 * A bias that cannot be measured is noted on stderr, s->bias.why says why
 * and the corrected figures are left out: never an error. */
void rs_free(struct rs_sampler *s);
/* Register the iterator reader's feature trial, FEAT_PROG_ITER, with the
 * feature layer (kfeatures.h). Once, before probing. */
void rs_feature_provide(void);

/* p's figures over r corrected for the bias: out->applies is false when
 * the bias was not measured or does not apply to p's program type. */
void rs_prog_corrected(const struct rs_sampler *s, const struct rs_prog *p,
		       const struct rs_rate *r, struct sb_corrected *out);

/* Re-read the tail-call relations of every program (tailcall.h) and set
 * each tracked program's tail; gone programs keep their last. 0 or a
 * negative errno from tc_refresh. */
int rs_tail_refresh(struct rs_sampler *s, struct tc_collector *tc);

/* Totals over the whole run for one program (base → last sample). */
int rs_prog_total(const struct rs_sampler *s, const struct rs_prog *p, struct rs_rate *out);
/* True when p is worth showing for the latest pass: live or new, or gone
 * within the last gone_keep passes (by default: in exactly this pass). */
bool rs_prog_current(const struct rs_sampler *s, const struct rs_prog *p);

/* Exposed for unit tests: update tracking from one observation made at
 * now_ns. *out is the entry; returns 1 when it was created, 0 when an
 * existing one was updated, or a negative errno. */
struct rs_prog_obs {
	uint32_t id, type;
	char name[16];
	char tag[17];
	uint64_t load_time;
	struct rs_sample c;
};
int rs_observe(struct rs_sampler *s, const struct rs_prog_obs *o, uint64_t now_ns,
	       struct rs_prog **out);
/* Start/end a pass without the kernel: rs_pass_begin drops what is no
 * longer current (rs_prog_current; not with a fixed selection) into
 * s->dropped, freeing each entry's user data and moving the rest down
 * (indices into v change: keep ids, not indices, across passes), and
 * marks every live program unseen; rs_pass_end marks unseen ones gone
 * and computes rates. */
void rs_pass_begin(struct rs_sampler *s, uint64_t now_ns, uint64_t boot_ns);
void rs_pass_end(struct rs_sampler *s);

/* The options every command built on this sampler takes (stats, top). */
struct rs_loop_opts {
	double interval_s, duration_s;	/* duration 0: until stopped */
	uint64_t count;			/* intervals or frames; 0: no limit */
	bool sysctl;			/* force the sysctl fallback for stats */
	bool owners;			/* find each program's owners every pass */
	enum rs_reader reader;		/* --reader */
	bool no_correction;		/* --no-correction (or no stats held): rs_start
					 * does not measure the bias */
	int nsel;			/* program selector words left after options */
	char **sel_argv;
};

/* --interval (i), --count (c), --duration (d), --sysctl (S), --reader (R),
 * --no-correction (N);
 * -ENOENT for any other option, so a command can add its own. */
int rs_loop_parse_opt(int c, const char *arg, struct rs_loop_opts *o);
/* After the options: --count and --duration exclude each other, and the
 * words left are program selectors. */
int rs_loop_finish(int argc, char **argv, struct rs_loop_opts *o);
/* The interval loop (bc_interval_loop) the options ask for, its duration
 * counted from the sampler's baseline pass. */
void rs_loop_interval(const struct rs_loop_opts *o, const struct rs_sampler *s,
		      struct bc_interval *iv);

#endif
