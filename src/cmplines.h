/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* compare's hot lines: where B's time goes that A's did not. After the
 * A/B rounds and the stats rounds (so neither is disturbed by sampling
 * interrupts), one sampling phase per version, A then B: the version
 * switched on, the compare workload run in short chunks while cpu-clock
 * samples every CPU (annotate.h: samples charged to the JITed images,
 * mapped to source lines through BTF line info), the version switched off.
 * A's and B's programs are matched as the stats rounds match them (name
 * and attach point, cmp_prog_key), their lines by file name, line number
 * and line text. Each line's figure is its sampled ns per workload call
 * (samples x the program's mean cpu-clock period, ns, over the calls the
 * workload made in that phase, a call counted as A/B counts it: an openat
 * call is openat and its close; only samples on the workload's CPU where
 * it is pinned) and its share of the program's samples. */
#ifndef BPFCOST_CMPLINES_H
#define BPFCOST_CMPLINES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define CMP_HOT_LINES 5			/* lines shown per program pair */
#define CMP_LINES_FREQ 4000		/* cpu-clock samples/s per CPU */
#define CMP_LINES_MIN_S 0.5		/* sampling per version: the round time, at least this */

/* One source line of a program pair; [0] is A, [1] B. */
struct cmp_line {
	char file[64];			/* base name of the BTF file name */
	uint32_t line;
	char src[160];			/* the line's text from BTF */
	uint64_t samples[2];
	double sampled_ns[2];		/* samples x the program's mean period */
};

/* One program pair (or a program only one version has). */
struct cmp_lines_prog {
	char name[128];
	char attach[128];
	bool seen[2];			/* loaded in that version's phase */
	bool has_lines[2];		/* it carried BTF line info */
	uint64_t samples[2];		/* all of the program's samples */
	double sampled_ns[2];		/* their summed cpu-clock periods */
	uint64_t unmapped[2];		/* samples on code without a line */
	struct cmp_line *lines;		/* A's and B's lines, merged */
	size_t nlines, cap;
};

struct cmp_lines {
	bool ran;			/* else why says why not, in one line */
	char why[200];
	unsigned freq;
	double secs;			/* planned sampling time per version */
	double elapsed_s[2];		/* workload time sampled */
	uint64_t wl_calls[2];	/* workload calls in each phase (as A/B counts them) */
	uint64_t samples[2], lost[2];	/* every kernel sample; lost (ring full) */
	int cpu;			/* only samples on this CPU (the workload's)
					 * count; -1: every CPU's */
	struct cmp_lines_prog *progs;
	int nprogs;
};

struct cmp_config;
struct tracer;

/* The sampling phases (A, then B) into l. A reason to skip (cfg says
 * lines are off or sampling does not work, the events cannot be opened)
 * leaves l->ran false with l->why set and returns 0; -EINTR on a stop
 * request, -ENOMEM, or the tracer's own error when it cannot be switched
 * on or off. */
int cmp_lines_run(const struct cmp_config *cfg, struct tracer *t[2], struct cmp_lines *l);
void cmp_lines_free(struct cmp_lines *l);

/* Pure parts (unit tests). The pair named (name, attach), added when new
 * (NULL on -ENOMEM). */
struct cmp_lines_prog *cmp_lines_prog_get(struct cmp_lines *l, const char *name,
					  const char *attach);
/* Add samples of one line of version side (0 A, 1 B) to p, merged with
 * the line of the same file base name, number and text. 0 or -ENOMEM. */
int cmp_lines_add(struct cmp_lines_prog *p, int side, const char *file, uint32_t line,
		  const char *src, uint64_t samples, double sampled_ns);
/* A line's sampled ns per workload call in one version (0 when the
 * phase made no calls), and its share of the program's samples (0..1). */
double cmp_line_ns_per_call(const struct cmp_lines *l, const struct cmp_line *ln, int side);
double cmp_line_share(const struct cmp_lines_prog *p, const struct cmp_line *ln, int side);
/* The (at most) max lines of p whose ns per call changed most, B - A
 * by absolute value, largest first (ties: by file, then line); lines
 * without a sample in either version are left out. Their indexes go to
 * idx; returns how many. */
size_t cmp_lines_top(const struct cmp_lines *l, const struct cmp_lines_prog *p, size_t *idx,
		     size_t max);
/* Why a pair has no lines to rank (neither version carried line info, or
 * no sample fell on a line), or NULL when it has. */
const char *cmp_lines_prog_why(const struct cmp_lines_prog *p);

#endif
