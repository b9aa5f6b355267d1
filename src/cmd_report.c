// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* bpfcost report: what an agent costs, by every method this kernel
 * allows, in one report. Collection is report.c; here are the options,
 * the progress line and the terminal and JSON printers (HTML:
 * report_html.c). */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "common.h"
#include "cpumask.h"
#include "owners.h"
#include "tracer.h"
#include "progs.h"
#include "report.h"
#include "report_print.h"
#include "sysmon.h"

static const char report_help[] =
	"Usage: bpfcost report [OPTIONS] -- COMMAND [ARGS...]\n"
	"       bpfcost report [OPTIONS] PROG...\n"
	"       bpfcost report [OPTIONS] --sysmon WEIGHT\n\n"
	"Measure what an agent's BPF programs cost, by every method this kernel\n"
	"allows, within one time budget, and say it in one report: the machine\n"
	"and the run-time stats' own share per run measured on it; per program\n"
	"its type, attach point, owner (pid/comm, or pinned), tail-call relations\n"
	"and recursion misses, runs/s, ns/run raw and corrected, CPU share by\n"
	"run-time stats and by cpu-clock samples, runs/s and CPU share over the\n"
	"window (JSON and HTML), and its hottest source lines; per syscall kind the\n"
	"latency with the agent off and on (p50/p90/p99/mean), the added ns with\n"
	"a 95% interval, the A/A control, and how much of it runs in the programs;\n"
	"where trampolines work, each program's ns per run p50/p90/p99 by\n"
	"fentry/fexit (profile, calibrated for the observer); where syscall-path\n"
	"wrapping works, each syscall's latency timed inside the kernel with the\n"
	"agent off and on (syscall_wrap: what the window holds, missed returns);\n"
	"and a verdict from those figures. A method that cannot run here, or\n"
	"fails, is listed as skipped with the reason; Ctrl-C gives the report of\n"
	"what was measured so far, marked partial.\n\n"
	"The agent is a COMMAND (started, measured, stopped; restarted for every\n"
	"A/B on-round, as bpfcost overhead does), the built-in reference service\n"
	"(--sysmon), or programs already loaded (PROG: id N | tag HEX | name NAME |\n"
	"pinned PATH | pid N | comm NAME): those are not stopped, so A/B is\n"
	"skipped.\n\n"
	"The budget is split once the agent has started (its start counts in the\n"
	"budget) and said on stderr before measuring, among the methods that\n"
	"run here (a skipped one gets no share): profile and syscall_wrap 15%\n"
	"each (at least 1 s; wrapping splits its share between agent off and on);\n"
	"with A/B, 40% for the window (run-time stats and sampling while the\n"
	"syscall workload runs on --cpu) and the rest, less ~0.5 s for measuring\n"
	"the stats' own share, for A/B: rounds of 0.05 s per syscall kind (0.20 s\n"
	"for the default four), as many off/on pairs (4 to 30) as fit with the\n"
	"agent's start and stop (its stop taken as 0.15 s until timed; refitted\n"
	"to the time left when A/B starts); when even 4 pairs do not fit, the window\n"
	"gives up time down to 1 s, else A/B is skipped up front, with why (the\n"
	"plan line says the seconds its fewest rounds need). A/B needs a budget\n"
	"of at least about 6 s for --sysmon with --syscalls getpid (7 s with\n"
	"getpid,openat), more with more kinds or an agent slow to start;\n"
	"without A/B (a running agent, or A/B skipped) the window gets all that\n"
	"is left. On a terminal, stderr shows what runs and its elapsed of\n"
	"expected seconds.\n\n"
	"What report attaches or creates, all removed when it ends (also on\n"
	"Ctrl-C, SIGTERM or an error): run-time stats on for the window (a\n"
	"BPF_ENABLE_STATS fd, else the sysctl, restored) and an empty raw_tp\n"
	"program to measure their own share; a cpu-clock perf event per CPU\n"
	"(sampling); profile: fentry/fexit programs on each of the agent's\n"
	"programs and on our empty calibration program (raw_tp sys_enter);\n"
	"syscall_wrap: fentry/fexit programs, or kprobe/kretprobe events in\n"
	"tracefs kprobe_events, on the syscall-path functions, and empty raw_tp\n"
	"programs on sys_enter/sys_exit while the agent is on; the agent itself\n"
	"when it is a COMMAND or --sysmon.\n\n"
	"Options:\n"
	"  --duration D           the whole budget (default 60s)\n"
	"  --quick                a 30 s budget (not with --duration)\n"
	"  --sysmon WEIGHT        the reference service: count, proc or events\n"
	"  --syscalls LIST        workload kinds (default " RP_DEFAULT_KINDS ")\n"
	"  --cpu C                pin the workload to CPU C; -1: no pinning (default:\n"
	"                         the first CPU we may use: online, in our CPU set)\n"
	"  -o, --output FILE      also write the report as one HTML file (charts\n"
	"                         and tables; opens offline)\n"
	TRACER_OPTS_HELP
	"  -h, --help             this help\n\n"
	"JSON (-j) follows docs/report.schema.json; its schema_version changes\n"
	"when a field changes meaning.\n\n"
	"Exit status: 0 a whole report; 1 a partial one (Ctrl-C or SIGTERM: the\n"
	"report is still written, marked partial) or a failure, among them no\n"
	"loaded program or no process matching the selector (as in stats, prog,\n"
	"annotate); 2 bad input: an option, value or selector that does not parse.\n\n"
	"EXAMPLES:\n"
	"  bpfcost report --quick --sysmon count\n"
	"  bpfcost report -o report.html -- bpftrace /usr/sbin/opensnoop.bt\n"
	"  bpfcost report --duration 2m --tracer-log agent.log -- ./my-agent --config prod.yaml\n"
	"  bpfcost report name sysmon_cnt_enter   # while 'bpfcost sysmon' runs\n"
	"  bpfcost -j report --quick --sysmon count | jq .verdict\n";

struct report_opts {
	struct rp_config cfg;
	const char *html;
	bool have_sysmon;
	char have_budget;	/* 'q' --quick or 'd' --duration seen, else 0 */
	char **sel_argv;
	int nsel;
};

static int parse_opt(int c, const char *arg, void *opts)
{
	struct report_opts *o = opts;

	int terr = tracer_opt_parse(c, arg, &o->cfg.tracer);

	if (terr <= 0)
		return terr;
	switch (c) {
	case 'd':
	case 'Q':
		/* both set the budget: refused, not the last one silently */
		if (o->have_budget && o->have_budget != (c == 'Q' ? 'q' : 'd')) {
			bc_err("--quick and --duration are mutually exclusive "
			       "(--quick is a %.0f s budget)", RP_QUICK_BUDGET_S);
			return -EINVAL;
		}
		o->have_budget = c == 'Q' ? 'q' : 'd';
		if (c == 'Q') {
			o->cfg.budget_s = RP_QUICK_BUDGET_S;
			return 0;
		}
		return parse_duration("--duration", arg, &o->cfg.budget_s);
	case 's':
		o->have_sysmon = true;
		return sysmon_weight_parse(arg, &o->cfg.tracer.weight);
	case 'k':
		return wl_parse_mix(arg, &o->cfg.kinds);
	case 'c':
		return parse_int("--cpu", arg, WL_CPU_NONE, CPUMASK_MAX - 1, &o->cfg.cpu);
	case 'o':
		o->html = arg;
		return 0;
	}
	return -EINVAL;
}

/* Returns 1 when --help was printed, 0 to run, < 0 on bad input. */
static int parse_args(int argc, char **argv, struct report_opts *o)
{
	static const struct option opts[] = {
		{ "duration", required_argument, NULL, 'd' },
		{ "quick", no_argument, NULL, 'Q' },
		{ "sysmon", required_argument, NULL, 's' },
		{ "syscalls", required_argument, NULL, 'k' },
		{ "cpu", required_argument, NULL, 'c' },
		{ "output", required_argument, NULL, 'o' },
		TRACER_LONGOPTS,
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	bool dashdash;
	int err;

	o->cfg.budget_s = RP_DEFAULT_BUDGET_S;
	o->cfg.sample_hz = RP_SAMPLE_HZ;
	o->cfg.cpu = WL_CPU_AUTO;
	tracer_opts_defaults(&o->cfg.tracer);
	err = wl_parse_mix(RP_DEFAULT_KINDS, &o->cfg.kinds);
	/* Options may follow selectors (getopt permutes); a command's own
	 * options are safe after "--", where getopt stops. */
	if (!err)
		err = bc_parse_opts(argc, argv, "ho:", opts, report_help, parse_opt, o, false);
	if (err)
		return err;
	dashdash = optind > 1 && !strcmp(argv[optind - 1], "--");
	if (optind < argc && dashdash) {
		o->cfg.subject = RP_SUBJECT_COMMAND;
		o->cfg.tracer.is_command = true;
		o->cfg.tracer.argv = argv + optind;
	} else if (optind < argc) {
		o->cfg.subject = RP_SUBJECT_RUNNING;
		o->sel_argv = argv + optind;
		o->nsel = argc - optind;
	} else {
		o->cfg.subject = RP_SUBJECT_SYSMON;
	}
	if ((o->cfg.subject == RP_SUBJECT_SYSMON) != o->have_sysmon) {
		bc_err("give one agent: -- COMMAND ARGS, --sysmon WEIGHT, or PROG selectors");
		return -EINVAL;
	}
	if (o->html && !strcmp(o->html, "-")) {
		bc_err("-o needs a file name: the HTML does not go to stdout");
		return -EINVAL;
	}
	return wl_cpu_resolve(&o->cfg.cpu);
}

/* ---- progress, on stderr when it is a terminal ---- */

/* One line, rewritten: "stats + sampling window: 1.5 of 2.8 s". */
void rp_on_progress(const char *what, double elapsed_s, double expected_s, void *arg)
{
	struct rp_progress *p = arg;
	double total = (double)(bc_now_ns() - p->start_ns) / 1e9;

	if (!p->tty)
		return;
	if (expected_s > 0)
		fprintf(stderr, "\r\033[Kbpfcost: report: %s: %.1f of %.1f s (report at %.0f s)",
			what, elapsed_s, expected_s, total);
	else
		fprintf(stderr, "\r\033[Kbpfcost: report: %s: %.1f s (report at %.0f s)", what,
			elapsed_s, total);
}

void rp_on_planned(const struct rp_plan *p, void *arg)
{
	const struct rp_progress *pr = arg;

	if (pr->tty)	/* over the progress line */
		fputs("\r\033[K", stderr);
	fprintf(stderr, "bpfcost: report: budget %.0f s: window (stats + sampling) %.1f s", p->budget_s,
		p->window_s);
	if (p->profile_s > 0)
		fprintf(stderr, ", profile %.1f s", p->profile_s);
	if (p->syswrap_s > 0)
		fprintf(stderr, ", syscall-path wrapping %.1f s", p->syswrap_s);
	if (p->ab_rounds > 0)
		fprintf(stderr, ", A/B %.1f s (%d off/on pairs, %.2f s rounds, %d decomposition "
			"rounds, the agent's start and stop taken as %.1f s; refitted to the time "
			"left when it starts)", p->ab_expected_s, p->ab_rounds, p->ab_round_s,
			p->ab_decomp_rounds, p->toggle_s);
	if (p->spent_s >= 0.05)
		fprintf(stderr, "; %.1f s spent before (setup%s)", p->spent_s,
			p->toggle_s > 0 ? ", the agent's start" : "");
	fputc('\n', stderr);
	if (p->ab_why[0])
		fprintf(stderr, "bpfcost: report: A/B not planned: %s\n", p->ab_why);
}

/* ---- terminal ---- */

static void print_machine(FILE *f, const struct rp_report *r)
{
	const struct machine_info *m = &r->machine;

	fprintf(f, "bpfcost report: %s%s\n", BC_ESC(r->title), r->partial ? "  [PARTIAL]" : "");
	if (r->partial)
		fprintf(f, "  partial: %s\n", r->partial_why);
	fprintf(f, "  generated %s, %.1f s; subject: %s\n\n", r->generated, r->elapsed_s,
		rp_subject_name(r->subject));
	fprintf(f, "MACHINE\n  kernel %s (%s), %s, %d CPUs online, clocksource %s\n",
		m->release, m->arch, BC_ESC(m->cpu_model), m->ncpus, m->clocksource);
	if (r->bias.valid) {
		fprintf(f, "  run-time stats' own share: %.1f ns/run (95%% CI %.1f..%.1f; empty "
			"program, %s", r->bias.ns_per_run, r->bias.lo, r->bias.hi, r->bias.hook);
		for (unsigned i = 0; i < r->bias.nparts; i++)
			fprintf(f, "%s%.1f", i ? ", " : "; measured ", r->bias.part_ns[i]);
		fprintf(f, ")\n  interval: %s\n", rp_bias_interval(&r->bias));
	} else
		fprintf(f, "  run-time stats' own share: not measured (%s)\n", r->bias.why);
	fprintf(f, "\nMETHODS\n");
	for (int m_ = 0; m_ < METHOD_COUNT; m_++) {
		const struct rp_section *s = &r->sec[m_];

		fprintf(f, "  %-13s %-11s", method_name(m_), rp_state_name(s->state));
		if (s->state == RP_RAN)
			fprintf(f, " %.1f s: %s\n", s->elapsed_s, rp_method_includes(m_));
		else
			fprintf(f, " %s\n", s->why[0] ? s->why : "-");
	}
}

/* The NAME column of report's program tables: as wide as the longest. */
static int name_width(const struct rp_report *r)
{
	int w = 24;

	for (int i = 0; i < r->nprogs; i++)
		w = bc_col_width(w, r->progs[i].full_name);
	return w;
}

/* Each program's type, attach point, owner, recursion misses, and its
 * tail-call relation on a line of its own. */
static void print_facts(FILE *f, const struct rp_report *r)
{
	int wname = name_width(r), wattach = 24, wowner = 20;
	char owner[160];

	for (int i = 0; i < r->nprogs; i++) {
		owners_format(&r->progs[i].owners, owner, sizeof(owner));
		wattach = bc_col_width(wattach, r->progs[i].attach);
		wowner = bc_col_width(wowner, owner);
	}
	fprintf(f, "\n  %-8s %-*s %-15s %-*s %-*s %7s\n", "ID", wname, "NAME", "TYPE", wattach,
		"ATTACH", wowner, "OWNER", "MISSES");
	for (int i = 0; i < r->nprogs; i++) {
		const struct rp_prog *p = &r->progs[i];
		char misses[24] = "-", tail[160] = "";

		owners_format(&p->owners, owner, sizeof(owner));
		if (p->has_stats)
			snprintf(misses, sizeof(misses), "%" PRIu64, p->misses);
		fprintf(f, "  %-8u %-*s %-15s %-*s %-*s %7s\n", p->id, wname, BC_ESC(p->full_name),
			prog_type_name(p->type), wattach, p->attach[0] ? BC_ESC(p->attach) : "-",
			wowner, owner[0] ? BC_ESC(owner) : "-", misses);
		tc_note(&p->tail, tail, sizeof(tail));
		if (tail[0])
			fprintf(f, "  %-8s %s\n", "", tail);
	}
	fprintf(f, "  ATTACH: its links; OWNER: processes holding a program, link or perf-event\n"
		   "  fd on it, else its bpffs pin; MISSES: runs the kernel skipped in the window\n"
		   "  (recursion_misses: it was already running on that CPU)%s.\n",
		r->tail_known ? "" : "; tail-call relations not read");
}

static const char *fig_mean(const struct prof_figures *g, char *buf, size_t len)
{
	if (g->below_calib & PROF_FIG_MEAN)
		snprintf(buf, len, "<calib");
	else
		snprintf(buf, len, "%.1f", g->mean);
	return buf;
}

/* fentry/fexit's per-run distribution, observer-corrected where
 * calibrated ('<calib': at or below the observer's own cost). */
static void print_profile(FILE *f, const struct rp_report *r)
{
	char a[24], b[24], c[24], d[24], e[24];
	int wname = name_width(r);

	if (r->sec[METHOD_PROFILE].state != RP_RAN)
		return;
	fprintf(f, "\nPROFILE (fentry/fexit, %.1f s, workload running; ", r->prof_window_s);
	if (r->prof_calibrated)
		fprintf(f, "corrected: minus %.1f ns/run, the observer's own cost measured on "
			"an empty program)\n", r->prof_calib_ns);
	else
		fprintf(f, "not calibrated: figures include the observer)\n");
	fprintf(f, "  %-8s %-*s %12s %8s %8s %8s %8s %8s\n", "ID", wname, "NAME", "RUNS/S", "P50",
		"P90", "P99", "MEAN", "RAW_P50");
	for (int i = 0; i < r->nprogs; i++) {
		const struct rp_prog *p = &r->progs[i];
		const struct prof_figures *g = r->prof_calibrated ? &p->prof_corr : &p->prof_raw;

		if (!p->profiled) {
			fprintf(f, "  %-8u %-*s not profiled: %s\n", p->id, wname, BC_ESC(p->full_name),
				BC_ESC(p->prof_why[0] ? p->prof_why : "-"));
			continue;
		}
		if (!p->prof_runs) {
			fprintf(f, "  %-8u %-*s %12.0f no %sruns under the observers\n", p->id,
				wname, BC_ESC(p->full_name), p->prof_runs_per_s,
				p->tail.ncallers ? "direct " : "");
			continue;
		}
		fprintf(f, "  %-8u %-*s %12.0f %8s %8s %8s %8s %8s%s%s\n", p->id,
			wname, BC_ESC(p->full_name), p->prof_runs_per_s,
			prof_fig_str(g->p50, g->below_calib & PROF_FIG_P50, a, sizeof(a)),
			prof_fig_str(g->p90, g->below_calib & PROF_FIG_P90, b, sizeof(b)),
			prof_fig_str(g->p99, g->below_calib & PROF_FIG_P99, c, sizeof(c)),
			fig_mean(g, d, sizeof(d)),
			prof_fig_str(p->prof_raw.p50, false, e, sizeof(e)),
			p->tail.ncallers ? "  (direct runs only: tail calls pass the hook)" : "",
			p->prof_detached ? "  (detached by its owner)" : "");
	}
	fprintf(f, "  ns per run, exclusive of nested runs; P50..MEAN %s; RAW_P50: as timed.\n",
		r->prof_calibrated ? "corrected" : "raw");
}

static void print_progs(FILE *f, const struct rp_report *r)
{
	char cpu[32];
	int wname = name_width(r);

	fprintf(f, "\nPROGRAMS (window %.1f s, workload %s)\n", r->window_s,
		rp_workload_cpu(r, cpu, sizeof(cpu)));
	fprintf(f, "  %-8s %-*s %12s %10s %10s %9s %9s %9s\n", "ID", wname, "NAME", "RUNS/S",
		"NS/RUN", "CORR_NS", "CPU%", "CORR_CPU%", "SMP_CPU%");
	for (int i = 0; i < r->nprogs; i++) {
		const struct rp_prog *p = &r->progs[i];
		char nsr[16] = "-", corr[16] = "-", ccpu[16] = "-", smp[16] = "-";

		if (p->runs)	/* no runs, no ns per run */
			snprintf(nsr, sizeof(nsr), "%.0f", p->ns_per_run);
		if (p->corr.applies && p->runs)
			snprintf(corr, sizeof(corr), p->corr.resolved ? "%.0f" : "<%.0f",
				 p->corr.resolved ? p->corr.ns_per_run : p->corr.hi);
		if (p->corr.applies)
			snprintf(ccpu, sizeof(ccpu), "%.3f", p->corr.cpu_pct);
		if (p->sampled)
			snprintf(smp, sizeof(smp), "%.3f", p->sampled_pct);
		if (!p->has_stats) {
			fprintf(f, "  %-8u %-*s %s\n", p->id, wname, BC_ESC(p->full_name),
				p->gone ? "gone during the window" : "no figures");
			continue;
		}
		fprintf(f, "  %-8u %-*s %12.0f %10s %10s %9.3f %9s %9s\n", p->id,
			wname, BC_ESC(p->full_name), p->runs_per_s, nsr, corr, p->cpu_pct, ccpu,
			smp);
	}
	fprintf(f, "  RUNS/S, NS/RUN, CPU%%: run-time stats (CPU%% of one CPU); CORR_*: minus the\n"
		   "  stats' own share per run; SMP_CPU%%: cpu-clock samples at %u Hz, helpers "
		   "included.\n", r->sample_hz);
	print_facts(f, r);
	print_profile(f, r);
	for (int i = 0; i < r->nprogs; i++) {
		const struct rp_prog *p = &r->progs[i];

		if (!p->nhot && p->hot_why)
			fprintf(f, "\nHOT LINES %s (%" PRIu64 " samples): none: %s\n",
				BC_ESC(p->full_name), p->samples, p->hot_why);
		if (!p->nhot)
			continue;
		fprintf(f, "\nHOT LINES %s (%" PRIu64 " samples)\n", BC_ESC(p->full_name), p->samples);
		for (int h = 0; h < p->nhot; h++)
			fprintf(f, "  %5.1f%%  %s:%u  %s\n", p->hot[h].share * 100,
				BC_ESC(p->hot[h].file), p->hot[h].line, BC_ESC(p->hot[h].src));
	}
}

static void print_window_kinds(FILE *f, const struct rp_report *r)
{
	bool any = false;

	for (int k = 0; k < WL_KIND_COUNT; k++)
		any |= r->k[k].have_window;
	fprintf(f, "\nPER SYSCALL KIND (window, each kind alone; run-time stats)\n");
	if (!any) {
		fprintf(f, "  not measured: %s\n", r->partial ? "stopped before a kind ran" :
			"no kind ran in the window");
		return;
	}
	fprintf(f, "  %-8s %10s %14s %16s %20s %20s\n", "KIND", "CALLS", "RUNS/CALL",
		"BPF_NS/CALL", "[95% CI, chunks]", "FIRST..LAST_CHUNK");
	for (int k = 0; k < WL_KIND_COUNT; k++) {
		const struct rp_kind *rk = &r->k[k];
		char ci[40] = "-", drift[40];

		if (!rk->have_window)
			continue;
		if (isfinite(rk->window_bpf_lo))
			snprintf(ci, sizeof(ci), "[%.1f,%.1f] %d", rk->window_bpf_lo,
				 rk->window_bpf_hi, rk->window_chunks);
		snprintf(drift, sizeof(drift), "%.1f..%.1f", rk->window_bpf_first,
			 rk->window_bpf_last);
		fprintf(f, "  %-8s %10" PRIu64 " %14.3f %16.1f %20s %20s\n", wl_kind_name(k),
			rk->window_calls, rk->window_runs_per_call, rk->window_bpf_ns, ci, drift);
	}
	fprintf(f, "  runs of the agent's programs per workload call, and their time per call\n"
		   "  (corrected for the stats' own share in the runs it applies to); runs\n"
		   "  other processes caused in that time are included. The kind ran in %d\n"
		   "  consecutive chunks: the interval is over them (one attachment: the\n"
		   "  window's own drift, not what differs between starts of the agent).\n",
		RP_WINDOW_CHUNKS);
}

bool rp_rest_above_whole(const struct rp_kind *rk)
{
	return !rk->rest_resolved && rk->rest_hi > rk->added.point;
}

void rp_rest_str(char *buf, size_t len, const struct rp_kind *rk)
{
	if (rk->rest_resolved)
		snprintf(buf, len, "%.0f", rk->rest_ns);
	else if (rk->rest_hi <= 0)
		snprintf(buf, len, "~0");
	else
		snprintf(buf, len, "<%.0f%s", rk->rest_hi, rp_rest_above_whole(rk) ? "^" : "");
}

const char *rp_bpf_mark(const struct rp_kind *rk)
{
	if (rk->bpf_disagree && rk->in_bpf_exceeds_added)
		return "#>";
	return rk->bpf_disagree ? "#" : rk->in_bpf_exceeds_added ? ">" : "";
}

/* What the marks in print_kinds' IN_BPF and REST columns mean, for
 * those that appear. */
static void print_kinds_marks(FILE *f, const struct rp_report *r)
{
	bool above = false, zero = false, dis = false, over = false;

	for (int k = 0; k < WL_KIND_COUNT; k++) {
		const struct rp_kind *rk = &r->k[k];

		above |= rk->have_decomp && rp_rest_above_whole(rk);
		zero |= rk->have_decomp && !rk->rest_resolved && rk->rest_hi <= 0;
		dis |= rk->bpf_disagree;
		over |= rk->in_bpf_exceeds_added;
	}
	if (above)
		fprintf(f, "  <X^: REST is not resolved (its interval reaches 0); its bound X, the\n"
			   "  upper end of that interval (ADDED's and IN_BPF's together), is\n"
			   "  above ADDED's point: their intervals reach that far.\n");
	if (zero)
		fprintf(f, "  ~0: IN_BPF reaches ADDED's upper end: nothing of ADDED is resolved\n"
			   "  outside the programs.\n");
	if (dis)
		fprintf(f, "  #: the window's and A/B's in-program figures disagree beyond their\n"
			   "  intervals (see the verdict).\n");
	if (over)
		fprintf(f, "  >: the in-program time is above ADDED's whole interval: the part\n"
			   "  exceeds the whole, the two methods disagree (see the verdict).\n");
}

/* The in-program ns per call by the window and by A/B's decomposition,
 * which should agree. */
static void print_two_ways(FILE *f, const struct rp_report *r)
{
	for (int k = 0; k < WL_KIND_COUNT; k++) {
		const struct rp_kind *rk = &r->k[k];
		char win[48] = "no interval", ab[48] = "no interval";

		if (!rk->have_window || !rk->in_bpf_from_ab)
			continue;
		if (isfinite(rk->window_bpf_lo))
			snprintf(win, sizeof(win), "%.0f..%.0f", rk->window_bpf_lo, rk->window_bpf_hi);
		if (stats_ci_has_interval(&rk->ab_in_bpf))
			snprintf(ab, sizeof(ab), "%.0f..%.0f", fmax(rk->ab_in_bpf.lo, 0),
				 rk->ab_in_bpf.hi);
		fprintf(f, "  %s in the programs: window %.0f (%s), A/B %.0f (%s): %s\n",
			wl_kind_name(k), rk->window_bpf_ns, win, rk->in_bpf_ns, ab,
			rk->bpf_disagree ? "DISAGREE beyond both intervals #" :
			isfinite(rk->window_bpf_lo) && stats_ci_has_interval(&rk->ab_in_bpf) ?
			"agree within the intervals" : "cannot tell");
	}
}

static void print_kinds(FILE *f, const struct rp_report *r)
{
	print_window_kinds(f, r);
	if (r->sec[METHOD_AB].state != RP_RAN)
		return;
	fprintf(f, "\nSYSCALLS (A/B: %d rounds of %.2f s, %d decomposition rounds)\n",
		r->plan.ab_rounds, r->plan.ab_round_s, r->plan.ab_decomp_rounds);
	fprintf(f, "  %-8s %8s %8s %8s %8s %8s %8s %20s %16s %8s %8s\n", "KIND", "OFF_P50",
		"ON_P50", "OFF_P99", "ON_P99", "OFF_MEAN", "ON_MEAN", "ADDED_NS [95% CI]",
		"AA_NS [95% CI]", "IN_BPF", "REST");
	for (int k = 0; k < WL_KIND_COUNT; k++) {
		const struct rp_kind *rk = &r->k[k];
		char added[40], aa[40], bpf[16] = "-", rest[16] = "-";

		if (!rk->ab)
			continue;
		snprintf(added, sizeof(added), "%.0f [%.0f,%.0f]%s", rk->added.point, rk->added.lo,
			 rk->added.hi, rk->ci_includes_zero ? "~0" : "");
		if (stats_ci_has_interval(&rk->aa))
			snprintf(aa, sizeof(aa), "%.0f [%.0f,%.0f]%s", rk->aa.point, rk->aa.lo,
				 rk->aa.hi, rk->aa_reaches_effect ? "!" : "");
		else
			snprintf(aa, sizeof(aa), "%.0f", rk->aa.point);
		if (rk->have_decomp) {
			snprintf(bpf, sizeof(bpf), "%.0f%s%s", rk->in_bpf_ns,
				 rk->in_bpf_from_ab ? "" : "*", rp_bpf_mark(rk));
			rp_rest_str(rest, sizeof(rest), rk);
		}
		fprintf(f, "  %-8s %8.0f %8.0f %8.0f %8.0f %8.0f %8.0f %20s %16s %8s %8s\n",
			wl_kind_name(k), rk->off_p50, rk->on_p50, rk->off_p99, rk->on_p99,
			rk->off_mean, rk->on_mean, added, aa, bpf, rest);
	}
	fprintf(f, "  ns per call. ADDED: on minus off, interquartile means per round (~0: the\n"
		   "  interval includes zero); AA_NS: off against off, the control (!: its\n"
		   "  interval reaches as far as ADDED: this run cannot tell the effect from\n"
		   "  its own noise); IN_BPF: run-time stats in A/B's decomposition rounds, this\n"
		   "  kind alone (*: the window's figure instead); REST: the rest of ADDED:\n"
		   "  dispatch, slow path, wake-ups, cache effects, agent work on this CPU;\n"
		   "  '<X' where its interval, from ADDED's and IN_BPF's together, reaches 0.\n");
	print_kinds_marks(f, r);
	print_two_ways(f, r);
	if (r->decomp_why[0])
		fprintf(f, "  decomposition: %s\n", r->decomp_why);
	if (r->ab_counted_runs)
		fprintf(f, "  note: run-time stats were on during A/B (another process held them):"
			   " ADDED includes their clock reads\n");
}

/* One wrapped syscall of kind k: latency off and on, the difference,
 * and A/B's added ns for the kind beside it. */
static void print_syswrap_row(FILE *f, const struct rp_report *r, int k,
			      const struct rp_sw_sys *s)
{
	const struct rp_sw_phase *off = &s->ph[0], *on = &s->ph[1];
	char offp50[16] = "-", added[24] = "-", ab[16] = "-";

	if (off->ran && off->windows)
		snprintf(offp50, sizeof(offp50), "%.0f", off->p50);
	if (s->have_added)
		snprintf(added, sizeof(added), s->added_below0 & RP_SW_BELOW0_P50 ? "<=0" :
			 "%.0f", s->added_p50);
	if (r->k[k].ab)
		snprintf(ab, sizeof(ab), "%.0f", r->k[k].added.point);
	fprintf(f, "  %-8s %-11s %8s", wl_kind_name(k), s->name, offp50);
	if (on->windows)
		fprintf(f, " %8.0f %8.0f %8.0f %8.0f", on->p50, on->p90, on->p99, on->mean);
	else
		fprintf(f, " %8s %8s %8s %8s", "-", "-", "-", "-");
	fprintf(f, " %9s %8s %9" PRIu64 " %6" PRIu64 "%s\n", added, ab, on->windows, on->lost,
		on->ran && !on->complete ? "  INCOMPLETE" : "");
}

static void print_syswrap(FILE *f, const struct rp_report *r)
{
	const struct rp_syswrap *w = &r->sw;

	if (r->sec[METHOD_SYSCALL_WRAP].state != RP_RAN)
		return;
	fprintf(f, "\nSYSCALL PATH, WRAPPED (%s on %s; %.1f s per phase)\n", w->method,
		BC_ESC(w->functions), w->phase_s);
	fprintf(f, "  inside the window: %s\n  outside: %s\n", w->includes,
		w->outside[0] ? w->outside : "-");
	fprintf(f, "  %-8s %-11s %8s %8s %8s %8s %8s %9s %8s %9s %6s\n", "KIND", "SYSCALL",
		"OFF_P50", "ON_P50", "ON_P90", "ON_P99", "ON_MEAN", "ADDED_P50", "AB_ADDED",
		"WINDOWS", "LOST");
	for (int k = 0; k < WL_KIND_COUNT; k++)
		for (int i = 0; i < w->nsys; i++)
			if (w->sys[i].kinds & (1u << k))
				print_syswrap_row(f, r, k, &w->sys[i]);
	fprintf(f, "  ns per window, agent off and on; ADDED_P50: on minus off, one run each, no\n"
		   "  interval (<=0: not above off); AB_ADDED: A/B's figure for the kind (whole\n"
		   "  syscall from user space). LOST: windows begun, never completed.\n");
	if (!strcmp(w->method, "kprobe"))
		fprintf(f, "  kretprobe maxactive %s; missed returns: off %" PRIu64 ", on %" PRIu64
			"\n", w->maxactive ? "as set" : "kernel default", w->missed[0],
			w->missed[1]);
}

void rp_print_text(FILE *f, const struct rp_report *r)
{
	print_machine(f, r);
	print_progs(f, r);
	print_kinds(f, r);
	print_syswrap(f, r);
	fprintf(f, "\nVERDICT\n");
	for (int i = 0; i < r->nverdict; i++)
		fprintf(f, "  %s\n", BC_ESC(r->verdict[i]));
}

/* ---- JSON ---- */

static json_t *ci_json(const struct stats_ci *ci)
{
	return bc_json_pack("{s:o, s:o, s:o, s:f, s:s?}", "point", bc_json_real(ci->point), "lo",
			    bc_json_real(ci->lo), "hi", bc_json_real(ci->hi), "level", ci->level,
			    "method", ci->method);
}

static json_t *reals_json(const double *v, int n)
{
	json_t *a = json_array();

	for (int i = 0; a && i < n; i++)
		json_array_append_new(a, bc_json_real(v[i]));
	return a;
}

/* fentry/fexit's figures for p: ns_per_run corrected where calibrated
 * (else raw), ns_per_run_raw as timed; null figures without runs. */
static json_t *prog_profile_json(const struct rp_report *r, const struct rp_prog *p)
{
	bool figs = p->profiled && p->prof_runs;

	if (!p->profiled)
		return bc_json_pack("{s:b, s:s}", "profiled", false, "why", p->prof_why);
	return bc_json_pack("{s:b, s:I, s:f, s:b, s:o, s:o, s:b, s:b}", "profiled", true,
		"runs", (json_int_t)p->prof_runs, "runs_per_s", p->prof_runs_per_s, "corrected",
		r->prof_calibrated, "ns_per_run", !figs ? json_null() :
		prof_figures_json(r->prof_calibrated ? &p->prof_corr : &p->prof_raw),
		"ns_per_run_raw", figs ? prof_figures_json(&p->prof_raw) : json_null(),
		"tail_call_runs_unseen", p->tail.ncallers > 0, "detached", p->prof_detached);
}

static json_t *prog_json(const struct rp_report *r, const struct rp_prog *p)
{
	json_t *hot = json_array();
	json_t *o;

	for (int h = 0; hot && h < p->nhot; h++)
		json_array_append_new(hot, bc_json_pack("{s:s, s:i, s:s, s:I, s:f}", "file",
			p->hot[h].file, "line", (int)p->hot[h].line, "src", p->hot[h].src,
			"samples", (json_int_t)p->hot[h].samples, "share", p->hot[h].share));
	o = bc_json_pack("{s:i, s:i, s:s, s:s, s:s, s:b, s:b, s:o}", "id", (int)p->id, "type",
			 (int)p->type, "name", p->name, "full_name", p->full_name, "tag", p->tag,
			 "gone", p->gone, "has_stats", p->has_stats, "hot_lines", hot);
	if (o)
		json_object_update_new(o, bc_json_pack("{s:s, s:s, s:o, s:o}", "type_name",
			prog_type_name(p->type), "attach", p->attach, "tail_call",
			r->tail_known ? tc_json(&r->tail, p->id) : json_null(), "hot_lines_why",
			p->hot_why ? json_string(p->hot_why) : json_null()));
	if (o && owners_json_add(o, &p->owners)) {
		json_decref(o);
		return NULL;
	}
	if (o && p->has_stats)
		json_object_set_new(o, "stats", bc_json_pack(
			"{s:I, s:I, s:I, s:f, s:f, s:o, s:f, s:{s:b, s:b, s:o, s:f, s:f, s:f}}",
			"runs", (json_int_t)p->runs, "run_time_ns", (json_int_t)p->time_ns,
			"recursion_misses", (json_int_t)p->misses, "wall_s", p->wall_s,
			"runs_per_s", p->runs_per_s, "ns_per_run", p->runs ? bc_json_real(p->ns_per_run) :
			json_null(), "cpu_pct", p->cpu_pct, "corrected", "applies", p->corr.applies,
			"resolved", p->corr.resolved, "ns_per_run", p->runs ?
			bc_json_real(p->corr.ns_per_run) : json_null(), "lo", p->corr.lo, "hi",
			p->corr.hi, "cpu_pct", p->corr.cpu_pct));
	if (o && p->sampled)
		json_object_set_new(o, "sampling", bc_json_pack("{s:I, s:f}", "samples",
			(json_int_t)p->samples, "cpu_pct", p->sampled_pct));
	if (o && r->sec[METHOD_PROFILE].state == RP_RAN)
		json_object_set_new(o, "profile", prog_profile_json(r, p));
	return o;
}

static json_t *sw_phase_json(const struct rp_sw_phase *ph)
{
	if (!ph->ran)
		return json_null();
	return bc_json_pack("{s:I, s:I, s:I, s:b, s:o}", "windows", (json_int_t)ph->windows,
		"lost", (json_int_t)ph->lost, "slow", (json_int_t)ph->slow, "complete",
		ph->complete, "latency_ns", !ph->windows ? json_null() :
		bc_json_pack("{s:f, s:f, s:f, s:f}", "p50", ph->p50, "p90", ph->p90, "p99",
			     ph->p99, "mean", ph->mean));
}

/* The wrapped syscalls kind k issues: off and on, and on minus off. */
static json_t *kind_syswrap_json(const struct rp_report *r, int k)
{
	json_t *a = json_array();

	for (int i = 0; a && i < r->sw.nsys; i++) {
		const struct rp_sw_sys *s = &r->sw.sys[i];
		json_t *below;

		if (!(s->kinds & (1u << k)))
			continue;
		below = json_array();
		if (s->added_below0 & RP_SW_BELOW0_P50)
			json_array_append_new(below, json_string("p50"));
		if (s->added_below0 & RP_SW_BELOW0_MEAN)
			json_array_append_new(below, json_string("mean"));
		json_array_append_new(a, bc_json_pack("{s:s, s:i, s:o, s:o, s:o}", "syscall",
			s->name, "nr", (int)s->nr, "without_agent", sw_phase_json(&s->ph[0]),
			"with_agent", sw_phase_json(&s->ph[1]), "added", !s->have_added ?
			json_null() : bc_json_pack("{s:f, s:f, s:o, s:n, s:s}", "p50_ns",
			s->added_p50, "mean_ns", s->added_mean, "below_zero", below, "interval",
			"no_interval", SW_ADDED_NO_INTERVAL)));
		if (!s->have_added)
			json_decref(below);
	}
	return a;
}

/* The kind has wrapped syscalls in the report. */
static bool kind_wrapped(const struct rp_report *r, int k)
{
	for (int i = 0; r->sec[METHOD_SYSCALL_WRAP].state == RP_RAN && i < r->sw.nsys; i++)
		if (r->sw.sys[i].kinds & (1u << k))
			return true;
	return false;
}

static json_t *kind_json(const struct rp_report *r, int k)
{
	const struct rp_kind *rk = &r->k[k];
	json_t *o = bc_json_pack("{s:s, s:b}", "kind", wl_kind_name(k), "ab", rk->ab);

	if (o && kind_wrapped(r, k))
		json_object_set_new(o, "syscall_wrap", kind_syswrap_json(r, k));
	if (o && rk->have_window)
		json_object_set_new(o, "window", bc_json_pack("{s:I, s:f, s:f, s:o, s:o, s:i, s:f, "
			"s:f}", "calls", (json_int_t)rk->window_calls, "runs_per_call",
			rk->window_runs_per_call, "bpf_ns_per_call", rk->window_bpf_ns,
			"bpf_ns_lo", bc_json_real(rk->window_bpf_lo), "bpf_ns_hi",
			bc_json_real(rk->window_bpf_hi), "chunks", rk->window_chunks,
			"bpf_ns_first_chunk", rk->window_bpf_first, "bpf_ns_last_chunk",
			rk->window_bpf_last));
	if (!o || !rk->ab)
		return o;
	json_object_update_new(o, bc_json_pack(
		"{s:I, s:I, s:{s:f, s:f, s:f, s:f}, s:{s:f, s:f, s:f, s:f}, s:o, s:o, s:o, "
		"s:o, s:o, s:b, s:b, s:b}", "calls_off", (json_int_t)rk->calls_off, "calls_on",
		(json_int_t)rk->calls_on, "off", "p50", rk->off_p50, "p90", rk->off_p90, "p99",
		rk->off_p99, "mean", rk->off_mean, "on", "p50", rk->on_p50, "p90", rk->on_p90,
		"p99", rk->on_p99, "mean", rk->on_mean, "cdf_off_ns",
		reals_json(rk->cdf_off, RP_CDF_POINTS), "cdf_on_ns",
		reals_json(rk->cdf_on, RP_CDF_POINTS), "added_ns", ci_json(&rk->added), "aa_ns",
		ci_json(&rk->aa), "relative", bc_json_real(rk->relative), "ci_includes_zero",
		rk->ci_includes_zero, "aa_exceeds_effect", rk->aa_exceeds_effect,
		"aa_reaches_effect", rk->aa_reaches_effect));
	if (rk->have_decomp)
		json_object_set_new(o, "decomposition", bc_json_pack(
			"{s:f, s:o, s:o, s:s, s:o, s:o, s:f, s:f, s:f, s:b, s:s, s:b, s:b, s:b}",
			"in_bpf_ns", rk->in_bpf_ns, "in_bpf_lo", bc_json_real(rk->in_bpf_lo),
			"in_bpf_hi", bc_json_real(rk->in_bpf_hi),
			"in_bpf_method", rk->in_bpf_from_ab ? "ab" : "window",
			"ab_in_bpf_ns", rk->in_bpf_from_ab && rk->ab_in_bpf.level > 0 ?
			ci_json(&rk->ab_in_bpf) : json_null(), "ab_runs_per_call",
			rk->in_bpf_from_ab && rk->ab_runs_per_call.level > 0 ?
			ci_json(&rk->ab_runs_per_call) : json_null(), "rest_ns", rk->rest_ns,
			"rest_lo", rk->rest_lo, "rest_hi", rk->rest_hi, "rest_resolved", rk->rest_resolved,
			"larger_part", rp_part_name(rk->larger_part), "rest_hi_above_added",
			rp_rest_above_whole(rk), "window_ab_disagree", rk->bpf_disagree,
			"in_bpf_above_added", rk->in_bpf_exceeds_added));
	return o;
}

/* The window's time series: null when there is none. */
static json_t *series_json(const struct rp_report *r)
{
	const struct rp_series *se = &r->series;
	json_t *progs = json_array(), *phases = json_array();

	if (!se->npoints) {
		json_decref(progs);
		json_decref(phases);
		return json_null();
	}
	for (int k = 0; progs && k < se->nprogs; k++)
		json_array_append_new(progs, bc_json_pack("{s:i, s:b, s:o, s:o, s:o}", "id",
			(int)se->p[k].id, "corrected", se->p[k].corrected, "runs_per_s",
			reals_json(se->p[k].runs_per_s, se->npoints), "cpu_pct",
			reals_json(se->p[k].cpu_pct, se->npoints), "corrected_cpu_pct",
			reals_json(se->p[k].corr_cpu_pct, se->npoints)));
	for (int i = 0; phases && i < se->nphases; i++)
		json_array_append_new(phases, bc_json_pack("{s:s, s:f, s:f}", "kind",
			wl_kind_name(se->phase[i].kind), "start_s", se->phase[i].start_s, "end_s",
			se->phase[i].end_s));
	return bc_json_pack("{s:f, s:o, s:o, s:o}", "interval_s", se->interval_s, "t_s",
			    reals_json(se->t_s, se->npoints), "programs", progs, "phases", phases);
}

static json_t *methods_json(const struct rp_report *r)
{
	json_t *o = json_object();

	for (int m = 0; o && m < METHOD_COUNT; m++) {
		const struct rp_section *s = &r->sec[m];

		json_object_set_new(o, method_name(m), bc_json_pack(
			"{s:b, s:s, s:s, s:f, s:f, s:s}", "works_here", s->works_here, "state",
			rp_state_name(s->state), "why", s->why, "planned_s", s->planned_s,
			"elapsed_s", s->elapsed_s, "includes", rp_method_includes(m)));
	}
	return o;
}

/* profile as a whole: null unless it ran (each program has its figures) */
static json_t *profile_json(const struct rp_report *r)
{
	if (r->sec[METHOD_PROFILE].state != RP_RAN)
		return json_null();
	return bc_json_pack("{s:s, s:f, s:b, s:o}", "method", "fentry/fexit", "wall_s",
		r->prof_window_s, "calibrated", r->prof_calibrated, "calibration_ns_per_run",
		r->prof_calibrated ? bc_json_real(r->prof_calib_ns) : json_null());
}

/* What the wrapped window holds: null unless wrapping ran (each syscall
 * kind has its figures). */
static json_t *syswrap_json(const struct rp_report *r)
{
	const struct rp_syswrap *w = &r->sw;

	if (r->sec[METHOD_SYSCALL_WRAP].state != RP_RAN)
		return json_null();
	return bc_json_pack("{s:s, s:s, s:s, s:s, s:o, s:f, s:{s:I, s:I}}", "method", w->method,
		"functions", w->functions, "includes", w->includes, "outside", w->outside,
		"maxactive", w->maxactive ? json_integer(w->maxactive) : json_null(),
		"phase_s", w->phase_s, "missed", "without_agent", (json_int_t)w->missed[0],
		"with_agent", (json_int_t)w->missed[1]);
}

json_t *rp_json(const struct rp_report *r)
{
	const struct machine_info *m = &r->machine;
	json_t *progs = json_array(), *kinds = json_array(), *verdict = json_array();
	json_t *bias;

	for (int i = 0; progs && i < r->nprogs; i++)
		json_array_append_new(progs, prog_json(r, &r->progs[i]));
	for (int k = 0; kinds && k < WL_KIND_COUNT; k++)
		if (r->k[k].ab || r->k[k].have_window || kind_wrapped(r, k))
			json_array_append_new(kinds, kind_json(r, k));
	for (int i = 0; verdict && i < r->nverdict; i++)
		json_array_append_new(verdict, json_string(r->verdict[i]));
	bias = r->bias.valid ?
		bc_json_pack("{s:b, s:f, s:f, s:f, s:i, s:s, s:s, s:o, s:s}", "valid", true,
			     "ns_per_run", r->bias.ns_per_run, "lo", r->bias.lo, "hi", r->bias.hi,
			     "batches", (int)r->bias.batches, "hook", r->bias.hook, "clocksource",
			     r->bias.clocksource, "parts_ns",
			     reals_json(r->bias.part_ns, (int)r->bias.nparts), "interval",
			     rp_bias_interval(&r->bias)) :
		bc_json_pack("{s:b, s:s}", "valid", false, "why", r->bias.why);
	return bc_json_pack(
		"{s:i, s:s, s:s, s:s, s:b, s:s, s:f, "
		"s:{s:f, s:f, s:f, s:f, s:f, s:i, s:f, s:i, s:f, s:f, s:f}, "
		"s:{s:s, s:s, s:s, s:s, s:i, s:s}, s:o, s:s, s:o, "
		"s:{s:f, s:i, s:s, s:i, s:I, s:I, s:I}, s:o, s:o, s:o, s:o, s:o, s:o}",
		"schema_version", r->schema_version, "generated", r->generated, "subject",
		rp_subject_name(r->subject), "title", r->title, "partial", r->partial,
		"partial_why", r->partial_why, "elapsed_s", r->elapsed_s,
		"plan", "budget_s", r->plan.budget_s, "window_s", r->plan.window_s,
		"profile_s", r->plan.profile_s, "syswrap_s", r->plan.syswrap_s, "ab_s",
		r->plan.ab_s, "ab_rounds", r->plan.ab_rounds, "ab_round_s", r->plan.ab_round_s,
		"ab_decomp_rounds", r->plan.ab_decomp_rounds, "ab_expected_s",
		r->plan.ab_expected_s, "toggle_s", r->plan.toggle_s, "spent_s", r->plan.spent_s,
		"machine", "kernel", m->release, "version", m->version, "arch", m->arch,
		"cpu_model", m->cpu_model, "cpus_online", m->ncpus, "clocksource", m->clocksource,
		"methods", methods_json(r), "stats_via", bpfstats_via_name(r->stats_via),
		"stats_bias", bias,
		"window", "wall_s", r->window_s, "cpu", r->cpu, "sample_event",
		smp_event_name(r->sample_event), "sample_hz", (int)r->sample_hz, "samples",
		(json_int_t)r->samples, "samples_other", (json_int_t)r->samples_other,
		"samples_lost", (json_int_t)r->samples_lost,
		"programs", progs, "series", series_json(r), "syscalls", kinds, "verdict", verdict,
		"profile", profile_json(r), "syscall_wrap", syswrap_json(r));
}

/* ---- the command ---- */

static int resolve_selection(struct report_opts *o, uint32_t **ids, char *title, size_t len)
{
	size_t nids = 0;
	int err;

	err = selectors_resolve_words(o->nsel, o->sel_argv, ids, &nids);
	if (err)
		return err;
	o->cfg.ids = *ids;
	o->cfg.nids = nids;
	bc_shell_join(title, len, o->nsel, o->sel_argv);
	return 0;
}

int rp_html_open(struct rp_html_out *h, const char *path)
{
	h->path = path;
	h->created = true;
	h->fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	if (h->fd < 0 && errno == EEXIST) {
		h->created = false;
		h->fd = open(path, O_WRONLY | O_CLOEXEC);
	}
	if (h->fd < 0) {
		int err = -errno;

		bc_err("cannot write %s: %s", path, strerror(-err));
		return err;
	}
	return 0;
}

void rp_html_close(struct rp_html_out *h, bool written)
{
	if (h->fd < 0)
		return;
	close(h->fd);
	h->fd = -1;
	if (!written && h->created)
		unlink(h->path);
}

int rp_html_write(struct rp_html_out *h, const struct rp_report *r, json_t *doc)
{
	const char *path = h->path;
	char *js = NULL;
	size_t cap = 0;
	FILE *in = fopen(RP_CHART_JS, "re"), *f;
	struct stat st;
	int err;

	if (in) {
		ssize_t n = getdelim(&js, &cap, '\0', in);

		if (n <= 0) {
			free(js);
			js = NULL;
		}
		fclose(in);
	}
	if (!js)
		bc_note("%s not found (Debian's libjs-chart.js): the HTML has tables only",
			RP_CHART_JS);
	/* Only a regular file is truncated: a device (/dev/stdout, /dev/full)
	 * refuses ftruncate with EINVAL, and its write says what is wrong. */
	f = fstat(h->fd, &st) || (S_ISREG(st.st_mode) && ftruncate(h->fd, 0)) ? NULL :
		fdopen(h->fd, "w");
	if (!f) {
		err = -errno;
		bc_err("cannot write %s: %s", path, strerror(errno));
		free(js);
		return err;
	}
	h->fd = -1;	/* the stream has it now */
	errno = 0;
	err = rp_print_html(f, r, doc, js);
	if (fclose(f) && !err)
		err = errno ? -errno : -EIO;
	if (err)
		bc_err("cannot write %s: %s", path, strerror(-err));
	free(js);
	return err;
}

int cmd_report(struct bc_ctx *ctx, int argc, char **argv)
{
	struct report_opts o = { 0 };
	struct rp_progress prog = { .tty = isatty(STDERR_FILENO), .start_ns = bc_now_ns() };
	struct rp_report *r = NULL;
	uint32_t *ids = NULL;
	char title[512] = "";
	struct rp_html_out html = { .fd = -1 };
	bool written = false;
	json_t *doc = NULL;
	int err;

	err = parse_args(argc, argv, &o);
	if (err)
		return err > 0 ? 0 : err;
	if (o.cfg.subject == RP_SUBJECT_RUNNING)
		err = resolve_selection(&o, &ids, title, sizeof(title));
	else if (o.cfg.subject == RP_SUBJECT_SYSMON)
		snprintf(title, sizeof(title), "sysmon %s", sysmon_weight_name(o.cfg.tracer.weight));
	else
		bc_shell_join(title, sizeof(title), -1, o.cfg.tracer.argv);	/* pastes back */
	if (!err && o.html)
		err = rp_html_open(&html, o.html);
	if (err)
		goto out;
	o.cfg.title = title;
	o.cfg.progress = rp_on_progress;
	o.cfg.planned = rp_on_planned;
	o.cfg.arg = &prog;
	r = rp_new();
	err = r ? rp_collect(ctx, &o.cfg, r) : -ENOMEM;
	if (prog.tty)
		fprintf(stderr, "\r\033[K");
	if (err)
		goto out;
	if (ctx->json || o.html) {
		doc = rp_json(r);
		if (!doc) {
			err = -ENOMEM;
			goto out;
		}
	}
	/* The text first: a report is not lost to an HTML file that fails. */
	if (ctx->json)
		err = bc_json_emit(ctx, json_incref(doc));
	else
		rp_print_text(ctx->out, r);
	if (!err)
		err = bc_out_error(ctx);
	if (o.html) {
		int herr = rp_html_write(&html, r, doc);

		written = herr == 0;
		err = err ? err : herr;
	}
	/* Written, but not whole: a script must be able to tell (exit 1). */
	if (!err && r->partial) {
		bc_err("the report is partial (%s)", r->partial_why);
		err = -EINTR;
	}
out:
	rp_html_close(&html, written);
	json_decref(doc);
	rp_free(r);
	free(ids);
	return err;
}
