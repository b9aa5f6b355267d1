/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* Feature probing: the one place that knows what runs on this kernel.
 * Every probe tries the real thing (load, attach, open) rather than
 * guessing from versions. `bpfcost doctor` probes and prints them all; the
 * other commands ask bc_feature() and method_available() for just what
 * they need, to choose and to refuse. */
#ifndef BPFCOST_KFEATURES_H
#define BPFCOST_KFEATURES_H

#include <stdbool.h>
#include <stddef.h>
#include "common.h"

enum feature_id {
	FEAT_STATS_FD,		/* BPF_ENABLE_STATS(BPF_STATS_RUN_TIME) */
	FEAT_STATS_SYSCTL,	/* kernel.bpf_stats_enabled writable */
	FEAT_PROG_ITER,		/* iter/bpf_prog stats reader (progiter.h) load+attach+read */
	FEAT_RAW_TP,		/* raw_tracepoint load+attach */
	FEAT_TP_BTF,		/* tp_btf load+attach */
	FEAT_FENTRY_PROG,	/* fentry+fexit on a BPF program (trial target) */
	FEAT_FENTRY_TRACING,	/* fentry+fexit on a tracing (tp_btf) program: 6.8+ */
	FEAT_FENTRY_KFUNC,	/* fentry on a kernel function */
	FEAT_KPROBE_PMU,	/* perf kprobe PMU (kprobe) */
	FEAT_KRETPROBE_PMU,	/* perf kprobe PMU (kretprobe) */
	FEAT_KPROBE_TRACEFS,	/* tracefs kprobe_events, r<maxactive>: */
	FEAT_SYSCALL_DISPATCH,	/* a syscall dispatcher (or per-syscall functions) to wrap */
	FEAT_UPROBE,		/* perf uprobe PMU */
	FEAT_PERF_CYCLES,
	FEAT_PERF_INSTRUCTIONS,
	FEAT_PERF_CACHE_MISSES,
	FEAT_PERF_SW_CLOCK,	/* cpu-clock software event, kernel samples */
	FEAT_RINGBUF,
	FEAT_JIT,		/* net.core.bpf_jit_enable */
	FEAT_JIT_KALLSYMS,	/* bpf_prog_<tag> symbols in kallsyms */
	FEAT_VMLINUX_BTF,
	FEAT_LOCKDOWN,		/* ok = not in a mode that blocks us */
	FEAT_PERF_PARANOID,	/* ok = kernel sampling allowed for us */
	FEAT_COUNT,
};

struct feature_result {
	bool ok;
	int err;		/* negative errno of the failing step, 0 if ok */
	char detail[200];	/* one line: what was tried and what happened */
};

struct features {
	struct feature_result r[FEAT_COUNT];
	bool probed[FEAT_COUNT];	/* r holds a result */
	bool probing[FEAT_COUNT];	/* its trial is running (a cycle guard) */
	bool complete;			/* every feature probed */
};

enum method_id {
	METHOD_STATS,		/* kernel run-time stats */
	METHOD_AB,		/* A/B syscall timing */
	METHOD_SYSCALL_WRAP,	/* kprobe/kretprobe or fentry/fexit around syscall path */
	METHOD_PROFILE,		/* fentry/fexit on the target program */
	METHOD_ANNOTATE,	/* sampling attributed to JITed images */
	METHOD_COUNT,
};

const char *feature_name(enum feature_id id);	/* "stats_fd", ... (JSON keys) */
const char *feature_label(enum feature_id id);	/* human label */
const char *method_name(enum method_id id);	/* "stats", "ab", ... */
const char *method_command(enum method_id id);	/* "stats", "overhead", ... */
/* Symbolic name of a negative errno ("EPERM"), NULL for 0. */
const char *feature_errname(int err);

/* A feature's trial: fills r (ok, err: the negative errno of the failing
 * step, detail: one line saying what was tried and what happened). It may
 * ask bc_feature() for the features it builds on, which are probed first,
 * and only when it needs them. */
typedef void (*feature_probe_fn)(struct bc_ctx *ctx, struct feature_result *r);

struct feature_probe {
	feature_probe_fn fn;
	const char *trial;	/* what it does, for -v: "BPF_ENABLE_STATS" */
};

/* The feature layer calls each feature's trial by id from one table.
 * A trial that belongs to a method's own module (the syscall dispatcher
 * trial in syscallwrap.c, the iterator reader's in runstats.c) is
 * registered here by that module, so this layer never includes it. p is
 * kept (static storage); a later call for the same id replaces it (unit
 * tests put counting fakes in). -EINVAL for an unknown id. */
int bc_feature_provide(enum feature_id id, const struct feature_probe *p);

void features_free(struct features *f);
/* Every feature, probed once per process and cached in ctx (doctor).
 * NULL only on allocation failure. */
const struct features *bc_features(struct bc_ctx *ctx);
/* One feature, with what its trial builds on and nothing else, cached in
 * ctx. With ctx->verbose each trial run says so on stderr
 * ("bpfcost: probing: stats_fd (BPF_ENABLE_STATS...)"). NULL only on
 * allocation failure. */
const struct feature_result *bc_feature(struct bc_ctx *ctx, enum feature_id id);
/* bc_feature(ctx, id)->ok, false on allocation failure. */
bool bc_feature_ok(struct bc_ctx *ctx, enum feature_id id);
/* What is already known about a feature (probed or recorded), or NULL. */
const struct feature_result *bc_feature_known(const struct bc_ctx *ctx, enum feature_id id);
/* Record a result a command found by running the probe's own trial on the
 * thing it keeps using (stats/top open their iterator reader with exactly
 * the doctor's FEAT_PROG_ITER trial rather than load it twice). Named on
 * stderr with -v like a trial bc_feature runs. */
int bc_feature_record(struct bc_ctx *ctx, enum feature_id id, bool ok, int err,
		      const char *detail);

/* Whether a method can run here, probing only the features it needs (an
 * alternative that works ends the search: stats_fd spares stats_sysctl).
 * When not, why (if given) gets one line naming the missing features and
 * the methods that do work here; finding those probes what they need too,
 * so only a refusal pays for it. NULL ctx: false. */
bool method_available(struct bc_ctx *ctx, enum method_id m, char *why, size_t len);

/* Pure parsers of the kernel text the probes read (fuzzed: tests/fuzz).
 * A decimal int at the start of a sysfs/procfs value: 0, or -EINVAL when
 * there is none or it does not fit an int. */
int kf_parse_int(const char *text, int *val);
/* One /proc/config.gz line: the value character of "SYM=y" ('y', 'm', ...),
 * 'n' for "# SYM is not set", 0 for any other line. */
char kf_kconfig_line(const char *line, const char *sym);

#endif
