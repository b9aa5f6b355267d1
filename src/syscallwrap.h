/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* Syscall-path wrapping: per-syscall latency of the kernel's syscall path
 * from before the sys_enter tracepoint work to after the sys_exit work, so
 * a tracer's probes are inside the measured window. `bpfcost syscall` is
 * the front end; this is the collection API (report calls it too). */
#ifndef BPFCOST_SYSCALLWRAP_H
#define BPFCOST_SYSCALLWRAP_H

#include <stdbool.h>
#include <stdint.h>
#include "hist.h"
#include "tracer.h"
#include "workload.h"
#include "bpf/syscallwrap_types.h"

enum sw_method { SW_METHOD_AUTO, SW_METHOD_FENTRY, SW_METHOD_KPROBE };
enum sw_role { SW_ROLE_BODY, SW_ROLE_ENTER, SW_ROLE_EXIT, SW_ROLE_COUNT };

/* What an x86-64 syscall runs, in order, from the entry assembly to the
 * return to user space; a window holds those of them inside the functions
 * it wraps (sw_result.inside). The call chains, from the kernel source:
 *   6.1 (with the x64_sys_call backport) and 6.9+:
 *     entry_SYSCALL_64 -> do_syscall_64 (noinstr, arch/x86/entry/common.c)
 *       -> syscall_enter_from_user_mode (kernel/entry/common.c):
 *          enter_from_user_mode; if the thread's syscall_work has
 *          SYSCALL_WORK_ENTER: syscall_trace_enter (static, inlined on
 *          Debian's build): user dispatch, ptrace, seccomp, trace_sys_enter
 *          (-> its one probe by static call, or __traceiter_sys_enter
 *          with two or more), audit
 *       -> do_syscall_x64 -> x64_sys_call(regs, nr): switch -> __x64_sys_NAME
 *       -> syscall_exit_to_user_mode: rseq; with SYSCALL_WORK_EXIT:
 *          syscall_exit_work (static): audit, trace_sys_exit
 *          (-> __traceiter_sys_exit), ptrace; exit_to_user_mode_prepare
 *          (signals, rescheduling)
 *   5.9 - 6.8 (e.g. Debian 11's 5.10): the same entry and exit work, but
 *     do_syscall_64 calls sys_call_table[nr](regs) itself: no dispatcher
 *     function, the body is __x64_sys_NAME alone.
 *   up to 5.8: do_syscall_64 (traceable) runs all of it but the assembly:
 *     enter_from_user_mode, syscall_trace_enter, sys_call_table[nr](regs),
 *     syscall_return_slowpath (exit work, exit_to_usermode_loop).
 * A syscall tracepoint in use sets the work flags on every thread: the
 * entry and exit work then run for every syscall ("the slow path"). */
enum sw_elem {
	SW_EL_ASM,		/* entry_SYSCALL_64 and the return (sysret/iret) */
	SW_EL_ENTER_USER,	/* enter_from_user_mode */
	SW_EL_ENTER_WORK,	/* syscall_trace_enter: ptrace, seccomp, audit */
	SW_EL_ENTER_CALL,	/* trace_sys_enter: the tracepoint's test and call */
	SW_EL_ENTER_PROBES,	/* the sys_enter probes */
	SW_EL_DISPATCH,		/* x64_sys_call's switch or the sys_call_table call */
	SW_EL_SYSCALL,		/* __x64_sys_NAME */
	SW_EL_EXIT_WORK,	/* syscall_exit_work: audit, ptrace */
	SW_EL_EXIT_CALL,	/* trace_sys_exit: the tracepoint's test and call */
	SW_EL_EXIT_PROBES,	/* the sys_exit probes */
	SW_EL_EXIT_USER,	/* rseq, exit_to_user_mode: signals, rescheduling */
	SW_EL_COUNT,
};

/* An element's JSON id ("enter_work"), a line saying what it is, and a
 * few words for one-line summaries. */
struct sw_elem_info {
	const char *id, *what, *brief;
};
const struct sw_elem_info *sw_elem_info(enum sw_elem e);

#define SW_MAX_CANDIDATES 8
/* enter + exit probes, and a body probe pair per tracked syscall when the
 * body is each syscall's own function. */
#define SW_MAX_PROBES (2 * (SW_ROLE_COUNT - 1) + 2 * SW_SLOTS)
#define SW_MAXACTIVE_MAX 4096	/* the kernel's KRETPROBE_MAXACTIVE_MAX */

const char *sw_method_name(enum sw_method m);
int sw_method_parse(const char *s, enum sw_method *m);
const char *sw_role_name(enum sw_role r);

struct sw_config {
	enum sw_method method;
	int maxactive;		/* kretprobes: 0 = kernel default */
	unsigned kinds;		/* workload kinds (WL_*) whose syscalls are wrapped */
	bool observe;		/* watch --pid for duration_s instead of running the workload */
	int pid;		/* observe: the process to watch */
	double duration_s;	/* per phase */
	struct wl_config wl;	/* workload mode (duration from duration_s) */
	bool compare;		/* also a phase without the tracer */
	/* Progress notes ("phase 1/2: without tracer"), or NULL. */
	void (*progress)(const char *what, void *arg);
	void *progress_arg;
};

/* One candidate function tried for a role, and what happened. */
struct sw_candidate {
	enum sw_role role;
	const char *func;
	bool encloses;		/* would enclose both tracepoints by itself */
	bool per_syscall;	/* func is a pattern: each syscall's __x64_sys_ function */
	bool ok;
	int err;		/* negative errno of the failing step */
	char detail[160];
};

/* One probe's counts from kprobe_profile (kprobe method), per phase:
 * hits in the measured window, from every process. */
struct sw_probe_count {
	enum sw_role role;
	bool is_return;
	char event[48];
	uint64_t hits[SW_PHASES], missed[SW_PHASES];
};

struct sw_phase_syscall {
	/* Calls of it the workload issued in the measured window (workload
	 * mode; known unless libc picks between two syscalls, as for fstat).
	 * Every one is a window unless lost, ours are never: recording is on
	 * only while the workload's timed calls run. (The pipe kind's partner
	 * thread is not waited for at the end: its last write may return
	 * just after the window closed and not count.) */
	uint64_t issued;
	bool issued_known;
	struct hist lat;	/* whole windows, ns */
	uint64_t slow;		/* windows that went through an enter/exit part */
	double enter_ns, body_ns, exit_ns;	/* mean per window */
	uint64_t lost;		/* windows begun, never completed */
};

struct sw_syscall {
	unsigned nr;
	const char *name;
	struct sw_phase_syscall ph[SW_PHASES];	/* 0: without tracer, 1: with */
};

struct sw_result {
	enum sw_method method;		/* what was used */
	const char *func[SW_ROLE_COUNT];	/* chosen function per role; NULL: none */
	bool single;			/* the body function encloses everything */
	bool per_syscall;		/* the body is each syscall's own function (kprobes) */
	/* Per element of the syscall path, the role whose function holds it
	 * in the window, or -1: outside, not timed. */
	int inside[SW_EL_COUNT];
	int maxactive;			/* kprobe: as requested (0: kernel default) */
	struct sw_candidate cand[2][SW_MAX_CANDIDATES];	/* [fentry, kprobe] trials */
	int ncands[2];
	char fentry_why[200];		/* why fentry was not used (auto), or "" */
	int nsys;
	struct sw_syscall *sys;		/* nsys entries */
	int nprobes;
	struct sw_probe_count probes[SW_MAX_PROBES];
	uint64_t missed[SW_PHASES];	/* kretprobe/kprobe misses per phase */
	bool ran[SW_PHASES];		/* phase was measured */
	double elapsed_s[SW_PHASES];
	char tracer[256];
	int tracer_progs;
};

/* Choose the functions and method, attach, run the phases (without the
 * tracer when cfg->compare, then with it) and collect. t NULL: the tracer
 * runs already and is not ours to switch (report on a running agent): the
 * with-tracer phase only, cfg->compare must be false (-EINVAL). Returns
 * -EINTR when a signal stopped it; everything is detached and removed on
 * every return. */
int sw_run(const struct sw_config *cfg, struct tracer *t, struct sw_result *res);
/* Register this method's feature trial, FEAT_SYSCALL_DISPATCH (can
 * fentry, or else kprobes, wrap one of the syscall dispatcher candidates
 * here?), with the feature layer (kfeatures.h). Once, before probing. */
void sw_feature_provide(void);
void sw_result_free(struct sw_result *res);
/* The wrapped syscall numbers for a set of workload kinds, sorted;
 * returns how many (at most max). */
int sw_kind_syscalls(unsigned kinds, unsigned *nrs, int max);
/* What the tracer adds to one syscall's window: the with-tracer phase's
 * p50 and mean minus the without-tracer phase's, in ns. False unless both
 * phases ran and recorded windows. Each phase is one run, so the
 * difference has one value on each side: too few for an interval (it
 * would not see drift between the two runs); SW_ADDED_NO_INTERVAL says
 * so in the output. */
bool sw_added(const struct sw_result *res, const struct sw_syscall *s, double *p50_ns,
	      double *mean_ns);
#define SW_ADDED_NO_INTERVAL "one run per phase: too few values for an interval " \
	"(bpfcost overhead gives one from interleaved rounds)"
/* Percentiles of this phase are incomplete: returns or windows were lost. */
bool sw_incomplete(const struct sw_result *res, int phase);

#endif
