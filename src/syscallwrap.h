/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* Syscall-path wrapping: per-syscall latency of the kernel's syscall path
 * from before the sys_enter tracepoint work to after the sys_exit work, so
 * a tracer's probes are inside the measured window. `bpfcost syscall` is
 * the front end; this is the collection API (demo can call it too). */
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

/* One probe's counts from kprobe_profile (kprobe method), per phase. */
struct sw_probe_count {
	enum sw_role role;
	bool is_return;
	char event[48];
	uint64_t hits[SW_PHASES], missed[SW_PHASES];
};

struct sw_phase_syscall {
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
 * tracer when cfg->compare, then with it) and collect. Returns -EINTR
 * when a signal stopped it; everything is detached and removed on every
 * return. */
int sw_run(const struct sw_config *cfg, struct tracer *t, struct sw_result *res);
/* Register this method's feature trial, FEAT_SYSCALL_DISPATCH (can
 * fentry, or else kprobes, wrap one of the syscall dispatcher candidates
 * here?), with the feature layer (kfeatures.h). Once, before probing. */
void sw_feature_provide(void);
void sw_result_free(struct sw_result *res);
/* The wrapped syscall numbers for a set of workload kinds, sorted;
 * returns how many (at most max). */
int sw_kind_syscalls(unsigned kinds, unsigned *nrs, int max);
/* Percentiles of this phase are incomplete: returns or windows were lost. */
bool sw_incomplete(const struct sw_result *res, int phase);

#endif
