// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* bpfcost syscall: per-syscall latency of the kernel's syscall path with
 * the tracer's probes inside the window, with the tracer and (--compare)
 * without it. Collection in syscallwrap.c; this file parses and prints. */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "common.h"
#include "tracer.h"
#include "cpumask.h"
#include "kfeatures.h"
#include "syscallwrap.h"

#define SC_DEFAULT_MIX "getpid"
#define SC_DEFAULT_DURATION_S 2.0

static const char syscall_help[] =
	"Usage: bpfcost syscall [OPTIONS] (--sysmon WEIGHT | -- COMMAND [ARGS...])\n\n"
	"Time a window of each syscall inside the kernel that holds the tracer's\n"
	"sys_enter and sys_exit probes: a per-syscall latency histogram with the\n"
	"tracer running and, with --compare, without it.\n\n"
	"What the window holds depends on what the kernel lets us wrap, so bpfcost\n"
	"tries the candidates and prints the window's parts and what is outside:\n"
	"  - an old, traceable do_syscall_64 (up to 5.8): everything but the entry\n"
	"    assembly, including the ptrace, seccomp and audit work that a syscall\n"
	"    tracepoint turns on for every thread (the slow path);\n"
	"  - 6.9+ and backports (Debian 12's 6.1): __traceiter_sys_enter +\n"
	"    x64_sys_call + __traceiter_sys_exit, timed apart and summed: the\n"
	"    tracepoints' probes, dispatch and the syscall; the slow path's\n"
	"    seccomp, audit and ptrace work and the entry and exit code are outside;\n"
	"  - 5.9-6.8 without that backport (Debian 11's 5.10): the same with each\n"
	"    tracked syscall's own __x64_sys_NAME function as the body, by kprobe\n"
	"    (dispatch is outside too).\n"
	"Where syscall_trace_enter and syscall_exit_work are traceable (not inlined),\n"
	"they are the enter and exit parts, and the slow path's work is inside.\n"
	"The enter and exit parts only run while a tracer uses the tracepoints.\n"
	"Only the measured windows are recorded: the probes stay attached, but\n"
	"recording is off during bpfcost's own setup and teardown (its writes to\n"
	"kprobe_events, starting and stopping the tracer, the workload threads' opens\n"
	"and closes). ISSUED is the workload's calls of each syscall in the window:\n"
	"each one is a window, or a lost one. With --compare, 'added' is the\n"
	"with-tracer p50 and mean minus the without-tracer ones: one run of each\n"
	"phase, too few values for an interval, so none is given (bpfcost overhead\n"
	"gives one from interleaved rounds).\n\n"
	"Methods: fentry/fexit (preferred, no limit on threads inside a function),\n"
	"or kprobe/kretprobe created in tracefs kprobe_events. A kretprobe holds one\n"
	"of maxactive instances per thread inside the function; when more threads\n"
	"block inside it (e.g. in nanosleep or pipe reads) returns are missed, and\n"
	"percentiles are then marked incomplete. --maxactive raises the limit.\n\n"
	"Probes: fentry_kfunc, kretprobe_pmu, kprobe_tracefs (until one works),\n"
	"syscall_dispatch; a refusal also probes what the other methods need, to\n"
	"name what works here.\n\n"
	"Options:\n"
	"  --sysmon WEIGHT        the tracer: the reference service (count, proc, events)\n"
	"  --compare              also measure without the tracer, first\n"
	"  --method M             auto (fentry, else kprobe), fentry or kprobe (default auto)\n"
	"  --maxactive N          kretprobe instances, 1..4096 (default: the kernel's)\n"
	"  --syscalls LIST        workload kinds whose syscalls are wrapped (default\n"
	"                         " SC_DEFAULT_MIX "; see bpfcost load --help)\n"
	"  --duration D           per phase (default 2s)\n"
	"  --threads N            workload threads, 1..1024 (default 1)\n"
	"  --cpu C                pin workload thread i to the i-th CPU from C among\n"
	"                         those we may use (online, in our CPU set); -1: no\n"
	"                         pinning (default: the first of them)\n"
	"  --pid PID              no workload: watch process PID for --duration\n"
	"  --hist                 also print the histograms\n"
	TRACER_OPTS_HELP
	"  -h, --help             this help\n\n"
	"EXAMPLES:\n"
	"  bpfcost syscall --sysmon events --compare\n"
	"  bpfcost syscall --sysmon count --method kprobe --syscalls nanosleep --threads 64\n"
	"  bpfcost syscall --sysmon count --method kprobe --syscalls nanosleep --threads 64 \\\n"
	"          --maxactive 256\n"
	"  bpfcost syscall --pid 1234 --syscalls read,write --duration 10s -- ./my-agent\n"
	"  bpfcost -j syscall --sysmon proc --syscalls getpid,read --hist\n";

struct syscall_opts {
	struct sw_config cfg;
	struct tracer_opts t;
	bool have_sysmon, hist, have_maxactive;
};

static int parse_opt(int c, const char *arg, void *opts)
{
	struct syscall_opts *o = opts;

	int terr = tracer_opt_parse(c, arg, &o->t);

	if (terr <= 0)
		return terr;
	switch (c) {
	case 'S':
		o->have_sysmon = true;
		return sysmon_weight_parse(arg, &o->t.weight);
	case 'C':
		o->cfg.compare = true;
		return 0;
	case 'm':
		return sw_method_parse(arg, &o->cfg.method);
	case 'M':
		o->have_maxactive = true;
		return parse_int("--maxactive", arg, 1, SW_MAXACTIVE_MAX, &o->cfg.maxactive);
	case 's':
		return wl_parse_mix(arg, &o->cfg.kinds);
	case 'd':
		return parse_duration("--duration", arg, &o->cfg.duration_s);
	case 't':
		return parse_int("--threads", arg, 1, 1024, &o->cfg.wl.threads);
	case 'c':
		return parse_int("--cpu", arg, WL_CPU_NONE, CPUMASK_MAX - 1, &o->cfg.wl.cpu);
	case 'p':
		o->cfg.observe = true;
		return parse_int("--pid", arg, 1, 0x3fffffff, &o->cfg.pid);
	case 'H':
		o->hist = true;
		return 0;
	}
	return -EINVAL;
}

static int check_args(struct syscall_opts *o)
{
	if (o->t.is_command == o->have_sysmon) {
		bc_err("give exactly one tracer: --sysmon WEIGHT or -- COMMAND ARGS");
		return -EINVAL;
	}
	if (o->have_maxactive && o->cfg.method == SW_METHOD_FENTRY) {
		bc_err("--maxactive applies to kretprobes; it cannot be used with --method fentry");
		return -EINVAL;
	}
	if (o->cfg.observe && kill(o->cfg.pid, 0) && errno == ESRCH) {
		bc_err("--pid %d: no such process", o->cfg.pid);
		return -EINVAL;
	}
	return 0;
}

/* Returns 1 when --help was printed, 0 to run, < 0 on bad input. */
static int parse_args(int argc, char **argv, struct syscall_opts *o)
{
	static const struct option opts[] = {
		{ "sysmon", required_argument, NULL, 'S' },
		{ "compare", no_argument, NULL, 'C' },
		{ "method", required_argument, NULL, 'm' },
		{ "maxactive", required_argument, NULL, 'M' },
		{ "syscalls", required_argument, NULL, 's' },
		{ "mix", required_argument, NULL, 's' },	/* load's old name, not in help */
		{ "duration", required_argument, NULL, 'd' },
		{ "threads", required_argument, NULL, 't' },
		{ "cpu", required_argument, NULL, 'c' },
		{ "pid", required_argument, NULL, 'p' },
		{ "hist", no_argument, NULL, 'H' },
		TRACER_LONGOPTS,
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	int err;

	memset(o, 0, sizeof(*o));
	o->cfg.wl.threads = 1;
	o->cfg.wl.cpu = WL_CPU_AUTO;
	o->cfg.duration_s = SC_DEFAULT_DURATION_S;
	tracer_opts_defaults(&o->t);
	err = wl_parse_mix(SC_DEFAULT_MIX, &o->cfg.kinds);
	/* '+': stop at the first non-option, the tracer command. */
	if (!err)
		err = bc_parse_opts(argc, argv, "+h", opts, syscall_help, parse_opt, o, false);
	if (err)
		return err;
	err = tracer_argv_after_separator(argc, argv, optind, "a tracer command",
					  "bpfcost syscall [OPTIONS] -- COMMAND ARGS");
	if (err)
		return err;
	o->t.is_command = optind < argc;
	o->t.argv = argv + optind;
	err = check_args(o);
	return err ? err : wl_cpu_resolve(&o->cfg.wl.cpu);
}

/* ---- Plain output ------------------------------------------------------ */

static const char *const phase_label[SW_PHASES] = { "no tracer", "tracer" };
static const char *const phase_key[SW_PHASES] = { "without_tracer", "with_tracer" };

/* What is inside the window, part by part, and what is outside it. */
static void print_window_parts(FILE *f, const struct sw_result *r)
{
	static const enum sw_role order[] = { SW_ROLE_ENTER, SW_ROLE_BODY, SW_ROLE_EXIT };

	fprintf(f, "  Inside the window:\n");
	for (size_t i = 0; i < ARRAY_SIZE(order); i++) {
		bool first = true;

		for (int e = 0; e < SW_EL_COUNT; e++) {
			if (r->inside[e] != (int)order[i])
				continue;
			fprintf(f, "    %-5s %-22s %s\n", first ? sw_role_name(order[i]) : "",
				first ? BC_ESC(r->func[order[i]]) : "", sw_elem_info(e)->what);
			first = false;
		}
	}
	fprintf(f, "  Outside it (not timed%s):\n", r->single ? "" : "; between the parts too");
	for (int e = 0; e < SW_EL_COUNT; e++)
		if (r->inside[e] < 0)
			fprintf(f, "    %s\n", sw_elem_info(e)->what);
}

static void print_window(FILE *f, const struct sw_result *r)
{
	const char *m = r->method == SW_METHOD_FENTRY ? "fentry/fexit" : "kprobe/kretprobe";

	if (r->single) {
		fprintf(f, "Method: %s on %s, which encloses both syscall tracepoints\n", m,
			BC_ESC(r->func[SW_ROLE_BODY]));
		print_window_parts(f, r);
		return;
	}
	fprintf(f, "Method: %s; window = %s + %s + %s (enter part + syscall body + exit part,\n"
		"  summed: no traceable function encloses both syscall tracepoints here)\n", m,
		BC_ESC(r->func[SW_ROLE_ENTER]), BC_ESC(r->func[SW_ROLE_BODY]),
		BC_ESC(r->func[SW_ROLE_EXIT]));
	print_window_parts(f, r);
	if (r->per_syscall)
		fprintf(f, "  No syscall dispatcher can be wrapped on this kernel: the body is each\n"
			"  tracked syscall's own function; the dispatch around it is outside.\n");
	fprintf(f, "  Without a tracer the enter and exit parts do not run: the window is the\n"
		"  body alone. While the tracer runs, empty raw_tp programs (bc_sw_pad_*) sit\n"
		"  on sys_enter and sys_exit: a tracepoint with one probe calls it directly\n"
		"  (static call), skipping the iterator; a second probe makes the iterator\n"
		"  run. Their empty runs are inside the window.\n");
}

static void print_candidates(FILE *f, const struct sw_result *r)
{
	for (int mi = 0; mi < 2; mi++) {
		if (!r->ncands[mi])
			continue;
		fprintf(f, "Candidates tried (%s):\n", mi ? "kprobe" : "fentry");
		for (int i = 0; i < r->ncands[mi]; i++) {
			const struct sw_candidate *c = &r->cand[mi][i];

			fprintf(f, "  %-5s %-24s %-3s %s\n", sw_role_name(c->role), BC_ESC(c->func),
				c->ok ? "ok" : "no", BC_ESC(c->detail));
		}
	}
	if (r->fentry_why[0])
		fprintf(f, "fentry not used: %s\n", BC_ESC(r->fentry_why));
}

static void print_row(FILE *f, const struct sw_syscall *s, int phase, bool incomplete)
{
	const struct sw_phase_syscall *p = &s->ph[phase];
	const struct hist *h = &p->lat;

	char issued[24] = "-";

	if (p->issued_known)
		snprintf(issued, sizeof(issued), "%llu", (unsigned long long)p->issued);
	fprintf(f, "%-11s %-9s %10s %10llu %10llu %7llu", s->name ? s->name : "?",
		phase_label[phase], issued, (unsigned long long)h->count,
		(unsigned long long)p->slow, (unsigned long long)p->lost);
	if (!h->count) {
		fprintf(f, " %8s %8s %8s %9s %9s %9s %9s\n", "-", "-", "-", "-", "-", "-", "-");
		return;
	}
	fprintf(f, " %8llu %8llu %8llu %9.1f %9.1f %9.1f %9.1f%s\n",
		(unsigned long long)hist_percentile(h, 50), (unsigned long long)hist_percentile(h, 90),
		(unsigned long long)hist_percentile(h, 99), hist_mean(h), p->enter_ns, p->body_ns,
		p->exit_ns, incomplete ? "  INCOMPLETE" : "");
}

static void print_table(FILE *f, const struct sw_result *r)
{
	fprintf(f, "\nLatency in ns of the wrapped window; ISSUED = calls the workload made in the\n"
		"measured window (each one a window, unless lost); SLOW = windows through the\n"
		"enter/exit parts; LOST = windows begun but never completed (missed returns).\n"
		"Only the measured windows are recorded: not bpfcost's own setup and teardown.\n");
	fprintf(f, "%-11s %-9s %10s %10s %10s %7s %8s %8s %8s %9s %9s %9s %9s\n", "SYSCALL",
		"PHASE", "ISSUED", "WINDOWS", "SLOW", "LOST", "P50", "P90", "P99", "MEAN", "ENTER",
		"BODY", "EXIT");
	for (int i = 0; i < r->nsys; i++) {
		const struct sw_syscall *s = &r->sys[i];
		double p50, mean;

		for (int ph = 0; ph < SW_PHASES; ph++)
			if (r->ran[ph])
				print_row(f, s, ph, sw_incomplete(r, ph));
		if (sw_added(r, s, &p50, &mean))
			fprintf(f, "%-11s %-9s p50 %+.0f ns, mean %+.1f ns\n", "", "added", p50, mean);
	}
	if (r->ran[0] && r->ran[1])
		fprintf(f, "added: no interval, " SW_ADDED_NO_INTERVAL ".\n");
}

static void print_probes(FILE *f, const struct sw_result *r)
{
	if (r->method != SW_METHOD_KPROBE)
		return;
	fprintf(f, "\nKprobe events (maxactive %s; from kprobe_profile, every process's hits in\n"
		"the measured window):\n",
		r->maxactive ? "as given" : "kernel default");
	for (int i = 0; i < r->nprobes; i++) {
		const struct sw_probe_count *p = &r->probes[i];

		fprintf(f, "  %-10s %-24s", BC_ESC(p->event), BC_ESC(r->func[p->role]));
		for (int ph = 0; ph < SW_PHASES; ph++)
			if (r->ran[ph])
				fprintf(f, "  %s: %llu hits, %llu missed", phase_label[ph],
					(unsigned long long)p->hits[ph],
					(unsigned long long)p->missed[ph]);
		fprintf(f, "\n");
	}
	if (r->maxactive)
		fprintf(f, "  maxactive: %d\n", r->maxactive);
}

static void print_hints(FILE *f, const struct sw_result *r)
{
	for (int ph = 0; ph < SW_PHASES; ph++) {
		if (!r->ran[ph] || !sw_incomplete(r, ph))
			continue;
		fprintf(f, "\n%s: %llu probe hits missed; percentiles are INCOMPLETE (the missed\n"
			"windows are likely the long ones).", phase_label[ph],
			(unsigned long long)r->missed[ph]);
		if (r->method == SW_METHOD_KPROBE)
			fprintf(f, " Hint: more threads were inside a kretprobed function than it\n"
				"has instances: raise --maxactive (now %s), or use --method fentry.\n",
				r->maxactive ? "set" : "the kernel default");
		else
			fprintf(f, "\n");
	}
}

static void print_plain(FILE *f, const struct sw_result *r, const struct syscall_opts *o)
{
	print_window(f, r);
	print_candidates(f, r);
	fprintf(f, "Tracer: %s (%d BPF programs)\n", BC_ESC(r->tracer), r->tracer_progs);
	if (o->cfg.observe)
		fprintf(f, "Watching pid %d for %.2f s per phase\n", o->cfg.pid, o->cfg.duration_s);
	else
		fprintf(f, "Workload: %d thread(s), %.2f s per phase\n", o->cfg.wl.threads,
			o->cfg.duration_s);
	print_table(f, r);
	print_probes(f, r);
	print_hints(f, r);
	if (!o->hist)
		return;
	for (int i = 0; i < r->nsys; i++)
		for (int ph = 0; ph < SW_PHASES; ph++)
			if (r->ran[ph] && r->sys[i].ph[ph].lat.count) {
				fprintf(f, "\n%s, %s:\n", r->sys[i].name, phase_label[ph]);
				hist_print(f, &r->sys[i].ph[ph].lat, "ns");
			}
}

/* ---- JSON ---------------------------------------------------------------- */

static json_t *candidates_json(const struct sw_result *r, int mi)
{
	json_t *a = json_array();

	for (int i = 0; i < r->ncands[mi]; i++) {
		const struct sw_candidate *c = &r->cand[mi][i];

		json_array_append_new(a, bc_json_pack("{s:s, s:s, s:b, s:b, s:s?, s:s}", "role",
						   sw_role_name(c->role), "function", c->func,
						   "encloses", c->encloses, "ok", c->ok, "error",
						   feature_errname(c->err), "detail", c->detail));
	}
	return a;
}

static json_t *elem_json(int e)
{
	const struct sw_elem_info *i = sw_elem_info(e);

	return bc_json_pack("{s:s, s:s}", "id", i->id, "what", i->what);
}

/* The window as a structure: each part (its function and the elements of
 * the syscall path it holds), and what is outside. */
static json_t *window_json(const struct sw_result *r)
{
	static const enum sw_role order[] = { SW_ROLE_ENTER, SW_ROLE_BODY, SW_ROLE_EXIT };
	json_t *parts = json_array(), *outside = json_array();

	for (size_t i = 0; i < ARRAY_SIZE(order); i++) {
		json_t *holds = json_array();

		if (!r->func[order[i]])
			continue;
		for (int e = 0; e < SW_EL_COUNT; e++)
			if (r->inside[e] == (int)order[i])
				json_array_append_new(holds, elem_json(e));
		json_array_append_new(parts, bc_json_pack("{s:s, s:s, s:o}", "role",
						       sw_role_name(order[i]), "function",
						       r->func[order[i]], "contains", holds));
	}
	for (int e = 0; e < SW_EL_COUNT; e++)
		if (r->inside[e] < 0)
			json_array_append_new(outside, elem_json(e));
	return bc_json_pack("{s:b, s:o, s:o, s:s}", "summed_parts", !r->single, "parts", parts,
			 "outside", outside, "without_tracer", r->single ?
			 "the same function; the entry and exit work run only while a tracer "
			 "uses the syscall tracepoints" :
			 "the body alone: the enter and exit parts run only while a tracer uses "
			 "the syscall tracepoints");
}

static json_t *syscall_json(const struct sw_result *r, const struct sw_syscall *s, bool buckets)
{
	json_t *o = bc_json_pack("{s:i}", "nr", (int)s->nr);
	double p50, mean;

	if (sw_added(r, s, &p50, &mean))
		json_object_set_new(o, "added", bc_json_pack("{s:f, s:f, s:n, s:s}", "p50_ns", p50,
							  "mean_ns", mean, "interval",
							  "no_interval", SW_ADDED_NO_INTERVAL));

	for (int ph = 0; ph < SW_PHASES; ph++) {
		const struct sw_phase_syscall *p = &s->ph[ph];

		if (!r->ran[ph])
			continue;
		json_object_set_new(o, phase_key[ph], bc_json_pack(
			"{s:o, s:I, s:I, s:I, s:b, s:f, s:f, s:f, s:o}", "issued",
			p->issued_known ? json_integer((json_int_t)p->issued) : json_null(), "windows",
			(json_int_t)p->lat.count, "slow", (json_int_t)p->slow, "lost",
			(json_int_t)p->lost, "complete", !sw_incomplete(r, ph), "enter_ns",
			p->enter_ns, "body_ns", p->body_ns, "exit_ns", p->exit_ns, "latency_ns",
			p->lat.count ? hist_to_json(&p->lat, buckets) : json_null()));
	}
	return o;
}

static json_t *probes_json(const struct sw_result *r)
{
	json_t *a = json_array();

	for (int i = 0; i < r->nprobes; i++) {
		const struct sw_probe_count *p = &r->probes[i];
		json_t *o = bc_json_pack("{s:s, s:s, s:s, s:b}", "event", p->event, "role",
				      sw_role_name(p->role), "function", r->func[p->role],
				      "is_return", p->is_return);

		for (int ph = 0; ph < SW_PHASES; ph++)
			if (r->ran[ph])
				json_object_set_new(o, phase_key[ph], bc_json_pack(
					"{s:I, s:I}", "hits", (json_int_t)p->hits[ph], "missed",
					(json_int_t)p->missed[ph]));
		json_array_append_new(a, o);
	}
	return a;
}

static int print_json(struct bc_ctx *ctx, const struct sw_result *r, const struct syscall_opts *o)
{
	json_t *sys = json_object(), *phases = json_object(), *doc;

	for (int i = 0; i < r->nsys; i++)
		json_object_set_new(sys, r->sys[i].name ? r->sys[i].name : "?",
				    syscall_json(r, &r->sys[i], o->hist));
	for (int ph = 0; ph < SW_PHASES; ph++)
		if (r->ran[ph])
			json_object_set_new(phases, phase_key[ph], bc_json_pack(
				"{s:f, s:I, s:b}", "elapsed_s", r->elapsed_s[ph], "missed",
				(json_int_t)r->missed[ph], "complete", !sw_incomplete(r, ph)));
	doc = bc_json_pack(
		"{s:s, s:{s:s?, s:s?, s:s?}, s:o, s:b, s:b, s:o, s:{s:o, s:o}, s:s?, s:{s:s, s:i}, "
		"s:s, s:o?, s:f, s:o, s:o, s:o}",
		"method", sw_method_name(r->method), "functions", "enter", r->func[SW_ROLE_ENTER],
		"body", r->func[SW_ROLE_BODY], "exit", r->func[SW_ROLE_EXIT], "window",
		window_json(r), "single", r->single,
		"per_syscall_body", r->per_syscall,
		"maxactive", r->maxactive ? json_integer(r->maxactive) : json_null(),
		"candidates", "fentry", candidates_json(r, 0), "kprobe", candidates_json(r, 1),
		"fentry_not_used", r->fentry_why[0] ? r->fentry_why : NULL,
		"tracer", "describe", r->tracer, "programs", r->tracer_progs,
		"mode", o->cfg.observe ? "pid" : "workload",
		"pid", o->cfg.observe ? json_integer(o->cfg.pid) : NULL,
		"duration_s", o->cfg.duration_s, "phases", phases, "syscalls", sys,
		"probes", probes_json(r));
	if (!doc) {
		bc_err("internal error: could not build the JSON document");
		return -ENOMEM;
	}
	return bc_json_emit(ctx, doc);
}

static void print_progress(const char *what, void *arg)
{
	bc_note("%s", what);
}

int cmd_syscall(struct bc_ctx *ctx, int argc, char **argv)
{
	struct syscall_opts o;
	struct sw_result res = { 0 };
	struct tracer t = { .log_fd = -1 };
	char why[256];
	int err;

	err = parse_args(argc, argv, &o);
	if (err)
		return err < 0 ? err : 0;
	if (!method_available(ctx, METHOD_SYSCALL_WRAP, why, sizeof(why))) {
		bc_err("syscall-path wrapping cannot run on this kernel: %s. For the whole "
		       "syscall cost use 'bpfcost overhead' (A/B timing of syscalls from user "
		       "space) instead", why);
		return -EOPNOTSUPP;
	}
	if (ctx->verbose)
		o.cfg.progress = print_progress;
	err = tracer_init(&t, &o.t);
	if (!err)
		err = sw_run(&o.cfg, &t, &res);
	if (err == -EINTR)
		bc_err("interrupted by signal %d; probes and tracer removed", bc_stop_signal());
	else if (!err && ctx->json)
		err = print_json(ctx, &res, &o);
	else if (!err)
		print_plain(ctx->out, &res, &o);
	tracer_fini(&t);
	sw_result_free(&res);
	return err;
}
