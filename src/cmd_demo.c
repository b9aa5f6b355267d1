// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* bpfcost demo: the no-setup first run. The reference service (sysmon) at
 * each weight -- count, proc, events -- measured by report's collection,
 * one `report --sysmon WEIGHT` after another (rp_collect, report.h), and
 * said as one summary table across the three weights, every figure taken
 * from that weight's report model. -j adds the three reports as report's
 * JSON gives them; -o writes report's HTML, one file per weight. Demo has
 * no measuring of its own. */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>
#include "biasfmt.h"
#include "common.h"
#include "kfeatures.h"
#include "report.h"
#include "report_print.h"
#include "sysmon.h"
#include "workload.h"

/* Per weight: three such reports take about the ~30 s the demo's own
 * collection took before it became three reports. */
#define DEMO_DEFAULT_BUDGET_S 8.0
/* getpid for the A/B column; openat, where the events weight reads the
 * path, for the weights' order (on getpid alone proc and events cost about
 * the same per run: 296 and 257 ns in one run). With report's four default
 * kinds A/B's fewest rounds need about 7 s of the 8 s and are skipped. */
#define DEMO_DEFAULT_KINDS "getpid,openat"
#define DEMO_HTML_EXT ".html"

static const char demo_help[] =
	"Usage: bpfcost demo [OPTIONS]\n\n"
	"Measure the reference syscall monitor (bpfcost sysmon) at each weight --\n"
	"count, proc, events -- while the syscall workload (bpfcost load) runs on\n"
	"one CPU (the first we may use: online, in our CPU set), with every\n"
	"measuring method this kernel allows (see bpfcost doctor). Each weight is\n"
	"one 'bpfcost report --sysmon WEIGHT' (see bpfcost report --help for what\n"
	"it measures, in which order, and what it attaches), the weights one after\n"
	"another; the demo prints a summary of the three reports. Methods that\n"
	"cannot run here are listed with the reason; one that fails at a weight\n"
	"is marked skipped there, with the reason, and the others go on.\n\n"
	"Columns, each marked with the method that measured it:\n"
	"  RUNS/SYSCALL        program runs per syscall of the workload over the\n"
	"                      window (stats; runs from other processes' syscalls in\n"
	"                      that time included)\n"
	"  NS/RUN              mean time inside the weight's programs per run (stats)\n"
	"  CORR_NS             NS/RUN minus the stats' own share of each run, measured\n"
	"                      here on an empty program (see bpfcost stats --help)\n"
	"  BPF_NS/SYSCALL      program time per syscall: runs/syscall x ns/run (stats);\n"
	"                      the programs' fentry/fexit means minus the observer's\n"
	"                      own cost, summed (profile, where trampolines work)\n"
	"  GETPID_ADDED_NS     ns the weight adds to each getpid, with a 95% CI: programs,\n"
	"                      dispatch and the syscall slow path together (ab: report's\n"
	"                      A/B rounds, as many as fit the budget; '-' without\n"
	"                      getpid in --syscalls); +N%: that added ns over getpid's\n"
	"                      own latency with the weight off (the off rounds' mean)\n"
	"  WRAPPED_GETPID_+NS  the wrapped window of getpid, mean with minus without\n"
	"                      the weight (syscall_wrap, where fentry or kprobes work).\n"
	"                      What the window holds depends on the kernel and is\n"
	"                      printed above the table; one run each way, so no\n"
	"                      interval\n"
	"  CPU%_1CPU           program time as % of one CPU (stats), the same corrected\n"
	"                      for the stats' own share (corrected), and from\n"
	"                      cpu-clock samples alone at 1 kHz, helpers included\n"
	"                      (annotate)\n"
	"A cell without a figure names its method's state at that weight --\n"
	"skipped (failed, or no room in the budget), interrupted, or not run (the\n"
	"demo was stopped first) -- with the reason under the table, or says '-'\n"
	"when the method does not run here. A weight marked '*' was interrupted:\n"
	"its figures are from the part of its window before the stop.\n\n"
	"Options:\n"
	"  --duration D        the budget of each weight's report (default 8s; three\n"
	"                      weights: about 30 s), split as report splits it.\n"
	"                      A/B needs a budget of at least about 7 s with the\n"
	"                      default kinds (6 s with getpid alone); with less it\n"
	"                      is skipped, and the plan line on stderr says the\n"
	"                      seconds its fewest rounds need\n"
	"  --syscalls LIST     workload kinds (default " DEMO_DEFAULT_KINDS "; more kinds\n"
	"                      need longer A/B rounds than the default budget holds;\n"
	"                      see bpfcost load --help)\n"
	"  -o, --output FILE   also write each weight's report as HTML: FILE less a\n"
	"                      trailing .html, then -count.html, -proc.html and\n"
	"                      -events.html (demo.html: demo-count.html, ...)\n"
	"  -h, --help          this help\n\n"
	"JSON (-j): the summary's figures per weight, and under \"reports\" the\n"
	"three reports, each as 'bpfcost -j report' writes it\n"
	"(docs/report.schema.json).\n\n"
	"Exit status: 0 all three reports; 1 a partial demo (Ctrl-C or SIGTERM:\n"
	"what was measured is still written, marked partial) or a failure; 2 bad\n"
	"input.\n\n"
	"EXAMPLES:\n"
	"  bpfcost demo\n"
	"  bpfcost demo --duration 12s -o demo.html\n"
	"  bpfcost -j -p demo --syscalls getpid\n";

struct demo_opts {
	struct rp_config cfg;	/* the same for every weight but the weight */
	const char *html;
};

/* What was measured: rep[w] is weight w's report (enum sysmon_weight),
 * the first nrep of them (fewer than three when a stop came first). */
struct demo {
	struct rp_report *rep[SYSMON_WEIGHT_COUNT];
	int nrep;
	bool partial;
	char partial_why[200];
};

/* One weight's summary figures, all read from its report. */
struct demo_row {
	const struct rp_report *r;
	uint64_t runs, time_ns;		/* run-time stats, summed over the programs */
	uint64_t syscalls;		/* the workload's, in the window */
	double runs_per_syscall, ns_per_run, bpf_ns_per_syscall, cpu_pct;
	struct sb_corrected corr;
	bool sampled, profiled;
	double sampled_pct, profile_ns;
	const struct rp_kind *getpid;	/* its A/B figures; NULL: none */
	const struct rp_sw_sys *wrap;	/* getpid wrapped, with an added figure; NULL: none */
};

static int parse_opt(int c, const char *arg, void *opts)
{
	struct demo_opts *o = opts;

	if (c == 'd')
		return parse_duration("--duration", arg, &o->cfg.budget_s);
	if (c == 'm')
		return wl_parse_mix(arg, &o->cfg.kinds);
	if (c == 'o') {
		o->html = arg;
		return 0;
	}
	return -EINVAL;
}

/* Returns 1 when --help was printed, 0 to run, < 0 on bad input. */
static int parse_args(int argc, char **argv, struct demo_opts *o)
{
	static const struct option opts[] = {
		{ "duration", required_argument, NULL, 'd' },
		{ "syscalls", required_argument, NULL, 'm' },
		{ "mix", required_argument, NULL, 'm' },	/* old name, not in help */
		{ "output", required_argument, NULL, 'o' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	int err;

	o->cfg.subject = RP_SUBJECT_SYSMON;
	o->cfg.budget_s = DEMO_DEFAULT_BUDGET_S;
	o->cfg.sample_hz = RP_SAMPLE_HZ;
	o->cfg.cpu = WL_CPU_AUTO;
	tracer_opts_defaults(&o->cfg.tracer);
	err = wl_parse_mix(DEMO_DEFAULT_KINDS, &o->cfg.kinds);
	if (!err)
		err = bc_parse_opts(argc, argv, "ho:", opts, demo_help, parse_opt, o, true);
	if (err)
		return err;
	if (o->html && !strcmp(o->html, "-")) {
		bc_err("-o needs a file name: the HTML does not go to stdout");
		return -EINVAL;
	}
	return wl_cpu_resolve(&o->cfg.cpu);
}

/* ---- collection: report's, once per weight ---- */

/* -o FILE: FILE less a trailing ".html", then "-WEIGHT.html". */
static int html_path(const char *base, enum sysmon_weight w, char *buf, size_t len)
{
	size_t n = strlen(base), ext = strlen(DEMO_HTML_EXT);

	if (n > ext && !strcmp(base + n - ext, DEMO_HTML_EXT))
		n -= ext;
	if ((size_t)snprintf(buf, len, "%.*s-%s%s", (int)n, base, sysmon_weight_name(w),
			     DEMO_HTML_EXT) >= len) {
		bc_err("-o %s: the name is too long", base);
		return -ENAMETOOLONG;
	}
	return 0;
}

/* One weight's report. A stop leaves a partial report (r->partial), or
 * -EINTR when it came before anything was measured. */
static int measure_weight(struct bc_ctx *ctx, struct demo_opts *o, enum sysmon_weight w,
			  struct rp_progress *prog, struct rp_report **out)
{
	char title[32];
	int err;

	snprintf(title, sizeof(title), "sysmon %s", sysmon_weight_name(w));
	o->cfg.tracer.weight = w;
	o->cfg.title = title;
	fprintf(stderr, "bpfcost: demo: %s (%d of %d)\n", title, (int)w + 1, SYSMON_WEIGHT_COUNT);
	*out = rp_new();
	err = *out ? rp_collect(ctx, &o->cfg, *out) : -ENOMEM;
	if (prog->tty)
		fprintf(stderr, "\r\033[K");
	if (err) {
		rp_free(*out);
		*out = NULL;
	}
	return err;
}

/* The weights one after another, until all are measured or a stop. */
static int collect(struct bc_ctx *ctx, struct demo_opts *o, struct demo *d)
{
	struct rp_progress prog = { .tty = isatty(STDERR_FILENO), .start_ns = bc_now_ns() };
	int err = 0;

	o->cfg.progress = rp_on_progress;
	o->cfg.planned = rp_on_planned;
	o->cfg.arg = &prog;
	for (int w = 0; w < SYSMON_WEIGHT_COUNT && !d->partial; w++) {
		err = measure_weight(ctx, o, w, &prog, &d->rep[d->nrep]);
		if (err)
			break;
		d->partial = d->rep[d->nrep]->partial;
		d->nrep++;
	}
	if (err == -EINTR && d->nrep) {
		d->partial = true;
		err = 0;
	}
	if (d->partial && d->rep[d->nrep - 1]->partial)
		snprintf(d->partial_why, sizeof(d->partial_why), "sysmon %s: %s",
			 sysmon_weight_name(d->nrep - 1), d->rep[d->nrep - 1]->partial_why);
	else if (d->partial)
		snprintf(d->partial_why, sizeof(d->partial_why), "stopped by a signal before "
			 "sysmon %s", sysmon_weight_name(d->nrep));
	return err;
}

/* ---- the summary's figures, from each report ---- */

static double ratio(double a, double b)
{
	return b > 0 ? a / b : 0;
}

static void stats_figures(const struct rp_report *r, struct demo_row *row)
{
	uint64_t wl_runs = 0;
	bool applies = true;

	for (int i = 0; i < r->nprogs; i++) {
		const struct rp_prog *p = &r->progs[i];

		if (!p->has_stats)
			continue;
		row->runs += p->runs;
		row->time_ns += p->time_ns;
		applies = applies && sb_applies(p->type, p->raw_tp_link);
	}
	/* each kind ran alone in the window: its runs over its syscalls */
	for (int k = 0; k < WL_KIND_COUNT; k++) {
		const struct rp_kind *rk = &r->k[k];

		if (!rk->have_window)
			continue;
		wl_runs += (uint64_t)llround(rk->window_runs_per_call * (double)rk->window_calls);
		row->syscalls += rk->window_calls * wl_kind_syscalls(k);
	}
	row->runs_per_syscall = ratio((double)wl_runs, (double)row->syscalls);
	row->ns_per_run = ratio((double)row->time_ns, (double)row->runs);
	row->bpf_ns_per_syscall = row->runs_per_syscall * row->ns_per_run;
	row->cpu_pct = ratio((double)row->time_ns, r->window_s * 1e9) * 100;
	sb_correct(&r->bias, applies, row->runs, row->time_ns, r->window_s, &row->corr);
}

/* Sampling's and profile's sums over the programs. Each sysmon program
 * runs once per syscall, so its ns per run is its ns per syscall. */
static void prog_method_figures(const struct rp_report *r, struct demo_row *row)
{
	row->sampled = r->sec[METHOD_ANNOTATE].state == RP_RAN;
	row->profiled = r->sec[METHOD_PROFILE].state == RP_RAN && r->prof_calibrated;
	for (int i = 0; i < r->nprogs; i++) {
		const struct rp_prog *p = &r->progs[i];

		if (row->sampled && p->sampled)
			row->sampled_pct += p->sampled_pct;
		if (row->profiled && p->profiled)
			row->profile_ns += p->prof_corr.mean;
	}
}

static void row_of(const struct rp_report *r, struct demo_row *row)
{
	memset(row, 0, sizeof(*row));
	row->r = r;
	stats_figures(r, row);
	prog_method_figures(r, row);
	if (r->sec[METHOD_AB].state == RP_RAN && r->k[WL_GETPID].ab)
		row->getpid = &r->k[WL_GETPID];
	for (int i = 0; r->sec[METHOD_SYSCALL_WRAP].state == RP_RAN && i < r->sw.nsys; i++)
		if (r->sw.sys[i].nr == (unsigned)SYS_getpid && r->sw.sys[i].have_added)
			row->wrap = &r->sw.sys[i];
}

/* The method works here but gave this weight no figure: failed, skipped
 * for the budget, or stopped. */
static bool method_missed(const struct rp_report *r, enum method_id m)
{
	return r->sec[m].works_here && r->sec[m].state != RP_RAN;
}

/* A cell without a figure: its method's state at this weight (skipped,
 * interrupted, not run: the note under the table says why) when it missed
 * this weight, "-" when it does not run here or had nothing to measure.
 * Returns false when there is a figure to print. */
static bool empty_cell(const struct rp_report *r, enum method_id m, bool have, char *buf,
		       size_t len)
{
	if (have)
		return false;
	snprintf(buf, len, "%s", method_missed(r, m) ? rp_state_name(r->sec[m].state) : "-");
	return true;
}

/* A figure per workload syscall, or "-" when no kind's window was
 * measured through (stopped in its first kind). */
static void per_syscall_str(const struct demo_row *row, double v, int prec, char *buf,
			    size_t len)
{
	if (row->syscalls)
		snprintf(buf, len, "%.*f", prec, v);
	else
		snprintf(buf, len, "-");
}

static json_t *per_syscall_json(const struct demo_row *row, double v)
{
	return row->syscalls ? bc_json_real(v) : json_null();
}

static bool wrap_incomplete(const struct rp_sw_sys *s)
{
	return !s->ph[0].complete || !s->ph[1].complete;
}

/* ---- plain text ---- */

static int fewest_ab_rounds(const struct demo *d)
{
	int n = d->rep[0]->plan.ab_rounds;

	for (int i = 1; i < d->nrep; i++)
		n = d->rep[i]->plan.ab_rounds < n ? d->rep[i]->plan.ab_rounds : n;
	return n;
}

static bool ab_ran(const struct demo *d)
{
	for (int i = 0; i < d->nrep; i++)
		if (d->rep[i]->sec[METHOD_AB].state == RP_RAN)
			return true;
	return false;
}

/* Weight i's A/B round pairs: those planned when A/B ran, else 0. */
static int ab_pairs(const struct demo *d, int i)
{
	return d->rep[i]->sec[METHOD_AB].state == RP_RAN ? d->rep[i]->plan.ab_rounds : 0;
}

/* "7 per weight" when every weight ran as many A/B round pairs, else
 * each weight's: "6 at count, none at proc". */
static void ab_rounds_str(const struct demo *d, char *buf, size_t len)
{
	bool same = d->nrep == SYSMON_WEIGHT_COUNT;
	size_t n = 0;

	for (int i = 1; i < d->nrep; i++)
		same = same && ab_pairs(d, i) == ab_pairs(d, 0);
	if (same) {
		snprintf(buf, len, "%d per weight", ab_pairs(d, 0));
		return;
	}
	for (int i = 0; i < d->nrep && n < len; i++) {
		const char *sep = i ? ", " : "";

		if (ab_pairs(d, i))
			n += (size_t)snprintf(buf + n, len - n, "%s%d at %s", sep, ab_pairs(d, i),
					      sysmon_weight_name(i));
		else
			n += (size_t)snprintf(buf + n, len - n, "%snone at %s", sep,
					      sysmon_weight_name(i));
	}
}

static void print_header(FILE *f, const struct demo *d)
{
	const struct rp_report *r = d->rep[0];
	char cpu[32], rounds[96];

	ab_rounds_str(d, rounds, sizeof(rounds));
	fprintf(f, "Reference service: bpfcost sysmon at three weights, one report each; workload "
		"%s; %d online CPU%s.\nMethods used:\n", rp_workload_cpu(r, cpu, sizeof(cpu)),
		r->machine.ncpus, r->machine.ncpus == 1 ? "" : "s");
	fprintf(f, "  stats     kernel run-time stats via %s%s, %.1f s window per weight: the\n"
		"            program body only, not tracepoint dispatch or the syscall slow path\n",
		bpfstats_via_name(r->stats_via), r->stats_were_on ? " (already on before us)" : "",
		r->plan.window_s);
	if (ab_ran(d))
		fprintf(f, "  ab        A/B timing, off/on round pairs of %.2f s: %s;\n"
			"            everything the tracer adds to the syscall, with a 95%% CI\n",
			r->plan.ab_round_s, rounds);
	if (r->sec[METHOD_ANNOTATE].works_here)
		fprintf(f, "  annotate  %s samples at %u Hz per CPU over the stats window, charged\n"
			"            to the program on the stack: no per-run cost\n",
			smp_event_name(r->sample_event), r->sample_hz);
	if (r->sec[METHOD_PROFILE].works_here)
		fprintf(f, "  profile   fentry/fexit on the weight's programs, %.1f s, minus the\n"
			"            observer's own cost measured on an empty program\n",
			r->plan.profile_s);
	if (r->sec[METHOD_SYSCALL_WRAP].state == RP_RAN)
		fprintf(f, "  syscall   each syscall's window in the kernel, wrapped by %s (%s),\n"
			"            with and without the weight, one run each (too few for an\n"
			"            interval); inside: %s; outside: %s\n",
			r->sw.method, r->sw.functions, r->sw.includes, r->sw.outside);
	fputc('\n', f);
}

/* A weight whose report a stop cut short: its figures are from the part
 * of its window before the stop. */
static const char *weight_state(const struct rp_report *r)
{
	return r->partial ? "interrupted" : "measured";
}

static void print_stats_table(FILE *f, const struct demo *d)
{
	bool cut = false;

	fprintf(f, "Programs (stats):\n%-7s %-36s %12s %12s %8s %8s %10s %10s %10s\n", "WEIGHT",
		"PROGRAMS", "RUNS", "RUNS/SYSCALL", "NS/RUN", "CORR_NS", "CPU%_1CPU",
		"CORR%_1CPU", "CPU%_ALL");
	for (int i = 0; i < d->nrep; i++) {
		const struct rp_report *r = d->rep[i];
		char names[64] = "", cns[24], ccpu[24], rps[24], wname[16];
		struct demo_row row;
		size_t len = 0;

		row_of(r, &row);
		per_syscall_str(&row, row.runs_per_syscall, 2, rps, sizeof(rps));
		for (int p = 0; p < r->nprogs && len < sizeof(names); p++)
			len += (size_t)snprintf(names + len, sizeof(names) - len, "%s%s",
						p ? "," : "", BC_ESC(r->progs[p].full_name));
		bf_corrected_str(cns, sizeof(cns), 1, &row.corr, false);
		bf_corrected_str(ccpu, sizeof(ccpu), 3, &row.corr, true);
		snprintf(wname, sizeof(wname), "%s%s", sysmon_weight_name(i), r->partial ? "*" : "");
		cut |= r->partial;
		fprintf(f, "%-7s %-36s %12" PRIu64 " %12s %8.1f %8s %10.3f %10s %10.3f\n",
			wname, names, row.runs, rps, row.ns_per_run, cns,
			row.cpu_pct, ccpu, row.cpu_pct / r->machine.ncpus);
	}
	if (cut)
		fprintf(f, "* interrupted: figures from the part of its window before the stop\n");
	/* each report measured the bias anew: the legend once, then the others */
	bf_bias_legend(f, &d->rep[0]->bias);
	for (int i = 1; i < d->nrep; i++)
		if (d->rep[i]->bias.valid)
			fprintf(f, "%s sysmon %s: %.1f [%.1f, %.1f]%s", i == 1 ?
				"(measured again at each weight, for its own CORR_NS:" : ",",
				sysmon_weight_name(i), d->rep[i]->bias.ns_per_run,
				d->rep[i]->bias.lo, d->rep[i]->bias.hi, i == d->nrep - 1 ? ")\n" : "");
}

static void ab_cell(const struct demo_row *row, char *buf, size_t len)
{
	const struct rp_kind *k = row->getpid;

	if (empty_cell(row->r, METHOD_AB, k, buf, len))
		return;
	/* The relative figure is undefined when the off rounds' mean is 0 (a
	 * clock too coarse for getpid, as under emulation). */
	if (isfinite(k->relative))
		snprintf(buf, len, "%.1f [%.1f, %.1f] +%.0f%%", k->added.point, k->added.lo,
			 k->added.hi, k->relative * 100);
	else
		snprintf(buf, len, "%.1f [%.1f, %.1f]", k->added.point, k->added.lo, k->added.hi);
}

/* The same question -- what does each weight cost -- answered by every
 * method that ran, side by side. */
static void print_methods_table(FILE *f, const struct demo *d)
{
	fprintf(f, "\nCost per syscall and CPU share, by method:\n");
	fprintf(f, "%-7s %16s %16s %30s %22s %10s %12s %12s\n", "WEIGHT", "BPF_NS/SYSCALL",
		"BPF_NS/SYSCALL", "GETPID_ADDED_NS [95% CI]", "WRAPPED_GETPID_+NS", "CPU%_1CPU",
		"CPU%_1CPU", "CPU%_1CPU");
	fprintf(f, "%-7s %16s %16s %30s %22s %10s %12s %12s\n", "", "(stats)", "(profile)", "(ab)",
		"(syscall window)", "(stats)", "(corrected)", "(annotate)");
	for (int i = 0; i < d->nrep; i++) {
		const struct rp_report *r = d->rep[i];
		char ab[48], wrap[32], sampled[16], prof[24], ccpu[24], bpf[24], wname[16];
		struct demo_row row;

		row_of(r, &row);
		per_syscall_str(&row, row.bpf_ns_per_syscall, 1, bpf, sizeof(bpf));
		ab_cell(&row, ab, sizeof(ab));
		if (!empty_cell(r, METHOD_SYSCALL_WRAP, row.wrap, wrap, sizeof(wrap)))
			snprintf(wrap, sizeof(wrap), "%.1f%s", row.wrap->added_mean,
				 wrap_incomplete(row.wrap) ? " (incomplete)" : "");
		if (!empty_cell(r, METHOD_ANNOTATE, row.sampled, sampled, sizeof(sampled)))
			snprintf(sampled, sizeof(sampled), "%.3f", row.sampled_pct);
		if (!empty_cell(r, METHOD_PROFILE, row.profiled, prof, sizeof(prof)))
			snprintf(prof, sizeof(prof), "%.1f", row.profile_ns);
		bf_corrected_str(ccpu, sizeof(ccpu), 3, &row.corr, true);
		snprintf(wname, sizeof(wname), "%s%s", sysmon_weight_name(i), r->partial ? "*" : "");
		fprintf(f, "%-7s %16s %16s %30s %22s %10.3f %12s %12s\n", wname,
			bpf, prof, ab, wrap, row.cpu_pct, ccpu, sampled);
	}
}

static bool same_miss(const struct rp_section *a, const struct rp_section *b)
{
	return a->state == b->state && !strcmp(a->why, b->why);
}

/* "sysmon count, proc" for the weights from first on where method m
 * missed as at first; "every weight" when that is all three. */
static void missed_weights(const struct demo *d, enum method_id m, int first, char *buf,
			   size_t len)
{
	const struct rp_section *s = &d->rep[first]->sec[m];
	size_t n = 0;
	int cnt = 0;

	for (int i = first; i < d->nrep && n < len; i++)
		if (method_missed(d->rep[i], m) && same_miss(&d->rep[i]->sec[m], s))
			n += (size_t)snprintf(buf + n, len - n, "%s%s", cnt++ ? ", " : "sysmon ",
					      sysmon_weight_name(i));
	if (cnt == SYSMON_WEIGHT_COUNT)
		snprintf(buf, len, "every weight");
}

/* Method m works here but did not run through at a weight from *from on:
 * its state there (skipped, interrupted, not run) and why, naming every
 * weight it applies to, as "failed at sysmon proc: ..." or "at every
 * weight: ...". *from moves past that weight; NULL when there is none. */
static const char *missed_why(const struct demo *d, enum method_id m, int *from, char *buf,
			      size_t len)
{
	static const char failed[] = "failed: ";

	for (int i = *from; i < d->nrep; i++) {
		const struct rp_section *s = &d->rep[i]->sec[m];
		bool earlier = false;
		char at[64];

		if (!method_missed(d->rep[i], m))
			continue;
		for (int j = 0; j < i; j++)	/* named with an earlier weight */
			earlier |= method_missed(d->rep[j], m) && same_miss(&d->rep[j]->sec[m], s);
		if (earlier)
			continue;
		*from = i + 1;
		missed_weights(d, m, i, at, sizeof(at));
		if (!strncmp(s->why, failed, strlen(failed)))
			snprintf(buf, len, "failed at %s: %s", at, s->why + strlen(failed));
		else
			snprintf(buf, len, "at %s: %s", at, s->why[0] ? s->why : "no reason given");
		return rp_state_name(s->state);
	}
	*from = d->nrep;
	return NULL;
}

/* A/B runs with stats off; someone else holding them on puts their two
 * clock reads per run into the ab column. */
static void print_ab_stats_warning(FILE *f, const struct demo *d)
{
	const char *sep = "";

	for (int i = 0; i < d->nrep; i++) {
		if (!d->rep[i]->ab_counted_runs)
			continue;
		if (!*sep)
			fprintf(f, "(warning: another process held run-time stats on during the A/B "
				"rounds of");
		fprintf(f, "%s %s", sep, sysmon_weight_name(i));
		sep = ",";
	}
	if (*sep)
		fprintf(f, ": their clock reads are in the ab column; see bpfcost overhead)\n");
}

/* "1 measured, 1 interrupted, 1 not started": a weight a stop cut short
 * is not counted as measured. */
static void print_partial(FILE *f, const struct demo *d)
{
	int cut = d->nrep && d->rep[d->nrep - 1]->partial;

	fprintf(f, "\nPARTIAL (%s): of %d weights %d measured", d->partial_why,
		SYSMON_WEIGHT_COUNT, d->nrep - cut);
	if (cut)
		fprintf(f, ", 1 interrupted (marked *)");
	if (d->nrep < SYSMON_WEIGHT_COUNT)
		fprintf(f, ", %d not started", SYSMON_WEIGHT_COUNT - d->nrep);
	fprintf(f, ".\n");
}

static void print_plain(FILE *f, const struct demo *d)
{
	char why[512];
	const char *state;
	int nother = 0;

	print_header(f, d);
	print_stats_table(f, d);
	print_methods_table(f, d);
	for (int m = 0; m < METHOD_COUNT; m++)
		for (int from = 0; (state = missed_why(d, m, &from, why, sizeof(why)));)
			fprintf(f, "%s: %s: %s\n", method_name(m), state, BC_ESC(why));
	if (d->nrep > SYSMON_EVENTS && d->rep[SYSMON_EVENTS]->have_sysmon)
		fprintf(f, "\n(events weight: %" PRIu64 " events drained, %" PRIu64 " lost)\n",
			d->rep[SYSMON_EVENTS]->sysmon_events, d->rep[SYSMON_EVENTS]->sysmon_lost);
	print_ab_stats_warning(f, d);
	fprintf(f, "\nOther methods:\n");
	for (int m = 0; m < METHOD_COUNT; m++) {
		if (d->rep[0]->sec[m].works_here)
			continue;
		fprintf(f, "  %-13s skipped: %s\n", method_name(m), BC_ESC(d->rep[0]->sec[m].why));
		nother++;
	}
	if (!nother)
		fprintf(f, "  (none: every method works here)\n");
	if (d->partial)
		print_partial(f, d);
	fprintf(f, "\nThe full reports (per program and per syscall kind: latency percentiles,\n"
		"the decomposition, hot lines, the verdict):\n"
		"  bpfcost report --sysmon WEIGHT   one weight, measured anew\n"
		"  bpfcost -j demo                  the three of a demo run, under \"reports\"\n"
		"  bpfcost demo -o FILE.html        the same as HTML: FILE-count.html, ...\n");
}

/* ---- JSON ---- */

/* The ids of the syscall-path elements the window holds, or leaves out. */
static json_t *window_ids(const int inside[SW_EL_COUNT], bool in)
{
	json_t *a = json_array();

	for (int e = 0; a && e < SW_EL_COUNT; e++)
		if ((inside[e] >= 0) == in)
			json_array_append_new(a, json_string(sw_elem_info(e)->id));
	return a;
}

static json_t *wrap_json(const struct demo_row *row)
{
	const struct rp_syswrap *w = &row->r->sw;

	if (!row->wrap)
		return json_null();
	return bc_json_pack("{s:o, s:b, s:s, s:o, s:o, s:o, s:s}", "mean",
			    bc_json_real(row->wrap->added_mean), "incomplete",
			    wrap_incomplete(row->wrap), "method", w->method, "inside",
			    window_ids(w->inside, true), "outside", window_ids(w->inside, false),
			    "interval", json_null(), "no_interval", SW_ADDED_NO_INTERVAL);
}

static json_t *ab_json(const struct demo_row *row)
{
	const struct rp_kind *k = row->getpid;

	if (!k)
		return json_null();
	return bc_json_pack("{s:f, s:o, s:o, s:f, s:s, s:o, s:b, s:i}", "point", k->added.point,
			    "lo", bc_json_real(k->added.lo), "hi", bc_json_real(k->added.hi),
			    "level", k->added.level, "method",
			    k->added.method ? k->added.method : "none", "relative",
			    bc_json_real(k->relative), "stats_on_during_ab",
			    row->r->ab_counted_runs > 0, "rounds", row->r->plan.ab_rounds);
}

static json_t *progs_json(const struct rp_report *r, bool sampled)
{
	json_t *a = json_array();

	for (int i = 0; a && i < r->nprogs; i++) {
		const struct rp_prog *p = &r->progs[i];

		json_array_append_new(a, bc_json_pack("{s:i, s:s, s:I, s:I, s:o}", "id", (int)p->id,
			"name", p->full_name, "runs", (json_int_t)p->runs, "run_time_ns",
			(json_int_t)p->time_ns, "samples", sampled && p->sampled ?
			json_integer((json_int_t)p->samples) : json_null()));
	}
	return a;
}

static json_t *weight_json(const struct rp_report *r, enum sysmon_weight w)
{
	struct demo_row row;

	row_of(r, &row);
	return bc_json_pack(
		"{s:s, s:s, s:o, s:f, s:I, s:I, s:I, s:o, s:f, s:o, s:f, s:f, s:o, s:o, s:o, "
		"s:o, s:o, s:o, s:o}",
		"weight", sysmon_weight_name(w), "state", weight_state(r), "programs", progs_json(r, row.sampled),
		"wall_s", r->window_s, "runs", (json_int_t)row.runs,
		"run_time_ns", (json_int_t)row.time_ns,
		"workload_syscalls", (json_int_t)row.syscalls,
		"runs_per_syscall", per_syscall_json(&row, row.runs_per_syscall),
		"ns_per_run", row.ns_per_run,
		"bpf_ns_per_syscall", per_syscall_json(&row, row.bpf_ns_per_syscall),
		"cpu_pct_one_cpu", row.cpu_pct,
		"cpu_pct_machine", row.cpu_pct / r->machine.ncpus,
		"cpu_pct_sampled", row.sampled ? bc_json_real(row.sampled_pct) : json_null(),
		"profile_ns_per_syscall", row.profiled ? bc_json_real(row.profile_ns) : json_null(),
		"syscall_wrapped_getpid_added_ns", wrap_json(&row),
		"events", r->have_sysmon ? json_integer((json_int_t)r->sysmon_events) : json_null(),
		"lost", r->have_sysmon ? json_integer((json_int_t)r->sysmon_lost) : json_null(),
		"ab_getpid_added_ns", ab_json(&row), "corrected", bf_corrected_json(&row.corr));
}

/* The methods that do not work here (the same kernel for every weight),
 * and those that work but missed a weight. */
static void methods_json(const struct demo *d, json_t *other, json_t *skipped)
{
	const char *state;
	char why[512];

	for (int m = 0; m < METHOD_COUNT; m++) {
		const struct rp_section *s = &d->rep[0]->sec[m];

		if (!s->works_here)
			json_array_append_new(other, bc_json_pack("{s:s, s:s, s:b, s:s}", "method",
				method_name(m), "command", method_command(m), "available", false,
				"why", s->why));
		for (int from = 0; (state = missed_why(d, m, &from, why, sizeof(why)));)
			json_array_append_new(skipped, bc_json_pack("{s:s, s:s, s:s}", "method",
				method_name(m), "state", state, "why", why));
	}
}

static json_t *demo_json(const struct demo *d)
{
	const struct rp_report *r = d->rep[0];
	json_t *weights = json_array(), *reports = json_array();
	json_t *other = json_array(), *skipped = json_array();

	/* A weight that cannot be written is an error, not a shorter list. */
	for (int i = 0; i < d->nrep; i++) {
		if (!weights || !reports || json_array_append_new(weights, weight_json(d->rep[i], i)) ||
		    json_array_append_new(reports, rp_json(d->rep[i]))) {
			json_decref(weights);
			json_decref(reports);
			json_decref(other);
			json_decref(skipped);
			return NULL;
		}
	}
	methods_json(d, other, skipped);
	return bc_json_pack("{s:f, s:i, s:{s:s, s:s, s:b, s:o}, s:{s:i, s:f}, s:o, s:o, s:o, "
			    "s:b, s:s, s:o}",
			    "budget_s", r->plan.budget_s, "ncpus", r->machine.ncpus,
			    "stats", "method", "stats", "enabled_via", bpfstats_via_name(r->stats_via),
			    "was_on", r->stats_were_on, "bias", bf_bias_json(&r->bias),
			    "ab", "rounds", fewest_ab_rounds(d), "round_s", r->plan.ab_round_s,
			    "weights", weights, "other_methods", other, "skipped", skipped,
			    "partial", d->partial, "partial_why", d->partial_why, "reports", reports);
}

/* ---- HTML: report's, one file per weight ---- */

static int html_open_all(const char *base, struct rp_html_out *h, char (*path)[PATH_MAX])
{
	for (int w = 0; w < SYSMON_WEIGHT_COUNT; w++) {
		int err = html_path(base, w, path[w], PATH_MAX);

		if (!err)
			err = rp_html_open(&h[w], path[w]);
		if (err)
			return err;
	}
	return 0;
}

/* Each measured weight's file; the first error is returned (each said). */
static int html_write_all(const struct demo *d, struct rp_html_out *h, bool *written)
{
	int err = 0;

	for (int w = 0; w < d->nrep; w++) {
		json_t *doc = rp_json(d->rep[w]);
		int werr = doc ? rp_html_write(&h[w], d->rep[w], doc) : -ENOMEM;

		written[w] = !werr;
		err = err ? err : werr;
		json_decref(doc);
	}
	return err;
}

/* ---- the command ---- */

static int print_demo(struct bc_ctx *ctx, const struct demo *d)
{
	if (!ctx->json) {
		print_plain(ctx->out, d);
		return bc_out_error(ctx);
	}
	return bc_json_emit(ctx, demo_json(d));
}

int cmd_demo(struct bc_ctx *ctx, int argc, char **argv)
{
	struct rp_html_out html[SYSMON_WEIGHT_COUNT];
	char path[SYSMON_WEIGHT_COUNT][PATH_MAX];
	bool written[SYSMON_WEIGHT_COUNT] = { false };
	struct demo_opts o = { 0 };
	struct demo d = { 0 };
	int err;

	for (int w = 0; w < SYSMON_WEIGHT_COUNT; w++)
		html[w].fd = -1;
	err = parse_args(argc, argv, &o);
	if (err)
		return err > 0 ? 0 : err;
	if (o.html)
		err = html_open_all(o.html, html, path);
	if (!err)
		err = collect(ctx, &o, &d);
	/* The text first: a demo is not lost to an HTML file that fails. */
	if (!err)
		err = print_demo(ctx, &d);
	if (!err && o.html)
		err = html_write_all(&d, html, written);
	/* Written, but not whole: a script must be able to tell (exit 1). */
	if (!err && d.partial) {
		bc_err("the demo is partial (%s)", d.partial_why);
		err = -EINTR;
	}
	for (int w = 0; w < SYSMON_WEIGHT_COUNT; w++) {
		rp_html_close(&html[w], written[w]);
		rp_free(d.rep[w]);
	}
	return err;
}
