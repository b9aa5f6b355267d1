/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* The instruction-level method: sample the kernel on every CPU, attribute
 * samples to JITed BPF programs, and model them per source line, BPF
 * instruction and machine instruction. Collection and model only; the
 * command (cmd_annotate.c) prints; report (and demo through it) calls
 * an_run() with top set and reads an_cpu_pct() per program. */
#ifndef BPFCOST_ANNOTATE_H
#define BPFCOST_ANNOTATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "idmap.h"
#include "jitmap.h"
#include "sample.h"
#include "tailcall.h"

struct bc_ctx;

#define AN_DEFAULT_FREQ 4000
#define AN_DEFAULT_DURATION_S 5.0
#define AN_FEW_SAMPLES 100

struct an_opts {
	const uint32_t *ids;	/* programs to annotate (ignored with top) */
	size_t nids;
	bool top;		/* every program, and ones loaded during the run */
	double duration_s;
	unsigned freq;		/* samples/s per CPU */
	enum smp_event event;	/* resolved: CPU_CLOCK or CYCLES */
	bool detail;		/* keep per-instruction hits (listing) */
	bool callees;		/* with ids: add the programs they tail-call */
	/* Count only samples taken on CPU cpu (the rest as outside BPF code,
	 * in other_cpu): a workload pinned there is what the programs' time
	 * is set against, not runs other processes cause elsewhere. */
	bool one_cpu;
	unsigned cpu;
};

struct an_result {
	struct jitmap map;	/* programs with their sample counts */
	enum smp_event event;
	unsigned freq;
	int ncpu;			/* CPUs sampled: every online one */
	double elapsed_s;
	bool stopped;		/* ended early by Ctrl-C/SIGTERM */
	uint64_t samples;	/* kernel samples seen */
	uint64_t other;		/* samples outside any BPF code */
	uint64_t other_cpu;	/* of those, taken on a CPU one_cpu left out */
	/* Samples in BPF code that was not selected (programs loaded before
	 * or during the run): with PROG, "other BPF code"; period sums it. */
	uint64_t other_bpf, other_bpf_period;
	uint64_t lost, throttled;	/* PERF_RECORD_LOST records, THROTTLEs */
	uint64_t loads, unloads;	/* BPF_EVENT records during the run */
	uint64_t load_failed;	/* loaded programs we could not read */
	/* Found by the periodic check, their records lost in a full ring:
	 * programs unloaded and loaded that the events did not say. */
	uint64_t missed_unloads, missed_loads;
	/* Tail-call relations read at the start and at the end, merged. */
	struct tc_graph tail;
	bool tail_ok;		/* both reads worked */
	int tail_err;		/* else why not (negative errno) */
};

/* auto → cycles when doctor says the PMU has them, else cpu-clock.
 * Asking for cycles where they do not work is a one-line error. */
int an_resolve_event(struct bc_ctx *ctx, enum smp_event req, enum smp_event *out);
/* Sample for o->duration_s (or until a stop request). Every perf fd is
 * closed before returning, on every path.
 *
 * Programs come and go during a run: records of every CPU are taken in
 * time order (sample.h); an unload drops the program's address ranges at
 * once (its samples so far stay), since the JIT packs new programs into
 * freed memory (bpf_prog_pack, 5.18+); a load adds the program (with
 * --top; with PROG it is other BPF code), and one gone before its info
 * could be read is known by its ksymbol. A check every second finds
 * loads and unloads whose records a full ring lost. */
int an_run(const struct an_opts *o, struct an_result *r);

/* The same run in steps, for callers that sample for as long as they
 * live (the exporter): an_start adds the programs and opens the events,
 * an_drain charges the samples so far (call it often enough that the
 * rings do not fill: at 49 Hz they hold about 15 s), an_stop drains a
 * last time and closes every perf fd. o must outlive the session. */
struct an_session {
	const struct an_opts *o;
	struct an_result *r;
	struct smp_session smp;
	uint64_t start_ns;
	uint64_t check_ns;	/* last check of the loaded programs */
	struct idmap unreadable;	/* ids whose info could not be read */
	bool open;
};
int an_start(const struct an_opts *o, struct an_result *r, struct an_session *s);
void an_drain(struct an_session *s);
void an_stop(struct an_session *s);
void an_result_free(struct an_result *r);
/* Estimated CPU use of p as % of one CPU: sampled time over wall time
 * (cpu-clock periods are ns); for cycles, samples over freq x time. Only
 * the samples kept: see an_lost_factor. */
double an_cpu_pct(const struct an_result *r, const struct jm_prog *p);
/* The same for the other BPF code (an_result.other_bpf). */
double an_other_bpf_pct(const struct an_result *r);
/* Samples the kernel could not write (rings full: PERF_RECORD_LOST) make
 * every sampled share low by up to lost / (samples + lost). The factor
 * (samples + lost) / samples scales a share up as if the lost samples fell
 * like the kept ones; 1 when nothing was lost (or nothing kept). */
double an_lost_factor(const struct an_result *r);

/* ---- tail calls: an entry's sampled time split over its group ---- */

/* A tail-called program's samples land in its own image, while the
 * kernel's run-time stats count its time in the entry that was run. The
 * group of an entry (it tail-calls others, none tail-calls it) is the
 * entry and every program it reaches; its sampled time is the sum, and
 * each member's share of it is the share of the entry's run-time stats
 * figure that sampling puts in that member. */
struct an_tc_member {
	uint32_t id;
	const struct jm_prog *p;	/* NULL when it was not tracked */
	uint64_t samples;
	double cpu_pct;			/* an_cpu_pct, 0 untracked */
	double share;			/* of the group's sampled time, 0..1 */
	bool shared;			/* other entries reach it too: its samples
					 * cannot be split between them and count
					 * in each of their groups */
};
struct an_tc_group {
	uint32_t entry;
	const struct jm_prog *p;	/* the entry */
	uint64_t samples;
	double cpu_pct;			/* sum of the members' */
	struct an_tc_member *m;		/* the entry first, then by id */
	size_t n;
};
/* One group per tracked entry that has samples in its group, ordered by
 * entry id. 0 or -ENOMEM; free the array with an_tail_groups_free. */
int an_tail_groups(const struct an_result *r, struct an_tc_group **out, size_t *n);
void an_tail_groups_free(struct an_tc_group *g, size_t n);

/* ---- the model of one program, for listings ---- */

/* One machine instruction of the JIT image. */
struct an_insn {
	uint64_t addr;
	uint32_t img_off;
	uint16_t size;
	uint32_t func;
	int rec;		/* line record, -1 when none */
	uint64_t samples;
	char text[200];		/* "mov rax, qword ptr [rdi + 8]" */
};

/* One source line (file, line): the records that make it up. */
struct an_row {
	const char *file, *src;
	uint32_t line;
	uint64_t samples;
	uint32_t *recs;
	size_t nrecs;
};

struct an_listing {
	struct an_insn *insns;
	size_t ninsns;
	struct an_row *rows;	/* sorted by file, then line */
	size_t nrows;
	uint64_t samples;	/* all samples in the program */
	uint64_t unmapped;	/* samples on instructions without a line */
};

/* Disassemble p (capstone, x86-64) and group its samples by line. */
int an_listing_build(const struct jm_prog *p, struct an_listing *l);
/* Pure part of it (tests): rows from insns already carrying rec/samples. */
int an_rows_build(const struct jm_line *lines, size_t nlines, struct an_listing *l);
void an_listing_free(struct an_listing *l);
bool an_row_has_rec(const struct an_row *row, int rec);

/* One collapsed-stack line "prog;line N: src;insn COUNT" for flame-graph
 * tools; ';' and newlines inside frames are replaced. line 0: no line. */
int an_folded_line(char *buf, size_t len, const char *prog, uint32_t line, const char *src,
		   const char *insn, uint64_t count);

#endif
