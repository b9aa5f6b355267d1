/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* The run-time stats' own share of run_time_ns, measured on this machine,
 * and the figures corrected for it.
 *
 * With run-time stats on, the kernel times every run between two clock
 * reads (__bpf_prog_run in include/linux/filter.h: sched_clock() before
 * and after the call into the JITed image). Part of each read falls
 * inside that window, and the call into and out of the image does too,
 * so a program that does nothing still reports tens of ns per run: about
 * 45-60 ns on a KVM guest whose sched_clock goes through pvclock. What is
 * inside the window changed in 6.10 (commit ce09cbdd9888, "bpf: Improve
 * program stats run-time calculation", moved the end read before the
 * u64_stats updates), so the size is measured, never assumed.
 *
 * Measured how: an empty raw_tp program (bc_stats_bias) run by BPF_PROG_TEST_RUN
 * with stats on, one run per bpf() call, in batches. A raw_tp test run
 * goes through the same bpf_prog_run() (and so the same two clock reads)
 * as a tracepoint's bpf_trace_run(); nothing is attached, so the rest of
 * the host never runs it. Its run_time_ns per run is the bias: what the
 * stats report for a program that does nothing. On this project's
 * development VM (KVM clock, page-table isolation with a TLB flush at every
 * kernel entry) it reads 35-45 ns. Where the same empty program sits first
 * on a hook right after a kernel entry (sys_enter) it reads 60-70 ns: the
 * difference is the cost of entering a cold image (TLB and cache misses),
 * real program cost that sampling charges to the program too. The bias is
 * therefore context-dependent by some ns; the batches' interval does not
 * include that.
 *
 * Corrected = raw - bias: the time the program's own work adds beyond
 * entering and leaving an empty program. It applies to programs the
 * kernel runs through __bpf_prog_run (tracepoint, raw_tp, tp_btf, kprobe,
 * perf_event, socket, XDP, tc, cgroup programs). Programs run from a BPF
 * trampoline (fentry/fexit/fmod_ret, LSM, struct_ops, freplace) are timed
 * by __bpf_prog_enter/__bpf_prog_exit instead, with a different window;
 * they are not corrected (sb_applies). */
#ifndef BPFCOST_STATSBIAS_H
#define BPFCOST_STATSBIAS_H

#include <stdbool.h>
#include <stdint.h>

#define SB_LEVEL 0.95
#define SB_DEFAULT_BATCHES 12
#define SB_DEFAULT_RUNS 5000	/* per batch: ~10 ms of prctl calls each */
#define SB_MAX_PARTS 4

struct sb_bias {
	bool valid;
	double ns_per_run;	/* mean of the batch means */
	double lo, hi;		/* SB_LEVEL t-interval over the batch means */
	unsigned batches;
	uint64_t runs;		/* runs of the empty program counted */
	double elapsed_s;	/* wall time the measurement took */
	char hook[32];		/* how the empty program ran: "raw_tp test run" */
	char clocksource[32];	/* current clocksource ("kvm-clock", "tsc") */
	char why[200];		/* one line, when !valid */
	/* Measured in nparts separate times (sb_combine; 1 for sb_measure),
	 * part_ns[i] the mean of each. lo..hi covers the batches of these
	 * measurements only: between measurements minutes apart the bias has
	 * moved by more than one measurement's interval (reports minutes apart
	 * read 35.7 [33.5, 37.8] and 44.2 [40.9, 47.5] ns on the development
	 * VM), the context-dependence described above. */
	unsigned nparts;
	double part_ns[SB_MAX_PARTS];
};

/* Measure the bias. Run-time stats must be on (the caller holds them, see
 * bpfstats.h); -ENODATA when the empty program's runs were not counted
 * (stats off), -errno when it cannot be loaded or attached (why says
 * which). batches >= 2, runs_per_batch >= 1. Takes about
 * batches * runs_per_batch * 1.5 us. */
int sb_measure(struct sb_bias *b, unsigned batches, unsigned runs_per_batch);

/* Pure: b measured again (more, another time) folded into b: the mean
 * of every batch, and an interval that covers both measurements'
 * intervals (their envelope), so that drift between the two widens it.
 * An invalid more leaves b as it is; an invalid b becomes more. At most
 * SB_MAX_PARTS parts are listed; the figures take every one. */
void sb_combine(struct sb_bias *b, const struct sb_bias *more);

/* Pure: mean and t-interval of batch means (ns per run) into b. */
int sb_from_batches(struct sb_bias *b, const double *batch_ns, unsigned n);

/* Whether the bias applies to a program: its runs go through
 * __bpf_prog_run. prog_type is enum bpf_prog_type; raw_tp_link: a raw
 * tracepoint link attaches it. A BPF_PROG_TYPE_TRACING program attached by
 * a raw tracepoint link is a tp_btf program (bpf_trace_run, no trampoline,
 * kernel/trace/bpf_trace.c); one without such a link is fentry/fexit/
 * fmod_ret/iter, run from a trampoline, and not corrected. */
bool sb_applies(uint32_t prog_type, bool raw_tp_link);

struct sb_corrected {
	bool applies;		/* the bias applies and was measured */
	bool resolved;		/* the interval lies above zero */
	double ns_per_run;	/* raw - bias; clamped at 0 when !resolved */
	double lo, hi;		/* interval, lo clamped at 0 */
	double cpu_pct;		/* % of one CPU: (time - runs * bias) / wall */
	double cpu_pct_lo, cpu_pct_hi;
};

/* Correct one program's interval figures: runs and time_ns over wall_s.
 * Never negative: when the interval reaches zero or below, resolved is
 * false and ns_per_run/lo are 0, hi the upper bound ("< hi"). */
void sb_correct(const struct sb_bias *b, bool applies, uint64_t runs, uint64_t time_ns,
		double wall_s, struct sb_corrected *out);

#endif
