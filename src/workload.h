/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* The syscall workload generator and its timing core. `bpfcost load` is a
 * thin front end; the A/B method (overhead) runs rounds through wl_run(). */
#ifndef BPFCOST_WORKLOAD_H
#define BPFCOST_WORKLOAD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "hist.h"

enum wl_kind {
	WL_GETPID,	/* getpid() */
	WL_READ,	/* read(/dev/zero, 64 B) */
	WL_WRITE,	/* write(/dev/null, 64 B) */
	WL_OPENAT,	/* openat(/dev/null) + close: 2 syscalls per call */
	WL_FSTAT,	/* fstat() on an open fd */
	WL_PIPE,	/* pipe ping-pong with a partner thread: 4 syscalls per call */
	WL_NANOSLEEP,	/* nanosleep(0) */
	WL_KIND_COUNT,
};

#define WL_MASK_ALL ((1u << WL_KIND_COUNT) - 1)
/* What overhead, report and demo time when not told: getpid, the cheapest
 * syscall, where an added cost shows most plainly; read and write, which
 * most agents trace; openat, which file monitors hook (opensnoop, Falco's
 * and Tetragon's file rules), so an agent whose programs run on openat
 * only shows both kinds of cost. compare and syscall default to getpid
 * alone: they split their budget per kind and want precision on one. */
#define WL_DEFAULT_KINDS "getpid,read,write,openat"

const char *wl_kind_name(enum wl_kind k);
/* Syscalls one call of this kind issues, across both ping-pong threads. */
unsigned wl_kind_syscalls(enum wl_kind k);
/* "getpid,read" or "all" -> mask. Unknown name: one-line error, -EINVAL. */
int wl_parse_mix(const char *list, unsigned *mask);
/* One /proc/cpuinfo line: -1 unless it is the "flags" line; else 1 when it
 * lists every one of the n flags as a whole word, 0 when one is missing.
 * Pure parsing (fuzzed: tests/fuzz). */
int wl_cpuinfo_flags_line(const char *line, const char *const *flags, size_t n);

#define WL_CPU_NONE (-1)
#define WL_CPU_AUTO (-2)

struct wl_config {
	unsigned mask;		/* kinds to run, round-robin */
	int threads;		/* worker threads (>= 1) */
	int cpu;		/* pin thread i to the i-th usable CPU from cpu on
				 * (cpus_usable_nth: online and in our CPU set,
				 * cycling); WL_CPU_NONE: no pinning; WL_CPU_AUTO:
				 * from the first usable CPU */
	double duration_s;	/* stop after this long (0: use count) */
	uint64_t count;		/* calls of each kind per thread (0: use duration) */
	double rate;		/* target calls/s per thread, 0 = full speed */
	/* The measured window's edges, called on wl_run's own thread: with
	 * on = true once every worker is set up (fds open, pinned, partner
	 * started) and none has begun its timed calls; with on = false once
	 * every worker has left its timed loop and none has begun to tear
	 * down (closes, joins). A probe that records only in between sees
	 * the workload's calls and none of its setup. NULL: no hook. */
	void (*window)(bool on, void *arg);
	void *window_arg;
};

struct wl_kind_result {
	uint64_t calls;		/* calls made */
	uint64_t syscalls;	/* syscalls issued, exact (calls * wl_kind_syscalls) */
	uint64_t errors;	/* calls whose syscall failed */
	struct hist lat;	/* per-call latency in ns, clock cost removed */
};

struct wl_result {
	struct wl_kind_result k[WL_KIND_COUNT];
	double elapsed_s;
	uint64_t total_calls;
	uint64_t total_syscalls;
	const char *clock_name;		/* "rdtscp" or "clock_gettime" */
	double clock_overhead_ns;	/* cost of one timestamp pair, subtracted */
	bool stopped;			/* ended early by a stop request */
};

/* Check and settle a workload start CPU before anything runs: WL_CPU_AUTO
 * becomes the first CPU this process may use (online and in its CPU set);
 * an explicit CPU must be usable, else a one-line error says why (no such
 * CPU, offline, outside our cpuset) and -EINVAL. WL_CPU_NONE stays. */
int wl_cpu_resolve(int *cpu);
/* Calibrate the clock once per process (cheap after the first call). */
int wl_clock_init(void);
/* Run the workload to completion (or until bc_stop_requested()). The
 * result is heap-sized (hists): allocate with wl_result_new. */
int wl_run(const struct wl_config *cfg, struct wl_result *res);
struct wl_result *wl_result_new(void);
void wl_result_free(struct wl_result *r);

#endif
