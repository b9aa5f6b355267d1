// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Syscall-path wrapping: choose what to wrap on this kernel (by trying),
 * attach with fentry/fexit or kprobe/kretprobe, run the phases, collect.
 *
 * What encloses the syscall tracepoints differs by kernel. Old kernels
 * have a traceable do_syscall_64 around everything. Newer ones mark it
 * noinstr and inline the enter/exit work into it, so the window is put
 * together from the enter work (or the tracepoint iterator that runs the
 * tracer's probes), the syscall dispatcher and the exit work; see
 * bpf/syscallwrap.bpf.c. Every candidate is tried, none is assumed. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/perf_event.h>
#include <sys/syscall.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include "common.h"
#include "cpumask.h"
#include "kfeatures.h"
#include "kprobe_events.h"
#include "syscalls.h"
#include "syscallwrap.h"
#include "syscallwrap.skel.h"

struct sw_cand_def {
	enum sw_role role;
	const char *func;
	bool encloses;
	bool per_syscall;
	unsigned holds;		/* the elements of the path it runs (EL bits) */
};

#define EL(e) (1u << (e))
#define EL_ALL ((1u << SW_EL_COUNT) - 1)

_Static_assert(KPE_MAX >= SW_MAX_PROBES + 1, "kprobe_events slots for every probe and a trial");

/* The per-syscall body, shown as a pattern; tried on getpid's function. */
#define PER_SYSCALL_FUNC "__x64_sys_*"
#define PER_SYSCALL_TRIAL "__x64_sys_getpid"

/* In order of preference per role; what each holds is from the call
 * chains in syscallwrap.h (enum sw_elem). */
static const struct sw_cand_def cand_defs[] = {
	/* up to 5.8: encloses everything but the entry assembly */
	{ SW_ROLE_BODY,  "do_syscall_64", true, false, EL_ALL & ~EL(SW_EL_ASM) },
	/* 6.9+ and backports: the dispatcher */
	{ SW_ROLE_BODY,  "x64_sys_call", false, false, EL(SW_EL_DISPATCH) | EL(SW_EL_SYSCALL) },
	/* 5.9-6.8 without the backport: no dispatcher to wrap, so each tracked
	 * syscall's own function, by kprobe (the number from regs->orig_ax). */
	{ SW_ROLE_BODY,  PER_SYSCALL_FUNC, false, true, EL(SW_EL_SYSCALL) },
	/* generic entry, when not inlined: the whole entry work */
	{ SW_ROLE_ENTER, "syscall_trace_enter", false, false,
	  EL(SW_EL_ENTER_WORK) | EL(SW_EL_ENTER_CALL) | EL(SW_EL_ENTER_PROBES) },
	/* runs the sys_enter probes, nothing else */
	{ SW_ROLE_ENTER, "__traceiter_sys_enter", false, false, EL(SW_EL_ENTER_PROBES) },
	{ SW_ROLE_EXIT,  "syscall_exit_work", false, false,
	  EL(SW_EL_EXIT_WORK) | EL(SW_EL_EXIT_CALL) | EL(SW_EL_EXIT_PROBES) },
	{ SW_ROLE_EXIT,  "__traceiter_sys_exit", false, false, EL(SW_EL_EXIT_PROBES) },
};

static const struct sw_elem_info elem_info[SW_EL_COUNT] = {
	[SW_EL_ASM] = { "entry_asm", "entry_SYSCALL_64 and the return to user space (assembly)",
			"entry/return assembly" },
	[SW_EL_ENTER_USER] = { "enter_from_user_mode",
			       "enter_from_user_mode: context tracking, interrupts on",
			       "enter_from_user_mode" },
	[SW_EL_ENTER_WORK] = { "enter_work", "the entry work a syscall tracepoint turns on for "
			       "every thread (syscall_trace_enter): ptrace, seccomp, audit",
			       "seccomp/audit/ptrace entry work" },
	[SW_EL_ENTER_CALL] = { "sys_enter_call",
			       "the sys_enter tracepoint's test and its call into the probes",
			       "the sys_enter call" },
	[SW_EL_ENTER_PROBES] = { "sys_enter_probes", "the sys_enter probes: every program on "
				 "the tracepoint, the tracer's and any padding program",
				 "sys_enter probes" },
	[SW_EL_DISPATCH] = { "dispatch", "dispatch to the syscall's function (x64_sys_call's "
			     "switch, or the sys_call_table call)", "dispatch" },
	[SW_EL_SYSCALL] = { "syscall", "the syscall's own function (__x64_sys_NAME)",
			    "the syscall" },
	[SW_EL_EXIT_WORK] = { "exit_work", "the exit work the tracepoint turns on "
			      "(syscall_exit_work): audit, ptrace", "audit/ptrace exit work" },
	[SW_EL_EXIT_CALL] = { "sys_exit_call",
			      "the sys_exit tracepoint's test and its call into the probes",
			      "the sys_exit call" },
	[SW_EL_EXIT_PROBES] = { "sys_exit_probes", "the sys_exit probes: every program on the "
				"tracepoint, the tracer's and any padding program",
				"sys_exit probes" },
	[SW_EL_EXIT_USER] = { "exit_to_user_mode", "the return-to-user work: rseq, signals, "
			      "rescheduling (exit_to_user_mode)", "return-to-user work" },
};

const struct sw_elem_info *sw_elem_info(enum sw_elem e)
{
	return (unsigned)e < SW_EL_COUNT ? &elem_info[e] : NULL;
}

/* Which elements the chosen functions hold, per role. */
static void fill_inside(struct sw_result *res)
{
	for (int e = 0; e < SW_EL_COUNT; e++)
		res->inside[e] = -1;
	for (size_t i = 0; i < ARRAY_SIZE(cand_defs); i++) {
		const struct sw_cand_def *d = &cand_defs[i];

		if (!res->func[d->role] || strcmp(res->func[d->role], d->func))
			continue;
		for (int e = 0; e < SW_EL_COUNT; e++)
			if (d->holds & EL(e))
				res->inside[e] = (int)d->role;
	}
}

/* BTF parameter names that carry the syscall number. */
static const char *const nr_param_names[] = { "nr", "id", "syscall" };

/* Syscalls behind each workload kind (what the workload really issues:
 * glibc's fstat is newfstatat on x86_64 since 2.33, fstat before) and how
 * many of each one call issues; 0: one of the kind's syscalls, which one
 * is libc's choice. */
struct kind_syscall {
	const char *name;
	unsigned per_call;
};

static const struct kind_syscall kind_sys[WL_KIND_COUNT][3] = {
	[WL_GETPID] = { { "getpid", 1 } },
	[WL_READ] = { { "read", 1 } },
	[WL_WRITE] = { { "write", 1 } },
	[WL_OPENAT] = { { "openat", 1 }, { "close", 1 } },
	[WL_FSTAT] = { { "fstat", 0 }, { "newfstatat", 0 } },
	/* worker write + partner read, partner write + worker read */
	[WL_PIPE] = { { "read", 2 }, { "write", 2 } },
	[WL_NANOSLEEP] = { { "nanosleep", 1 } },
};

/* Everything attached, for one cleanup path. */
struct sw_session {
	struct syscallwrap_bpf *skel;
	struct bpf_link *links[SW_MAX_PROBES];
	int nlinks;
	struct bpf_link *pads[2];	/* see bc_sw_pad_enter */
	struct kpe kpe;
	bool kpe_open;
	struct btf *btf;
	int nr_arg[SW_ROLE_COUNT];
	/* kprobe_profile counts when the measured window opened */
	uint64_t hits0[SW_MAX_PROBES], missed0[SW_MAX_PROBES];
};

const char *sw_method_name(enum sw_method m)
{
	static const char *const n[] = { "auto", "fentry", "kprobe" };

	return (unsigned)m < ARRAY_SIZE(n) ? n[m] : "?";
}

int sw_method_parse(const char *s, enum sw_method *m)
{
	for (int i = 0; i <= SW_METHOD_KPROBE; i++)
		if (!strcmp(s, sw_method_name(i))) {
			*m = i;
			return 0;
		}
	bc_err("unknown --method '%s' (valid: auto, fentry, kprobe)", s);
	return -EINVAL;
}

const char *sw_role_name(enum sw_role r)
{
	static const char *const n[] = { "body", "enter", "exit" };

	return (unsigned)r < ARRAY_SIZE(n) ? n[r] : "?";
}

static int cmp_uint(const void *a, const void *b)
{
	unsigned x = *(const unsigned *)a, y = *(const unsigned *)b;

	return x < y ? -1 : x > y;
}

int sw_kind_syscalls(unsigned kinds, unsigned *nrs, int max)
{
	int n = 0;

	for (int k = 0; k < WL_KIND_COUNT; k++) {
		if (!(kinds & (1u << k)))
			continue;
		for (int j = 0; j < 3 && kind_sys[k][j].name; j++) {
			int nr = syscall_lookup(kind_sys[k][j].name);
			bool dup = false;

			for (int i = 0; i < n; i++)
				dup |= nrs[i] == (unsigned)nr;
			if (nr >= 0 && nr < SW_MAX_NR && !dup && n < max)
				nrs[n++] = (unsigned)nr;
		}
	}
	qsort(nrs, (size_t)n, sizeof(*nrs), cmp_uint);
	return n;
}

/* Index of the parameter holding the syscall number, from BTF; -ENOENT
 * when the function has no BTF, -ESRCH when no parameter looks like it. */
static int btf_nr_param(const struct btf *btf, const char *func)
{
	const struct btf_type *t, *proto;
	const struct btf_param *p;
	int id;

	if (!btf)
		return -ENOENT;
	id = btf__find_by_name_kind(btf, func, BTF_KIND_FUNC);
	if (id < 0)
		return -ENOENT;
	t = btf__type_by_id(btf, id);
	proto = t ? btf__type_by_id(btf, t->type) : NULL;
	if (!proto)
		return -ENOENT;
	p = btf_params(proto);
	for (int i = 0; i < btf_vlen(proto) && i < 3; i++) {
		const char *name = btf__name_by_offset(btf, p[i].name_off);

		for (size_t j = 0; name && j < ARRAY_SIZE(nr_param_names); j++)
			if (!strcmp(name, nr_param_names[j]))
				return i;
	}
	return -ESRCH;
}

static void only_autoload(struct bpf_object *obj, const char *const *keep, int n)
{
	struct bpf_program *p;

	bpf_object__for_each_program(p, obj) {
		bool want = false;

		for (int i = 0; i < n; i++)
			want |= !strcmp(bpf_program__name(p), keep[i]);
		bpf_program__set_autoload(p, want);
	}
}

/* fentry trial: load and attach an empty program on func. */
static int try_fentry(const char *func, char *detail, size_t len)
{
	static const char *const keep[] = { "bc_sw_try" };
	struct syscallwrap_bpf *skel = syscallwrap_bpf__open();
	struct bpf_link *link = NULL;
	int err;

	if (!skel) {
		snprintf(detail, len, "cannot open the BPF object");
		return -errno ? -errno : -ENOMEM;
	}
	only_autoload(skel->obj, keep, 1);
	err = bpf_program__set_attach_target(skel->progs.bc_sw_try, 0, func);
	if (!err)
		err = syscallwrap_bpf__load(skel);
	if (err) {
		snprintf(detail, len, "fentry load refused: %s", strerror(-err));
		goto cleanup;
	}
	link = bpf_program__attach(skel->progs.bc_sw_try);
	if (!link) {
		err = -errno;
		snprintf(detail, len, "fentry attach refused: %s (notrace?)", strerror(-err));
		goto cleanup;
	}
	snprintf(detail, len, "fentry attach works");
cleanup:
	bpf_link__destroy(link);
	syscallwrap_bpf__destroy(skel);
	return err;
}

static int try_kprobe(struct kpe *k, const char *func, char *detail, size_t len)
{
	int err = kpe_try(k, func);

	if (err)
		snprintf(detail, len, "kprobe_events refused it: %s%s", strerror(-err),
			 err == -EINVAL ? " (no such symbol, or on the kprobe blacklist)" : "");
	else
		snprintf(detail, len, "kprobe created and removed");
	return err;
}

/* One candidate with one method: 0 when it can be attached and, for the
 * enter and body roles, BTF names the parameter carrying the syscall number. */
static int try_candidate(struct sw_session *s, enum sw_method m, const struct sw_cand_def *d,
			 char *detail, size_t len)
{
	int nr_arg, err;

	if (d->per_syscall) {
		/* fentry would need a loaded program per function. */
		if (m == SW_METHOD_FENTRY) {
			snprintf(detail, len, "per-syscall functions are wrapped with kprobes only");
			return -EOPNOTSUPP;
		}
		return try_kprobe(&s->kpe, PER_SYSCALL_TRIAL, detail, len);
	}
	nr_arg = btf_nr_param(s->btf, d->func);
	if (m == SW_METHOD_FENTRY && nr_arg == -ENOENT) {
		snprintf(detail, len, "no BTF for it (inlined, or absent)");
		return -ENOENT;
	}
	err = m == SW_METHOD_FENTRY ? try_fentry(d->func, detail, len) :
	      try_kprobe(&s->kpe, d->func, detail, len);
	if (!err && d->role != SW_ROLE_EXIT && nr_arg < 0) {
		err = nr_arg;
		snprintf(detail, len, "traceable, but %s",
			 nr_arg == -ESRCH ? "no parameter carries the syscall number" :
			 "no BTF to find the syscall number parameter");
	}
	return err;
}

/* Try every candidate for one method; record all trials in res. */
static void try_candidates(struct sw_session *s, enum sw_method m, struct sw_result *res)
{
	int mi = m == SW_METHOD_KPROBE;

	res->ncands[mi] = 0;
	for (size_t i = 0; i < ARRAY_SIZE(cand_defs) && i < SW_MAX_CANDIDATES; i++) {
		const struct sw_cand_def *d = &cand_defs[i];
		struct sw_candidate *c = &res->cand[mi][res->ncands[mi]++];

		*c = (struct sw_candidate){ .role = d->role, .func = d->func, .encloses = d->encloses,
					    .per_syscall = d->per_syscall };
		c->err = try_candidate(s, m, d, c->detail, sizeof(c->detail));
		c->ok = !c->err;
	}
}

static void session_close(struct sw_session *s);

/* The dispatcher trials of one method, for doctor; appends to why. */
static int probe_bodies(struct sw_session *s, enum sw_method m, char *why, size_t len)
{
	for (size_t i = 0; i < ARRAY_SIZE(cand_defs); i++) {
		const struct sw_cand_def *d = &cand_defs[i];
		size_t used = strlen(why);
		char detail[128];
		int err;

		if (d->role != SW_ROLE_BODY)
			continue;
		err = try_candidate(s, m, d, detail, sizeof(detail));
		if (!err) {
			snprintf(why, len, "%s on %s works", sw_method_name(m), d->func);
			return 0;
		}
		/* Short: the whole line must fit doctor's detail column. */
		snprintf(why + used, len - used, "%s%s %s %s", used ? ", " : "",
			 sw_method_name(m), d->func, err == -ENOENT ? "absent" :
			 feature_errname(err) ? feature_errname(err) : "refused");
	}
	return -EOPNOTSUPP;
}

/* FEAT_SYSCALL_DISPATCH, this method's own trial, run by the feature
 * layer (bc_feature_provide below). The method wraps the syscall
 * dispatcher: do_syscall_64 on old kernels, x64_sys_call on 6.9+ and
 * backports (kernel commit 1e3ad78334a6). Between the two (5.9 made
 * do_syscall_64 noinstr, e.g. Debian 11's 5.10) there is none, and only
 * kprobes on each syscall's own function can stand in for it: try the real
 * candidates, as sw_run does. fentry first; kprobes are asked about only
 * when fentry cannot do it. */
static void probe_dispatcher(struct bc_ctx *ctx, struct feature_result *r)
{
	struct sw_session s = { 0 };
	bool fentry, kprobe = false;
	char why[512] = "";
	int err = -EOPNOTSUPP;

	fentry = bc_feature_ok(ctx, FEAT_FENTRY_KFUNC);
	s.btf = btf__load_vmlinux_btf();
	if (fentry)
		err = probe_bodies(&s, SW_METHOD_FENTRY, why, sizeof(why));
	if (err)
		kprobe = bc_feature_ok(ctx, FEAT_KPROBE_TRACEFS);
	if (err && kprobe) {
		err = kpe_open(&s.kpe);
		s.kpe_open = !err;
		if (err)
			snprintf(why + strlen(why), sizeof(why) - strlen(why),
				 "%skprobe_events %s", why[0] ? ", " : "", feature_errname(err) ?
				 feature_errname(err) : "unusable");
		else
			err = probe_bodies(&s, SW_METHOD_KPROBE, why, sizeof(why));
	}
	if (!fentry && !kprobe)
		snprintf(r->detail, sizeof(r->detail),
			 "neither fentry nor kprobes here to trace it with");
	else if (err)
		snprintf(r->detail, sizeof(r->detail), "no traceable syscall dispatcher: %s", why);
	else
		snprintf(r->detail, sizeof(r->detail), "%s", why);
	session_close(&s);
	r->ok = !err;
	r->err = err ? -EOPNOTSUPP : 0;
}

static const struct feature_probe dispatcher_probe = {
	probe_dispatcher, "fentry, else kprobes, on each syscall dispatcher candidate",
};

void sw_feature_provide(void)
{
	bc_feature_provide(FEAT_SYSCALL_DISPATCH, &dispatcher_probe);
}

/* Pick the first working candidate per role. 0 when a window can be built. */
static int choose(struct sw_session *s, enum sw_method m, struct sw_result *res, char *why,
		  size_t len)
{
	int mi = m == SW_METHOD_KPROBE;

	memset(res->func, 0, sizeof(res->func));
	res->single = false;
	res->per_syscall = false;
	for (int i = 0; i < res->ncands[mi]; i++) {
		const struct sw_candidate *c = &res->cand[mi][i];

		if (!c->ok || res->func[c->role])
			continue;
		if (c->role != SW_ROLE_BODY && res->single)
			continue;
		res->func[c->role] = c->func;
		s->nr_arg[c->role] = c->per_syscall ? 0 : btf_nr_param(s->btf, c->func);
		if (c->role == SW_ROLE_BODY) {
			res->single = c->encloses;
			res->per_syscall = c->per_syscall;
		}
	}
	if (!res->func[SW_ROLE_BODY]) {
		snprintf(why, len, "%s: no traceable syscall dispatcher (tried do_syscall_64, "
			 "x64_sys_call%s)", sw_method_name(m),
			 m == SW_METHOD_KPROBE ? ", " PER_SYSCALL_FUNC : "");
		return -EOPNOTSUPP;
	}
	if (!res->single && (!res->func[SW_ROLE_ENTER] || !res->func[SW_ROLE_EXIT])) {
		snprintf(why, len, "%s: no traceable function around the sys_%s tracepoint work",
			 sw_method_name(m), res->func[SW_ROLE_ENTER] ? "exit" : "enter");
		return -EOPNOTSUPP;
	}
	fill_inside(res);
	return 0;
}

static int open_skel(struct sw_session *s, const struct sw_config *cfg, enum sw_method m,
		     const struct sw_result *res)
{
	/* The padding probes come last: loaded only without a single function. */
	static const char *const fentry_progs[] = { "bc_sw_fe_body", "bc_sw_fx_body",
		"bc_sw_fe_enter", "bc_sw_fx_enter", "bc_sw_fe_exit", "bc_sw_fx_exit",
		"bc_sw_pad_enter", "bc_sw_pad_exit" };
	static const char *const kprobe_progs[] = { "bc_sw_kp_body", "bc_sw_kr_body",
		"bc_sw_kp_enter", "bc_sw_kr_enter", "bc_sw_kp_exit", "bc_sw_kr_exit",
		"bc_sw_pad_enter", "bc_sw_pad_exit" };
	int nprogs = res->single ? 2 : 6, err = 0;

	s->skel = syscallwrap_bpf__open();
	if (!s->skel)
		return -errno ? -errno : -ENOMEM;
	s->skel->rodata->filter_tgid = cfg->observe ? (uint32_t)cfg->pid : (uint32_t)getpid();
	s->skel->rodata->skip_tgid = cfg->observe ? (uint32_t)getpid() : 0;
	s->skel->rodata->body_nr_arg = (uint32_t)s->nr_arg[SW_ROLE_BODY];
	s->skel->rodata->body_nr_in_regs = res->per_syscall;
	if (!res->single)
		s->skel->rodata->enter_nr_arg = (uint32_t)s->nr_arg[SW_ROLE_ENTER];
	only_autoload(s->skel->obj, m == SW_METHOD_FENTRY ? fentry_progs : kprobe_progs,
		      res->single ? nprogs : nprogs + 2);
	if (m == SW_METHOD_FENTRY) {
		struct bpf_program *p[] = { s->skel->progs.bc_sw_fe_body, s->skel->progs.bc_sw_fx_body,
			s->skel->progs.bc_sw_fe_enter, s->skel->progs.bc_sw_fx_enter,
			s->skel->progs.bc_sw_fe_exit, s->skel->progs.bc_sw_fx_exit };
		const char *fn[] = { res->func[SW_ROLE_BODY], res->func[SW_ROLE_BODY],
			res->func[SW_ROLE_ENTER], res->func[SW_ROLE_ENTER],
			res->func[SW_ROLE_EXIT], res->func[SW_ROLE_EXIT] };

		for (int i = 0; i < nprogs && !err; i++)
			err = bpf_program__set_attach_target(p[i], 0, fn[i]);
	}
	if (!err)
		err = syscallwrap_bpf__load(s->skel);
	return err;
}

static int fill_slots(struct sw_session *s, const unsigned *nrs, int n)
{
	int fd = bpf_map__fd(s->skel->maps.slot_of);

	for (int i = 0; i < n; i++) {
		uint32_t key = nrs[i], val = (uint32_t)i + 1;

		if (bpf_map_update_elem(fd, &key, &val, BPF_ANY))
			return -errno;
	}
	return 0;
}

static int attach_fentry(struct sw_session *s, const struct sw_result *res)
{
	struct bpf_program *p[] = { s->skel->progs.bc_sw_fe_body, s->skel->progs.bc_sw_fx_body,
		s->skel->progs.bc_sw_fe_enter, s->skel->progs.bc_sw_fx_enter,
		s->skel->progs.bc_sw_fe_exit, s->skel->progs.bc_sw_fx_exit };
	int n = res->single ? 2 : 6;

	for (int i = 0; i < n; i++) {
		struct bpf_link *l = bpf_program__attach(p[i]);

		if (!l) {
			int err = -errno;

			bc_err("fentry attach of %s failed: %s", bpf_program__name(p[i]),
			       strerror(-err));
			return err;
		}
		s->links[s->nlinks++] = l;
	}
	return 0;
}

/* A BPF program on a kprobe event runs from the event's own program list,
 * on every CPU, whichever CPU its perf event is bound to: one perf event
 * (on the first online CPU, not always 0) per kprobe event is enough, as
 * libbpf does for legacy kprobes. */
static int attach_kprobe_one(struct sw_session *s, struct bpf_program *prog, bool ret,
			     int maxactive, const char *suffix, const char *func)
{
	struct perf_event_attr attr = { .size = sizeof(attr), .type = PERF_TYPE_TRACEPOINT,
					.sample_period = 1, .wakeup_events = 1 };
	struct bpf_link *l;
	int id, pfd, err, cpu;

	err = kpe_add(&s->kpe, ret, maxactive, suffix, func, &id);
	if (err) {
		bc_err("cannot create %s on %s in kprobe_events: %s", ret ? "kretprobe" : "kprobe",
		       func, strerror(-err));
		return err;
	}
	attr.config = (uint64_t)id;
	cpu = cpus_first_online();
	if (cpu < 0)
		return cpu;
	pfd = bc_perf_event_open(&attr, -1, cpu);
	if (pfd < 0) {
		bc_err("perf_event_open of kprobe event %s failed: %s", suffix, strerror(-pfd));
		return pfd;
	}
	l = bpf_program__attach_perf_event(prog, pfd);
	if (!l) {
		err = -errno;
		close(pfd);
		bc_err("attaching %s to kprobe event %s failed: %s", bpf_program__name(prog), suffix,
		       strerror(-err));
		return err;
	}
	s->links[s->nlinks++] = l;	/* the link owns pfd now */
	return 0;
}

static int add_probe(struct sw_session *s, struct sw_result *res, enum sw_role role, bool ret,
		     int maxactive, const char *suffix, const char *func)
{
	struct bpf_program *progs[SW_ROLE_COUNT][2] = {
		[SW_ROLE_BODY] = { s->skel->progs.bc_sw_kp_body, s->skel->progs.bc_sw_kr_body },
		[SW_ROLE_ENTER] = { s->skel->progs.bc_sw_kp_enter, s->skel->progs.bc_sw_kr_enter },
		[SW_ROLE_EXIT] = { s->skel->progs.bc_sw_kp_exit, s->skel->progs.bc_sw_kr_exit },
	};
	struct sw_probe_count *pc;

	if (res->nprobes >= SW_MAX_PROBES)
		return -E2BIG;
	pc = &res->probes[res->nprobes++];
	memset(pc, 0, sizeof(*pc));
	pc->role = role;
	pc->is_return = ret;
	snprintf(pc->event, sizeof(pc->event), "%s", suffix);
	return attach_kprobe_one(s, progs[role][ret], ret, maxactive, suffix, func);
}

/* Each tracked syscall's own function: __x64_sys_NAME, or __x64_sys_newNAME
 * for the few whose kernel entry kept an old "new" name (fstat, uname...). */
static int per_syscall_func(struct sw_session *s, unsigned nr, char *func, size_t len)
{
	static const char *const prefixes[] = { "__x64_sys_", "__x64_sys_new" };
	const char *name = syscall_name(nr);

	for (size_t i = 0; name && i < ARRAY_SIZE(prefixes); i++) {
		snprintf(func, len, "%s%s", prefixes[i], name);
		if (!kpe_try(&s->kpe, func))
			return 0;
	}
	bc_err("no kprobe-able kernel function for syscall %u (%s)", nr, name ? name : "?");
	return -ENOENT;
}

static int attach_body_per_syscall(struct sw_session *s, int maxactive, const unsigned *nrs,
				   int nnrs, struct sw_result *res)
{
	for (int i = 0; i < nnrs; i++) {
		char func[64], suffix[2][32];
		int err = per_syscall_func(s, nrs[i], func, sizeof(func));

		snprintf(suffix[0], sizeof(suffix[0]), "body_%u", nrs[i]);
		snprintf(suffix[1], sizeof(suffix[1]), "body_ret_%u", nrs[i]);
		for (int ret = 0; ret < 2 && !err; ret++)
			err = add_probe(s, res, SW_ROLE_BODY, ret, maxactive, suffix[ret], func);
		if (err)
			return err;
	}
	return 0;
}

static int attach_kprobes(struct sw_session *s, int maxactive, const unsigned *nrs, int nnrs,
			  struct sw_result *res)
{
	static const struct {
		enum sw_role role;
		bool ret;
		const char *suffix;
	} a[] = {
		{ SW_ROLE_BODY, false, "body" },
		{ SW_ROLE_BODY, true, "body_ret" },
		{ SW_ROLE_ENTER, false, "enter" },
		{ SW_ROLE_ENTER, true, "enter_ret" },
		{ SW_ROLE_EXIT, false, "exit" },
		{ SW_ROLE_EXIT, true, "exit_ret" },
	};
	int n = res->single ? 2 : 6, err = 0;

	res->nprobes = 0;
	if (res->per_syscall)
		err = attach_body_per_syscall(s, maxactive, nrs, nnrs, res);
	for (int i = 0; i < n && !err; i++) {
		if (a[i].role == SW_ROLE_BODY && res->per_syscall)
			continue;
		err = add_probe(s, res, a[i].role, a[i].ret, maxactive, a[i].suffix,
				res->func[a[i].role]);
	}
	return err;
}

static int pads_on(struct sw_session *s, const struct sw_result *res)
{
	struct bpf_program *p[2] = { s->skel->progs.bc_sw_pad_enter, s->skel->progs.bc_sw_pad_exit };

	if (res->single)
		return 0;
	for (int i = 0; i < 2; i++) {
		s->pads[i] = bpf_program__attach(p[i]);
		if (!s->pads[i]) {
			int err = -errno;

			bc_err("attaching the padding probe %s failed: %s", bpf_program__name(p[i]),
			       strerror(-err));
			return err;
		}
	}
	return 0;
}

static void pads_off(struct sw_session *s)
{
	for (int i = 0; i < 2; i++) {
		bpf_link__destroy(s->pads[i]);
		s->pads[i] = NULL;
	}
}

static void session_close(struct sw_session *s)
{
	pads_off(s);
	/* Links first: a kprobe event cannot be removed while a perf event
	 * on it is open. */
	while (s->nlinks > 0)
		bpf_link__destroy(s->links[--s->nlinks]);
	syscallwrap_bpf__destroy(s->skel);
	s->skel = NULL;
	if (s->kpe_open)
		kpe_close(&s->kpe);
	s->kpe_open = false;
	btf__free(s->btf);
	s->btf = NULL;
}

/* Trials, choice and attachment for one method. */
static int setup_method(struct sw_session *s, const struct sw_config *cfg, enum sw_method m,
			const unsigned *nrs, int nnrs, struct sw_result *res, char *why, size_t len)
{
	int err;

	if (m == SW_METHOD_KPROBE && !s->kpe_open) {
		err = kpe_open(&s->kpe);
		if (err) {
			snprintf(why, len, "kprobe: tracefs kprobe_events unusable: %s",
				 strerror(-err));
			return err;
		}
		s->kpe_open = true;
	}
	try_candidates(s, m, res);
	err = choose(s, m, res, why, len);
	if (err)
		return err;
	err = open_skel(s, cfg, m, res);
	if (err) {
		snprintf(why, len, "%s: BPF load failed: %s", sw_method_name(m), strerror(-err));
		return err;
	}
	err = fill_slots(s, nrs, nnrs);
	if (!err)
		err = m == SW_METHOD_FENTRY ? attach_fentry(s, res) :
		      attach_kprobes(s, cfg->maxactive, nrs, nnrs, res);
	if (err)
		snprintf(why, len, "%s: attach failed: %s", sw_method_name(m), strerror(-err));
	res->method = m;
	return err;
}

static void detach_all(struct sw_session *s)
{
	struct btf *btf = s->btf;
	bool kpe = s->kpe_open;

	s->btf = NULL;		/* keep BTF and tracefs for the next method */
	s->kpe_open = false;
	session_close(s);
	s->btf = btf;
	s->kpe_open = kpe;
}

static int setup(struct sw_session *s, const struct sw_config *cfg, const unsigned *nrs,
		 int nnrs, struct sw_result *res)
{
	char why[200] = "";
	int err;

	s->btf = btf__load_vmlinux_btf();
	if (!s->btf)
		s->btf = NULL;	/* kprobes can still work, without nr parameters found */
	if (cfg->method != SW_METHOD_KPROBE) {
		err = setup_method(s, cfg, SW_METHOD_FENTRY, nrs, nnrs, res, why, sizeof(why));
		if (!err || cfg->method == SW_METHOD_FENTRY)
			goto out;
		snprintf(res->fentry_why, sizeof(res->fentry_why), "%s", why);
		detach_all(s);
	}
	err = setup_method(s, cfg, SW_METHOD_KPROBE, nrs, nnrs, res, why, sizeof(why));
out:
	if (err) {
		if (res->fentry_why[0])
			bc_err("cannot wrap the syscall path: %s; %s", res->fentry_why, why);
		else
			bc_err("cannot wrap the syscall path: %s", why);
	}
	return err;
}

/* ---- Phases ----------------------------------------------------------- */

/* kprobe_profile counts at one edge of the measured window: at its start
 * kept, at its end the difference is this phase's. */
static void read_probe_counts(struct sw_session *s, struct sw_result *res, int phase, bool start)
{
	for (int i = 0; i < res->nprobes; i++) {
		struct sw_probe_count *pc = &res->probes[i];
		uint64_t hits = 0, missed = 0;

		if (kpe_profile(&s->kpe, pc->event, &hits, &missed))
			continue;
		if (start) {
			s->hits0[i] = hits;
			s->missed0[i] = missed;
			continue;
		}
		pc->hits[phase] = hits - s->hits0[i];
		pc->missed[phase] = missed - s->missed0[i];
		res->missed[phase] += pc->missed[phase];
	}
}

/* One measured window: what its edges switch. */
struct sw_window {
	struct sw_session *s;
	struct sw_result *res;
	int phase;
};

/* An edge of the measured window (wl_config.window; around the watch in
 * pid mode). Recording is on only in between, so our own syscalls before
 * and after -- kprobe_events writes, the tracer's start and stop, the
 * kprobe_profile reads here, the workload threads' setup -- are never
 * windows. The store is a memory write into the BPF object's .bss, not a
 * syscall; seq_cst so that it is seen before the syscalls that follow. */
static void window_edge(bool on, void *arg)
{
	struct sw_window *w = arg;
	uint32_t *rec = &w->s->skel->bss->rec_phase;

	if (!on)
		__atomic_store_n(rec, 0, __ATOMIC_SEQ_CST);
	if (w->res->method == SW_METHOD_KPROBE)
		read_probe_counts(w->s, w->res, w->phase, on);
	if (on)
		__atomic_store_n(rec, (uint32_t)w->phase + 1, __ATOMIC_SEQ_CST);
}

/* Syscalls the workload issued, per tracked syscall: known where every
 * kind that issues it says how many per call. */
static void count_issued(const struct wl_result *wl, unsigned kinds, struct sw_result *res,
			 int phase)
{
	for (int i = 0; i < res->nsys; i++) {
		struct sw_phase_syscall *ps = &res->sys[i].ph[phase];

		ps->issued = 0;
		ps->issued_known = true;
		for (int k = 0; k < WL_KIND_COUNT; k++) {
			if (!(kinds & (1u << k)))
				continue;
			for (int j = 0; j < 3 && kind_sys[k][j].name; j++) {
				if (syscall_lookup(kind_sys[k][j].name) != (int)res->sys[i].nr)
					continue;
				ps->issued += wl->k[k].calls * kind_sys[k][j].per_call;
				ps->issued_known &= kind_sys[k][j].per_call > 0;
			}
		}
	}
}

static int run_phase(struct sw_session *s, const struct sw_config *cfg, struct sw_result *res,
		     int phase, struct wl_result *wl)
{
	struct sw_window w = { s, res, phase };
	struct wl_config c = cfg->wl;
	bool stopped;

	if (cfg->observe) {
		window_edge(true, &w);
		stopped = bc_sleep_interruptible(cfg->duration_s);
		window_edge(false, &w);
		return stopped ? -EINTR : 0;
	}
	c.mask = cfg->kinds;
	c.duration_s = cfg->duration_s;
	c.count = 0;
	c.window = window_edge;
	c.window_arg = &w;
	if (wl_run(&c, wl))
		return -EIO;
	count_issued(wl, cfg->kinds, res, phase);
	return wl->stopped || bc_stop_requested() ? -EINTR : 0;
}

static int read_phase(struct sw_session *s, struct sw_result *res, int phase)
{
	int ncpu = cpus_possible_count();	/* values per per-CPU map lookup */
	int hfd = bpf_map__fd(s->skel->maps.hists), sfd = bpf_map__fd(s->skel->maps.stats);
	uint64_t *buckets = calloc(HIST_NBUCKETS, sizeof(uint64_t));
	uint64_t *hv = calloc((size_t)ncpu, HIST_NBUCKETS * sizeof(uint64_t));
	struct sw_slot_stats *sv = calloc((size_t)ncpu, sizeof(*sv));
	int err = 0;

	if (ncpu < 0 || !buckets || !hv || !sv) {
		err = ncpu < 0 ? ncpu : -ENOMEM;
		goto cleanup;
	}
	for (int i = 0; i < res->nsys; i++) {
		struct sw_phase_syscall *ps = &res->sys[i].ph[phase];
		uint32_t key = (uint32_t)(phase * SW_SLOTS + i);
		struct sw_slot_stats t = { 0 };

		if (bpf_map_lookup_elem(hfd, &key, hv) || bpf_map_lookup_elem(sfd, &key, sv)) {
			err = -errno;
			goto cleanup;
		}
		memset(buckets, 0, HIST_NBUCKETS * sizeof(uint64_t));
		for (int c = 0; c < ncpu; c++) {
			for (int b = 0; b < (int)HIST_NBUCKETS; b++)
				buckets[b] += hv[(size_t)c * HIST_NBUCKETS + b];
			t.windows += sv[c].windows;
			t.slow += sv[c].slow;
			t.enter_ns += sv[c].enter_ns;
			t.body_ns += sv[c].body_ns;
			t.exit_ns += sv[c].exit_ns;
			t.lost += sv[c].lost;
		}
		hist_from_buckets(&ps->lat, buckets, HIST_NBUCKETS);
		if (ps->lat.count)	/* exact, where the buckets only give midpoints */
			ps->lat.sum = t.enter_ns + t.body_ns + t.exit_ns;
		ps->slow = t.slow;
		ps->lost = t.lost;
		if (t.windows) {
			ps->enter_ns = (double)t.enter_ns / (double)t.windows;
			ps->body_ns = (double)t.body_ns / (double)t.windows;
			ps->exit_ns = (double)t.exit_ns / (double)t.windows;
		}
	}
cleanup:
	free(buckets);
	free(hv);
	free(sv);
	return err;
}

static void note(const struct sw_config *cfg, const char *what)
{
	if (cfg->progress)
		cfg->progress(what, cfg->progress_arg);
}

static int measure(struct sw_session *s, const struct sw_config *cfg, struct tracer *t,
		   struct sw_result *res)
{
	struct wl_result *wl = cfg->observe ? NULL : wl_result_new();
	int err = 0;

	if (!cfg->observe && !wl)
		return -ENOMEM;
	for (int phase = cfg->compare ? 0 : 1; phase < SW_PHASES && !err; phase++) {
		uint64_t t0;

		if (phase == 1) {
			if (t) {
				note(cfg, "starting the tracer");
				err = tracer_on(t);
				if (err)
					break;
				res->tracer_progs = t->nprogs;
			}
			err = pads_on(s, res);
			if (err) {
				if (t)
					tracer_off(t);
				break;
			}
		}
		note(cfg, phase ? "measuring with the tracer" : "measuring without the tracer");
		t0 = bc_now_ns();
		err = run_phase(s, cfg, res, phase, wl);
		res->elapsed_s[phase] = (double)(bc_now_ns() - t0) / 1e9;
		if (phase == 1) {
			pads_off(s);
			if (t)
				tracer_off(t);
		}
		if (err)
			break;
		res->ran[phase] = true;
		err = read_phase(s, res, phase);
	}
	wl_result_free(wl);
	return err;
}

bool sw_added(const struct sw_result *res, const struct sw_syscall *s, double *p50_ns,
	      double *mean_ns)
{
	const struct hist *off = &s->ph[0].lat, *on = &s->ph[1].lat;

	if (!res->ran[0] || !res->ran[1] || !off->count || !on->count)
		return false;
	*p50_ns = (double)hist_percentile(on, 50) - (double)hist_percentile(off, 50);
	*mean_ns = hist_mean(on) - hist_mean(off);
	return true;
}

bool sw_incomplete(const struct sw_result *res, int phase)
{
	if (res->missed[phase])
		return true;
	for (int i = 0; i < res->nsys; i++)
		if (res->sys[i].ph[phase].lost)
			return true;
	return false;
}

int sw_run(const struct sw_config *cfg, struct tracer *t, struct sw_result *res)
{
	struct sw_session s = { 0 };
	unsigned nrs[SW_SLOTS];
	int nnrs, err;

	memset(res, 0, sizeof(*res));
	res->maxactive = cfg->maxactive;
	if (t)
		tracer_describe(t, res->tracer, sizeof(res->tracer));
	else if (cfg->compare)
		return -EINVAL;	/* no tracer to switch off for the first phase */
	nnrs = sw_kind_syscalls(cfg->kinds, nrs, SW_SLOTS);
	res->sys = calloc((size_t)(nnrs ? nnrs : 1), sizeof(*res->sys));
	if (!res->sys)
		return -ENOMEM;
	res->nsys = nnrs;
	for (int i = 0; i < nnrs; i++) {
		res->sys[i].nr = nrs[i];
		res->sys[i].name = syscall_name(nrs[i]);
	}
	err = setup(&s, cfg, nrs, nnrs, res);
	if (!err)
		err = measure(&s, cfg, t, res);
	session_close(&s);
	return err;
}

void sw_result_free(struct sw_result *res)
{
	free(res->sys);
	res->sys = NULL;
}
