/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* Layout shared by profile.bpf.c and user space (profile.c). */
#ifndef BPFCOST_PROFILE_TYPES_H
#define BPFCOST_PROFILE_TYPES_H

#define PROF_MAX_EVENTS 4	/* counters per run: enough for IPC + two miss kinds */
#define PROF_DEPTH 4		/* in-flight runs per CPU (a power of two) */

/* One counter reading as bpf_perf_event_read_value returns it. */
struct prof_ev_val {
	__u64 counter, enabled, running;
};

/* Per-CPU totals over every completed run. Times and counter deltas are
 * exclusive: a run that nested inside another on the same CPU is
 * subtracted from the outer one. */
struct prof_stats {
	__u64 runs;
	__u64 sum_ns;
	__u64 max_ns;
	__u64 nested;		/* runs that began while another was in flight here */
	__u64 dropped;		/* entries discarded: exit never seen, or stack full */
	__u64 unmatched;	/* exits with no entry (attach edges, entry missed) */
	__u64 ev_failed;	/* runs whose counter read failed (not counted in ev) */
	struct prof_ev_val ev[PROF_MAX_EVENTS];	/* summed deltas */
};

/* One in-flight run. key is the target's first argument (its context
 * pointer): nested runs have their own, so an exit finds its own entry. */
struct prof_frame {
	__u64 key;
	__u64 ts;
	__u64 child_ns;
	__u64 ev_ok;
	struct prof_ev_val ev[PROF_MAX_EVENTS];
	__u64 child_ev[PROF_MAX_EVENTS];
};

/* Frames live at [base, top) modulo PROF_DEPTH; top and base only grow, so
 * a push on a full stack overwrites the oldest frame (a stale entry whose
 * exit was missed) and counts it dropped. */
struct prof_stack {
	__u64 top, base;
	struct prof_frame f[PROF_DEPTH];
};

#endif
