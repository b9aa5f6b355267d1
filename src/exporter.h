/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* The exporter's collection: one model of per-program cost, filled from
 * the run-time stats sampler (runstats.h) and/or cpu-clock samples charged
 * to programs by annotate's attribution (annotate.h). Collection only; the
 * text printers (promtext.h) take the model, the HTTP layer (httpd.h)
 * serves what they print.
 *
 * Threads: the HTTP layer's threads call ex_collect and the printers, the
 * command's main thread calls ex_drain; every call that reads or changes
 * the state takes ex->lock. */
#ifndef BPFCOST_EXPORTER_H
#define BPFCOST_EXPORTER_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "annotate.h"
#include "bpfstats.h"
#include "idmap.h"
#include "runstats.h"
#include "tailcall.h"

struct bc_ctx;

enum ex_mode {
	EX_MODE_STATS = 1,	/* hold BPF_ENABLE_STATS, export the kernel's counters */
	EX_MODE_SAMPLING = 2,	/* never switch stats on; cpu-clock samples */
	EX_MODE_BOTH = 3,
};

#define EX_DEFAULT_FREQ 49	/* Hz per CPU: prime, off the 50/100 Hz timers */
#define EX_DEFAULT_MAX_PROGRAMS 2000

/* Errors the exporter counts and exports (bpfcost_errors_total{kind}). */
enum ex_error {
	EX_ERR_COLLECT,		/* a collection failed: the scrape got a 500 */
	EX_ERR_OVERSIZE,	/* a response would have passed the size cap */
	EX_ERR_CONNECTION,	/* a client went away or timed out mid-request */
	EX_ERR_COUNT,
};

/* One loaded program as the last collection saw it. Identity is id +
 * load_time: ids are allocated cyclically (idr_alloc_cyclic), so an id
 * comes back only after a wrap, and then with another load time. */
struct ex_prog {
	uint32_t id, type;
	uint64_t load_time;		/* boottime ns, bpf_prog_info.load_time */
	char tag[17];
	char name[128];			/* BTF function name, else the kernel's */
	char attach[128];		/* from its links; "" when none */
	char owner_comm[64];		/* the holding processes' comms, "a,b"; "" for none */
	/* Kernel run-time stats, cumulative since load (while stats were on). */
	bool has_stats;
	uint64_t run_cnt, run_time_ns, recursion_misses;
	/* cpu-clock time charged to it since the exporter first saw it. */
	bool has_samples;
	uint64_t sampled_ns, samples;
};

/* Run-time stats' own share of run_time_ns per run (statsbias.h),
 * measured at start when stats are held; known false otherwise. It applies
 * to programs run through __bpf_prog_run, not trampoline-run ones. */
struct ex_bias {
	bool known;
	double per_run_s, lo_s, hi_s;	/* point and 95% interval */
};

/* A tail-call relation: caller jumps to callee through slot index of
 * PROG_ARRAY map_id (tailcall.h), for each edge that has a program of the
 * model at one end. */
struct ex_tail_call {
	uint32_t caller_id, callee_id, map_id, index;
};

/* Everything one response shows. */
struct ex_model {
	enum ex_mode mode;
	const char *stats_via;		/* "BPF_ENABLE_STATS", "sysctl", "none" */
	const char *reader;		/* "iter", "syscall" */
	unsigned freq;			/* sampling Hz per CPU, 0 without sampling */
	double collect_s;		/* how long the collection behind it took */
	size_t nloaded;			/* programs seen live (before the cap) */
	uint64_t left_out_total;	/* programs left out by the cap, over all collections */
	uint64_t samples, samples_lost, samples_outside;	/* since start */
	uint64_t errors[EX_ERR_COUNT];
	struct ex_prog *progs;		/* by id, at most max_programs */
	size_t nprogs, cap;
	struct ex_bias bias;
	struct ex_tail_call *tail_calls;
	size_t ntail_calls;
};

struct ex_opts {
	enum ex_mode mode;
	unsigned freq;
	size_t max_programs;
	const uint32_t *ids;		/* selection, or NULL for every program */
	size_t nids;
};

struct exporter {
	pthread_mutex_t lock;
	struct ex_opts o;
	struct bpfstats_enable se;		/* held for the exporter's life (stats mode) */
	bool stats_held;
	struct rs_sampler rs;		/* programs and their counters */
	bool sampling;
	struct an_opts an_o;
	struct an_result an;		/* jitmap with sampled time per program */
	struct an_session an_s;
	struct idmap unsampled;		/* ids with no JIT image to charge samples to */
	struct tc_collector tc;		/* tail-call relations */
	bool tc_said;			/* why they could not be read was said */
	uint64_t last_collect_ns;
	struct ex_model m;
};

/* Switch stats on (stats mode), open the sampler and the sampling session
 * (sampling mode) and take a first collection. Errors are said on stderr;
 * ex is valid to ex_close in every case. */
int ex_open(struct bc_ctx *ctx, struct exporter *ex, const struct ex_opts *o);
/* Refresh the model unless the last collection is younger than
 * min_age_s. Takes ex->lock; the caller then prints under ex_lock. */
int ex_collect(struct exporter *ex, double min_age_s);
/* Read pending samples (sampling mode) so the rings never overflow. */
void ex_drain(struct exporter *ex);
/* Count an error of kind (any thread). */
void ex_count_error(struct exporter *ex, enum ex_error kind);
void ex_lock(struct exporter *ex);
void ex_unlock(struct exporter *ex);
/* Close the sampling session, restore stats, free everything. */
void ex_close(struct exporter *ex);

/* Pure parts, exposed for unit tests. */
const char *ex_mode_name(enum ex_mode m);	/* "stats", "sampling", "both" */
int ex_mode_parse(const char *s, enum ex_mode *out);	/* strict; -EINVAL */
/* Keep the max programs of m->progs[0..n) with the highest cost (run
 * time, else sampled time), the rest counted in m->left_out_total; the
 * kept ones sorted by id. The tail-call edges keep those with a kept
 * program at one end, at most max of them. */
void ex_model_cap(struct ex_model *m, size_t max);

#endif
